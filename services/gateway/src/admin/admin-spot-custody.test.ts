/**
 * The operator's custody of the spot-margin ledger over real HTTP on `npm start`'s
 * composition (EmbeddedExchange + startEmbeddedGateway): spot deposits and
 * withdrawals of BTC and USDT in the assets' own decimals, refusals that change
 * nothing, the spot ledger's conservation line, the account's three spot-margin
 * answers, and each accepted transfer published as a RiskEventV1 by the spot stage.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Topics } from '@perpcore/bus';
import { EmbeddedExchange } from '@perpcore/exchange';
import { createLogger } from '@perpcore/observability';
import type { RiskEventV1 } from '@perpcore/proto';
import { type EmbeddedGateway, startEmbeddedGateway } from '../embedded-gateway.js';

const TOKEN = 'spot-operator-token-0123456789abcdef';

describe('operator API: spot-margin custody over real HTTP', { timeout: 120_000 }, () => {
  let exchange: EmbeddedExchange;
  let gw: EmbeddedGateway;
  const spotEvents: RiskEventV1[] = [];
  before(async () => {
    exchange = await EmbeddedExchange.create({ logger: createLogger('test', 'silent'), seed: 43, scenario: { shockAtS: 0, crowdAccounts: 0 } });
    gw = await startEmbeddedGateway(exchange, { port: 0, logger: createLogger('test', 'silent'), env: { PERPCORE_ADMIN_TOKEN: TOKEN } });
    await exchange.bus.subscribe(Topics.riskAccountEvents, { groupId: 'spot-custody-test' }, (m) => {
      if (m.value.source === 'spot-0') spotEvents.push(m.value);
    });
    exchange.step(100); // the spot pair has its index
  });
  after(async () => {
    await gw.server.close();
    await exchange.close();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${gw.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const spot = () => exchange.spotMargin!.engine;
  const newAccount = async () => (await call('POST', '/v1/admin/accounts', {})).body.accountId as number;

  it('credits and debits BTC and USDT exactly in the spot ledger, beside (not in) the perps wallet', async () => {
    const accountId = await newAccount();
    const perpsBefore = exchange.risk.engine.stateHash();
    const btc = await call('POST', '/v1/admin/spot-deposits', { accountId, asset: 'BTC', amount: '1.50000001' });
    assert.deepEqual(btc, { status: 200, body: { accountId, asset: 'BTC', amount: '1.50000001', balanceAfter: '1.50000001' } });
    const usdt = await call('POST', '/v1/admin/spot-deposits', { accountId, asset: 'USDT', amount: '1000.000001' });
    assert.equal(usdt.body.balanceAfter, '1000.000001');
    assert.equal(spot().context.state.peekRow(accountId, 'BTC')?.balanceUnits, 150_000_001);
    assert.equal(exchange.risk.engine.stateHash(), perpsBefore, 'the perps ledger is untouched');
    const wd = await call('POST', '/v1/admin/spot-withdrawals', { accountId, asset: 'BTC', amount: '0.5' });
    assert.deepEqual(wd, { status: 200, body: { accountId, asset: 'BTC', amount: '0.5', balanceAfter: '1.00000001' } });
    const figures = exchange.figures(1);
    assert.equal(figures.conservationOk, true, figures.conservationProblems.join('; '));
    // the published events: a consumer of the risk topic sees each transfer with its row after it
    const mine = spotEvents.filter((e) => e.accountId === accountId);
    assert.deepEqual(mine.map((e) => e.event), ['spotDeposited', 'spotDeposited', 'spotWithdrawn']);
    assert.deepEqual(mine.map((e) => Number(e.seq)), [1, 2, 3]);
    assert.equal(mine[2].spotWithdrawn!.after!.rows![0].balanceUnits, '100000001');
  });

  it('refuses unknown assets and accounts, off-grid amounts and overdrafts with clear codes, changing nothing', async () => {
    const accountId = await newAccount();
    await call('POST', '/v1/admin/spot-deposits', { accountId, asset: 'USDT', amount: '10' });
    const before = spot().stateHash();
    const refused: [string, unknown, number, string][] = [
      ['/v1/admin/spot-deposits', { accountId, asset: 'DOGE', amount: '1' }, 400, 'ADMIN_UNKNOWN_ASSET'],
      ['/v1/admin/spot-deposits', { accountId: 424_242, asset: 'BTC', amount: '1' }, 404, 'ADMIN_UNKNOWN_ACCOUNT'],
      ['/v1/admin/spot-deposits', { accountId, asset: 'BTC', amount: '0.000000001' }, 400, 'DOMAIN_OFF_GRID'],
      ['/v1/admin/spot-deposits', { accountId, asset: 'BTC', amount: '0' }, 400, 'ADMIN_INVALID_AMOUNT'],
      ['/v1/admin/spot-withdrawals', { accountId, asset: 'USDT', amount: '10.000001' }, 400, 'RISK_SPOT_INSUFFICIENT_BALANCE'],
      ['/v1/admin/spot-withdrawals', { accountId, asset: 'BTC', amount: '1' }, 400, 'RISK_SPOT_UNKNOWN_ACCOUNT'],
    ];
    for (const [path, body, status, code] of refused) {
      const r = await call('POST', path, body);
      assert.equal(r.status, status, `${path} ${JSON.stringify(body)} → ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, code, `${path} ${JSON.stringify(body)} → ${JSON.stringify(r.body)}`);
      assert.equal(typeof r.body.message, 'string');
    }
    assert.equal(spot().stateHash(), before, 'no refused transfer moved anything');
    const anonymous = await fetch(`${gw.url}/v1/admin/spot-deposits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accountId, asset: 'BTC', amount: '1' }) });
    assert.equal(anonymous.status, 401);
    assert.equal(spot().stateHash(), before);
  });

  it("answers spot margin's three questions for the account over HTTP", async () => {
    const accountId = await newAccount();
    await call('POST', '/v1/admin/spot-deposits', { accountId, asset: 'BTC', amount: '1' });
    const client = await exchange.client('spot-custody-test');
    const borrowed = await client.spotBorrow(accountId, 'USDT', 20_000 * 1_000_000);
    assert.ok(borrowed.ok && borrowed.tranId > 0, JSON.stringify(borrowed));
    const view = await call('GET', `/v1/admin/accounts/${accountId}/spot-margin`);
    assert.equal(view.status, 200, JSON.stringify(view.body));
    const report = spot().accountReport(accountId)!;
    assert.deepEqual(view.body, JSON.parse(JSON.stringify(report)));
    const btc = (view.body.assets as { asset: string; acceptedUnits: number; priceFeed: string; callPriceTicks: number; liquidationPriceTicks: number }[]).find((a) => a.asset === 'BTC')!;
    assert.ok(btc.acceptedUnits > 0, 'BTC accepted after its haircut');
    assert.equal(btc.priceFeed, 'index:BTC/USDT');
    assert.ok(btc.liquidationPriceTicks < btc.callPriceTicks);
    assert.ok((view.body.distanceToLiquidationUnits as number) > (view.body.distanceToCallUnits as number) && (view.body.distanceToCallUnits as number) > 0);
    const none = await call('GET', `/v1/admin/accounts/${await newAccount()}/spot-margin`);
    assert.deepEqual([none.status, none.body.code], [404, 'ADMIN_NO_SPOT_ROWS']);
    assert.equal((await call('GET', '/v1/admin/accounts/424242/spot-margin')).status, 404);
  });
});
