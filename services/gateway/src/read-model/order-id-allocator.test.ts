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

  it('a restart within the same second continues above the ids it observes in the replayed events, in its lane', () => {
    const now = Date.UTC(2026, 11, 3, 12);
    const first = new OrderIdAllocator(() => now, { index: 1, lanes: 4 });
    const issued: number[] = [];
    for (let i = 0; i < 100; i++) issued.push(first.next());
    const restarted = new OrderIdAllocator(() => now, { index: 1, lanes: 4 });
    for (const id of issued) restarted.observe(id);
    restarted.observe(12_345); // the simulated market's ids are below the range and change nothing
    const next = restarted.next();
    assert.ok(next > Math.max(...issued) && next % 4 === 1, `${next} above every observed id, in lane 1 of 4`);
  });

  it('stays inside [2^52, 2^53) and refuses to leave it', () => {
    assert.ok(new OrderIdAllocator(() => 0).next() >= 2 ** 52);
    const far = new OrderIdAllocator(() => Date.UTC(2026, 0, 1) + 2 ** 36 * 1000);
    assert.throws(() => far.next(), RangeError);
  });

  it('gateway processes on different lanes never issue the same id, also when they borrow ahead', () => {
    const now = Date.UTC(2026, 7, 1);
    const lanes = [0, 1, 2, 7].map((index) => new OrderIdAllocator(() => now, { index, lanes: 8 }));
    const seen = new Set<number>();
    for (const [i, a] of lanes.entries()) {
      let prev = 0;
      for (let n = 0; n < 10_000; n++) {
        const id = a.next();
        assert.ok(id > prev, 'increasing within a process');
        assert.equal(id % 8, [0, 1, 2, 7][i], 'in its lane');
        assert.ok(!seen.has(id), `id ${id} issued twice`);
        seen.add(id);
        prev = id;
      }
    }
    assert.equal(new OrderIdAllocator(() => now, { index: 0, lanes: 1 }).next(), new OrderIdAllocator(() => now).next(), 'one lane is the plain scheme');
  });

  it('refuses a lane outside its count or a count that does not divide a second', () => {
    for (const lane of [{ index: 8, lanes: 8 }, { index: -1, lanes: 8 }, { index: 0, lanes: 6 }, { index: 0, lanes: 128 }, { index: 0, lanes: 0 }]) {
      assert.throws(() => new OrderIdAllocator(Date.now, lane), RangeError, JSON.stringify(lane));
    }
  });
});
