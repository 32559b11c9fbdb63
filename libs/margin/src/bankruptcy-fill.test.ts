import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError, Rounding, divRoundBig } from '@perpcore/domain';
import { bankruptcy, isolatedBankruptcy } from './bankruptcy-price.js';
import { bankruptcyFillPriceTicks, planBankruptcyFill } from './bankruptcy-fill.js';
import { maintenanceMarginUnits } from './maintenance-margin.js';
import { btcParams, units } from './venue-fixtures.js';

const btc = btcParams();
const ltu = BigInt(btc.lotTickUnits);

describe('bankruptcy-priced fill: one price, BPamount split exactly (RISK-SPEC §8.7–§8.8)', () => {
  it('splits BPamount across counterparties so the parts add up, each part rounded down (the sub-units go to the fund)', () => {
    // isolated long 3 lots, BPamount 1,000 units: thirds of 333.33…
    const bp = isolatedBankruptcy(btc, { qtyLots: 3, costUnits: 1_500, isolatedMarginUnits: 500, pendingFundingUnits: 0 });
    assert.equal(bp.amountUnits, 1_000);
    const fill = planBankruptcyFill(btc, 3, bp, [1, 1, 1]);
    assert.deepEqual(fill.slices.map((s) => s.bankruptcyAmountUnits), [333, 333, 334]);
    assert.equal(fill.bankruptcyAmountUnits, 1_000);
    // every slice at the same price; its value minus its share is its tick difference
    assert.equal(fill.fillPriceTicks, bp.limitPriceTicks);
    for (const s of fill.slices) assert.equal(s.tickDifferenceUnits, s.fillValueUnits - s.bankruptcyAmountUnits);
    assert.equal(fill.tickDifferenceUnits, 3 * bp.limitPriceTicks * btc.lotTickUnits - 1_000);
    assert.equal(fill.shortfallUnits, 0);
  });

  it('a short whose bankruptcy price is below one tick fills at 1 tick; what it should have received is its shortfall', () => {
    // cross short 1,000 lots at mark 100 ticks whose scope equity is deeply negative
    const mark = 100 * btc.markSubticksPerTick;
    const mm = maintenanceMarginUnits(btc, -1_000, mark);
    const bp = bankruptcy(btc, { qtyLots: -1_000, closeLots: 1_000, markSubticks: mark, scopeEquityUnits: -units('5'), scopeMaintenanceUnits: mm });
    assert.ok(bp.limitPriceTicks < 1, `BP ${bp.limitPriceTicks} ticks`);
    assert.equal(bankruptcyFillPriceTicks(bp), 1);
    const fill = planBankruptcyFill(btc, -1_000, bp, [600, 400]);
    assert.equal(fill.fillPriceTicks, 1);
    assert.equal(fill.tickDifferenceUnits, 0);
    assert.deepEqual(fill.slices.map((s) => s.fillValueUnits), [-600 * btc.lotTickUnits, -400 * btc.lotTickUnits]);
    // A − V: the account pays 1 tick per lot instead of receiving |BP|
    assert.equal(fill.shortfallUnits, bp.amountUnits + 1_000 * btc.lotTickUnits);
    assert.equal(fill.slices[0]!.shortfallUnits + fill.slices[1]!.shortfallUnits, fill.shortfallUnits);
  });

  it('a long whose bankruptcy price is below one tick sells at 1 tick and pays the fund the difference (no shortfall)', () => {
    const bp = isolatedBankruptcy(btc, { qtyLots: 10, costUnits: 50, isolatedMarginUnits: 1_000, pendingFundingUnits: 0 });
    assert.ok(bp.limitPriceTicks < 1);
    const fill = planBankruptcyFill(btc, 10, bp, [10]);
    assert.equal(fill.fillPriceTicks, 1);
    assert.equal(fill.shortfallUnits, 0);
    assert.equal(fill.tickDifferenceUnits, 10 * btc.lotTickUnits - bp.amountUnits);
  });

  it('refuses slices that are empty or exceed the position', () => {
    const bp = isolatedBankruptcy(btc, { qtyLots: 3, costUnits: 1_500, isolatedMarginUnits: 500, pendingFundingUnits: 0 });
    assert.throws(() => planBankruptcyFill(btc, 3, bp, [2, 2]), (e: unknown) => e instanceof DomainError && /exceed/.test(e.message));
    assert.throws(() => planBankruptcyFill(btc, 3, bp, [0]), DomainError);
    assert.throws(() => planBankruptcyFill(btc, 0, bp, [1]), DomainError);
  });

  it('property: Σ shares = BPamount, Σ(V − share) = whole tick value − BPamount, never mixed signs, shares within a unit of pro rata', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200_000 }).chain((q) => fc.constantFrom(q, -q)),
        fc.integer({ min: 1, max: 20_000_000 }),
        fc.integer({ min: -(10 ** 12), max: 10 ** 12 }),
        fc.integer({ min: 0, max: 10 ** 10 }),
        fc.array(fc.integer({ min: 1, max: 1_000 }), { minLength: 1, maxLength: 8 }),
        (Q, markTicks, equityUnits, otherMm, weights) => {
          const q = Math.abs(Q);
          const mark = markTicks * btc.markSubticksPerTick;
          const mm = maintenanceMarginUnits(btc, Q, mark) + otherMm;
          const bp = bankruptcy(btc, { qtyLots: Q, closeLots: q, markSubticks: mark, scopeEquityUnits: equityUnits, scopeMaintenanceUnits: Math.max(mm, 0) });
          // split q into slices proportional to the weights (at least 1 lot each while lots remain)
          const slices: number[] = [];
          let left = q;
          const total = weights.reduce((a, b) => a + b, 0);
          for (let i = 0; i < weights.length && left > 0; i++) {
            const lots = i === weights.length - 1 ? left : Math.min(left, Math.max(1, Math.floor((q * weights[i]!) / total)));
            slices.push(lots);
            left -= lots;
          }
          if (left > 0) slices.push(left);
          const fill = planBankruptcyFill(btc, Q, bp, slices);
          assert.equal(fill.bankruptcyAmountUnits, bp.amountUnits);
          const whole = BigInt(Math.sign(Q)) * BigInt(q) * BigInt(fill.fillPriceTicks) * ltu;
          assert.equal(BigInt(fill.tickDifferenceUnits - fill.shortfallUnits), whole - BigInt(bp.amountUnits));
          assert.ok(fill.tickDifferenceUnits === 0 || fill.shortfallUnits === 0, 'a close has tick differences or a shortfall, never both');
          if (bp.limitPriceTicks >= 1) assert.equal(fill.shortfallUnits, 0);
          // the rule itself: A_k = floor(A × D_k / q) − floor(A × D_{k−1} / q), exactly
          let doneLots = 0n;
          let creditedUnits = 0n;
          for (const s of fill.slices) {
            doneLots += BigInt(s.qtyLots);
            const upTo = divRoundBig(BigInt(bp.amountUnits) * doneLots, BigInt(q), Rounding.Floor);
            assert.equal(BigInt(s.bankruptcyAmountUnits), upTo - creditedUnits);
            creditedUnits = upTo;
          }
          for (const s of fill.slices) {
            const exact = BigInt(bp.amountUnits) * BigInt(s.qtyLots);
            const share = BigInt(s.bankruptcyAmountUnits) * BigInt(q);
            assert.ok(share > exact - BigInt(q) && share < exact + BigInt(q), 'each share is within one unit of its pro-rata part');
            assert.ok(s.tickDifferenceUnits >= 0 && s.shortfallUnits >= 0);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
