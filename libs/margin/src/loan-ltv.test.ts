import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError } from '@perpcore/domain';
import { createHaircutSchedule } from './collateral.js';
import { createLoanCollateralParams } from './loan-params.js';
import {
  LoanLtvState,
  loanAcceptedCollateralUnits,
  loanDebtValueUnits,
  loanDistanceToLevelUnits,
  loanLtvE8,
  loanLtvReaches,
  loanLtvState,
  loanAcceptedNeededUnits,
  loanLeastCollateralUnits,
  loanMaxBorrowValueUnits,
  loanTriggerSubticks,
} from './loan-ltv.js';

// BTC (8 decimals) priced in micro-USDT on a 0.01 USDT grid: 1 subtick = 1e4 micro-USDT per 1e8 sat
const GRID = { settleUnitsPerSubtick: 1, perAssetUnits: 10_000 };
const at = (subticks: number) => ({ settleUnits: subticks * GRID.settleUnitsPerSubtick, perAssetUnits: GRID.perAssetUnits });
const ONE = { settleUnits: 1, perAssetUnits: 1 };
const flat = createHaircutSchedule('BTC', [{ upToValueUnits: null, ratioE8: 100_000_000 }]);
const BINANCE_BTC = { marginCallLtvE8: 80_000_000, liquidationLtvE8: 90_000_000 };

/**
 * Binance's own worked example, https://www.binance.com/en/support/faq/360040490772
 * ("What is Loan-To-Value (LTV)?"): 1 BTC = 7,400 USD, 0.01938571 BTC = 143.45 USDT,
 * LTV = 100 USDT / 143.45 USDT = 69.71 %; BTC collateral: initial 65 %, margin call
 * 80 %, liquidation 90 %; liquidation fee 1 % of the loan. The call and liquidation
 * prices follow from the same formula: collateral value at a level = loan / level.
 */
describe('loan LTV: Binance FAQ 360040490772 worked example', () => {
  const debt = 100_000_000; // 100 USDT
  const collateral = 1_938_571; // 0.01938571 BTC
  const price = at(740_000); // 7,400.00
  const accepted = loanAcceptedCollateralUnits(flat, collateral, price);

  it('values the collateral at 143.454254 USDT and the LTV at 69.71 %', () => {
    assert.equal(accepted, 143_454_254);
    const ltv = loanLtvE8(loanDebtValueUnits(debt, ONE), accepted);
    assert.equal(ltv, 69_708_634); // 0.697086338… rounded up
    assert.equal(Math.round(ltv / 1e4) / 100, 69.71);
  });

  it('is HEALTHY at 7,400, and the call / liquidation prices are 6,448.04 and 5,731.59', () => {
    assert.equal(loanLtvState(debt, accepted, BINANCE_BTC), LoanLtvState.Healthy);
    const call = loanTriggerSubticks(debt, flat, collateral, GRID, 80_000_000);
    const liquidation = loanTriggerSubticks(debt, flat, collateral, GRID, 90_000_000);
    assert.equal(call, 644_804); // 100 / (0.8 × 0.01938571) = 6,448.0486 → highest grid price that reaches it
    assert.equal(liquidation, 573_159); // 100 / (0.9 × 0.01938571) = 5,731.5987
    assert.equal(loanLtvState(debt, loanAcceptedCollateralUnits(flat, collateral, at(call)), BINANCE_BTC), LoanLtvState.Called);
    assert.equal(loanLtvState(debt, loanAcceptedCollateralUnits(flat, collateral, at(call + 1)), BINANCE_BTC), LoanLtvState.Healthy);
    assert.equal(loanLtvState(debt, loanAcceptedCollateralUnits(flat, collateral, at(liquidation)), BINANCE_BTC), LoanLtvState.Liquidating);
    assert.equal(loanLtvState(debt, loanAcceptedCollateralUnits(flat, collateral, at(liquidation + 1)), BINANCE_BTC), LoanLtvState.Called);
  });

  it('distance to the call: 143.454254 − 100 / 0.8 = 18.454254 USDT of collateral value', () => {
    assert.equal(loanDistanceToLevelUnits(debt, accepted, 80_000_000), 18_454_254);
    assert.equal(loanDistanceToLevelUnits(debt, accepted, 90_000_000), 143_454_254 - 111_111_112); // 100 / 0.9 rounded up
  });

  it('the initial LTV of 65 % caps a new loan on that collateral at 93.245265 USDT', () => {
    assert.equal(loanMaxBorrowValueUnits(accepted, 65_000_000), 93_245_265); // 143.454254 × 0.65 = 93.2452651 rounded down
  });
});

describe('loan sizing: the least collateral a debt needs', () => {
  it('100 USDT at 7,400 within the initial 65 % needs 153.846154 USDT accepted: 0.02079003 BTC, not a satoshi less', () => {
    const need = loanAcceptedNeededUnits(100_000_000, 65_000_000);
    assert.equal(need, 153_846_154); // 100 / 0.65 = 153.8461538… rounded up
    const least = loanLeastCollateralUnits(flat, at(740_000), need, 100_000_000);
    assert.equal(least, 2_079_003); // 2,079,003 sat = 153.846222 USDT; 2,079,002 sat = 153.846148 falls short
    assert.ok(loanAcceptedCollateralUnits(flat, 2_079_002, at(740_000)) < need);
    assert.equal(loanLtvReaches(100_000_000, loanAcceptedCollateralUnits(flat, least, at(740_000)), 65_000_001), false, 'the sized loan passes the open check');
  });

  it('more than the balance holds is null; no need is zero', () => {
    assert.equal(loanLeastCollateralUnits(flat, at(740_000), 153_846_154, 2_079_002), null);
    assert.equal(loanLeastCollateralUnits(flat, at(740_000), 0, 0), 0);
    assert.equal(loanAcceptedNeededUnits(0, 65_000_000), 0);
  });

  it('property: under banded haircuts the answer reaches the need and one unit less does not', () => {
    const banded = createHaircutSchedule('BTC', [
      { upToValueUnits: 50_000_000, ratioE8: 100_000_000 },
      { upToValueUnits: 500_000_000, ratioE8: 90_000_000 },
      { upToValueUnits: null, ratioE8: 50_000_000 },
    ]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2_000_000_000 }), fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1, max: 10_000_000_000 }), (need, subticks, max) => {
        const price = at(subticks);
        const least = loanLeastCollateralUnits(banded, price, need, max);
        if (least === null) return loanAcceptedCollateralUnits(banded, max, price) < need;
        return least <= max && loanAcceptedCollateralUnits(banded, least, price) >= need && loanAcceptedCollateralUnits(banded, least - 1, price) < need;
      }),
    );
  });
});

describe('loan LTV rounding (against the borrower, pinned)', () => {
  it('debt value rounds up, accepted collateral down, LTV up', () => {
    assert.equal(loanDebtValueUnits(1, { settleUnits: 1, perAssetUnits: 3 }), 1);
    assert.equal(loanAcceptedCollateralUnits(flat, 1, { settleUnits: 2, perAssetUnits: 3 }), 0);
    assert.equal(loanLtvE8(1, 3), 33_333_334);
  });

  it('a debt against nothing accepted is LIQUIDATING; no debt is HEALTHY', () => {
    assert.equal(loanLtvState(1, 0, BINANCE_BTC), LoanLtvState.Liquidating);
    assert.equal(loanLtvState(0, 0, BINANCE_BTC), LoanLtvState.Healthy);
    assert.equal(loanTriggerSubticks(0, flat, 100, GRID, 80_000_000), 0);
  });

  it('tiered haircuts lower the accepted value and raise the trigger price', () => {
    const banded = createHaircutSchedule('BTC', [
      { upToValueUnits: 100_000_000, ratioE8: 95_000_000 },
      { upToValueUnits: null, ratioE8: 80_000_000 },
    ]);
    // 143.454254 → 100 × 0.95 + 43.454254 × 0.80 = 129.763403
    assert.equal(loanAcceptedCollateralUnits(banded, 1_938_571, at(740_000)), 129_763_403);
    assert.ok(loanTriggerSubticks(100_000_000, banded, 1_938_571, GRID, 80_000_000) > 644_804);
  });

  it('property: the trigger price is exactly the highest grid price at which the level holds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 10_000_000, max: 99_000_000 }), (debt, coll, level) => {
        const p = loanTriggerSubticks(debt, flat, coll, GRID, level);
        const reaches = (s: number) => loanLtvReaches(debt, loanAcceptedCollateralUnits(flat, coll, at(s)), level);
        assert.ok(reaches(p));
        assert.ok(!reaches(p + 1));
      }),
    );
  });
});

describe('loan parameters', () => {
  const terms = { saleDiscountE8: 5_000_000, feeRateE8: 1_000_000 };
  it('accept Binance BTC (65 / 80 / 90 %) and default the target to the initial LTV', () => {
    const p = createLoanCollateralParams({ asset: 'BTC', initialLtvE8: 65_000_000, marginCallLtvE8: 80_000_000, liquidationLtvE8: 90_000_000, haircut: flat }, terms);
    assert.equal(p.targetLtvE8, 65_000_000);
  });
  it('refuse unordered levels and a liquidation LTV at or above the sale factor', () => {
    const bad = (over: object) => assert.throws(() => createLoanCollateralParams({ asset: 'BTC', initialLtvE8: 65_000_000, marginCallLtvE8: 80_000_000, liquidationLtvE8: 90_000_000, haircut: flat, ...over }, terms), DomainError);
    bad({ marginCallLtvE8: 60_000_000 });
    bad({ liquidationLtvE8: 80_000_000 });
    bad({ liquidationLtvE8: 95_000_000 }); // 0.95 / 1.01 = 94.06 %
    bad({ initialLtvE8: Number.NaN });
    bad({ targetLtvE8: 70_000_000 });
  });
});
