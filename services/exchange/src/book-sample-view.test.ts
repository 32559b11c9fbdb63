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
