/**
 * Hostile input to the public surface this module owns: random and mutated query
 * strings on every public REST route, and random / mutated control frames on a
 * WebSocket session. Nothing answers 5xx, nothing crashes, a refused request changes
 * nothing (the book's update id, the session's subscriptions) and the server still
 * serves afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { getJson } from '../test-support/http.test-support.js';
import { openStreamsServer, type StreamsServer } from '../test-support/gateway-streams-server.test-support.js';
import { WsClient } from '../test-support/ws-client.test-support.js';
import { publicRouteWeights } from '../market-data/route-weights.js';

const paths = Object.keys(publicRouteWeights);
const keys = ['symbol', 'limit', 'fromId', 'startTime', 'endTime', 'streams', 'x', '__proto__', 'constructor', ''];
const values = fc.oneof(
  fc.constantFrom('BTCUSDT', 'ETHUSDT', 'btcusdt', '', '5', '1000', '0', '-1', '1e3', '0x10', '99999999999999999999', 'NaN', '%00', '%FF', '[]', '{}'),
  fc.string({ maxLength: 30 }),
);
const query = fc.array(fc.tuple(fc.constantFrom(...keys), values), { maxLength: 5 }).map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));

describe('hostile input to the market-data REST and the WebSocket control protocol', () => {
  let s: StreamsServer;
  before(async () => {
    s = await openStreamsServer({ seed: 3, limits: { maxIncomingPerSecond: 1_000_000 } });
    s.core.exchange.step(100);
  });
  after(async () => s.close());

  it('2,000 random queries on the public routes: only 200 or Binance 4xx, state unchanged', async () => {
    const before = s.core.model.market('BTCUSDT')?.lastUpdateId;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), query, async (path, q) => {
        const r = await getJson(s.http, `${path}?${q}`);
        assert.ok(r.status === 200 || (r.status >= 400 && r.status < 500), `${path}?${q} → ${r.status}`);
        if (r.status !== 200) {
          refused++;
          assert.equal(typeof (r.body as { code: unknown }).code, 'number');
          assert.equal(typeof (r.body as { msg: unknown }).msg, 'string');
        }
      }),
      { numRuns: 2_000 },
    );
    assert.ok(refused > 500, `refusals seen (${refused})`);
    assert.equal(s.core.model.market('BTCUSDT')?.lastUpdateId, before);
    assert.equal((await getJson(s.http, '/fapi/v1/ping')).status, 200);
  });

  it('300 random WebSocket URLs: each session opens or closes with a documented code; the server keeps serving', async () => {
    const segment = fc.oneof(fc.constantFrom('ws', 'stream', 'public', 'market', 'private', '0', '17', 'btcusdt@trade', 'btcusdt@depth@0ms', '!bookTicker', 'a'.repeat(64), '%E0%A4%A', '..', ''), fc.string({ maxLength: 12 }));
    const urls = fc.sample(fc.tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.constantFrom('', '?streams=btcusdt@trade/x', '?listenKey=abc', '?cancelOnDisconnect=true&listenKey=' + 'f'.repeat(64))), { numRuns: 300, seed: 7 });
    for (const [parts, q] of urls) {
      const path = `/${parts.map((p) => encodeURIComponent(p).replace(/%25/g, '%')).join('/')}${q}`;
      const c = await WsClient.open(`${s.ws}${path}`).catch(() => undefined); // a path that is no WebSocket route answers 404
      if (c === undefined) continue;
      await new Promise((r) => setTimeout(r, 2));
      if (c.closeCode !== undefined) assert.ok([1008, 4001].includes(c.closeCode), `${path} closed ${c.closeCode}`);
      c.close();
    }
    await new Promise((r) => setTimeout(r, 300));
    const left = await new Promise<number>((resolve, reject) => s.app.server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
    assert.ok(left <= 2, `sockets still open after every client left: ${left}`);
    const ok = await WsClient.open(`${s.ws}/ws`);
    assert.deepEqual(await ok.call('LIST_SUBSCRIPTIONS', [], 1), { result: [], id: 1 });
    ok.close();
  });

  it('2,000 random and mutated control frames: an answer for each, no crash, refused frames subscribe nothing', async () => {
    const c = await WsClient.open(`${s.ws}/ws`);
    const valid = { method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 1 };
    const frame = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 3 }),
      fc.record({
        method: fc.oneof(fc.constantFrom('SUBSCRIBE', 'UNSUBSCRIBE', 'LIST_SUBSCRIPTIONS', 'SET_PROPERTY', 'GET_PROPERTY', 'subscribe', ''), fc.anything()),
        params: fc.oneof(fc.array(fc.oneof(fc.constantFrom('btcusdt@nope', 'dogeusdt@trade', '!x@arr', 'BTCUSDT@trade'), fc.string(), fc.integer())), fc.anything()),
        id: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.string({ maxLength: 70 }), fc.constant(null), fc.double()),
      }),
      fc.constant(JSON.stringify(valid).slice(0, 20)),
    );
    const frames = fc.sample(frame, { numRuns: 2_000, seed: 42 });
    for (const f of frames) c.send(typeof f === 'string' ? f : JSON.stringify(f));
    c.send({ method: 'LIST_SUBSCRIPTIONS', id: 'done' });
    const listed = await c.next((f) => f.id === 'done', 20_000);
    assert.ok(c.frames.length >= frames.length, `one reply per frame (${c.frames.length})`);
    // every reply is a result or a Binance error
    for (const r of c.frames as Record<string, unknown>[]) assert.ok('result' in r || 'error' in r, JSON.stringify(r));
    // the generator can only name streams that do not exist, so nothing was subscribed
    assert.deepEqual(listed.result, []);
    assert.equal(c.closeCode, undefined);
    assert.deepEqual(await c.call('SUBSCRIBE', ['btcusdt@trade'], 7), { result: null, id: 7 });
    c.close();
  });
});
