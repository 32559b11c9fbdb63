import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PositiveIntHash } from './positive-int-hash.js';

describe('PositiveIntHash', () => {
  it('behaves like a Map under inserts, overwrites and deletes (through growth)', () => {
    const key = fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }));
    fc.assert(
      fc.property(fc.array(fc.record({ del: fc.boolean(), key, value: fc.nat(1_000_000) }), { maxLength: 400 }), (ops) => {
        const hash = new PositiveIntHash(1);
        const model = new Map<number, number>();
        for (const { del, key: k, value } of ops) {
          if (del) {
            hash.delete(k);
            model.delete(k);
          } else {
            hash.set(k, value);
            model.set(k, value);
          }
          assert.equal(hash.size, model.size);
        }
        for (const { key: k } of ops) assert.equal(hash.get(k), model.get(k) ?? -1);
      }),
      { seed: 5, numRuns: 200 },
    );
  });

  it('keeps probe runs intact when deleting from the middle of a cluster', () => {
    const hash = new PositiveIntHash(4);
    const keys = Array.from({ length: 12 }, (_, i) => (i + 1) * 16); // crowd a small table
    keys.forEach((k, i) => hash.set(k, i));
    for (const k of keys.filter((_, i) => i % 3 === 1)) hash.delete(k);
    keys.forEach((k, i) => assert.equal(hash.get(k), i % 3 === 1 ? -1 : i));
  });
});
