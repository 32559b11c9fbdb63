import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EmbeddedExchange } from '@perpcore/exchange';
import { createLogger } from '@perpcore/observability';
import { createGatewayServer, type GatewayServer } from '../gateway-server.js';
import { signed, type TestKey, testKey, testRegistry, testServerOptions, USDT } from '../gateway-test-server.test-support.js';
import type { UserEventSink } from './user-events.js';

/** The hub side of the port, recording what each account would receive. */
class RecordingSink implements UserEventSink {
  readonly byAccount = new Map<number, Record<string, any>[]>();
  publishToAccount(accountId: number, event: object): void {
    const list = this.byAccount.get(accountId) ?? [];
    list.push(event as Record<string, any>);
    this.byAccount.set(accountId, list);
  }
  of(accountId: number, e: string) {
    return (this.byAccount.get(accountId) ?? []).filter((x) => x.e === e);
  }
}

describe('user-data events (ORDER_TRADE_UPDATE, ACCOUNT_UPDATE) from the read model and risk', () => {
  let exchange: EmbeddedExchange;
  let server: GatewayServer;
  let base = '';
  const sink = new RecordingSink();
  const registry = testRegistry();
  const a: TestKey = testKey(registry, 7_101);
  const b: TestKey = testKey(registry, 7_102);

  before(async () => {
    exchange = await EmbeddedExchange.create({ logger: createLogger('test', 'silent'), seed: 29 });
    const client = await exchange.client('gateway-test');
    server = await createGatewayServer({ ...testServerOptions(client, registry), userEvents: sink });
    base = await server.listen(0);
    for (const k of [a, b]) await client.deposit(k.accountId, 'USDT', 100_000 * USDT);
  });
  after(async () => {
    await server.close();
    await exchange.close();
  });

  it('tells each side of a fill about its own order and position only', async () => {
    assert.equal(sink.of(a.accountId, 'ACCOUNT_UPDATE')[0]?.a.m, 'DEPOSIT');
    const maker = (await signed(base, a, 'POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '1000', newClientOrderId: 'mk' })).body;
    const taker = (await signed(base, b, 'POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.004' })).body;
    const aOrders = sink.of(a.accountId, 'ORDER_TRADE_UPDATE').map((e) => e.o);
    assert.deepEqual(aOrders.map((o) => [o.x, o.X, o.i, o.c, o.l, o.z, o.m, o.ps]), [
      ['NEW', 'NEW', maker.orderId, 'mk', '0', '0', false, 'BOTH'],
      ['TRADE', 'PARTIALLY_FILLED', maker.orderId, 'mk', '0.004', '0.004', true, 'BOTH'],
    ]);
    const bOrders = sink.of(b.accountId, 'ORDER_TRADE_UPDATE').map((e) => e.o);
    assert.deepEqual(bOrders.at(-1) && [bOrders.at(-1).x, bOrders.at(-1).X, bOrders.at(-1).i, bOrders.at(-1).L, bOrders.at(-1).m], ['TRADE', 'FILLED', taker.orderId, '1000', false]);
    assert.ok(Number(bOrders.at(-1).n) > 0, 'taker commission');
    const bAccount = sink.of(b.accountId, 'ACCOUNT_UPDATE').at(-1);
    assert.deepEqual([bAccount?.a.m, bAccount?.a.P[0].s, bAccount?.a.P[0].pa, bAccount?.a.P[0].ep], ['ORDER', 'BTCUSDT', '0.004', '1000']);
    const aAccount = sink.of(a.accountId, 'ACCOUNT_UPDATE').at(-1);
    assert.equal(aAccount?.a.P[0].pa, '-0.004');
    // privacy: nothing B received names A's order or account, and the reverse
    const bText = JSON.stringify(sink.byAccount.get(b.accountId));
    assert.ok(!bText.includes(String(maker.orderId)) && !bText.includes('"mk"') && !bText.includes(String(a.accountId)));
    assert.ok(!JSON.stringify(sink.byAccount.get(a.accountId)).includes(String(taker.orderId)));
  });

  it('tells an account the index gap liquidated about its liquidation (a gap skips the margin call), and nobody else', async () => {
    const shocked = await EmbeddedExchange.create({ logger: createLogger('test', 'silent'), seed: 37, scenario: { shockAtS: 30, crowdAccounts: 0 } });
    const client = await shocked.client('gateway-test');
    const hub = new RecordingSink();
    const served = testRegistry();
    const c: TestKey = testKey(served, 7_201);
    // the gateway tracks only the registry's accounts: the simulated traders are not served
    const gw = await createGatewayServer({ ...testServerOptions(client, served), userEvents: hub });
    try {
      const url = await gw.listen(0);
      await client.deposit(c.accountId, 'USDT', 100 * USDT);
      shocked.step(500); // 10 s: the makers quote
      assert.deepEqual((await signed(url, c, 'POST', '/fapi/v1/leverage', { symbol: 'BTCUSDT', leverage: 100 })).body.leverage, 100);
      const long = await signed(url, c, 'POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.05', newOrderRespType: 'RESULT' });
      assert.equal(long.body.status, 'FILLED', JSON.stringify(long.body));
      shocked.step(2_000); // past the −12% index gap at 30 s
      const kinds = new Set((hub.byAccount.get(c.accountId) ?? []).map((e) => e.e));
      assert.ok(kinds.has('perpcore.LIQUIDATION'), [...kinds].join(','));
      const triggered = hub.of(c.accountId, 'perpcore.LIQUIDATION').find((e) => e.phase === 'TRIGGERED');
      assert.equal(triggered?.positions[0]?.s, 'BTCUSDT');
      assert.ok(hub.of(c.accountId, 'ORDER_TRADE_UPDATE').some((e) => e.o.o === 'LIQUIDATION'), 'the liquidation step order is reported as such');
      assert.deepEqual([...hub.byAccount.keys()], [c.accountId], 'only the served account hears anything');
    } finally {
      await gw.close();
      await shocked.close();
    }
  });
});
