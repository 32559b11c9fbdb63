import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signed, startTestGateway, type TestGateway } from '../gateway-test-server.test-support.js';
import { settle, WsClient } from '../test-support/ws-client.test-support.js';

describe('cancel-on-disconnect on the composed gateway (user-data session → the client’s cancelAll)', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway(43);
  });
  after(async () => gw.close());

  const listenKey = async (apiKey: string) =>
    ((await (await fetch(`${gw.base}/fapi/v1/listenKey`, { method: 'POST', headers: { 'X-MBX-APIKEY': apiKey } })).json()) as { listenKey: string }).listenKey;
  const resting = async (key: 'a' | 'b') =>
    (await signed(gw.base, gw.keys[key], 'POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '1000' })).body as { orderId: number };
  const status = async (key: 'a' | 'b', orderId: number) => (await signed(gw.base, gw.keys[key], 'GET', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId })).body.status as string;

  it('a session that asked for it cancels its account’s orders when it closes; other sessions and accounts keep theirs', async () => {
    const ws = gw.base.replace('http://', 'ws://');
    const a = await WsClient.open(`${ws}/private/ws?listenKey=${await listenKey(gw.keys.a.apiKey)}&cancelOnDisconnect=true`);
    const b = await WsClient.open(`${ws}/private/ws?listenKey=${await listenKey(gw.keys.b.apiKey)}`);
    const aOrder = await resting('a');
    const bOrder = await resting('b');
    await a.next((f) => (f as { e?: string }).e === 'ORDER_TRADE_UPDATE', 5_000);
    b.close();
    await settle(300);
    assert.equal(await status('b', bOrder.orderId), 'NEW', 'no cancel-on-disconnect asked: kept');
    a.close();
    await settle(300);
    assert.equal(await status('a', aOrder.orderId), 'CANCELED');
    assert.equal(await status('b', bOrder.orderId), 'NEW', "another account's order is untouched");
  });
});
