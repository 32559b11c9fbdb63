import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError } from '@perpcore/domain';
import { compareProducts, mulDivCeilWide, mulDivFloorWide, wideRemainder } from './wide-arithmetic.js';

const floorDiv = (n: bigint, d: bigint) => (n >= 0n ? n / d : -((-n + d - 1n) / d));
const safe = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
const divisor = fc.oneof(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1, max: 2 ** 50 }), fc.constantFrom(100_000_000, 10_000_000_000, 2 ** 53 - 1));

describe('wide arithmetic (exact floor(a·b/d) without allocation)', () => {
  it('pins a known 2^53-notional × MMR case', () => {
    assert.equal(mulDivFloorWide(9_007_199_254_740_991, 250_000, 100_000_000), 22_517_998_136_852);
    assert.equal(wideRemainder(), 47_750_000);
    assert.equal(mulDivCeilWide(9_007_199_254_740_991, 250_000, 100_000_000), 22_517_998_136_853);
  });

  it('rounds negative quotients toward −∞', () => {
    assert.equal(mulDivFloorWide(-7, 1, 2), -4);
    assert.equal(wideRemainder(), 1);
    assert.equal(mulDivCeilWide(-7, 1, 2), -3);
  });

  it('property: equals bigint floor division with 0 ≤ r < d', () => {
    fc.assert(
      fc.property(safe, safe, divisor, (a, b, d) => {
        const exact = floorDiv(BigInt(a) * BigInt(b), BigInt(d));
        if (exact > BigInt(Number.MAX_SAFE_INTEGER) || exact < BigInt(Number.MIN_SAFE_INTEGER)) {
          assert.throws(() => mulDivFloorWide(a, b, d), DomainError);
          return;
        }
        assert.equal(mulDivFloorWide(a, b, d), Number(exact));
        assert.equal(BigInt(wideRemainder()), BigInt(a) * BigInt(b) - exact * BigInt(d));
      }),
      { numRuns: 5_000 },
    );
  });

  it('property: results near the safe limit are exact', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2 ** 40, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 1, max: 2 ** 20 }), (x, m) => {
        // a·b ≈ x·d keeps the quotient near x
        const d = m;
        const a = x;
        const exact = floorDiv(BigInt(a) * BigInt(d - 1 || 1), BigInt(d));
        assert.equal(mulDivFloorWide(a, d - 1 || 1, d), Number(exact));
      }),
      { numRuns: 2_000 },
    );
  });

  it('property: compareProducts is the sign of a·b − c·d', () => {
    fc.assert(
      fc.property(safe, safe, safe, safe, (a, b, c, d) => {
        const diff = BigInt(a) * BigInt(b) - BigInt(c) * BigInt(d);
        assert.equal(compareProducts(a, b, c, d), diff > 0n ? 1 : diff < 0n ? -1 : 0);
      }),
      { numRuns: 5_000 },
    );
    // equal values with different factorisations
    assert.equal(compareProducts(2 ** 50 + 1, 3 * 2 ** 10, 3 * (2 ** 50 + 1), 2 ** 10), 0);
    assert.equal(compareProducts(2 ** 50 + 1, 3 * 2 ** 10, 3 * (2 ** 50 + 1), 2 ** 10 + 1), -1);
    assert.equal(compareProducts(2 ** 50 + 1, 3 * 2 ** 10 + 1, 3 * (2 ** 50 + 1), 2 ** 10), 1);
  });
});
