import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createHaircutSchedule } from './collateral.js';
import { loanAcceptedCollateralUnits, loanLtvReaches } from './loan-ltv.js';
import { loanSaleProceedsUnits, planLoanLiquidation } from './loan-liquidation.js';

const flat = createHaircutSchedule('BTC', [{ upToValueUnits: null, ratioE8: 100_000_000 }]);
const at = (subticks: number) => ({ settleUnits: subticks, perAssetUnits: 10_000 }); // 0.01 USDT grid, BTC 8 dp
const TERMS = { saleDiscountE8: 5_000_000, feeRateE8: 1_000_000 };

describe('loan liquidation sizing', () => {
  it('a loan at 90 % LTV sells just enough to return to 65 %, fee 1 % of the repaid debt', () => {
    // 900 USDT against 1 BTC at 1,000
    const plan = planLoanLiquidation({ debtUnits: 900_000_000, collateralUnits: 100_000_000, price: at(100_000), haircut: flat, targetLtvE8: 65_000_000, ...TERMS });
    assert.equal(plan.full, false);
    assert.ok(plan.soldUnits > 0 && plan.soldUnits < 100_000_000);
    assert.equal(plan.proceedsUnits, plan.repaidUnits + plan.feeUnits);
    assert.ok(plan.feeUnits * 100 >= plan.repaidUnits, 'fee ≥ 1 % of the repaid debt');
    const accepted = (q: number) => loanAcceptedCollateralUnits(flat, 100_000_000 - q, at(100_000));
    assert.ok(!loanLtvReaches(900_000_000 - plan.repaidUnits, accepted(plan.soldUnits), 65_000_001), 'LTV ≤ 65 % after');
    // one satoshi less does not restore it: the least sale
    const less = loanSaleProceedsUnits(plan.soldUnits - 1, at(100_000), TERMS.saleDiscountE8);
    const repaidLess = Math.floor((less * 1e8) / (1e8 + TERMS.feeRateE8));
    assert.ok(BigInt(900_000_000 - repaidLess) * 100_000_000n > 65_000_000n * BigInt(accepted(plan.soldUnits - 1)));
    assert.equal(plan.soldUnits, 86_030_665); // (900 − 650) / (1,000 × 0.95 / 1.01 − 650) = 0.86030665 BTC, pinned
  });

  it('sells everything and reports the shortfall when the price gapped below the debt', () => {
    const plan = planLoanLiquidation({ debtUnits: 900_000_000, collateralUnits: 100_000_000, price: at(50_000), haircut: flat, targetLtvE8: 65_000_000, ...TERMS });
    assert.equal(plan.full, true);
    assert.equal(plan.soldUnits, 100_000_000);
    assert.equal(plan.proceedsUnits, 475_000_000); // 500 × 0.95
    assert.equal(plan.repaidUnits, 470_297_029); // 475 / 1.01 rounded down
    assert.equal(plan.shortfallUnits, 900_000_000 - 470_297_029);
  });

  it('a sale that covers the whole debt repays it exactly and returns the surplus', () => {
    // 107 sat at 10 units each, debt 1,000, target 1 %: only the whole collateral restores it, and it repays everything
    const plan = planLoanLiquidation({ debtUnits: 1_000, collateralUnits: 107, price: at(100_000), haircut: flat, targetLtvE8: 1_000_000, ...TERMS });
    assert.equal(plan.soldUnits, 107);
    assert.equal(plan.proceedsUnits, 1_016); // 1,070 × 0.95 rounded down
    assert.equal(plan.repaidUnits, 1_000);
    assert.equal(plan.feeUnits, 10);
    assert.equal(plan.surplusUnits, 6);
    assert.equal(plan.shortfallUnits, 0);
    assert.equal(plan.full, true);
  });

  it('property: the venue is never worse off, and the plan restores the target or sells everything', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e10 }),
        fc.integer({ min: 1, max: 1e10 }),
        fc.integer({ min: 1_000, max: 10_000_000 }),
        fc.integer({ min: 10_000_000, max: 70_000_000 }),
        (debt, coll, subticks, target) => {
          const price = at(subticks);
          const plan = planLoanLiquidation({ debtUnits: debt, collateralUnits: coll, price, haircut: flat, targetLtvE8: target, ...TERMS });
          // the buyer paid no more than index value; the fee account got the fee; the lender got exactly repaidUnits
          const indexValue = BigInt(plan.soldUnits) * BigInt(price.settleUnits) / BigInt(price.perAssetUnits);
          assert.ok(BigInt(plan.proceedsUnits) <= indexValue);
          assert.equal(plan.proceedsUnits, plan.repaidUnits + plan.feeUnits + plan.surplusUnits);
          assert.ok(plan.feeUnits >= 0 && plan.surplusUnits >= 0 && plan.repaidUnits <= debt);
          assert.equal(plan.repaidUnits + plan.shortfallUnits <= debt, true);
          if (!plan.full) assert.ok(!loanLtvReaches(debt - plan.repaidUnits, loanAcceptedCollateralUnits(flat, coll - plan.soldUnits, price), target + 1));
          if (plan.shortfallUnits > 0) assert.equal(plan.soldUnits, coll);
        },
      ),
    );
  });
});
