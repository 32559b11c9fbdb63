import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  INTEREST_INDEX_SCALE,
  NS_PER_HOUR,
  accrueIndex,
  debtUnits,
  interestDueUnits,
  settleInterest,
} from './borrow-interest.js';

const HOUR = NS_PER_HOUR;
const usdt = (whole: number) => whole * 1_000_000;

describe('borrow interest index (01-seams: lazy, rounded against the borrower)', () => {
  it('worked example: 10,000 USDT at 0.001 %/h for 24 h owes 10,002.4 USDT', () => {
    const index = accrueIndex(INTEREST_INDEX_SCALE, 1_000, 24 * HOUR);
    assert.equal(index, 1_000_240_000_000_000_000n);
    assert.equal(debtUnits(usdt(10_000), INTEREST_INDEX_SCALE, index), usdt(10_002.4));
    assert.equal(interestDueUnits(usdt(10_000), INTEREST_INDEX_SCALE, index), usdt(2.4));
  });

  it('a zero rate or zero elapsed time leaves the index unchanged', () => {
    assert.equal(accrueIndex(INTEREST_INDEX_SCALE, 0, HOUR), INTEREST_INDEX_SCALE);
    assert.equal(accrueIndex(INTEREST_INDEX_SCALE, 5_000, 0), INTEREST_INDEX_SCALE);
  });

  it('pins rounding up: a fraction of a unit of interest is charged as a whole unit', () => {
    // 1 unit at 0.01 %/h for 1 h: exact interest 0.0001 unit → 1 unit owed
    const index = accrueIndex(INTEREST_INDEX_SCALE, 10_000, HOUR);
    assert.equal(debtUnits(1, INTEREST_INDEX_SCALE, index), 2);
    // 1 ns at a tiny rate still moves the index (rounded up, never 0)
    assert.equal(accrueIndex(INTEREST_INDEX_SCALE, 1, 1) > INTEREST_INDEX_SCALE, true);
  });

  it('settlement folds interest into the principal and moves the snapshot', () => {
    const i1 = accrueIndex(INTEREST_INDEX_SCALE, 1_000, 24 * HOUR);
    const s = settleInterest(usdt(10_000), INTEREST_INDEX_SCALE, i1);
    assert.deepEqual({ ...s }, { principalUnits: usdt(10_002.4), interestUnits: usdt(2.4), snapshot: i1 });
    assert.equal(settleInterest(s.principalUnits, s.snapshot, i1).interestUnits, 0);
  });

  it('refuses bad input: negative rate/time/principal, non-integers, an index below 1.0 or falling', () => {
    assert.throws(() => accrueIndex(INTEREST_INDEX_SCALE, -1, HOUR), { code: 'DOMAIN_NEGATIVE' });
    assert.throws(() => accrueIndex(INTEREST_INDEX_SCALE, 1.5, HOUR), { code: 'DOMAIN_NOT_AN_INTEGER' });
    assert.throws(() => accrueIndex(INTEREST_INDEX_SCALE, 1, -1), { code: 'DOMAIN_NEGATIVE' });
    assert.throws(() => accrueIndex(INTEREST_INDEX_SCALE, 1, -1n), { code: 'DOMAIN_NEGATIVE' });
    assert.throws(() => accrueIndex(INTEREST_INDEX_SCALE, 1, 2 ** 53), { code: 'DOMAIN_NOT_AN_INTEGER' });
    assert.throws(() => accrueIndex(1n, 1, 1), { code: 'RISK_INVALID_ARGUMENT' });
    assert.throws(() => debtUnits(-1, INTEREST_INDEX_SCALE, INTEREST_INDEX_SCALE), { code: 'DOMAIN_NEGATIVE' });
    assert.throws(() => debtUnits(Number.NaN, INTEREST_INDEX_SCALE, INTEREST_INDEX_SCALE), { code: 'DOMAIN_NOT_AN_INTEGER' });
    const later = accrueIndex(INTEREST_INDEX_SCALE, 1_000, HOUR);
    assert.throws(() => debtUnits(100, later, INTEREST_INDEX_SCALE), { code: 'RISK_INVALID_ARGUMENT' });
    assert.throws(() => debtUnits(Number.MAX_SAFE_INTEGER, INTEREST_INDEX_SCALE, later), { code: 'DOMAIN_OUT_OF_RANGE' });
  });
});

describe('borrow interest properties', () => {
  const rate = fc.integer({ min: 0, max: 100_000 }); // up to 0.1 %/h
  const elapsed = fc.integer({ min: 0, max: 365 * 24 }).map((h) => BigInt(h) * BigInt(HOUR));
  const jitterBig = (j: number) => BigInt(j);
  const month = fc.integer({ min: 0, max: 30 * 24 * 60 }).map((m) => (m * HOUR) / 60);
  const jitter = fc.integer({ min: 0, max: HOUR - 1 });
  const principal = fc.integer({ min: 0, max: 1_000_000_000_000 }); // up to 1M USDT at 6 decimals

  it('never favours the borrower: debt ≥ the exact simple interest (rounded up)', () => {
    fc.assert(
      fc.property(principal, rate, elapsed, jitter, (p, r, t, j) => {
        const dt = t + jitterBig(j);
        const debt = BigInt(debtUnits(p, INTEREST_INDEX_SCALE, accrueIndex(INTEREST_INDEX_SCALE, r, dt)));
        // exact: p × (1 + r·dt / (1e8·h)); debt × 1e8·h ≥ p × (1e8·h + r·dt)
        const den = 100_000_000n * BigInt(HOUR);
        assert.ok(debt * den >= BigInt(p) * (den + BigInt(r) * dt));
        // and at most one unit over the exact figure (plus the index's own rounding, < 1 unit here)
        assert.ok((debt - 2n) * den < BigInt(p) * (den + BigInt(r) * dt));
      }),
    );
  });

  it('is monotone in time: a later index never owes less', () => {
    fc.assert(
      fc.property(principal, rate, elapsed, elapsed, (p, r, a, b) => {
        const [t1, t2] = a <= b ? [a, b] : [b, a];
        const i1 = accrueIndex(INTEREST_INDEX_SCALE, r, t1);
        const i2 = accrueIndex(INTEREST_INDEX_SCALE, r, t2);
        assert.ok(i2 >= i1);
        assert.ok(debtUnits(p, INTEREST_INDEX_SCALE, i2) >= debtUnits(p, INTEREST_INDEX_SCALE, i1));
      }),
    );
  });

  it('settling more often never owes less than settling once (rounding only adds)', () => {
    fc.assert(
      fc.property(principal, rate, fc.array(month, { minLength: 1, maxLength: 8 }), (p, r, steps) => {
        let index = INTEREST_INDEX_SCALE;
        let owed = p;
        let snap = index;
        for (const dt of steps) {
          index = accrueIndex(index, r, dt);
          const s = settleInterest(owed, snap, index);
          owed = s.principalUnits;
          snap = s.snapshot;
        }
        assert.ok(owed >= debtUnits(p, INTEREST_INDEX_SCALE, index));
        assert.ok(owed >= p);
      }),
    );
  });
});
