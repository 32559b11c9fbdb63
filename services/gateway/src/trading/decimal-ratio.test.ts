import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDecimal } from '@perpcore/domain';
import { defaultMarketSpecs } from '@perpcore/markets';
import fc from 'fast-check';
import { entryFromCost } from '../account/account-json.js';
import { decimalRatio } from './decimal-ratio.js';
import { avgPrice } from './order-json.js';

/** The decimal string as an exact fraction mantissa / 10^scale. */
const exact = (text: string) => parseDecimal('x', text);

describe('decimal ratios on the wire (no float, rounded toward zero)', () => {
  it('truncates: q ≤ n/d < q + 10^-scale, for any sign', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.bigInt({ min: 1n, max: 10n ** 15n }), fc.integer({ min: 0, max: 12 }), (n, d, scale) => {
        const q = exact(decimalRatio(n, d, scale));
        // q = m / 10^qs; compare m × d × 10^scale with n × 10^(scale + qs) exactly
        const lhs = q.mantissa * d * 10n ** BigInt(scale - q.scale >= 0 ? scale - q.scale : 0);
        const rhs = n * 10n ** BigInt(scale);
        const ulp = d;
        if (n >= 0n) assert.ok(lhs <= rhs && rhs < lhs + ulp, `${n}/${d} at ${scale}`);
        else assert.ok(lhs >= rhs && rhs > lhs - ulp, `${n}/${d} at ${scale}`);
      }),
    );
  });

  it('avgPrice is exact for fills at one price and lies between the extremes otherwise', () => {
    const spec = defaultMarketSpecs[0];
    if (spec === undefined) throw new Error('no market');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1, max: 1_000 })), { minLength: 1, maxLength: 20 }), (fills) => {
        let tickLots = 0;
        let lots = 0;
        for (const [p, q] of fills) {
          tickLots += p * q;
          lots += q;
        }
        const avg = Number(avgPrice(spec, tickLots, lots)) * 10; // in ticks, for the bound check only
        const lo = Math.min(...fills.map(([p]) => p));
        const hi = Math.max(...fills.map(([p]) => p));
        assert.ok(avg >= lo - 1e-6 && avg <= hi + 1e-6);
        const first = fills[0]?.[0] ?? 0;
        if (fills.every(([p]) => p === first)) assert.equal(avgPrice(spec, tickLots, lots), decimalRatio(BigInt(first), 10n, 1), 'one price: exactly that price');
      }),
    );
  });

  it('entry price from the cost basis: 2 ETH for 200 USDT is 100, a short the same', () => {
    const eth = defaultMarketSpecs[1];
    if (eth === undefined) throw new Error('no market');
    assert.equal(entryFromCost(eth, 200_000_000n, 200), '100');
    assert.equal(entryFromCost(eth, -200_000_000n, -200), '100');
    assert.equal(entryFromCost(eth, 200_000_001n, 200), '100.0000005');
    assert.equal(entryFromCost(eth, 0n, 0), '0');
  });
});
