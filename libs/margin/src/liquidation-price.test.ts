import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError } from '@perpcore/domain';
import type { DerivedPrice } from './derived-price.js';
import {
  type LiquidationPriceInput,
  entryBasedLiquidationPrice,
  isolatedLiquidationPrice,
  liquidationPrice,
  liquidationPriceOverTiers,
  marginCallPrice,
  priceAtLevel,
  priceAtLevelOverTiers,
} from './liquidation-price.js';
import { maintenanceMarginUnits } from './maintenance-margin.js';
import { unrealizedPnlUnits } from './unrealized-pnl.js';
import { btcParams, ethParams, lots, markSubticks, ticks, units } from './venue-fixtures.js';

const btc = btcParams();
const eth = ethParams();

/** Venue figure check: the exact price rounds (to nearest) to the venue's 0.01, and the report is the directional rounding. */
function assertVenuePrice(p: DerivedPrice | null, venue: string, long: boolean): void {
  assert.ok(p !== null);
  const venueScaled = BigInt(venue.replace('.', ''));
  // exact price × 100 (ticks are 0.01): nearest
  const twice = (2n * p.ticks.num) / p.ticks.den;
  const nearest = (twice + 1n) / 2n;
  assert.equal(nearest, venueScaled, `exact ${p.ticks.num}/${p.ticks.den} vs venue ${venue}`);
  const floor = p.ticks.num / p.ticks.den;
  const exactIsWhole = p.ticks.num % p.ticks.den === 0n;
  assert.equal(p.reportedScaled, long && !exactIsWhole ? floor + 1n : floor);
}

const btcQ = lots('109.488');
const btcCost = btcQ * ticks('32481.98') * btc.lotTickUnits;
const btcMark = markSubticks('31967.27');
const ethQ = lots('3683.979');
const ethCost = ethQ * ticks('1456.84') * eth.lotTickUnits;
const ethMark = markSubticks('1335.18');
const wb = units('1535443.01');

describe('liquidation price (RISK-SPEC §4)', () => {
  it('example 2: cross, one position: 25,100.40 (reported long-up 25,100.41)', () => {
    const input = { qtyLots: lots('0.02'), costUnits: units('1000'), markSubticks: markSubticks('50000'), walletUnits: units('500'), otherMaintenanceUnits: 0, otherUpnlUnits: 0 };
    const lp = liquidationPrice(btc, input);
    assertVenuePrice(lp, '25100.40', true);
    assert.equal(lp?.reported, '25100.41');
    assert.deepEqual(liquidationPriceOverTiers(btc, input), lp);
  });

  it('example 3: cross, two positions: BTC 26,316.89, ETH 1,153.26', () => {
    const btcMm = maintenanceMarginUnits(btc, btcQ, btcMark);
    const btcUpnl = unrealizedPnlUnits(btc, btcQ, btcCost, btcMark);
    const ethMm = maintenanceMarginUnits(eth, ethQ, ethMark);
    const ethUpnl = unrealizedPnlUnits(eth, ethQ, ethCost, ethMark);
    const lpBtc = liquidationPrice(btc, { qtyLots: btcQ, costUnits: btcCost, markSubticks: btcMark, walletUnits: wb, otherMaintenanceUnits: ethMm, otherUpnlUnits: ethUpnl });
    const lpEth = liquidationPrice(eth, { qtyLots: ethQ, costUnits: ethCost, markSubticks: ethMark, walletUnits: wb, otherMaintenanceUnits: btcMm, otherUpnlUnits: btcUpnl });
    assertVenuePrice(lpBtc, '26316.89', true);
    assertVenuePrice(lpEth, '1153.26', true);
    assert.equal(lpBtc?.tierIndex, 3);
    assert.equal(lpEth?.tierIndex, 5);
  });

  it('example 4: isolated: ETH 1,114.78, BTC 18,778.73', () => {
    const iso = { isolatedMarginUnits: wb, pendingFundingUnits: 0 };
    assertVenuePrice(isolatedLiquidationPrice(eth, { qtyLots: ethQ, costUnits: ethCost, markSubticks: ethMark, ...iso }), '1114.78', true);
    assertVenuePrice(isolatedLiquidationPrice(btc, { qtyLots: btcQ, costUnits: btcCost, markSubticks: btcMark, ...iso }), '18778.73', true);
    // pending funding owed shrinks W and raises a long's LP
    const owed = isolatedLiquidationPrice(btc, { qtyLots: btcQ, costUnits: btcCost, markSubticks: btcMark, isolatedMarginUnits: wb, pendingFundingUnits: units('1000') });
    assert.ok(owed !== null && owed.reportedScaled > 1_877_873n);
  });

  it('reports none for a long that price alone cannot liquidate; a short below zero is returned as is', () => {
    const input = { qtyLots: 10, costUnits: 10 * 1_000 * 10, markSubticks: 100_000, walletUnits: 200_000, otherMaintenanceUnits: 0, otherUpnlUnits: 0 };
    assert.equal(liquidationPrice(btc, input), null);
    assert.equal(liquidationPriceOverTiers(btc, input), null);
    const short = liquidationPrice(btc, { ...input, qtyLots: -10, costUnits: -100_000, walletUnits: -200_000 });
    assert.ok(short !== null && short.ticks.num < 0n);
  });

  it('margin-call price sits before the liquidation price (long above, short below)', () => {
    const input = { qtyLots: lots('0.02'), costUnits: units('1000'), markSubticks: markSubticks('50000'), walletUnits: units('500'), otherMaintenanceUnits: 0, otherUpnlUnits: 0 };
    const call = marginCallPrice(btc, input);
    const liq = liquidationPrice(btc, input);
    assert.ok(call !== null && liq !== null && call.reportedScaled > liq.reportedScaled);
    const sIn = { ...input, qtyLots: -lots('0.02'), costUnits: -units('1000') };
    const sCall = marginCallPrice(btc, sIn);
    const sLiq = liquidationPrice(btc, sIn);
    assert.ok(sCall !== null && sLiq !== null && sCall.reportedScaled < sLiq.reportedScaled);
  });

  it('Bybit entry-based form: long 1 BTC at 50,000, 10×, tier-1 MMR 0.4% → 45,200', () => {
    const p = entryBasedLiquidationPrice(btc, { qtyLots: 1_000, costUnits: units('50000'), leverage: 10 });
    assert.equal(p?.reported, '45200.00'); // 50,000 × (1 − 0.1 + 0.004)
    assert.equal(entryBasedLiquidationPrice(btc, { qtyLots: -1_000, costUnits: -units('50000'), leverage: 10 })?.reported, '54800.00');
  });

  it('refuses a zero position and bad numbers, naming the parameter', () => {
    const input = { qtyLots: 0, costUnits: 0, markSubticks: 1, walletUnits: 0, otherMaintenanceUnits: 0, otherUpnlUnits: 0 };
    assert.throws(() => liquidationPrice(btc, input), /qtyLots/);
    assert.throws(() => liquidationPrice(btc, { ...input, qtyLots: 1, walletUnits: 0.5 }), /walletUnits/);
    assert.throws(() => liquidationPrice(btc, { ...input, qtyLots: 1, markSubticks: 0 }), /markSubticks/);
    assert.throws(() => liquidationPrice(btc, { ...input, qtyLots: 1, otherMaintenanceUnits: -1 }), DomainError);
  });

  const scenario = fc.record({
    qtyLots: fc.integer({ min: 1, max: 2_000_000 }).chain((q) => fc.constantFrom(q, -q)),
    entryTicks: fc.integer({ min: 1_000, max: 10_000_000 }),
    markTicks: fc.integer({ min: 1_000, max: 10_000_000 }),
    walletUnits: fc.integer({ min: -(10 ** 12), max: 10 ** 14 }),
    otherMaintenanceUnits: fc.integer({ min: 0, max: 10 ** 12 }),
    otherUpnlUnits: fc.integer({ min: -(10 ** 12), max: 10 ** 12 }),
    levelE8: fc.constantFrom(100_000_000, 125_000_000, 150_000_000),
  });
  const toInput = (s: { qtyLots: number; entryTicks: number; markTicks: number; walletUnits: number; otherMaintenanceUnits: number; otherUpnlUnits: number }): LiquidationPriceInput => ({
    qtyLots: s.qtyLots,
    costUnits: s.qtyLots * s.entryTicks * btc.lotTickUnits,
    markSubticks: s.markTicks * 100,
    walletUnits: s.walletUnits,
    otherMaintenanceUnits: s.otherMaintenanceUnits,
    otherUpnlUnits: s.otherUpnlUnits,
  });

  it('property: tier re-selection and the max/min-over-tiers form agree', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const input = toInput(s);
        assert.deepEqual(priceAtLevel(btc, input, s.levelE8), priceAtLevelOverTiers(btc, input, s.levelE8));
      }),
      { numRuns: 2_000 },
    );
  });

  it('property: at mark = the unrounded LP, unrounded E equals unrounded λ·MM (tier of the notional at LP)', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const input = toInput(s);
        const p = priceAtLevel(btc, input, s.levelE8);
        if (p === null || p.ticks.num <= 0n) return;
        const { num, den } = p.ticks; // X = num / den ticks
        const ltu = BigInt(btc.lotTickUnits);
        const q = BigInt(Math.abs(s.qtyLots));
        // everything × den × 1e8 × 1e8 to stay integral
        const S = den * 10n ** 16n;
        const equity = (BigInt(s.walletUnits) + BigInt(s.otherUpnlUnits) - BigInt(input.costUnits)) * S + BigInt(s.qtyLots) * num * ltu * 10n ** 16n;
        const notionalNum = q * num * ltu; // notional × den
        // MM(N) = max_k (N·mmr_k − cum_k): convex form, independent of the code's tier choice
        let best: bigint | null = null;
        for (let k = 0; k < btc.tiers.count; k++) {
          const v = notionalNum * BigInt(btc.tiers.mmrE8[k]) * 10n ** 8n - BigInt(btc.tiers.cumUnits[k]) * S;
          if (best === null || v > best) best = v;
        }
        const lambdaMm = (BigInt(s.levelE8) * ((best as bigint) + BigInt(s.otherMaintenanceUnits) * S)) / 10n ** 8n;
        assert.equal(equity * 1n, lambdaMm, 'E(LP) = λ·MM(LP)');
      }),
      { numRuns: 1_000 },
    );
  });

  it('property: the report rounds a long up and a short down by less than one step', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const p = liquidationPrice(btc, toInput(s));
        if (p === null) return;
        const scaledNum = p.ticks.num; // priceDecimals 2 = tick 0.01: scaled = ticks
        const lo = p.reportedScaled * p.ticks.den;
        if (s.qtyLots > 0) assert.ok(lo >= scaledNum && lo - scaledNum < p.ticks.den);
        else assert.ok(lo <= scaledNum && scaledNum - lo < p.ticks.den);
      }),
      { numRuns: 1_000 },
    );
  });
});
