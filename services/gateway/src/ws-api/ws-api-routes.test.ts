/**
 * The WebSocket API at /ws-fapi/v1 over real sockets against the composed gateway
 * on the embedded core: a whole order flow, a cross between two accounts, the
 * refusals (signature, key, permission, window, replay, another account's order)
 * and a fuzz of malformed frames, each checked to change nothing.
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { startTestGateway, signed, type TestGateway } from '../gateway-test-server.test-support.js';
import { signParams, WsApiClient } from '../test-support/ws-api-client.test-support.js';
import { DELEGATED_CALL_HEADER } from '../auth/delegated-calls.js';

const SYMBOL = 'BTCUSDT';

async function bestPrices(base: string): Promise<{ bid: number; ask: number }> {
  const book = (await (await fetch(`${base}/fapi/v1/depth?symbol=${SYMBOL}&limit=5`)).json()) as { bids: string[][]; asks: string[][] };
  return { bid: Number(book.bids[0]?.[0]), ask: Number(book.asks[0]?.[0]) };
}

describe('WebSocket API /ws-fapi/v1 (embedded gateway)', () => {
  let gw: TestGateway;
  let alice: WsApiClient;
  let bob: WsApiClient;
  before(async () => {
    gw = await startTestGateway(31);
    gw.exchange.step(2_000); // the simulated makers quote
    alice = await WsApiClient.open(gw.base);
    bob = await WsApiClient.open(gw.base);
  });
  after(async () => {
    alice.close();
    bob.close();
    await gw.close();
  });

  it('place → status → modify → status → cancel, with the REST bodies and rateLimits', async () => {
    const { bid } = await bestPrices(gw.base);
    const price = Math.floor(bid * 0.97);
    const placed = await alice.signed(gw.keys.a, 'order.place', { symbol: SYMBOL, side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.010', price: String(price), newClientOrderId: 'ws-flow-1' });
    assert.equal(placed.status, 200, JSON.stringify(placed));
    assert.deepEqual([placed.result.status, placed.result.clientOrderId, placed.result.origQty, placed.result.executedQty], ['NEW', 'ws-flow-1', '0.01', '0']);
    const kinds = placed.rateLimits?.map((r) => `${r.rateLimitType}/${r.intervalNum}${r.interval}`);
    assert.deepEqual(kinds, ['REQUEST_WEIGHT/1MINUTE', 'ORDERS/10SECOND', 'ORDERS/1MINUTE']);
    assert.ok((placed.rateLimits?.[1]?.count ?? 0) >= 1, 'the order counted');
    const orderId = placed.result.orderId as number;

    const status = await alice.signed(gw.keys.a, 'order.status', { symbol: SYMBOL, orderId });
    const rest = await signed(gw.base, gw.keys.a, 'GET', '/fapi/v1/order', { symbol: SYMBOL, orderId });
    assert.deepEqual(status.result, rest.body, 'the same body as REST');
    assert.deepEqual(status.rateLimits?.map((r) => r.rateLimitType), ['REQUEST_WEIGHT'], 'a query counts no order');

    const open = await alice.signed(gw.keys.a, 'openOrders.status', { symbol: SYMBOL });
    assert.deepEqual(open.result.map((o: { orderId: number }) => o.orderId), [orderId]);

    const modified = await alice.signed(gw.keys.a, 'order.modify', { symbol: SYMBOL, orderId, side: 'BUY', quantity: '0.020', price: String(price + 1) });
    assert.equal(modified.status, 200, JSON.stringify(modified));
    const after = await alice.signed(gw.keys.a, 'order.status', { symbol: SYMBOL, origClientOrderId: 'ws-flow-1' });
    assert.deepEqual([after.result.orderId, Number(after.result.price), after.result.origQty], [orderId, price + 1, '0.02']);

    const canceled = await alice.signed(gw.keys.a, 'order.cancel', { symbol: SYMBOL, orderId });
    assert.equal(canceled.result.status, 'CANCELED');
    const again = await alice.signed(gw.keys.a, 'order.cancel', { symbol: SYMBOL, orderId });
    assert.deepEqual([again.status, again.error?.code], [400, -2011]);
    assert.deepEqual((await alice.signed(gw.keys.a, 'openOrders.status', { symbol: SYMBOL })).result, []);
  });

  it('a crossing order from a second account fills against the first', async () => {
    const { bid, ask } = await bestPrices(gw.base);
    const makerPrice = (Math.round(bid * 10) + 1) / 10;
    assert.ok(makerPrice < ask, 'the simulated spread is wider than one tick');
    const maker = await alice.signed(gw.keys.a, 'order.place', { symbol: SYMBOL, side: 'SELL', type: 'LIMIT', timeInForce: 'GTX', quantity: '0.003', price: makerPrice.toFixed(1) });
    assert.equal(maker.result?.status, 'NEW', JSON.stringify(maker));
    const taker = await bob.signed(gw.keys.b, 'order.place', { symbol: SYMBOL, side: 'BUY', type: 'LIMIT', timeInForce: 'IOC', quantity: '0.003', price: makerPrice.toFixed(1), newOrderRespType: 'RESULT' });
    assert.deepEqual([taker.result?.status, taker.result?.executedQty, Number(taker.result?.avgPrice)], ['FILLED', '0.003', makerPrice]);
    const makerNow = await alice.signed(gw.keys.a, 'order.status', { symbol: SYMBOL, orderId: maker.result.orderId });
    assert.equal(makerNow.result.status, 'FILLED');
    const positions = await bob.signed(gw.keys.b, 'v2/account.position', { symbol: SYMBOL });
    assert.equal(positions.status, 200, JSON.stringify(positions));
    assert.equal(positions.result.find((p: { symbol: string }) => p.symbol === SYMBOL)?.positionAmt, '0.003');
    const account = await bob.signed(gw.keys.b, 'account.status');
    assert.equal(account.status, 200);
    assert.ok(Array.isArray(account.result.assets));
    const balance = await bob.signed(gw.keys.b, 'account.balance');
    assert.equal(balance.result.find((b: { asset: string }) => b.asset === 'USDT')?.asset, 'USDT');
  });

  it('refuses a bad signature, a missing one, a replay, an old timestamp, an unknown key and a read-only key, placing nothing', async () => {
    const before = (await alice.signed(gw.keys.a, 'openOrders.status', {})).result.length;
    const { bid } = await bestPrices(gw.base);
    const order = { symbol: SYMBOL, side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: String(Math.floor(bid * 0.97)) };
    const forged = signParams(gw.keys.a, order, 'not-the-secret');
    assert.deepEqual((await alice.request('order.place', forged)).error?.code, -1022);
    const tampered = { ...signParams(gw.keys.a, order), quantity: '0.002' };
    assert.deepEqual((await alice.request('order.place', tampered)).error?.code, -1022);
    const { signature: _, ...unsigned } = signParams(gw.keys.a, order);
    assert.deepEqual((await alice.request('order.place', unsigned)).error?.code, -1102);
    const { apiKey: __, ...keyless } = signParams(gw.keys.a, order);
    assert.deepEqual(await alice.request('order.place', keyless).then((r) => [r.status, r.error?.code]), [401, -2014]);
    const unknownKey = signParams({ ...gw.keys.a, apiKey: 'A'.repeat(64) }, order);
    assert.deepEqual((await alice.request('order.place', unknownKey)).error?.code, -2015);
    const stale = signParams(gw.keys.a, { ...order, timestamp: Date.now() - 60_000 });
    assert.deepEqual((await alice.request('order.place', stale)).error?.code, -1021);
    assert.deepEqual((await alice.signed(gw.keys.aRead, 'order.place', order)).error?.code, -2015);
    assert.deepEqual((await alice.signed(gw.keys.a, 'order.place', { ...order, colour: 'red' })).error?.code, -1104);
    assert.deepEqual((await alice.signed(gw.keys.a, 'order.place', { ...order, price: '1.05' })).error?.code, -4014);
    assert.equal((await alice.signed(gw.keys.a, 'openOrders.status', {})).result.length, before, 'nothing was placed');

    const once = signParams(gw.keys.a, order);
    const first = await alice.request('order.place', once);
    assert.equal(first.status, 200);
    const replay = await alice.request('order.place', once);
    assert.deepEqual([replay.error?.code, replay.error?.msg], [-1022, 'Signature for this request is not valid. Signature already used.']);
    assert.equal((await alice.signed(gw.keys.a, 'openOrders.status', {})).result.length, before + 1, 'the replay placed nothing');
    await alice.signed(gw.keys.a, 'order.cancel', { symbol: SYMBOL, orderId: first.result.orderId });
  });

  it('another account’s order is unknown: no status, no cancel, no modify', async () => {
    const { bid } = await bestPrices(gw.base);
    const price = String(Math.floor(bid * 0.97));
    const mine = await alice.signed(gw.keys.a, 'order.place', { symbol: SYMBOL, side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price, newClientOrderId: 'alice-own' });
    const orderId = mine.result.orderId as number;
    assert.equal((await bob.signed(gw.keys.b, 'order.status', { symbol: SYMBOL, orderId })).error?.code, -2013);
    assert.equal((await bob.signed(gw.keys.b, 'order.status', { symbol: SYMBOL, origClientOrderId: 'alice-own' })).error?.code, -2013);
    assert.equal((await bob.signed(gw.keys.b, 'order.cancel', { symbol: SYMBOL, orderId })).error?.code, -2011);
    assert.equal((await bob.signed(gw.keys.b, 'order.modify', { symbol: SYMBOL, orderId, side: 'BUY', quantity: '0.002', price })).error?.code, -2013);
    const still = await alice.signed(gw.keys.a, 'order.status', { symbol: SYMBOL, orderId });
    assert.deepEqual([still.result.status, still.result.origQty], ['NEW', '0.001']);
    await alice.signed(gw.keys.a, 'order.cancel', { symbol: SYMBOL, orderId });
  });

  it('a client that sends but stops reading is closed 1008 "slow consumer"; others are untouched', async () => {
    const slow = await WsApiClient.open(gw.base);
    const raw = (slow.ws.socket as unknown as { _socket: Socket })._socket;
    raw.pause();
    // ~200-byte refusals: 100,000 of them are far past the 4 MiB the server buffers for one socket plus the kernel's
    const frame = JSON.stringify({ id: 'i'.repeat(64), method: 'nope' });
    for (let i = 0; i < 100_000; i++) slow.ws.send(frame);
    const served = await alice.signed(gw.keys.a, 'openOrders.status');
    assert.equal(served.status, 200, 'another connection is served meanwhile');
    // read again only once the server has begun closing a socket: resuming earlier (the server
    // still parsing the 100,000 frames on a loaded machine) would drain its buffer below the bound
    const serverSockets = (gw.server.app as unknown as { websocketServer: { clients: Set<{ readyState: number }> } }).websocketServer.clients;
    const deadline = Date.now() + 60_000;
    while (![...serverSockets].some((c) => c.readyState === 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    raw.resume();
    assert.equal(await slow.ws.closed(20_000), 1008);
    assert.ok(slow.ws.frames.length < 100_000, `replies received ${slow.ws.frames.length}`);
  });

  it('userDataStream.start / ping / stop need only the apiKey, as the REST listenKey routes', async () => {
    const started = await alice.request('userDataStream.start', { apiKey: gw.keys.a.apiKey });
    assert.match(String(started.result?.listenKey), /^[0-9a-f]{64}$/, JSON.stringify(started));
    const pinged = await alice.request('userDataStream.ping', { apiKey: gw.keys.a.apiKey });
    assert.equal(pinged.result?.listenKey, started.result.listenKey);
    assert.equal((await alice.request('userDataStream.start', {})).error?.code, -2014);
    assert.equal((await alice.request('userDataStream.stop', { apiKey: gw.keys.a.apiKey })).status, 200);
  });

  it('the delegated-call header from the network names nothing (-2015)', async () => {
    const res = await fetch(`${gw.base}/fapi/v1/openOrders`, { headers: { 'X-MBX-APIKEY': gw.keys.a.apiKey, [DELEGATED_CALL_HEADER]: '0'.repeat(32) } });
    assert.deepEqual([res.status, ((await res.json()) as { code: number }).code], [401, -2015]);
    assert.equal(gw.server.guards.authenticator.delegated.size, 0, 'no token outlives its request');
  });

  it('malformed frames get Binance errors, the socket stays up and nothing changes (fuzz)', async () => {
    // updateTime is the answer's own time; everything else is the account's state
    const state = async () => JSON.stringify([(await signed(gw.base, gw.keys.a, 'GET', '/fapi/v1/openOrders')).body, (await signed(gw.base, gw.keys.a, 'GET', '/fapi/v2/balance')).body], (k, v: unknown) => (k === 'updateTime' ? undefined : v));
    const start = await state();
    const fuzz = await WsApiClient.open(gw.base);
    // [frame, the reply's id, its code]: a frame that is not read as a request is answered with id null
    const known = [
      ['not json', null, -1102], ['[]', null, -1102], ['null', null, -1102], ['{"id":1}', 1, -1102], ['{"id":2,"method":"order.nope"}', 2, -1020],
      ['{"id":3,"method":"order.place","params":[]}', 3, -1102], ['{"id":4,"method":"order.place","params":{"price":0.1}}', 4, -1102],
      ['{"id":5,"method":"order.place","params":{"a b":"1"}}', 5, -1100], ['{"id":6,"method":"order.place","extra":1}', 6, -1103],
      ['{"id":{},"method":"order.place"}', null, -1102], [`{"id":7,"method":"order.place","pad":"${'x'.repeat(20_000)}"}`, null, -1102],
      ['{"id":8,"method":"__proto__"}', 8, -1020], ['{"id":9,"method":"order.place","params":{"symbol":"BTCUSDT"}}', 9, -2014],
      ['{"id":10,"method":"order.place","params":{"apiKey":"bad\\r\\nkey"}}', 10, -2014],
    ] as const;
    for (const [text, id, code] of known) {
      const reply = await fuzz.raw(text, id);
      assert.equal(reply.error?.code, code, `${text.slice(0, 60)} → ${JSON.stringify(reply)}`);
      assert.ok(reply.status >= 400 && reply.status < 500);
    }
    const methods = ['order.place', 'order.cancel', 'order.modify', 'order.status', 'openOrders.status', 'account.status', 'x'];
    const value = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }));
    const frame = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.record({ method: fc.constantFrom(...methods), params: fc.dictionary(fc.constantFrom('symbol', 'side', 'type', 'quantity', 'price', 'orderId', 'apiKey', 'timestamp', 'signature', 'recvWindow', 'zz'), value) }).map((f) => JSON.stringify(f)),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(frame, async (text) => {
        const id = `f${n++}`;
        let withId = text;
        try {
          const parsed = JSON.parse(text) as unknown;
          if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) withId = JSON.stringify({ ...(parsed as object), id });
        } catch {
          // not JSON: the reply carries id null
        }
        const reply = await fuzz.raw(withId, withId === text ? null : id);
        assert.ok(reply.status >= 400 && reply.status < 500, JSON.stringify(reply));
      }),
      { numRuns: 300, seed: 17 },
    );
    fuzz.ws.socket.send(Buffer.from([0xff, 0x00]), { binary: true });
    assert.equal((await fuzz.ws.next((f) => f.id === null && (f as { error?: { msg?: string } }).error?.msg?.includes('text frames') === true)).status, 400);
    assert.equal((await fuzz.signed(gw.keys.a, 'openOrders.status')).status, 200, 'the socket still serves');
    assert.equal(await state(), start, 'no frame changed an order or a balance');
    // beyond the socket's maxPayload (64 KiB) the frame is not read at all: closed 1009
    fuzz.ws.send('x'.repeat(70_000));
    assert.equal(await fuzz.ws.closed(), 1009);
  });
});
