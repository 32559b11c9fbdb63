/**
 * The embedded pipeline's mark price and premium index read matching's book samples
 * (pipeline.ts), as the cluster's risk shard does, not the live books: a command that
 * moves a book shows in risk's view only from the next sample, which matching takes
 * before the first command past a sample boundary. The Kafka test of the two modes
 * (mode-equivalence-kafka.test.ts) is where the difference used to show as two risk
 * state hashes; this pins the embedded side without a broker.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { priceToTicks, qtyToLots, Side } from '@perpcore/domain';
import { defaultMarketSpecs } from '@perpcore/markets';
import { TestVenue } from './test-venue.test-support.js';

const BTC = defaultMarketSpecs.find((m) => m.symbol === 'BTCUSDT');
const MAKER = 1;

test("risk's book is matching's last sample, one command behind the live book within a sample interval", async (t) => {
  assert.ok(BTC);
  const venue = await TestVenue.open({ fundUsdt: '0' });
  t.after(() => venue.close());
  const { pipeline } = venue;
  const live = () => pipeline.matching.engine.book('BTCUSDT');
  const view = () => pipeline.bookSamples.top('BTCUSDT');
  venue.deposit(MAKER, '1000000');
  venue.index('BTCUSDT', '30000');

  assert.equal(venue.order(MAKER, 'BTCUSDT', 'BUY', '29990', '0.1'), undefined);
  assert.equal(live()?.bestBidTicks(), priceToTicks(BTC, '29990'));
  assert.equal(view(), undefined, "the market's first command only starts its sample clock");

  venue.index('BTCUSDT', '30000'); // a second on: the next command crosses a boundary
  assert.equal(venue.order(MAKER, 'BTCUSDT', 'SELL', '30010', '0.1'), undefined);
  assert.equal(view()?.bestBidTicks(), priceToTicks(BTC, '29990'), 'the sample is the book before the command that crossed the boundary');
  assert.equal(view()?.bestAskTicks(), 0, 'so the ask that command placed is not in it');
  assert.equal(live()?.bestAskTicks(), priceToTicks(BTC, '30010'));

  assert.equal(venue.order(MAKER, 'BTCUSDT', 'BUY', '29995', '0.1'), undefined); // same second: no new sample
  assert.equal(view()?.bestBidTicks(), priceToTicks(BTC, '29990'));
  assert.equal(view()?.bestAskTicks(), 0);

  venue.index('BTCUSDT', '30000');
  assert.equal(venue.order(MAKER, 'BTCUSDT', 'SELL', '30020', '0.1'), undefined);
  assert.equal(view()?.bestBidTicks(), priceToTicks(BTC, '29995'), 'the next boundary brings both earlier commands in');
  assert.equal(view()?.bestAskTicks(), priceToTicks(BTC, '30010'));
  const bids: [number, number][] = [];
  view()?.forEachLevel(Side.Buy, 10, (p, q) => bids.push([p, q]));
  assert.deepEqual(bids, [[priceToTicks(BTC, '29995'), qtyToLots(BTC, '0.1')], [priceToTicks(BTC, '29990'), qtyToLots(BTC, '0.1')]], 'the depth the premium walk reads');
  venue.assertConserved();
});
