import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeededRandom } from './seeded-random.js';

describe('SeededRandom', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const c = new SeededRandom(8);
    const sa = Array.from({ length: 50 }, () => a.nextUint32());
    assert.deepEqual(sa, Array.from({ length: 50 }, () => b.nextUint32()));
    assert.notDeepEqual(sa, Array.from({ length: 50 }, () => c.nextUint32()));
  });

  it('keeps int() within its inclusive bounds and reaches both ends', () => {
    const r = new SeededRandom(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = r.int(-2, 2);
      assert.ok(v >= -2 && v <= 2);
      seen.add(v);
    }
    assert.deepEqual([...seen].sort((x, y) => x - y), [-2, -1, 0, 1, 2]);
  });
});
