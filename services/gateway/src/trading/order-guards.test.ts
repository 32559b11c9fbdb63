import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signed, startTestGateway, type TestGateway } from '../gateway-test-server.test-support.js';

describe('order routes behind the guards: route weights, exchangeInfo filters, halted market, kill switch', () => {
  let gw: TestGateway;
  let bid = 0;
  const order = (price: string, quantity = '0.01') => ({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity, price });

  before(async () => {
    gw = await startTestGateway(31);
    gw.exchange.step(2_000); // the simulated makers quote and a mark exists
    bid = (await gw.client.book('BTCUSDT', 1))?.bids[0]?.[0] ?? 0;
    assert.ok(bid > 0);
  });
  after(async () => gw.close());

  const ticks = (t: number) => (t / 10).toFixed(1); // BTCUSDT: tick 0.1

  it('counts weight and orders in Binance headers on the order route', async () => {
    const r = await signed(gw.base, gw.keys.a, 'POST', '/fapi/v1/order', order(ticks(Math.floor(bid * 0.99))));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(Number(r.headers.get('x-mbx-used-weight-1m')) >= 1);
    assert.ok(Number(r.headers.get('x-mbx-order-count-10s')) >= 1, 'POST order counts as an order');
    const read = await signed(gw.base, gw.keys.a, 'GET', '/fapi/v1/openOrders', {});
    assert.equal(read.headers.get('x-mbx-order-count-10s'), null, 'a read is not an order');
  });

  it('refuses an order outside PERCENT_PRICE or MARKET_LOT_SIZE before the core sees it', async () => {
    const hash = gw.exchange.stateHash();
    const low = await signed(gw.base, gw.keys.a, 'POST', '/fapi/v1/order', order(ticks(Math.floor(bid * 0.9))));
    assert.deepEqual([low.status, low.body.code], [400, -4024]);
    const high = await signed(gw.base, gw.keys.a, 'POST', '/fapi/v1/order', { ...order(ticks(Math.ceil(bid * 1.1))), side: 'SELL' });
    assert.deepEqual([high.status, high.body.code], [400, -4016]);
    // market orders are bounded by MARKET_LOT_SIZE (a tenth of LOT_SIZE's maximum)
    const big = await signed(gw.base, gw.keys.a, 'POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '999' });
    assert.deepEqual([big.status, big.body.code], [400, -4005]);
    assert.equal(gw.exchange.stateHash(), hash, 'refusals change nothing');
  });

  it('answers a halted market -4000 and an account under the kill switch -2010 (Binance text, no detail)', async () => {
    assert.equal((await gw.client.haltMarket('BTCUSDT', 'test')).rejection, null);
    const halted = await signed(gw.base, gw.keys.b, 'POST', '/fapi/v1/order', order(ticks(Math.floor(bid * 0.99))));
    assert.deepEqual([halted.status, halted.body.code], [400, -4000]);
    assert.equal((await gw.client.resumeMarket('BTCUSDT')).rejection, null);
    assert.equal((await gw.client.setKillSwitch(gw.keys.b.accountId, true)).rejection, null);
    const killed = await signed(gw.base, gw.keys.b, 'POST', '/fapi/v1/order', order(ticks(Math.floor(bid * 0.99))));
    assert.deepEqual([killed.status, killed.body], [400, { code: -2010, msg: 'Account has insufficient balance for requested action.' }]);
    assert.equal((await gw.client.setKillSwitch(gw.keys.b.accountId, false)).rejection, null);
    const again = await signed(gw.base, gw.keys.b, 'POST', '/fapi/v1/order', order(ticks(Math.floor(bid * 0.99))));
    assert.equal(again.status, 200, JSON.stringify(again.body));
  });
});
