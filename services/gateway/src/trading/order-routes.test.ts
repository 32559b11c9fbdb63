import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { signed, startTestGateway, type TestGateway } from '../gateway-test-server.test-support.js';

// far below the simulated index (~50,000): no simulated order ever crosses these
const BID = '1000.5';

describe('signed /fapi order endpoints (real HTTP, embedded core)', () => {
  let gw: TestGateway;
  let call: (key: 'a' | 'b' | 'aRead' | 'poor', method: string, path: string, params?: Record<string, string | number | boolean>) => ReturnType<typeof signed>;
  const limit = (extra: Record<string, string> = {}) => ({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.010', price: BID, newOrderRespType: 'RESULT', ...extra });

  before(async () => {
    gw = await startTestGateway();
    call = (key, method, path, params = {}) => signed(gw.base, gw.keys[key], method, path, params);
  });
  after(async () => gw.close());

  it('places a limit order and answers with the Binance order (decimal strings, status NEW), readable by id and client id', async () => {
    const res = await call('a', 'POST', '/fapi/v1/order', limit({ newClientOrderId: 'first-order' }));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const o = res.body;
    assert.deepEqual([o.symbol, o.status, o.side, o.type, o.timeInForce, o.price, o.origQty, o.executedQty, o.clientOrderId, o.positionSide], ['BTCUSDT', 'NEW', 'BUY', 'LIMIT', 'GTC', BID, '0.01', '0', 'first-order', 'BOTH']);
    assert.ok(Number.isSafeInteger(o.orderId) && o.orderId >= 2 ** 52);
    assert.equal((await call('a', 'GET', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: o.orderId })).body.orderId, o.orderId);
    assert.equal((await call('a', 'GET', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'first-order' })).body.orderId, o.orderId);
    assert.equal((await call('a', 'GET', '/fapi/v1/openOrder', { symbol: 'BTCUSDT', orderId: o.orderId })).body.status, 'NEW');
    const open = (await call('a', 'GET', '/fapi/v1/openOrders', { symbol: 'BTCUSDT' })).body as { orderId: number }[];
    assert.ok(open.some((x) => x.orderId === o.orderId));
  });

  it('a retried newClientOrderId returns the original order and never executes twice (also after a cancel)', async () => {
    const first = await call('a', 'POST', '/fapi/v1/order', limit({ newClientOrderId: 'retry-me', price: '1001' }));
    const hash = gw.exchange.stateHash();
    const again = await call('a', 'POST', '/fapi/v1/order', limit({ newClientOrderId: 'retry-me', price: '1001' }));
    assert.equal(again.body.orderId, first.body.orderId);
    assert.equal(gw.exchange.stateHash(), hash, 'the retry sent nothing');
    const canceled = await call('a', 'DELETE', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'retry-me' });
    assert.equal(canceled.body.status, 'CANCELED');
    const afterCancel = await call('a', 'POST', '/fapi/v1/order', limit({ newClientOrderId: 'retry-me', price: '1001' }));
    assert.deepEqual([afterCancel.body.orderId, afterCancel.body.status], [first.body.orderId, 'CANCELED']);
  });

  it('amends price and quantity (PUT), and fills against a second account with private trades', async () => {
    const placed = (await call('a', 'POST', '/fapi/v1/order', limit({ price: '1002' }))).body;
    const amended = await call('a', 'PUT', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: placed.orderId, side: 'BUY', quantity: '0.02', price: '1002.5' });
    assert.equal(amended.status, 200, JSON.stringify(amended.body));
    assert.deepEqual([amended.body.price, amended.body.origQty], ['1002.5', '0.02']);
    const taker = await call('b', 'POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'IOC', quantity: '0.005', price: '1002.5', newOrderRespType: 'RESULT' });
    assert.deepEqual([taker.body.status, taker.body.executedQty, taker.body.avgPrice], ['FILLED', '0.005', '1002.5'], JSON.stringify(taker.body));
    assert.equal(taker.body.cumQuote, '5.0125');
    const maker = (await call('a', 'GET', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: placed.orderId })).body;
    assert.deepEqual([maker.status, maker.executedQty], ['PARTIALLY_FILLED', '0.005']);

    const bTrades = (await call('b', 'GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT' })).body as Record<string, unknown>[];
    const t = bTrades.at(-1) as Record<string, unknown>;
    assert.deepEqual([t.orderId, t.side, t.price, t.qty, t.maker, t.buyer, t.quoteQty, t.commissionAsset], [taker.body.orderId, 'SELL', '1002.5', '0.005', false, false, '5.0125', 'USDT']);
    assert.equal(t.commission, '0.002507', 'taker fee 0.05% of 5.0125, rounded up to the micro-USDT');
    // privacy: nothing of the maker's account or order in the taker's view
    assert.ok(!JSON.stringify(bTrades).includes(String(placed.orderId)));
    assert.ok(!JSON.stringify(bTrades).includes(String(gw.keys.a.accountId)));
    const aTrades = (await call('a', 'GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT' })).body as Record<string, unknown>[];
    assert.deepEqual([aTrades.at(-1)?.maker, aTrades.at(-1)?.orderId], [true, placed.orderId]);
    const all = (await call('a', 'GET', '/fapi/v1/allOrders', { symbol: 'BTCUSDT' })).body as { orderId: number }[];
    assert.ok(all.some((o) => o.orderId === placed.orderId));
    const fromPlaced = (await call('a', 'GET', '/fapi/v1/allOrders', { symbol: 'BTCUSDT', orderId: placed.orderId, limit: 1 })).body as { orderId: number }[];
    assert.deepEqual(fromPlaced.map((o) => o.orderId), [placed.orderId]);
    // ACK answers the order as accepted, before its fills (0.005 × 1002.6 clears MIN_NOTIONAL's 5 USDT)
    await call('b', 'POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.005', price: '1002.6' });
    const ack = await call('a', 'POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'IOC', quantity: '0.005', price: '1002.6', newOrderRespType: 'ACK' });
    assert.deepEqual([ack.body.status, ack.body.executedQty], ['NEW', '0']);
    assert.equal((await call('a', 'GET', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: ack.body.orderId })).body.status, 'FILLED');
  });

  it('an account never sees or touches another account’s order', async () => {
    const mine = (await call('a', 'POST', '/fapi/v1/order', limit({ price: '1003', newClientOrderId: 'a-private' }))).body;
    const hash = gw.exchange.stateHash();
    const cases = [
      await call('b', 'DELETE', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: mine.orderId }),
      await call('b', 'DELETE', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'a-private' }),
      await call('b', 'GET', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: mine.orderId }),
      await call('b', 'GET', '/fapi/v1/openOrder', { symbol: 'BTCUSDT', orderId: mine.orderId }),
      await call('b', 'PUT', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: mine.orderId, side: 'BUY', quantity: '0.02', price: '1003' }),
    ];
    assert.deepEqual(cases.map((c) => [c.status, c.body.code]), [[400, -2011], [400, -2011], [400, -2013], [400, -2013], [400, -2013]]);
    const bOpen = (await call('b', 'GET', '/fapi/v1/openOrders')).body as { orderId: number }[];
    assert.ok(!bOpen.some((o) => o.orderId === mine.orderId));
    assert.equal(gw.exchange.stateHash(), hash);
  });

  it('refuses bad input with Binance codes and changes nothing', async () => {
    const hash = gw.exchange.stateHash();
    const bad: [Record<string, string>, number, number][] = [
      [limit({ price: '1000.55' }), 400, -4014],
      [limit({ quantity: '0.0001' }), 400, -4023],
      [limit({ price: '-5' }), 400, -4001],
      [limit({ price: '1e3' }), 400, -1102],
      [limit({ price: '0' }), 400, -4001],
      [limit({ quantity: '99999999' }), 400, -4005],
      [limit({ symbol: 'DOGEUSDT' }), 400, -1121],
      [limit({ side: 'UP' }), 400, -1117],
      [limit({ type: 'ICEBERG' }), 400, -1116],
      [limit({ timeInForce: 'GTD' }), 400, -1115],
      [limit({ colour: 'red' }), 400, -1104],
      [{ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '1' }, 400, -1102],
      [{ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01', price: '100' }, 400, -1106],
      [limit({ newClientOrderId: 'has space' }), 400, -1100],
      [limit({ positionSide: 'LONG' }), 400, -4061],
    ];
    for (const [params, status, code] of bad) {
      const res = await call('a', 'POST', '/fapi/v1/order', params);
      assert.deepEqual([res.status, res.body.code], [status, code], JSON.stringify(params));
    }
    assert.equal(gw.exchange.stateHash(), hash);
  });

  it('refuses unauthenticated, badly signed, stale and under-permitted requests', async () => {
    const hash = gw.exchange.stateHash();
    const noKey = await fetch(`${gw.base}/fapi/v1/openOrders?timestamp=${Date.now()}&signature=${'0'.repeat(64)}`);
    assert.deepEqual([noKey.status, ((await noKey.json()) as { code: number }).code], [401, -2014]);
    const wrongSecret = await signed(gw.base, { ...gw.keys.a, secret: 'not-the-secret' }, 'POST', '/fapi/v1/order', limit());
    assert.deepEqual([wrongSecret.status, wrongSecret.body.code], [400, -1022]);
    const readOnly = await call('aRead', 'POST', '/fapi/v1/order', limit());
    assert.deepEqual([readOnly.status, readOnly.body.code], [401, -2015]);
    assert.equal((await call('aRead', 'GET', '/fapi/v1/openOrders')).status, 200);
    const stale = await signed(gw.base, gw.keys.a, 'POST', '/fapi/v1/order', { ...limit(), timestamp: Date.now() - 60_000 });
    assert.deepEqual([stale.status, stale.body.code], [400, -1021], 'outside recvWindow');
    const future = await signed(gw.base, gw.keys.a, 'POST', '/fapi/v1/order', { ...limit(), timestamp: Date.now() + 5_000 });
    assert.equal(future.body.code, -1021);
    assert.equal(gw.exchange.stateHash(), hash);
  });

  it('reads only signed parameters: a JSON body beside a signed query is refused (-1104), never placed', async () => {
    const hash = gw.exchange.stateHash();
    const qs = new URLSearchParams({ timestamp: String(Date.now()), symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', recvWindow: '10000' }).toString();
    const signature = createHmac('sha256', gw.keys.a.secret).update(qs).digest('hex');
    // quantity and price ride in a body nobody signed
    const res = await fetch(`${gw.base}/fapi/v1/order?${qs}&signature=${signature}`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': gw.keys.a.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ quantity: '0.010', price: BID }),
    });
    assert.deepEqual([res.status, ((await res.json()) as { code: number }).code], [400, -1104]);
    assert.equal(gw.exchange.stateHash(), hash);
  });

  it('maps the core’s refusals: insufficient margin → -2010 exact text, post-only → -5022', async () => {
    const poor = await call('poor', 'POST', '/fapi/v1/order', limit({ quantity: '5' }));
    assert.deepEqual([poor.status, poor.body], [400, { code: -2010, msg: 'Account has insufficient balance for requested action.' }]);
    await call('b', 'POST', '/fapi/v1/order', { symbol: 'ETHUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.1', price: '100' });
    const gtx = await call('a', 'POST', '/fapi/v1/order', { symbol: 'ETHUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTX', quantity: '0.1', price: '100' });
    assert.deepEqual([gtx.status, gtx.body.code], [400, -5022]);
    await call('b', 'DELETE', '/fapi/v1/allOpenOrders', { symbol: 'ETHUSDT' });
  });

  it('batchOrders answers per item; allOpenOrders cancels the symbol; countdownCancelAll fires on a real timer', async () => {
    const batch = await call('a', 'POST', '/fapi/v1/batchOrders', {
      batchOrders: JSON.stringify([
        { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '1004' },
        { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '1004.55' },
        { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: 0.01, price: '1004' },
      ]),
    });
    assert.equal(batch.status, 200);
    assert.equal(batch.body[0].status, 'NEW');
    assert.deepEqual([batch.body[1].code, batch.body[2].code], [-4014, -1102]);
    const all = await call('a', 'DELETE', '/fapi/v1/allOpenOrders', { symbol: 'BTCUSDT' });
    assert.deepEqual(all.body, { code: 200, msg: 'The operation of cancel all open order is done.' });
    assert.deepEqual((await call('a', 'GET', '/fapi/v1/openOrders', { symbol: 'BTCUSDT' })).body, []);

    const resting = (await call('a', 'POST', '/fapi/v1/order', limit({ price: '1005' }))).body;
    const armed = await call('a', 'POST', '/fapi/v1/countdownCancelAll', { symbol: 'BTCUSDT', countdownTime: 150 });
    assert.deepEqual(armed.body, { symbol: 'BTCUSDT', countdownTime: '150' });
    assert.equal((await call('a', 'GET', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: resting.orderId })).body.status, 'NEW');
    await new Promise((r) => setTimeout(r, 400));
    assert.equal((await call('a', 'GET', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: resting.orderId })).body.status, 'CANCELED');
    const kept = (await call('a', 'POST', '/fapi/v1/order', limit({ price: '1005' }))).body;
    await call('a', 'POST', '/fapi/v1/countdownCancelAll', { symbol: 'BTCUSDT', countdownTime: 150 });
    await call('a', 'POST', '/fapi/v1/countdownCancelAll', { symbol: 'BTCUSDT', countdownTime: 0 });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await call('a', 'GET', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: kept.orderId })).body.status, 'NEW', 'disarmed');
  });
});
