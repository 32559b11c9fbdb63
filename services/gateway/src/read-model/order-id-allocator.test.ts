import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isGatewayOrderId, OrderIdAllocator } from './order-id-allocator.js';

describe('OrderIdAllocator', () => {
  it('strictly increases within a second, borrowing the next second when its 65,536 run out', () => {
    const now = Date.UTC(2026, 5, 1);
    const a = new OrderIdAllocator(() => now);
    let prev = 0;
    for (let i = 0; i < 70_000; i++) {
      const id = a.next();
      assert.ok(id > prev);
      prev = id;
    }
    assert.ok(isGatewayOrderId(prev) && prev < Number.MAX_SAFE_INTEGER);
  });

  it('a restart a second later starts above everything the previous process issued', () => {
    let now = Date.UTC(2026, 11, 3, 12);
    const first = new OrderIdAllocator(() => now);
    let last = 0;
    for (let i = 0; i < 10_000; i++) last = first.next();
    now += 1_000;
    assert.ok(new OrderIdAllocator(() => now).next() > last);
  });

  it('stays inside [2^52, 2^53) and refuses to leave it', () => {
    assert.ok(new OrderIdAllocator(() => 0).next() >= 2 ** 52);
    const far = new OrderIdAllocator(() => Date.UTC(2026, 0, 1) + 2 ** 36 * 1000);
    assert.throws(() => far.next(), RangeError);
  });
});
