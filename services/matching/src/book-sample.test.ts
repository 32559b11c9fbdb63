import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMarketSpec, OrderType, TimeInForce } from '@perpcore/domain';
import { createFastOrderBook } from '@perpcore/orderbook';
import { matchingEventCodec, SCHEMA_MAJOR_V1, type MatchingCommandV1, type MatchingEventV1, perpcore } from '@perpcore/proto';
import { MatchingEngine } from './matching-engine.js';

const WireSide = perpcore.common.v1.Side;
const btc = createMarketSpec({
  symbol: 'BTCUSDT', baseAsset: 'BTC', settleAsset: 'USDT', settleDecimals: 6,
  tickSize: '0.1', lotSize: '0.001', maxPriceTicks: 10_000_000, maxQtyLots: 1_000_000, priceBandE8: 5_000_000,
});
const S = 1e9;

function setup() {
  const events: MatchingEventV1[] = [];
  const engine = new MatchingEngine({
    markets: [btc],
    createBook: createFastOrderBook,
    publish: (e) => {
      const decoded = matchingEventCodec.decode(matchingEventCodec.encode(e));
      assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.message);
      events.push(decoded.value);
    },
    bookSample: { intervalNs: () => S, depthLevels: 2 },
  });
  let seq = 0;
  const place = (tsNs: number, orderId: number, side: number, priceTicks: number, qtyLots: number) =>
    engine.handle({
      schemaMajor: SCHEMA_MAJOR_V1, market: 'BTCUSDT', seq: ++seq, tsNs, source: 'risk-0', command: 'place',
      place: { orderId, accountId: orderId, side, type: OrderType.Limit, timeInForce: TimeInForce.GoodTillCancel, priceTicks, qtyLots, triggerPriceTicks: 0, triggerSource: 0, selfTradePrevention: 0, reduceOnly: false, clientOrderId: '', liquidationId: 0 },
    } as MatchingCommandV1);
  return { events, place };
}

const samples = (events: MatchingEventV1[]) => events.filter((e) => e.event === 'bookSample');

test('a command crossing a sample boundary is preceded by a sample of the book before it, in the market\'s sequence', () => {
  const { events, place } = setup();
  place(10 * S + 1, 1, WireSide.SIDE_BUY, 300_000, 5); // sets the clock: no sample
  place(10 * S + 2, 2, WireSide.SIDE_BUY, 299_990, 4);
  place(10 * S + 3, 3, WireSide.SIDE_BUY, 299_980, 1);
  place(10 * S + 4, 4, WireSide.SIDE_SELL, 300_100, 2);
  assert.equal(samples(events).length, 0, 'no boundary crossed yet');
  const before = events.length;
  place(13 * S + 5, 5, WireSide.SIDE_SELL, 300_000, 1); // crosses 11, 12 and 13 s: one sample, then the fill
  const [s] = samples(events);
  assert.ok(s?.bookSample);
  assert.equal(events.indexOf(s), before, 'the sample comes first');
  assert.equal(s.bookSample.sampledAtNs, 13 * S, 'stamped with the latest boundary crossed');
  assert.deepEqual(s.bookSample.bids.map((l) => [l.priceTicks, l.qtyLots]), [[300_000, 5], [299_990, 4]], 'best first, at most the depth, before the new order traded');
  assert.deepEqual(s.bookSample.asks.map((l) => [l.priceTicks, l.qtyLots]), [[300_100, 2]]);
  assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1), 'samples take the market\'s next sequence numbers like any event');
  place(13 * S + 6, 6, WireSide.SIDE_BUY, 299_000, 1);
  assert.equal(samples(events).length, 1, 'same interval: no second sample');
});

test('the same commands give the same samples (they belong to matching\'s log, not its clock)', () => {
  const run = () => {
    const { events, place } = setup();
    for (let i = 1; i <= 40; i++) place(i * 370_000_000, i, i % 2 === 0 ? WireSide.SIDE_BUY : WireSide.SIDE_SELL, 300_000 + ((i * 7919) % 41) - 20, 1 + (i % 3));
    return samples(events).map((e) => matchingEventCodec.encode(e));
  };
  const a = run();
  assert.ok(a.length > 5);
  assert.deepEqual(run(), a);
});
