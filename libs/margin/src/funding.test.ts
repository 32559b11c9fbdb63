import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { averagePremiumE8 } from './average-premium.js';
import { fundingIndexIncrement, fundingIndexScale, pendingFundingUnits, settleFunding } from './funding-index.js';
import { fundingPaymentUnits } from './funding-payment.js';
import { fundingCapE8, fundingRate } from './funding-rate.js';
import { createImpactPriceWalker, impactNotionalUnits, impactPriceFromLevels } from './impact-price.js';
import { premiumIndexE8, premiumIndexWithFigures } from './premium-index.js';
import { btcParams, markSubticks, ticks, units } from './venue-fixtures.js';
import type { TierInput } from './tier-table.js';

const btc = btcParams();
const x30k = markSubticks('30000');

describe('impact notional and premium index (RISK-SPEC §5.3)', () => {
  it('example 6: 20× max leverage, 200 USDT impact margin → IMN 4,000', () => {
    const tiers: TierInput[] = [{ floorUnits: 0, capUnits: units('1000000'), maxLeverage: 20, mmrE8: 2_500_000 }];
    assert.equal(impactNotionalUnits(btcParams({ tiers })), units('4000'));
  });

  it('example 7: impact bid/ask 30,015/30,020 → +0.0500%; 29,980/29,985 → −0.0500%; 29,990/30,010 → 0', () => {
    const at = (p: string) => ({ num: BigInt(ticks(p)), den: 1n });
    assert.equal(premiumIndexE8(btc, at('30015'), at('30020'), x30k), 50_000);
    assert.equal(premiumIndexE8(btc, at('29980'), at('29985'), x30k), -50_000);
    assert.equal(premiumIndexE8(btc, at('29990'), at('30010'), x30k), 0);
  });

  it('walks book levels for the impact price: fractional last level, exact average', () => {
    const imn = units('4000');
    // bids: 0.05 BTC @ 30,020 (1,501 USDT), then 1 BTC @ 30,015 → the rest 2,499 USDT at 30,015
    const bid = impactPriceFromLevels(btc, [ticks('30020'), ticks('30015')], [50, 1_000], imn);
    assert.ok(bid !== null);
    // avg = 4,000 / (0.05 + 2,499/30,015) BTC
    const expectedNum = 4_000n * 30_015n * 100n; // in ticks: price × 100
    const expectedDen = 50n * 30_015n + 2_499n * 1_000n; // base in lots × 30,015
    assert.equal(bid.num * expectedDen, expectedNum * 1_000n * bid.den);
    // a book that cannot fill the notional → null → premium 0
    assert.equal(impactPriceFromLevels(btc, [ticks('30015')], [100], imn), null);
    assert.equal(premiumIndexE8(btc, null, { num: 3_002_000n, den: 1n }, x30k), 0);
  });

  it('the walker fits a forEachLevel visitor and ignores levels after the fill', () => {
    const walker = createImpactPriceWalker(btc);
    walker.begin(units('4000'));
    const levels: Array<[number, number]> = [[ticks('30015'), 1_000], [ticks('1'), 1]];
    for (const [p, q] of levels) walker.visit(p, q);
    assert.deepEqual(walker.result(), { num: BigInt(units('4000')) * BigInt(ticks('30015')), den: BigInt(units('4000')) });
    walker.begin(units('4000'));
    assert.equal(walker.result(), null);
  });
});

describe('average premium and funding rate (RISK-SPEC §5.4, §5.5)', () => {
  it('example 8: 0.04%, 0.05%, 0.06% linear-weighted → 0.053333% (the mean would be 0.05%)', () => {
    assert.equal(averagePremiumE8([40_000, 50_000, 60_000], 'LINEAR_WEIGHTED'), 53_333);
    assert.equal(averagePremiumE8([40_000, 50_000, 60_000], 'MEAN'), 50_000);
  });

  it('rounds averages and rates toward zero (pinned on negatives)', () => {
    assert.equal(averagePremiumE8([-40_000, -50_000, -60_000], 'LINEAR_WEIGHTED'), -53_333);
    assert.equal(averagePremiumE8([-1, -1, 0], 'MEAN'), 0);
  });

  it('example 9: F(8 h) = 0.0100% inside the clamp and the cap; a 4 h interval applies 0.0050%', () => {
    const f8 = fundingRate(btc, 53_333);
    assert.equal(fundingCapE8(btc), 300_000); // 0.75 × 0.40%
    assert.equal(f8.periodRateE8, 10_000);
    assert.equal(f8.rateE8, 10_000);
    assert.equal(fundingRate(btcParams({ fundingIntervalS: 14_400 }), 53_333).rateE8, 5_000);
  });

  it('clamps I − P̄ and caps after scaling', () => {
    // P̄ = 0.2%: I − P̄ = −0.19% → clamp −0.05% → F = 0.15%
    assert.equal(fundingRate(btc, 200_000).rateE8, 150_000);
    // P̄ = 1%: F_period 0.95% → capped at 0.30%
    const capped = fundingRate(btc, 1_000_000);
    assert.equal(capped.uncappedRateE8, 950_000);
    assert.equal(capped.rateE8, 300_000);
    assert.equal(fundingRate(btc, -1_000_000).rateE8, -300_000);
    assert.equal(fundingRate(btcParams({ fundingCap: { kind: 'ABSOLUTE', rateE8: 40_000 } }), 1_000_000).rateE8, 40_000);
  });
});

describe('funding payment, index and lazy settlement (RISK-SPEC §5.6, §5.7)', () => {
  it('long 1 BTC at 30,000 with F 0.01% pays 3 USDT; the index settles the same amount', () => {
    assert.equal(fundingPaymentUnits(btc, 1_000, x30k, 10_000), units('3'));
    assert.equal(fundingPaymentUnits(btc, -1_000, x30k, 10_000), -units('3'));
    const dG = fundingIndexIncrement(btc, 10_000, x30k);
    assert.equal(dG, 30_000_000_000_000n);
    assert.equal(pendingFundingUnits(btc, 1_000, dG, 0n), units('3'));
    assert.deepEqual(settleFunding(btc, -1_000, dG, 0n), { paidUnits: -units('3'), snapshot: dG });
  });

  it('payers pay the ceiling, receivers get the floor (pinned)', () => {
    // 1 lot, 1 subtick, F = 1e-8: ΔG = 10, S = 1e10 → 1e-9 units
    const dG = fundingIndexIncrement(btc, 1, 1);
    assert.equal(pendingFundingUnits(btc, 1, dG, 0n), 1);
    assert.equal(pendingFundingUnits(btc, -1, dG, 0n), 0);
    assert.equal(fundingPaymentUnits(btc, 1, 1, 1), 1);
    assert.equal(fundingPaymentUnits(btc, -1, 1, 1), 0);
  });

  it('TRUNCATE_INCREMENT truncates each increment toward zero to whole units per lot', () => {
    const dydx = btcParams({ fundingIndexRounding: 'TRUNCATE_INCREMENT' });
    const s = fundingIndexScale(dydx);
    assert.equal(fundingIndexIncrement(dydx, 1, 1), 0n);
    assert.equal(fundingIndexIncrement(dydx, 10_001, x30k) % s, 0n);
    assert.equal(fundingIndexIncrement(dydx, -10_001, x30k), -(((10_001n * BigInt(x30k) * 10n) / s) * s));
  });

  it('property: funding nets to zero across longs and shorts up to a residue in [0, 1) per settlement', () => {
    const scenario = fc.record({
      longs: fc.array(fc.integer({ min: 1, max: 5_000_000 }), { minLength: 1, maxLength: 6 }),
      events: fc.array(
        fc.record({ rateE8: fc.integer({ min: -300_000, max: 300_000 }), priceSubticks: fc.integer({ min: 1, max: 10 ** 10 }), touch: fc.integer({ min: 0, max: 63 }) }),
        { minLength: 1, maxLength: 30 },
      ),
    });
    fc.assert(
      fc.property(scenario, fc.boolean(), ({ longs, events }, truncate) => {
        const params = truncate ? btcParams({ fundingIndexRounding: 'TRUNCATE_INCREMENT' }) : btc;
        const S = fundingIndexScale(params);
        // shorts mirror the total long size in two pieces, so open interest balances
        const total = longs.reduce((a, b) => a + b, 0);
        const positions = [...longs, -Math.floor(total / 2), -(total - Math.floor(total / 2))].filter((q) => q !== 0);
        const snapshots = positions.map(() => 0n);
        let G = 0n;
        let pool = 0n;
        let settlements = 0;
        for (const e of events) {
          G += fundingIndexIncrement(params, e.rateE8, e.priceSubticks);
          positions.forEach((q, i) => {
            if ((e.touch >> i) & 1) {
              const s = settleFunding(params, q, G, snapshots[i]);
              pool += BigInt(s.paidUnits);
              snapshots[i] = s.snapshot;
              settlements += 1;
            }
          });
          // §9.4: pool × S + Σ (G − G_pos) × Q is the accumulated residue: ≥ 0 and < S per settlement
          const outstanding = positions.reduce((acc, q, i) => acc + (G - snapshots[i]) * BigInt(q), 0n);
          const residue = pool * S + outstanding;
          assert.ok(residue === 0n || (residue > 0n && residue < S * BigInt(settlements)), `residue ${residue}`);
        }
        positions.forEach((q, i) => {
          pool += BigInt(settleFunding(params, q, G, snapshots[i]).paidUnits);
          settlements += 1;
        });
        assert.ok(pool >= 0n && pool < BigInt(settlements), `pool ${pool} after ${settlements} settlements`);
      }),
      { numRuns: 500 },
    );
  });
});

describe('funding figures (the intermediates venues publish)', () => {
  it('example 9: P̄ 0.053333%, clamped term −0.043333%, F 0.0100% (rate period and interval)', () => {
    const f = fundingRate(btc, 53_333);
    assert.deepEqual(f, { averagePremiumE8: 53_333, clampedTermE8: -43_333, periodRateE8: 10_000, uncappedRateE8: 10_000, capE8: 300_000, rateE8: 10_000 });
    // the clamp bites: P̄ 0.2% → I − P̄ = −0.19% clamped to −0.05%
    assert.equal(fundingRate(btc, 200_000).clampedTermE8, -50_000);
  });

  it('example 7: premium terms, impact bid 30,015 / ask 30,020 over index 30,000', () => {
    const bid = { num: BigInt(ticks('30015')), den: 1n };
    const ask = { num: BigInt(ticks('30020')), den: 1n };
    assert.deepEqual(premiumIndexWithFigures(btc, bid, ask, x30k), { bidExcessE8: 50_000, askShortfallE8: 0, premiumE8: 50_000 });
    const low = premiumIndexWithFigures(btc, { num: BigInt(ticks('29980')), den: 1n }, { num: BigInt(ticks('29985')), den: 1n }, x30k);
    assert.deepEqual(low, { bidExcessE8: 0, askShortfallE8: 50_000, premiumE8: -50_000 });
    assert.equal(low.premiumE8, premiumIndexE8(btc, { num: BigInt(ticks('29980')), den: 1n }, { num: BigInt(ticks('29985')), den: 1n }, x30k));
    assert.deepEqual(premiumIndexWithFigures(btc, null, ask, x30k), { bidExcessE8: 0, askShortfallE8: 0, premiumE8: 0 });
  });
});
