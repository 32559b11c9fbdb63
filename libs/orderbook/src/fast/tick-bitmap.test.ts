import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TickBitmap } from './tick-bitmap.js';

describe('TickBitmap', () => {
  it('finds the next set tick above and below like a sorted set does', () => {
    const size = 40_000; // three layers
    fc.assert(
      fc.property(
        fc.array(fc.record({ set: fc.boolean(), tick: fc.oneof(fc.nat(size - 1), fc.constantFrom(0, 31, 32, 1023, 1024, size - 1)) }), { maxLength: 200 }),
        fc.array(fc.nat(size - 1), { maxLength: 30 }),
        (ops, probes) => {
          const bitmap = new TickBitmap(size);
          const model = new Set<number>();
          for (const { set, tick } of ops) {
            if (set) {
              bitmap.set(tick);
              model.add(tick);
            } else {
              bitmap.clear(tick);
              model.delete(tick);
            }
          }
          const sorted = [...model].sort((a, b) => a - b);
          for (const p of [...probes, 0, size - 1]) {
            assert.equal(bitmap.nextAtOrAbove(p), sorted.find((t) => t >= p) ?? -1);
            assert.equal(bitmap.nextAtOrBelow(p), [...sorted].reverse().find((t) => t <= p) ?? -1);
          }
          assert.equal(bitmap.nextAtOrBelow(-1), -1);
          assert.equal(bitmap.nextAtOrAbove(size), -1);
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });

  it('handles bit 31 of a word and a one-word bitmap', () => {
    const b = new TickBitmap(32);
    b.set(31);
    assert.equal(b.nextAtOrBelow(31), 31);
    assert.equal(b.nextAtOrAbove(0), 31);
    assert.equal(b.nextAtOrAbove(32), -1);
    b.clear(31);
    assert.equal(b.nextAtOrAbove(0), -1);
  });
});
