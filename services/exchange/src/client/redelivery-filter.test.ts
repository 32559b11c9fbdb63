import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RedeliveryFilter } from './redelivery-filter.js';

describe('RedeliveryFilter (each envelope reaches the folds once)', () => {
  it('passes each sequence of a stream once, whatever the bus redelivers, and keeps streams apart', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('me|BTCUSDT', 'me|ETHUSDT'), fc.integer({ min: 1, max: 40 })), { maxLength: 200 }), (deliveries) => {
        const filter = new RedeliveryFilter();
        const last = new Map<string, number>();
        for (const [stream, seq] of deliveries) {
          const expected = seq > (last.get(stream) ?? 0);
          assert.equal(filter.fresh(stream, seq), expected);
          if (expected) last.set(stream, seq);
        }
        assert.equal(filter.droppedCount, deliveries.length - deliveries.filter(([s, q], i) => deliveries.slice(0, i).every(([s2, q2]) => s2 !== s || q2 < q)).length);
      }),
    );
  });

  it('lets envelopes without a sequence through', () => {
    const filter = new RedeliveryFilter();
    assert.deepEqual([filter.fresh('me|X', 0), filter.fresh('me|X', 0), filter.fresh('me|X', 1), filter.fresh('me|X', 1)], [true, true, true, false]);
  });
});
