import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { INTEREST_INDEX_SCALE, NS_PER_HOUR } from './borrow-interest.js';
import { accrueLoanInterest, advanceHourlyIndex, hourOf, interestIndexAt, splitLoanRepayment } from './loan-interest.js';

describe('loan interest on the hourly index', () => {
  it('10,000 USDT at 0.001 %/h for 24 h owes at least 2.4 USDT (hourly compounding, rounded up)', () => {
    const i = advanceHourlyIndex(INTEREST_INDEX_SCALE, 0, 24, 1_000);
    const { interestUnits } = accrueLoanInterest(10_000_000_000, 0, INTEREST_INDEX_SCALE, i);
    assert.ok(interestUnits >= 2_400_000);
    assert.equal(interestUnits, 2_400_277); // (1.00001^24 − 1) × 10,000 = 2.40027…, rounded up
  });

  it('the index inside an hour meets the next hour exactly and never falls', () => {
    const i0 = advanceHourlyIndex(INTEREST_INDEX_SCALE, 0, 5, 5_000);
    const i1 = advanceHourlyIndex(i0, 5, 6, 5_000);
    assert.equal(interestIndexAt(i0, 5, 5_000, 5 * NS_PER_HOUR), i0);
    assert.ok(interestIndexAt(i0, 5, 5_000, 6 * NS_PER_HOUR - 1) <= i1);
    assert.equal(hourOf(6 * NS_PER_HOUR - 1), 5);
    assert.throws(() => interestIndexAt(i0, 5, 5_000, 6 * NS_PER_HOUR));
  });

  it('repayment pays interest first, then principal; more than owed is refused', () => {
    assert.deepEqual(splitLoanRepayment(150, 1_000, 100), { interestPaidUnits: 100, principalPaidUnits: 50 });
    assert.deepEqual(splitLoanRepayment(60, 1_000, 100), { interestPaidUnits: 60, principalPaidUnits: 0 });
    assert.throws(() => splitLoanRepayment(1_101, 1_000, 100));
  });

  it('property: interest never favours the borrower — touching the loan more often never lowers what it owes, and it is ≥ exact simple interest per hour', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e12 }), fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 48 }), fc.array(fc.integer({ min: 1, max: NS_PER_HOUR - 1 }), { maxLength: 4 }), (principal, rate, hours, cuts) => {
        // settled once at the end
        const end = advanceHourlyIndex(INTEREST_INDEX_SCALE, 0, hours, rate);
        const once = accrueLoanInterest(principal, 0, INTEREST_INDEX_SCALE, end).interestUnits;
        // settled at extra touches inside the first hour
        let snap = INTEREST_INDEX_SCALE;
        let interest = 0;
        for (const t of [...cuts].sort((a, b) => a - b)) {
          const now = interestIndexAt(INTEREST_INDEX_SCALE, 0, rate, t);
          interest = accrueLoanInterest(principal, interest, snap, now).interestUnits;
          snap = now;
        }
        interest = accrueLoanInterest(principal, interest, snap, end).interestUnits;
        assert.ok(interest >= once);
        assert.ok(interest - once <= cuts.length + 1, 'each touch adds at most a unit of rounding');
        // at least the exact simple interest (compounding only adds)
        assert.ok(BigInt(once) * 100_000_000n >= BigInt(principal) * BigInt(rate) * BigInt(hours));
      }),
    );
  });
});
