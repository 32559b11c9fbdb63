import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError } from '@perpcore/domain';
import { bankruptcy, bankruptcyAmountUnits, bankruptcyClose, isolatedBankruptcy, isolatedBankruptcyAmountUnits, isolatedBankruptcyClose } from './bankruptcy-price.js';
import { fillablePrice } from './fillable-price.js';
import { maintenanceMarginUnits } from './maintenance-margin.js';
import { unrealizedPnlUnits } from './unrealized-pnl.js';
import { btcParams, markSubticks, units } from './venue-fixtures.js';

const btc = btcParams();

describe('bankruptcy amount and price (RISK-SPEC §4)', () => {
  it('isolated long 1 BTC at 50,000 with a 5,000 bucket: BPamount 45,000, BP 45,000.00', () => {
    const b = isolatedBankruptcy(btc, { qtyLots: 1_000, costUnits: units('50000'), isolatedMarginUnits: units('5000'), pendingFundingUnits: 0 });
    assert.equal(b.amountUnits, units('45000'));
    assert.equal(b.limitPriceTicks, 4_500_000);
    assert.equal(b.price.reported, '45000.00');
    // a short: BP above entry; pending funding owed shrinks the bucket
    const s = isolatedBankruptcy(btc, { qtyLots: -1_000, costUnits: -units('50000'), isolatedMarginUnits: units('5000'), pendingFundingUnits: units('10') });
    assert.equal(s.amountUnits, -units('54990')); // W = 5,000 − 10
    assert.equal(s.price.reported, '54990.00');
  });

  it('rounds the amount toward +∞ and the per-lot limit long up, short down (pinned)', () => {
    // 3 lots of a long, E 1 unit, mark 1 subtick: mark value 3 × 1 × 10 / 100 = 0.3 units
    const long = bankruptcy(btc, { qtyLots: 3, closeLots: 3, markSubticks: 1, scopeEquityUnits: 0, scopeMaintenanceUnits: 1 });
    assert.equal(long.amountUnits, 1); // 0.3 → 1
    assert.equal(long.limitPriceTicks, 1); // 0.3 / 30 = 0.01 ticks → 1
    const short = bankruptcy(btc, { qtyLots: -3, closeLots: 3, markSubticks: 1, scopeEquityUnits: 0, scopeMaintenanceUnits: 1 });
    assert.equal(short.amountUnits, 0); // −0.3 → 0 (pays nothing)
    assert.equal(short.limitPriceTicks, 0); // buys at 0.01 ticks → 0
  });

  const scope = fc.record({
    qtyLots: fc.integer({ min: 1, max: 500_000 }).chain((q) => fc.constantFrom(q, -q)),
    closeFraction: fc.integer({ min: 1, max: 1_000 }),
    markTicks: fc.integer({ min: 100, max: 20_000_000 }),
    equityUnits: fc.integer({ min: -(10 ** 12), max: 10 ** 13 }),
    otherMmUnits: fc.integer({ min: 0, max: 10 ** 12 }),
  });

  it('property: a close at the exact BPamount keeps E/MM; the rounded amount never lowers it and overpays < 1 unit', () => {
    fc.assert(
      fc.property(scope, (s) => {
        const q = Math.abs(s.qtyLots);
        const delta = Math.max(1, Math.floor((q * s.closeFraction) / 1_000));
        const mark = s.markTicks * 100;
        const mmPos = maintenanceMarginUnits(btc, s.qtyLots, mark);
        const mmAfter = maintenanceMarginUnits(btc, q - delta, mark);
        const mmTot = mmPos + s.otherMmUnits;
        const mmTotAfter = mmTot - (mmPos - mmAfter);
        const b = bankruptcy(btc, { qtyLots: s.qtyLots, closeLots: delta, markSubticks: mark, scopeEquityUnits: s.equityUnits, scopeMaintenanceUnits: mmTot });
        const sign = BigInt(Math.sign(s.qtyLots));
        // ΔN × spt = −s·Δ·mark·ltu ; E' = E + ΔN + A
        const dN = { num: -sign * BigInt(delta) * BigInt(mark) * 10n, den: 100n };
        const A = b.exactAmount;
        // exact: (E + ΔN + A) × MMtot = E × MM'   (all over den = 100 × A.den)
        const ePrimeNum = BigInt(s.equityUnits) * dN.den * A.den + dN.num * A.den + A.num * dN.den;
        const den = dN.den * A.den;
        assert.equal(ePrimeNum * BigInt(mmTot), BigInt(s.equityUnits) * BigInt(mmTotAfter) * den);
        // rounded: E'_r = E' + (ceil(A) − A), with 0 ≤ ceil(A) − A < 1
        const extra = BigInt(b.amountUnits) * A.den - A.num;
        assert.ok(extra >= 0n && extra < A.den);
        // full close of a single-position scope leaves E = 0 exactly (and [0, 1) rounded)
        if (delta === q && s.otherMmUnits === 0) assert.equal(ePrimeNum, 0n);
        // limit: selling (long) at ≥ limit or buying (short) at ≤ limit gets at least BPamount
        const limitValue = BigInt(b.limitPriceTicks) * BigInt(delta) * 10n * A.den; // × A.den
        if (sign > 0) assert.ok(limitValue >= A.num && limitValue - A.num < BigInt(delta) * 10n * A.den);
        else assert.ok(-limitValue >= A.num && -limitValue - A.num < BigInt(delta) * 10n * A.den);
      }),
      { numRuns: 2_000 },
    );
  });

  it('property: a whole isolated close by the general form equals the closed form within one unit, in the account favour', () => {
    fc.assert(
      fc.property(scope, fc.integer({ min: 100, max: 20_000_000 }), fc.integer({ min: 0, max: 10 ** 11 }), fc.integer({ min: -(10 ** 8), max: 10 ** 8 }), (s, entryTicks, bucket, pf) => {
        const mark = s.markTicks * 100;
        const cost = s.qtyLots * entryTicks * 10;
        const e = bucket + unrealizedPnlUnits(btc, s.qtyLots, cost, mark) - pf;
        const mm = maintenanceMarginUnits(btc, s.qtyLots, mark);
        const general = bankruptcy(btc, { qtyLots: s.qtyLots, closeLots: Math.abs(s.qtyLots), markSubticks: mark, scopeEquityUnits: e, scopeMaintenanceUnits: mm });
        const closed = isolatedBankruptcy(btc, { qtyLots: s.qtyLots, costUnits: cost, isolatedMarginUnits: bucket, pendingFundingUnits: pf });
        assert.ok(general.amountUnits - closed.amountUnits >= 0 && general.amountUnits - closed.amountUnits <= 1);
      }),
      { numRuns: 1_000 },
    );
  });

  it('property: the lean forms (amount; amount and limit) equal the full result, and refuse what it refuses', () => {
    const outcome = (f: () => number): number | string => {
      try {
        return f();
      } catch (e) {
        return e instanceof DomainError ? `${e.code}: ${e.message}` : `other: ${String(e)}`;
      }
    };
    fc.assert(
      fc.property(scope, fc.integer({ min: -2, max: 1_002 }), fc.integer({ min: -(10 ** 11), max: 10 ** 11 }), fc.integer({ min: -(10 ** 8), max: 10 ** 8 }), (s, closePermille, bucket, pf) => {
        const q = Math.abs(s.qtyLots);
        // includes out-of-range closes (0, above q): the refusals must match too
        const delta = Math.floor((q * closePermille) / 1_000);
        const mark = s.markTicks * 100;
        const step = { qtyLots: s.qtyLots, closeLots: delta, markSubticks: mark, scopeEquityUnits: s.equityUnits, scopeMaintenanceUnits: maintenanceMarginUnits(btc, s.qtyLots, mark) + s.otherMmUnits };
        assert.equal(outcome(() => bankruptcyAmountUnits(btc, step)), outcome(() => bankruptcy(btc, step).amountUnits));
        assert.equal(outcome(() => bankruptcyClose(btc, step).amountUnits), outcome(() => bankruptcy(btc, step).amountUnits));
        assert.equal(outcome(() => bankruptcyClose(btc, step).limitPriceTicks), outcome(() => bankruptcy(btc, step).limitPriceTicks));
        const iso = { qtyLots: s.qtyLots, costUnits: s.qtyLots * s.markTicks * 10, isolatedMarginUnits: bucket, pendingFundingUnits: pf };
        assert.equal(outcome(() => isolatedBankruptcyAmountUnits(btc, iso)), outcome(() => isolatedBankruptcy(btc, iso).amountUnits));
        assert.equal(outcome(() => isolatedBankruptcyClose(btc, iso).amountUnits), outcome(() => isolatedBankruptcy(btc, iso).amountUnits));
        assert.equal(outcome(() => isolatedBankruptcyClose(btc, iso).limitPriceTicks), outcome(() => isolatedBankruptcy(btc, iso).limitPriceTicks));
      }),
      { numRuns: 2_000 },
    );
    const flat = { qtyLots: 0, costUnits: 0, isolatedMarginUnits: 0, pendingFundingUnits: 0 };
    assert.equal(outcome(() => isolatedBankruptcyAmountUnits(btc, flat)), outcome(() => isolatedBankruptcy(btc, flat).amountUnits));
    assert.match(String(outcome(() => isolatedBankruptcyClose(btc, flat).limitPriceTicks)), /qtyLots must not be 0/);
  });

  it('refuses a close larger than the position and an MMtot below the position MM', () => {
    const base = { qtyLots: 10, closeLots: 11, markSubticks: 100, scopeEquityUnits: 0, scopeMaintenanceUnits: 100 };
    assert.throws(() => bankruptcy(btc, base), /closeLots/);
    assert.throws(() => bankruptcy(btc, { ...base, closeLots: 0 }), /closeLots/);
    assert.throws(() => bankruptcy(btc, { ...base, closeLots: 5, markSubticks: 10 ** 9, scopeMaintenanceUnits: 1 }), (e: unknown) => e instanceof DomainError && /scopeMaintenanceUnits/.test(e.message));
  });
});

describe('fillable price (dYdX, RISK-SPEC §4)', () => {
  const fillable = btcParams({ liquidationLimit: { kind: 'FILLABLE', bankruptcyAdjustmentE8: 100_000_000, spreadToMmRatioE8: 100_000_000 } });

  it('E = 0 gives ABR 1: FP = mark − MMpos / q (long), mark + MMpos / q (short)', () => {
    const mark = markSubticks('50000');
    const mm = maintenanceMarginUnits(fillable, 1_000, mark); // 1 BTC: 50,000 × 0.4% = 200 (tier 1)
    assert.equal(mm, units('200'));
    const fp = fillablePrice(fillable, { qtyLots: 1_000, markSubticks: mark, scopeEquityUnits: 0, scopeMaintenanceUnits: mm });
    assert.equal(fp.price.reported, '49800.00');
    assert.equal(fp.limitPriceTicks, 4_980_000);
    const sfp = fillablePrice(fillable, { qtyLots: -1_000, markSubticks: mark, scopeEquityUnits: 0, scopeMaintenanceUnits: mm });
    assert.equal(sfp.price.reported, '50200.00');
  });

  it('E = MMtot gives ABR 0 (FP = mark); E above MMtot clamps ABR at 0, deep negative E at 1', () => {
    const mark = markSubticks('50000');
    const mm = units('250');
    assert.equal(fillablePrice(fillable, { qtyLots: 1_000, markSubticks: mark, scopeEquityUnits: mm, scopeMaintenanceUnits: mm }).limitPriceTicks, 5_000_000);
    assert.equal(fillablePrice(fillable, { qtyLots: 1_000, markSubticks: mark, scopeEquityUnits: 2 * mm, scopeMaintenanceUnits: mm }).adjustment.num, 0n);
    const deep = fillablePrice(fillable, { qtyLots: 1_000, markSubticks: mark, scopeEquityUnits: -10 * mm, scopeMaintenanceUnits: mm });
    assert.equal(deep.adjustment.num, deep.adjustment.den);
  });

  it('is refused on a BANKRUPTCY market', () => {
    assert.throws(() => fillablePrice(btc, { qtyLots: 1, markSubticks: 1, scopeEquityUnits: 0, scopeMaintenanceUnits: 1 }), /FILLABLE/);
  });
});
