import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Side } from '@perpcore/domain';
import { getJson } from '../test-support/http.test-support.js';
import { openStreamsServer, type StreamsServer } from '../test-support/gateway-streams-server.test-support.js';
import { type DepthEvent, SyncedBook } from '../test-support/depth-sync.test-support.js';
import { WsClient } from '../test-support/ws-client.test-support.js';

describe('WebSocket market streams (real ws over loopback, real embedded core)', () => {
  let s: StreamsServer;
  before(async () => {
    s = await openStreamsServer({ seed: 5 });
    s.core.exchange.step(200);
  });
  after(async () => s.close());

  const coreLevels = (side: Side) => {
    const out: [string, string][] = [];
    s.core.exchange.matching.engine.book('BTCUSDT')?.forEachLevel(side, 100_000, (p, q) => void out.push([(p / 10).toString(), (q / 1000).toString()]));
    return out;
  };

  it('SUBSCRIBE / LIST_SUBSCRIPTIONS / UNSUBSCRIBE replies and Binance errors for bad frames', async () => {
    const c = await WsClient.open(`${s.ws}/public/ws/0`);
    assert.deepEqual(await c.call('SUBSCRIBE', ['btcusdt@trade', 'btcusdt@depth@100ms'], 1), { result: null, id: 1 });
    assert.deepEqual(await c.call('LIST_SUBSCRIPTIONS', [], 2), { result: ['btcusdt@trade', 'btcusdt@depth@100ms'], id: 2 });
    assert.deepEqual(await c.call('UNSUBSCRIBE', ['btcusdt@trade'], 3), { result: null, id: 3 });
    assert.deepEqual(await c.call('GET_PROPERTY', ['combined'], 4), { result: false, id: 4 });
    const bad = await c.call('SUBSCRIBE', ['dogeusdt@trade', 'btcusdt@aggTrade'], 5);
    assert.equal((bad.error as { code: number }).code, 2);
    assert.deepEqual((await c.call('LIST_SUBSCRIPTIONS', [], 6)).result, ['btcusdt@depth@100ms'], 'a refused SUBSCRIBE subscribes to nothing');
    s.clock.advance(1_000); // the control-frame budget is 10 per second
    assert.equal(((await c.call('FLY', [], 7)).error as { code: number }).code, 2);
    assert.equal(((await c.call('SET_PROPERTY', ['colour', true], 8)).error as { code: number }).code, 0);
    assert.equal(((await c.call('SET_PROPERTY', ['combined', 'yes'], 9)).error as { code: number }).code, 1);
    c.send('{not json');
    assert.equal(((await c.next((f) => f.id === null && (f.error as { code: number }).code === 3)).error as { code: number }).code, 3);
    c.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: -4 });
    assert.equal(((await c.next((f) => f.id === null && (f.error as { code: number }).code === 2)).error as { code: number }).code, 2);
    s.clock.advance(1_000);
    for (let i = 0; i < 10; i++) c.send({ method: 'LIST_SUBSCRIPTIONS', id: 100 + i });
    await c.next((f) => f.id === 109);
    c.send({ method: 'LIST_SUBSCRIPTIONS', id: 110 });
    assert.equal(await c.closed(), 1008, 'the 11th frame within a second closes the session');
  });

  it('the depth diff chain continues the REST snapshot: a ccxt-style client holds the core book while orders change it', async () => {
    const c = await WsClient.open(`${s.ws}/public/ws/1`);
    await c.call('SUBSCRIBE', ['btcusdt@depth@100ms'], 1);
    const book = new SyncedBook();
    let seen = 0;
    const drain = () => {
      for (; seen < c.frames.length; seen++) {
        const f = c.frames[seen] as DepthEvent;
        if (f.e === 'depthUpdate') book.delta(f);
      }
    };
    // deltas before the snapshot are buffered, as ccxt does
    s.core.exchange.step(30);
    s.clock.advance(100);
    await c.call('LIST_SUBSCRIPTIONS', [], 2);
    drain();
    book.snapshot((await getJson(s.http, '/fapi/v1/depth?symbol=BTCUSDT&limit=1000')).body as never);
    for (let round = 0; round < 25; round++) {
      s.core.exchange.step(1 + (round % 7) * 5);
      if (round % 3 === 0) s.clock.advance(100);
      s.clock.advance(100);
      await c.call('LIST_SUBSCRIPTIONS', [], 100 + round); // frames on one socket arrive in order: every diff sent is in
      drain();
      assert.deepEqual(book.levels(Side.Buy), coreLevels(Side.Buy), `bids after round ${round}`);
      assert.deepEqual(book.levels(Side.Sell), coreLevels(Side.Sell), `asks after round ${round}`);
      if (round % 5 === 4) s.clock.advance(1_000); // keep under the control-frame budget
    }
    assert.ok(seen > 10, `diffs arrived (${seen})`);
    c.close();
  });

  it('combined /stream envelopes for trade, aggTrade, bookTicker, depth5, markPrice@1s and miniTicker', async () => {
    const names = ['btcusdt@trade', 'btcusdt@aggTrade', 'btcusdt@bookTicker', 'btcusdt@depth5@100ms', 'btcusdt@markPrice@1s', 'btcusdt@miniTicker', '!markPrice@arr'];
    const c = await WsClient.open(`${s.ws}/stream?streams=${names.join('/')}`);
    s.core.exchange.step(400);
    s.clock.advance(3_000);
    for (const name of names) {
      const f = await c.next<{ stream: string; data: Record<string, unknown> }>((x) => x.stream === name);
      assert.ok(f.data !== undefined, name);
    }
    const trade = (await c.next<{ data: Record<string, unknown> }>((x) => x.stream === 'btcusdt@trade')).data;
    assert.equal(trade.e, 'trade');
    assert.equal(trade.s, 'BTCUSDT');
    assert.match(String(trade.p), /^\d+(\.\d)?$/);
    const mark = (await c.next<{ data: Record<string, unknown> }>((x) => x.stream === 'btcusdt@markPrice@1s')).data;
    assert.equal(mark.e, 'markPriceUpdate');
    const premium = (await getJson(s.http, '/fapi/v1/premiumIndex?symbol=BTCUSDT')).body as { markPrice: string };
    assert.equal((c.frames.filter((x) => (x as { stream: string }).stream === 'btcusdt@markPrice@1s').at(-1) as { data: { p: string } }).data.p, premium.markPrice);
    const depth5 = (await c.next<{ data: DepthEvent }>((x) => x.stream === 'btcusdt@depth5@100ms')).data;
    assert.equal(depth5.b.length, 5);
    const bt = (await c.next<{ data: Record<string, unknown> }>((x) => x.stream === 'btcusdt@bookTicker')).data;
    assert.equal(bt.e, 'bookTicker');
    assert.equal((await c.next<{ data: Record<string, unknown> }>((x) => x.stream === 'btcusdt@miniTicker')).data.e, '24hrMiniTicker');
    assert.ok(Array.isArray((await c.next<{ data: unknown }>((x) => x.stream === '!markPrice@arr')).data));
    c.close();
  });

  it('paths: /ws/<stream> subscribes from the URL; an unknown stream in the URL closes 1008', async () => {
    const c = await WsClient.open(`${s.ws}/market/ws/btcusdt@aggTrade`);
    s.core.exchange.step(400);
    s.clock.advance(100);
    assert.equal((await c.next((f) => f.e === 'aggTrade')).s, 'BTCUSDT');
    c.close();
    const bad = await WsClient.open(`${s.ws}/ws/btcusdt@nothing`);
    assert.equal(await bad.closed(), 1008);
    const malformed = await WsClient.open(`${s.ws}/stream?streams=%E0%A4%A`);
    assert.equal(await malformed.closed(), 1008);
    const ok = await WsClient.open(`${s.ws}/ws`);
    assert.deepEqual(await ok.call('LIST_SUBSCRIPTIONS', [], 1), { result: [], id: 1 }, 'the server still serves');
    ok.close();
  });
});
