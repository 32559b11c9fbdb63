import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decimalToSteps, decimalToUnits, formatScaled, parseDecimal } from './decimal.js';

describe('decimal strings', () => {
  it('parses plain decimals exactly', () => {
    assert.deepEqual(parseDecimal('p', '30001.50'), { mantissa: 3000150n, scale: 2 });
    assert.deepEqual(parseDecimal('p', '-0.001'), { mantissa: -1n, scale: 3 });
    assert.equal(decimalToUnits('amount', '12.5', 6), 12_500_000n);
  });

  it('refuses anything that is not a plain decimal, naming the field', () => {
    for (const bad of ['', ' 1', '1e3', '+1', '1.', '.5', 'NaN', 'Infinity', '1,000', '0x10', '1.2.3', '1'.repeat(41)]) {
      assert.throws(() => parseDecimal('price', bad), /price must be/, bad);
    }
    for (const bad of [undefined, null, 1.5, {}, []]) assert.throws(() => parseDecimal('qty', bad), /qty must be a decimal string/);
  });

  it('refuses values off the grid instead of rounding them', () => {
    const tick = parseDecimal('tick', '0.5');
    assert.equal(decimalToSteps('price', '30001.5', tick), 60003n);
    assert.throws(() => decimalToSteps('price', '30001.25', tick), /not a multiple of 0.5/);
    assert.throws(() => decimalToUnits('amount', '0.0000001', 6), /DOMAIN_OFF_GRID|not a multiple/);
  });

  it('formats back to the same value (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 12 }), (v, scale) => {
        const text = formatScaled(v, scale);
        const back = parseDecimal('x', text);
        assert.equal(back.mantissa * 10n ** BigInt(scale - back.scale), v);
      }),
      { seed: 3, numRuns: 2000 },
    );
  });
});
