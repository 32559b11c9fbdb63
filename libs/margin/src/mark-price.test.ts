import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '@perpcore/domain';
import { computeMarkPrice, markBasisSampleHalfSubticks } from './mark-price.js';
import { btcParams, markSubticks, ticks } from './venue-fixtures.js';

const btc = btcParams();
const HOUR_MS = 3_600_000;
// 30 one-second samples of (mid − index) averaging +3.00 USDT = 300 ticks = 30,000 subticks = 60,000 half-subticks
const example5 = {
  indexSubticks: markSubticks('30000.00'),
  fundingRateE8: 10_000,
  timeToFundingMs: 4 * HOUR_MS,
  basisSumHalfSubticks: 30 * 60_000,
  basisSampleCount: 30,
  lastTradeTicks: ticks('30010.00'),
};

describe('mark price (RISK-SPEC §5.2)', () => {
  it('example 5: P1 30,001.50, P2 30,003.00, P3 30,010.00 → mark 30,003.00', () => {
    const m = computeMarkPrice(btc, example5);
    assert.equal(m.p1Subticks, markSubticks('30001.50'));
    assert.equal(m.p2Subticks, markSubticks('30003.00'));
    assert.equal(m.p3Subticks, markSubticks('30010.00'));
    assert.equal(m.markSubticks, markSubticks('30003.00'));
    // BitMEX funding basis: 0.01% × 4 h / 8 h
    assert.equal(m.fundingBasisE8, 5_000);
    assert.equal(m.method, 'MEDIAN3');
  });

  it('example 5: with last trade 30,002.00 the mark is 30,002.00', () => {
    assert.equal(computeMarkPrice(btc, { ...example5, lastTradeTicks: ticks('30002.00') }).markSubticks, markSubticks('30002.00'));
  });

  it('replaces a missing trade or an empty book by the index', () => {
    // no trade: median(30,001.50, 30,003.00, X = 30,000) = 30,001.50
    assert.equal(computeMarkPrice(btc, { ...example5, lastTradeTicks: null }).markSubticks, markSubticks('30001.50'));
    // empty book and no trade: median(P1, X, X) = X
    assert.equal(computeMarkPrice(btc, { ...example5, lastTradeTicks: null, basisSampleCount: 0 }).markSubticks, markSubticks('30000.00'));
  });

  it('FAIR_BASIS is P1, INDEX is X', () => {
    assert.equal(computeMarkPrice(btcParams({ markMethod: 'FAIR_BASIS' }), example5).markSubticks, markSubticks('30001.50'));
    assert.equal(computeMarkPrice(btcParams({ markMethod: 'INDEX' }), example5).markSubticks, markSubticks('30000.00'));
  });

  it('rounds half to even, to one subtick (pinned)', () => {
    const index = btcParams({ markMethod: 'FAIR_BASIS' });
    // X = 1 subtick × (1 + F·τ/T): F = 50%, τ = T → 1.5 → 2 (even); X = 3 → 4.5 → 4
    const base = { ...example5, fundingRateE8: 50_000_000, timeToFundingMs: 8 * HOUR_MS };
    assert.equal(computeMarkPrice(index, { ...base, indexSubticks: 1 }).markSubticks, 2);
    assert.equal(computeMarkPrice(index, { ...base, indexSubticks: 3 }).markSubticks, 4);
    assert.equal(computeMarkPrice(index, { ...base, indexSubticks: 5 }).markSubticks, 8); // 7.5 → 8
  });

  it('takes basis samples in half-subticks: mid of 30,000.00/30,000.01 over index 30,000.00 is half a tick', () => {
    assert.equal(markBasisSampleHalfSubticks(btc, ticks('30000.00'), ticks('30000.01'), markSubticks('30000.00')), 100);
  });

  it('refuses a non-positive index, τ beyond the interval, and fractional sums', () => {
    assert.throws(() => computeMarkPrice(btc, { ...example5, indexSubticks: 0 }), /indexSubticks/);
    assert.throws(() => computeMarkPrice(btc, { ...example5, timeToFundingMs: 9 * HOUR_MS }), /timeToFundingMs/);
    assert.throws(() => computeMarkPrice(btc, { ...example5, basisSumHalfSubticks: 1.5 }), /basisSumHalfSubticks/);
    assert.throws(() => computeMarkPrice(btc, { ...example5, lastTradeTicks: -1 }), DomainError);
  });
});
