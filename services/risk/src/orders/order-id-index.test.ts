import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { OrderIdIndex } from './order-id-index.js';

it('behaves like a Map under random inserts and deletes, through growth (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }))), { maxLength: 400 }), (ops) => {
      const index = new OrderIdIndex(4);
      const model = new Map<number, number>();
      ops.forEach(([put, id], i) => {
        if (put) {
          index.set(id, i);
          model.set(id, i);
        } else {
          assert.equal(index.delete(id), model.delete(id));
        }
        assert.equal(index.size, model.size);
      });
      for (const [id, slot] of model) assert.equal(index.get(id), slot);
      const ids: number[] = [];
      index.forEachId((id) => ids.push(id));
      assert.deepEqual(ids.sort((a, b) => a - b), [...model.keys()].sort((a, b) => a - b));
      assert.equal(index.get(424242424242), model.get(424242424242) ?? -1);
      assert.equal(index.get(0), -1, '0 is never an id (it marks empty buckets)');
      assert.equal(index.delete(0), false);
    }),
    { seed: 9, numRuns: 400 },
  );
});
