/**
 * MARGIN_CALL end to end: two operator accounts open opposite positions at the
 * highest leverage through signed REST and are left at their initial margin (the
 * operator pays out the rest), and the simulated market moves (the index drops 0.3 %
 * at 60 s). The call reaches the user-data stream of the side the move hurts, over a
 * real WebSocket in Binance's shape and before any liquidation notice; the other
 * side gets none.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EmbeddedExchange } from '@perpcore/exchange';
import { createLogger } from '@perpcore/observability';
import { createGatewayServer, type GatewayServer } from '../gateway-server.js';
import { signed, type TestKey, testKey, testRegistry, testServerOptions, USDT } from '../gateway-test-server.test-support.js';
import { settle, WsClient } from '../test-support/ws-client.test-support.js';

describe('MARGIN_CALL on the user-data stream (embedded core, real HTTP and WebSocket)', () => {
  let exchange: EmbeddedExchange;
  let server: GatewayServer;
  let base = '';
  const registry = testRegistry();
  const long: TestKey = testKey(registry, 7_201);
  const short: TestKey = testKey(registry, 7_202);

  before(async () => {
    // Call at 1.5 × MM (a wider window than the perp default 1.25, so that a step of the simulated market cannot
    // jump over it): a position held at its initial margin (0.8 % at 125×) is called after a 0.2 % move against it
    // and liquidated after 0.4 %. The index drops 0.3 % at 60 s of event time, so the market does move.
    exchange = await EmbeddedExchange.create({
      logger: createLogger('test', 'silent'),
      seed: 11,
      scenario: { shockAtS: 60, shockE8: -300_000, crowdAccounts: 0 },
      riskOverrides: { marginCallLevelE8: 150_000_000 },
    });
    const client = await exchange.client('gateway-test');
    server = await createGatewayServer(testServerOptions(client, registry));
    base = await server.listen(0);
    exchange.step(2_000); // a book and a mark (40 s of event time)
  });
  after(async () => {
    await server.close();
    await exchange.close();
  });

  it('the side the mark moves against is called in Binance shape, before any liquidation; the other is not', { timeout: 120_000 }, async () => {
    const client = await exchange.client('operator');
    const streams = new Map<number, WsClient>();
    for (const key of [long, short]) {
      const r = await fetch(`${base}/fapi/v1/listenKey`, { method: 'POST', headers: { 'x-mbx-apikey': key.apiKey } });
      const { listenKey } = (await r.json()) as { listenKey: string };
      streams.set(key.accountId, await WsClient.open(`${base.replace('http', 'ws')}/ws/${listenKey}`));
    }
    const bracket = (await signed(base, long, 'GET', '/fapi/v1/leverageBracket', { symbol: 'BTCUSDT' })).body as { brackets: { initialLeverage: number }[] };
    const maxLeverage = bracket.brackets[0].initialLeverage;
    const mark = Number(((await (await fetch(`${base}/fapi/v1/premiumIndex?symbol=BTCUSDT`)).json()) as { markPrice: string }).markPrice);
    const qty = 0.05;
    // ample margin for the market order's pre-trade check, then the operator pays out everything free:
    // the account is left at its initial margin
    const depositUsdt = Math.ceil(((qty * mark) / maxLeverage) * 20);
    for (const [key, side] of [[long, 'BUY'], [short, 'SELL']] as const) {
      await client.deposit(key.accountId, 'USDT', depositUsdt * USDT);
      assert.equal((await signed(base, key, 'POST', '/fapi/v1/leverage', { symbol: 'BTCUSDT', leverage: maxLeverage })).status, 200);
      const filled = await signed(base, key, 'POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side, type: 'MARKET', quantity: String(qty), newOrderRespType: 'RESULT' });
      assert.equal(filled.status, 200, JSON.stringify(filled.body));
      assert.equal(filled.body.status, 'FILLED', JSON.stringify(filled.body));
      const report = (await client.account(key.accountId)) as { withdrawableUnits: number } | null;
      const freeUnits = report?.withdrawableUnits ?? 0;
      const withdrawn = await client.withdraw(key.accountId, 'USDT', freeUnits);
      assert.equal(withdrawn.rejection, null, JSON.stringify(withdrawn.rejection));
    }
    const called = () => [...streams.entries()].filter(([, ws]) => ws.frames.some((f) => (f as { e?: string }).e === 'MARGIN_CALL'));
    // small steps, stopping at the first call: the test is about the call, not what follows it
    for (let round = 0; round < 2_000 && called().length === 0; round++) {
      exchange.step(10);
      await settle(2);
    }
    const hits = called();
    const markNow = Number(((await (await fetch(`${base}/fapi/v1/premiumIndex?symbol=BTCUSDT`)).json()) as { markPrice: string }).markPrice);
    const seen = [...streams.entries()].map(([id, w]) => `${id}: ${(w.frames as { e?: string }[]).map((f) => f.e).join(',')}`).join(' | ');
    assert.equal(hits.length, 1, `exactly one side is called; mark ${mark} → ${markNow}; frames ${seen}`);
    const [accountId, ws] = hits[0];
    const frames = ws.frames as { e?: string }[];
    const call = frames.find((f) => f.e === 'MARGIN_CALL') as { e: string; E: number; cw: string; p: { s: string; ps: string; mt: string; mp: string; mm: string }[] };
    assert.equal(call.p.length, 1);
    assert.deepEqual([call.p[0].s, call.p[0].ps, call.p[0].mt], ['BTCUSDT', 'BOTH', 'CROSSED']);
    assert.ok(Number(call.cw) > 0 && Number(call.cw) < depositUsdt / 2, `margin balance at the call: ${call.cw}`);
    const mm = Number(call.p[0].mm);
    // called at equity ≤ 1.25 × MM (the perp default): the margin balance it reports sits inside the window
    assert.ok(mm > 0 && mm < depositUsdt, `maintenance margin ${mm}`);
    assert.ok(Number(call.p[0].mp) > 0);
    const moved = accountId === long.accountId ? Number(call.p[0].mp) < mark : Number(call.p[0].mp) > mark;
    assert.ok(moved, `the mark moved against the called account (${accountId}): ${mark} → ${call.p[0].mp}`);
    const liquidationAt = frames.findIndex((f) => f.e === 'perpcore.LIQUIDATION');
    assert.ok(liquidationAt < 0 || liquidationAt > frames.indexOf(call), 'the call comes before any liquidation notice');
    const other = streams.get(accountId === long.accountId ? short.accountId : long.accountId) as WsClient;
    assert.ok(!other.frames.some((f) => (f as { e?: string }).e === 'MARGIN_CALL'), 'the other side is not called');
    for (const s of streams.values()) s.close();
  });
});
