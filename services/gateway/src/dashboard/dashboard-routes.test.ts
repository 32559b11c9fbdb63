/**
 * The dashboard behind the operator credential, over real HTTP and WebSocket on the
 * gateway of an embedded exchange whose simulated crowd holds leveraged positions:
 * without the token only the page shell and its code are served; with it the state
 * and the operator stream answer, and the accounts are ranked by the risk stage's
 * own margin levels.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formatScaled } from '@perpcore/domain';
import { defaultSystemAccounts } from '@perpcore/markets';
import { EmbeddedExchange } from '@perpcore/exchange';
import { createLogger } from '@perpcore/observability';
import { WebSocket } from 'ws';
import { adminToken } from '../admin/admin-token.js';
import { InMemoryAccountRegistry } from '../auth/account-registry.js';
import { createGatewayServer, type GatewayServer } from '../gateway-server.js';
import { ManualClock } from '../test-support/manual-clock.test-support.js';
import { WsClient } from '../test-support/ws-client.test-support.js';

const TOKEN = 'dashboard-operator-token-0123456789';
const BEARER = { authorization: `Bearer ${TOKEN}` };

describe('the dashboard behind the operator token', { timeout: 60_000 }, () => {
  let exchange: EmbeddedExchange;
  let server: GatewayServer;
  let url: string;
  let ws: string;

  before(async () => {
    exchange = await EmbeddedExchange.create({ logger: createLogger('test', 'silent'), seed: 3, scenario: { crowdAccounts: 40, crowdEntryStartS: 10, crowdEntryEndS: 100, shockAtS: 0 } });
    server = await createGatewayServer({
      client: await exchange.client('gateway-0'),
      registry: new InMemoryAccountRegistry({ firstSystemAccountId: defaultSystemAccounts.feeAccountId, firstAccountId: 100_000 }),
      adminToken: adminToken(TOKEN),
      logger: createLogger('test', 'silent'),
      streamClock: new ManualClock(),
    });
    url = await server.listen(0);
    ws = url.replace('http', 'ws');
    exchange.step(8_000); // 160 simulated seconds: the crowd has entered
  });

  after(async () => {
    await server.close();
    await exchange.close();
  });

  it('serves the page shell and its code to anyone, and no data', async () => {
    const page = await fetch(`${url}/dashboard`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    assert.match(html, /id="login-form"/);
    assert.match(html, /<main id="console" hidden><\/main>/, 'the console is empty until the token is accepted');
    assert.doesNotMatch(html, /BTCUSDT|accountId|balance/i);
    for (const [name, type] of [
      ['app.js', /^text\/javascript/],
      ['uPlot.esm.js', /^text\/javascript/],
      ['dashboard.css', /^text\/css/],
    ] as const) {
      const r = await fetch(`${url}/dashboard/assets/${name}`);
      assert.equal(r.status, 200, name);
      assert.match(r.headers.get('content-type') ?? '', type, name);
    }
    for (const name of ['nope.js', '..%2F..%2Fpackage.json', '%2E%2E%2Fsrc%2Fmain.ts', 'index.html%00.js']) {
      assert.equal((await fetch(`${url}/dashboard/assets/${name}`)).status, 404, name);
    }
  });

  it('answers the state only with the token', async () => {
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: TOKEN }]) {
      const r = await fetch(`${url}/v1/admin/dashboard/state`, { headers });
      assert.equal(r.status, 401, JSON.stringify(headers));
      assert.deepEqual(await r.json(), { code: 'ADMIN_UNAUTHORIZED', message: 'Authorization: Bearer <admin token> is required' });
    }
    const r = await fetch(`${url}/v1/admin/dashboard/state`, { headers: BEARER });
    assert.equal(r.status, 200);
    const state = (await r.json()) as { markets: { symbol: string; stream: string; live: { markPrice: string; indexPrice: string; lastPrice: string; bestBid: [string, string]; bestAsk: [string, string]; bidLevels: number; askLevels: number } | null }[]; fundIds: string[]; feed: unknown[] };
    assert.deepEqual(
      state.markets.map((m) => [m.symbol, m.stream]),
      [
        ['BTCUSDT', 'btcusdt'],
        ['ETHUSDT', 'ethusdt'],
      ],
    );
    assert.ok(state.fundIds.length > 0);
    // the live figures the page draws its first frame from: the simulated market has quoted and traded
    for (const m of state.markets) {
      const live = m.live;
      assert.ok(live !== null, m.symbol);
      assert.ok(Number(live.markPrice) > 0 && Number(live.indexPrice) > 0 && Number(live.lastPrice) > 0, `${m.symbol}: ${JSON.stringify(live)}`);
      assert.ok(Number(live.bestBid[0]) > 0 && Number(live.bestBid[0]) < Number(live.bestAsk[0]), `${m.symbol}: a two-sided book ${JSON.stringify(live)}`);
      assert.ok(live.bidLevels > 0 && live.askLevels > 0);
    }
  });

  it('closes the operator stream 4401 without a frame of data for a wrong token or another first frame', async () => {
    for (const first of [{ method: 'AUTH', token: 'wrong-token-0123456789' }, { method: 'SUBSCRIBE', params: ['btcusdt@depth'], id: 1 }, 'not json']) {
      const client = await WsClient.open(`${ws}/v1/admin/stream`);
      client.send(first);
      assert.equal(await client.closed(), 4401, JSON.stringify(first));
      await server.dashboard.tick(); // a tick while it was open reaches nobody unauthenticated
      assert.deepEqual(
        client.frames.map((f) => (f as { type: string }).type),
        ['error'],
      );
      assert.equal((client.frames[0] as { code: string }).code, 'ADMIN_UNAUTHORIZED');
    }
  });

  it('streams the snapshot and the ticks after an AUTH frame, or with the Bearer header on the upgrade', async () => {
    const client = await WsClient.open(`${ws}/v1/admin/stream`);
    client.send({ method: 'AUTH', token: TOKEN });
    const snapshot = await client.next((f) => f.type === 'snapshot');
    assert.ok(Array.isArray(snapshot.markets));
    await fetch(`${url}/fapi/v1/depth?symbol=BTCUSDT`); // one REST request for the latency figures
    await server.dashboard.tick();
    const tick = await client.next<{ stages: { stage: string; what: string; total: number }[]; latency: { scope: string; requests: number }[]; fund: { balances: Record<string, string> } }>((f) => f.type === 'tick');
    assert.ok(tick.stages.find((s) => s.stage === 'matching' && s.what === 'fills')!.total > 0, 'fills were counted');
    assert.ok(tick.latency.find((l) => l.scope === 'REST (all routes)')!.requests >= 1);
    assert.ok(Object.keys(tick.fund.balances).length > 0);
    client.close();

    const withHeader = new WebSocket(`${ws}/v1/admin/stream`, { headers: BEARER });
    const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
      withHeader.once('message', (data) => resolve(JSON.parse(data.toString()) as Record<string, unknown>));
      withHeader.once('error', reject);
    });
    assert.equal(first.type, 'snapshot');
    withHeader.close();
  });

  it('ranks the crowd by the risk stage’s margin level, lowest first', async () => {
    const tick = await server.dashboard.tick();
    assert.ok(tick.accounts.length > 5, `rows: ${tick.accounts.length}`);
    assert.ok(tick.accountsTracked >= tick.accounts.length);
    for (let i = 1; i < tick.accounts.length; i++) assert.ok(tick.accounts[i - 1].levelE8 <= tick.accounts[i].levelE8, `row ${i} is not above row ${i - 1}`);
    const client = await exchange.client('check');
    for (const row of tick.accounts.slice(0, 5)) {
      const report = await client.account(row.accountId);
      assert.ok(report !== null);
      const scope = row.scope === 'CROSS' ? report.cross : report.isolated.find((s) => s.market === row.scope);
      assert.ok(scope !== undefined);
      assert.equal(row.levelE8, scope.levelE8, `account ${row.accountId}`);
      assert.equal(row.distanceToLiquidation, formatScaled(scope.distanceToLiquidationUnits, 6));
      assert.equal(row.distanceToMarginCall, formatScaled(scope.distanceToMarginCallUnits, 6));
      assert.ok(row.positions.length > 0);
    }
  });
});
