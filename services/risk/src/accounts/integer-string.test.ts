import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { integerString } from './integer-string.js';

test('integerString equals String for every safe integer', () => {
  fc.assert(fc.property(fc.maxSafeInteger(), (x) => integerString(x) === String(x)), { numRuns: 20_000 });
  fc.assert(fc.property(fc.integer(), (x) => integerString(x) === String(x)), { numRuns: 5_000 });
});

test('integerString at the split and range boundaries', () => {
  const edges = [0, -0, 1, -1, 2 ** 30 - 1, 2 ** 30, -(2 ** 30), -(2 ** 30) - 1, 2 ** 31, 1e9 - 1, 1e9, 1e9 + 1, 5_000_000_001, -5_000_000_001, 1e15, 999_999_999_999_999, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
  for (const x of edges) assert.equal(integerString(x), String(x), `x = ${x}`);
  assert.equal(integerString(12_345_678_901_234), '12345678901234');
  assert.equal(integerString(-5_000_000_001), '-5000000001');
});

test('integerString leaves non-integers to String', () => {
  for (const x of [0.5, -1.25, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY]) assert.equal(integerString(x), String(x));
});
