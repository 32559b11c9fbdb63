import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signed, startTestGateway, type TestGateway } from '../gateway-test-server.test-support.js';

describe('conditional orders through /fapi/v1/algoOrder (real HTTP, embedded core)', () => {
  let gw: TestGateway;
  let call: (key: 'a' | 'b', method: string, path: string, params?: Record<string, string | number | boolean>) => ReturnType<typeof signed>;
  const stop = (extra: Record<string, string> = {}) => ({ symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', quantity: '0.01', triggerPrice: '1000', algoType: 'CONDITIONAL', workingType: 'MARK_PRICE', newOrderRespType: 'RESULT', ...extra });

  before(async () => {
    gw = await startTestGateway(17);
    call = (key, method, path, params = {}) => signed(gw.base, gw.keys[key], method, path, params);
  });
  after(async () => gw.close());

  it('places, lists, reads and cancels a stop-market as an algo order', async () => {
    const placed = await call('a', 'POST', '/fapi/v1/algoOrder', stop({ clientAlgoId: 'my-stop' }));
    assert.equal(placed.status, 200, JSON.stringify(placed.body));
    const a = placed.body;
    assert.deepEqual([a.algoStatus, a.orderType, a.triggerPrice, a.clientAlgoId, a.workingType, a.algoType], ['NEW', 'STOP_MARKET', '1000', 'my-stop', 'MARK_PRICE', 'CONDITIONAL']);
    assert.deepEqual(((await call('a', 'GET', '/fapi/v1/openAlgoOrders')).body as { algoId: number }[]).map((o) => o.algoId), [a.algoId]);
    assert.deepEqual((await call('a', 'GET', '/fapi/v1/openOrders')).body, [], 'an untriggered algo order is not an open order');
    assert.equal((await call('a', 'GET', '/fapi/v1/algoOrder', { clientAlgoId: 'my-stop' })).body.algoId, a.algoId);
    assert.equal((await call('b', 'GET', '/fapi/v1/algoOrder', { algoId: a.algoId })).body.code, -2013, 'not B’s');
    const again = await call('a', 'POST', '/fapi/v1/algoOrder', stop({ clientAlgoId: 'my-stop' }));
    assert.equal(again.body.algoId, a.algoId, 'idempotent on clientAlgoId');
    const canceled = await call('a', 'DELETE', '/fapi/v1/algoOrder', { algoId: a.algoId });
    assert.deepEqual(canceled.body, { algoId: a.algoId, clientAlgoId: 'my-stop', code: '200', msg: 'success' });
    assert.equal((await call('a', 'GET', '/fapi/v1/algoOrder', { algoId: a.algoId })).body.algoStatus, 'CANCELED');
    await call('a', 'POST', '/fapi/v1/algoOrder', stop({ type: 'TAKE_PROFIT', side: 'BUY', price: '1000', triggerPrice: '1000', timeInForce: 'GTC' }));
    assert.equal(((await call('a', 'GET', '/fapi/v1/algoOpenOrders', { symbol: 'BTCUSDT' })).body as unknown[]).length, 1);
    assert.equal((await call('a', 'DELETE', '/fapi/v1/algoOpenOrders', { symbol: 'BTCUSDT' })).body.code, 200);
    assert.deepEqual((await call('a', 'GET', '/fapi/v1/openAlgoOrders')).body, []);
  });

  it('refuses a plain type, a missing trigger and a trigger that would fire at once', async () => {
    assert.equal((await call('a', 'POST', '/fapi/v1/algoOrder', stop({ type: 'LIMIT', price: '1000' }))).body.code, -1116);
    const noTrigger = stop();
    delete (noTrigger as Partial<typeof noTrigger>).triggerPrice;
    assert.equal((await call('a', 'POST', '/fapi/v1/algoOrder', noTrigger)).body.code, -1102);
    assert.equal((await call('a', 'POST', '/fapi/v1/algoOrder', stop({ triggerPrice: '999999' }))).body.code, -2021);
  });
});
