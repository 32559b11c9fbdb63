import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError } from './domain-error.js';
import { divRound, divRoundBig, mulDiv } from './mul-div.js';
import { Rounding } from './rounding.js';

const big = (n: number) => BigInt(n);

describe('divRound', () => {
  it('rounds each direction on positive and negative quotients', () => {
    assert.equal(divRound(7, 2, Rounding.Floor), 3);
    assert.equal(divRound(7, 2, Rounding.Ceil), 4);
    assert.equal(divRound(7, 2, Rounding.TowardZero), 3);
    assert.equal(divRound(-7, 2, Rounding.Floor), -4);
    assert.equal(divRound(-7, 2, Rounding.Ceil), -3);
    assert.equal(divRound(-7, 2, Rounding.TowardZero), -3);
    assert.equal(divRound(7, -2, Rounding.Floor), -4);
  });

  it('rounds half to even', () => {
    assert.equal(divRound(5, 2, Rounding.HalfEven), 2);
    assert.equal(divRound(7, 2, Rounding.HalfEven), 4);
    assert.equal(divRound(-5, 2, Rounding.HalfEven), -2);
    assert.equal(divRound(-7, 2, Rounding.HalfEven), -4);
    assert.equal(divRound(8, 3, Rounding.HalfEven), 3);
    assert.equal(divRound(7, 3, Rounding.HalfEven), 2);
  });

  it('is exact at the edge of the safe range', () => {
    const n = Number.MAX_SAFE_INTEGER;
    assert.equal(divRound(n, 3, Rounding.Floor), Number(big(n) / 3n));
    assert.equal(divRound(n, 2, Rounding.Ceil), Number(big(n) / 2n + 1n));
  });

  it('refuses division by zero and fractions', () => {
    assert.throws(() => divRound(1, 0, Rounding.Floor), DomainError);
    assert.throws(() => divRound(1.5, 1, Rounding.Floor), /integers/);
    assert.throws(() => divRound(Number.NaN, 1, Rounding.Floor), /integers/);
  });
});

describe('mulDiv', () => {
  it('takes the bigint path when the product exceeds 2^52, still exact', () => {
    const a = 3_000_000_000_000;
    const b = 7_000_001;
    assert.equal(mulDiv(a, b, 1_000_000, Rounding.Ceil), Number((big(a) * big(b) + 999_999n) / 1_000_000n));
  });

  it('throws when the result leaves the safe range', () => {
    assert.throws(() => mulDiv(Number.MAX_SAFE_INTEGER, 4, 1, Rounding.Floor), /safe-integer range/);
  });

  it('agrees with bigint arithmetic for every direction (property)', () => {
    const int = fc.integer({ min: -1_000_000_000_000, max: 1_000_000_000_000 });
    const divisor = fc.integer({ min: 1, max: 10_000_000_000 }).chain((d) => fc.constantFrom(d, -d));
    const dir = fc.constantFrom(Rounding.Floor, Rounding.Ceil, Rounding.TowardZero, Rounding.HalfEven);
    fc.assert(
      fc.property(int, fc.integer({ min: -100_000, max: 100_000 }), divisor, dir, (a, b, c, r) => {
        const expected = divRoundBig(big(a) * big(b), big(c), r);
        if (expected > BigInt(Number.MAX_SAFE_INTEGER) || expected < -BigInt(Number.MAX_SAFE_INTEGER)) return;
        assert.equal(mulDiv(a, b, c, r), Number(expected));
      }),
      { seed: 42, numRuns: 5000 },
    );
  });

  it('floor ≤ exact ≤ ceil, and they differ by one unless exact (property)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 1_000_000 }), (a, b, c) => {
        const lo = mulDiv(a, b, c, Rounding.Floor);
        const hi = mulDiv(a, b, c, Rounding.Ceil);
        const exact = big(a) * big(b);
        assert.ok(big(lo) * big(c) <= exact && exact <= big(hi) * big(c));
        assert.ok(hi - lo === (exact % big(c) === 0n ? 0 : 1));
      }),
      { seed: 7, numRuns: 3000 },
    );
  });
});
