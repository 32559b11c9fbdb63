import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { oracleEventCodec, type OracleEventV1 } from '@perpcore/proto';
import { IndexPricePublisher } from './index-price-publisher.js';
import { SimulatedIndexFeed, type SimulatedIndexConfig } from './simulated-index-feed.js';

const T0 = 1_700_000_000_000_000_000;
const SECOND = 1_000_000_000;
const config: SimulatedIndexConfig = {
  seed: 42,
  startTsNs: T0,
  symbols: [
    { symbol: 'BTCUSDT', startPriceSubticks: 3_000_000_00, volatilityE8: 20_000, jumpChanceE8: 1_000_000, jumpSizeE8: 2_000_000, sourceNoiseE8: 5_000, outlierChanceE8: 2_000_000, outlierSizeE8: 5_000_000 },
    { symbol: 'ETHUSDT', startPriceSubticks: 200_000_00, volatilityE8: 30_000, jumpChanceE8: 0, jumpSizeE8: 0 },
  ],
};

function pathOf(feed: SimulatedIndexFeed, symbol: string, seconds: number[]): number[] {
  return seconds.map((s) => feed.quoteAt(symbol, T0 + s * SECOND)?.priceSubticks ?? 0);
}

describe('simulated index feed', () => {
  it('starts at the start price and is deterministic for a seed', () => {
    const a = new SimulatedIndexFeed(config);
    const b = new SimulatedIndexFeed(config);
    assert.equal(a.quoteAt('BTCUSDT', T0)?.priceSubticks, 3_000_000_00);
    const seconds = [1, 2, 3, 10, 100, 1000, 5000];
    assert.deepEqual(pathOf(a, 'BTCUSDT', seconds), pathOf(b, 'BTCUSDT', seconds));
  });

  it('depends on the elapsed steps only, not on how often it is asked', () => {
    const sparse = new SimulatedIndexFeed(config);
    const dense = new SimulatedIndexFeed(config);
    for (let s = 1; s < 600; s++) dense.quoteAt('BTCUSDT', T0 + s * SECOND + 17);
    assert.equal(sparse.quoteAt('BTCUSDT', T0 + 600 * SECOND)?.priceSubticks, dense.quoteAt('BTCUSDT', T0 + 600 * SECOND)?.priceSubticks);
  });

  it('another seed gives another path; each symbol has its own stream', () => {
    const a = new SimulatedIndexFeed(config);
    const b = new SimulatedIndexFeed({ ...config, seed: 43 });
    assert.notDeepEqual(pathOf(a, 'BTCUSDT', [100, 200]), pathOf(b, 'BTCUSDT', [100, 200]));
    const ethOnly = new SimulatedIndexFeed({ ...config, symbols: [config.symbols[0], { ...config.symbols[1] }] });
    assert.deepEqual(pathOf(a, 'ETHUSDT', [50, 500]), pathOf(ethOnly, 'ETHUSDT', [50, 500]));
  });

  it('drifts, jumps and keeps prices positive integers', () => {
    const feed = new SimulatedIndexFeed(config);
    let prev = 3_000_000_00;
    let moved = 0;
    let jumps = 0;
    for (let s = 1; s <= 20_000; s++) {
      const p = feed.quoteAt('BTCUSDT', T0 + s * SECOND)?.priceSubticks ?? 0;
      assert.ok(Number.isSafeInteger(p) && p > 0);
      if (p !== prev) moved++;
      if (Math.abs(p - prev) > prev * 0.008) jumps++;
      prev = p;
    }
    assert.ok(moved > 19_000, `moved ${moved}`);
    assert.ok(jumps >= 50 && jumps <= 400, `jumps ${jumps}`); // 1% chance per step → about 200
  });

  it('marks outlier sources unused', () => {
    const feed = new SimulatedIndexFeed(config);
    let dropped = 0;
    for (let s = 1; s <= 2000; s++) dropped += feed.quoteAt('BTCUSDT', T0 + s * SECOND)?.sources.filter((x) => !x.used).length ?? 0;
    assert.ok(dropped > 0);
  });

  it('refuses bad configuration', () => {
    assert.throws(() => new SimulatedIndexFeed({ ...config, symbols: [{ ...config.symbols[0], startPriceSubticks: 0 }] }), /startPriceSubticks/);
    assert.throws(() => new SimulatedIndexFeed({ ...config, symbols: [config.symbols[0], config.symbols[0]] }), /twice/);
    assert.throws(() => new SimulatedIndexFeed({ ...config, stepNs: 0 }), /stepNs/);
  });
});

describe('index price publisher', () => {
  it('publishes one wire-valid IndexPriceV1 per symbol, numbered per symbol', () => {
    const events: OracleEventV1[] = [];
    const publisher = new IndexPricePublisher({
      feed: new SimulatedIndexFeed(config),
      source: 'oracle-0',
      publish: (e) => {
        const decoded = oracleEventCodec.decode(oracleEventCodec.encode(e));
        assert.ok(decoded.ok);
        events.push(e);
      },
    });
    publisher.publishAt(T0 + SECOND);
    publisher.publishAt(T0 + 2 * SECOND);
    assert.deepEqual(events.map((e) => [e.symbol, e.seq]), [['BTCUSDT', 1], ['ETHUSDT', 1], ['BTCUSDT', 2], ['ETHUSDT', 2]]);
    assert.equal(events[0].source, 'oracle-0');
    assert.equal(events[2].tsNs, T0 + 2 * SECOND);
    assert.equal(events[0].indexPrice?.sources.length, 3);
  });

  it('refuses time that goes backwards and publishes nothing', () => {
    const events: OracleEventV1[] = [];
    const publisher = new IndexPricePublisher({ feed: new SimulatedIndexFeed(config), source: 'oracle-0', publish: (e) => events.push(e) });
    publisher.publishAt(T0 + 5 * SECOND);
    assert.throws(() => publisher.publishAt(T0 + SECOND), /ORACLE_TIME_WENT_BACKWARDS|before/);
    assert.equal(events.length, 2);
    assert.equal(publisher.lastSeq('BTCUSDT'), 1);
  });
});
