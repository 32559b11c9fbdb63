import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Side } from '@perpcore/domain';
import { applyFill, reducedCostUnits } from './fill-accounting.js';
import { btcParams } from './venue-fixtures.js';

const btc = btcParams(); // lotTickUnits 10

describe('fill accounting (RISK-SPEC §3.1)', () => {
  it('reducing: C = 100 over 3 lots, sell 1 lot worth 40 → C′ = 66, realized 6 (exact 6.67, rounded down)', () => {
    assert.equal(reducedCostUnits(100, 3, 1), 66);
    const out = applyFill(btc, { qtyLots: 3, costUnits: 100 }, { side: Side.Sell, qtyLots: 1, priceTicks: 4 });
    assert.deepEqual(out, { qtyLots: 2, costUnits: 66, realizedPnlUnits: 6 });
  });

  it('a short reduces with the cost rounded toward −∞ too', () => {
    // short 3 lots, C = −100; buy 1 at 40: C′ = floor(−66.67) = −67, realized = −40 − (−100 + 67) = −7 (exact −6.67)
    assert.deepEqual(applyFill(btc, { qtyLots: -3, costUnits: -100 }, { side: Side.Buy, qtyLots: 1, priceTicks: 4 }), { qtyLots: -2, costUnits: -67, realizedPnlUnits: -7 });
  });

  it('opens, adds and flips', () => {
    const opened = applyFill(btc, { qtyLots: 0, costUnits: 0 }, { side: Side.Buy, qtyLots: 5, priceTicks: 100 });
    assert.deepEqual(opened, { qtyLots: 5, costUnits: 5_000, realizedPnlUnits: 0 });
    const flipped = applyFill(btc, opened, { side: Side.Sell, qtyLots: 8, priceTicks: 120 });
    assert.deepEqual(flipped, { qtyLots: -3, costUnits: -3_600, realizedPnlUnits: 1_000 });
  });

  it('property: realized PnL is never overstated and the total is conserved', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 ** 6 }).chain((q) => fc.constantFrom(q, -q)),
        fc.integer({ min: 1, max: 10 ** 7 }),
        fc.integer({ min: 1, max: 10 ** 6 }),
        fc.integer({ min: 1, max: 10 ** 7 }),
        (Q, entry, f, price) => {
          const cost = Q * entry * 10;
          const side = Q > 0 ? Side.Sell : Side.Buy;
          const out = applyFill(btc, { qtyLots: Q, costUnits: cost }, { side, qtyLots: f, priceTicks: price });
          const q = Math.abs(Q);
          const delta = Math.min(f, q);
          // exact realized = s·Δ·p·ltu − C·Δ/q ; rounded one is ≤ exact and > exact − 1
          const s = BigInt(Math.sign(Q));
          const exactTimesQ = s * BigInt(delta) * BigInt(price) * 10n * BigInt(q) - BigInt(cost) * BigInt(delta);
          const realizedTimesQ = BigInt(out.realizedPnlUnits) * BigInt(q);
          assert.ok(realizedTimesQ <= exactTimesQ && exactTimesQ - realizedTimesQ < BigInt(q));
          // conservation when not flipping: realized + C′ = s·Δ·p·ltu + (C − C) … i.e. C − C′ + realized = s·Δ·p·ltu
          if (f <= q) assert.equal(cost - out.costUnits + out.realizedPnlUnits, Number(s) * delta * price * 10);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('refuses bad fills', () => {
    assert.throws(() => applyFill(btc, { qtyLots: 1, costUnits: 1 }, { side: 0 as unknown as Side, qtyLots: 1, priceTicks: 1 }), /side/);
    assert.throws(() => applyFill(btc, { qtyLots: 1, costUnits: 1 }, { side: Side.Buy, qtyLots: 0, priceTicks: 1 }), /fill\.qtyLots/);
    assert.throws(() => applyFill(btc, { qtyLots: 1, costUnits: 1 }, { side: Side.Buy, qtyLots: 1, priceTicks: -1 }), /fill\.priceTicks/);
    assert.throws(() => reducedCostUnits(10, 3, 4), /reduceLots/);
  });
});
