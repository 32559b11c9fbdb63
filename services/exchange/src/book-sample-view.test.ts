import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Side } from '@perpcore/domain';
import type { MatchingEventV1 } from '@perpcore/proto';
import { BookSampleView } from './book-sample-view.js';

const sample = (market: string, seq: number, bids: [number, number][], asks: [number, number][]): MatchingEventV1 =>
  ({
    schemaMajor: 1, market, seq, tsNs: seq, inputSource: 'risk-0', inputSeq: seq, event: 'bookSample',
    bookSample: { sampledAtNs: seq * 1e9, bids: bids.map(([priceTicks, qtyLots]) => ({ priceTicks, qtyLots })), asks: asks.map(([priceTicks, qtyLots]) => ({ priceTicks, qtyLots })) },
  }) as MatchingEventV1;

test('the latest sample per market is the book risk reads; a redelivered older one changes nothing', () => {
  const view = new BookSampleView();
  assert.equal(view.top('BTC'), undefined, 'no sample yet: no book');
  view.onMatchingEvent(sample('BTC', 5, [[100, 2], [99, 7]], [[101, 1]]));
  view.onMatchingEvent(sample('BTC', 3, [[1, 1]], [[2, 1]])); // older: a redelivery
  view.onMatchingEvent({ schemaMajor: 1, market: 'BTC', seq: 6, tsNs: 6, inputSource: '', inputSeq: 0, event: 'bookDelta', bookDelta: { side: 1, priceTicks: 1, levelQtyLots: 1 } } as MatchingEventV1);
  const btc = view.top('BTC');
  assert.ok(btc);
  assert.equal(btc.bestBidTicks(), 100);
  assert.equal(btc.bestAskTicks(), 101);
  const walked: [number, number][] = [];
  btc.forEachLevel(Side.Buy, 1, (p, q) => walked.push([p, q]));
  btc.forEachLevel(Side.Buy, 10, (p, q) => walked.push([p, q]));
  assert.deepEqual(walked, [[100, 2], [100, 2], [99, 7]], 'at most maxLevels, and no deeper than the sample');
  view.onMatchingEvent(sample('BTC', 9, [], [[105, 3]]));
  assert.equal(btc.bestBidTicks(), 0, 'a one-sided sample: no bid');
  assert.equal(view.top('ETH'), undefined);
});

test('the view survives a snapshot: a restored view gives the same books and still drops older samples', () => {
  const view = new BookSampleView();
  view.onMatchingEvent(sample('ETH', 4, [[200, 1]], [[202, 5], [203, 1]]));
  view.onMatchingEvent(sample('BTC', 5, [[100, 2], [99, 7]], [[101, 1]]));
  const restored = new BookSampleView();
  restored.importState(view.exportState());
  assert.deepEqual(Buffer.from(restored.exportState()), Buffer.from(view.exportState()));
  const levels = (v: BookSampleView, m: string) => {
    const out: number[][] = [];
    v.top(m)?.forEachLevel(Side.Buy, 10, (p, q) => out.push([p, q]));
    v.top(m)?.forEachLevel(Side.Sell, 10, (p, q) => out.push([p, q]));
    return out;
  };
  assert.deepEqual(levels(restored, 'BTC'), [[100, 2], [99, 7], [101, 1]]);
  assert.deepEqual(levels(restored, 'ETH'), [[200, 1], [202, 5], [203, 1]]);
  restored.onMatchingEvent(sample('BTC', 5, [[1, 1]], [[2, 1]])); // the restart re-reads the sample it already has
  assert.equal(restored.top('BTC')?.bestBidTicks(), 100);
  assert.throws(() => restored.importState(view.exportState()), /already holds samples/);
});
