import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BreachIndex, TriggerDirection } from './breach-index.js';

describe('breach index', () => {
  it('pops exactly the entries a price crossed, in both directions', () => {
    const live = new Map<number, number>();
    const index = new BreachIndex(1, (_dim, ref, version) => live.get(ref) === version);
    const put = (ref: number, dir: TriggerDirection, trigger: number) => {
      live.set(ref, (live.get(ref) ?? 0) + 1);
      index.push(0, dir, trigger, ref, live.get(ref)!);
    };
    put(1, TriggerDirection.Down, 95); // long near its line
    put(2, TriggerDirection.Down, 80);
    put(3, TriggerDirection.Up, 105); // short near its line
    put(4, TriggerDirection.Up, 130);
    const fired: number[] = [];
    index.popCrossed(0, 100, (ref) => fired.push(ref));
    assert.equal(fired.length, 0);
    index.popCrossed(0, 95, (ref) => fired.push(ref));
    assert.deepEqual(fired, [1]);
    index.popCrossed(0, 110, (ref) => fired.push(ref));
    assert.deepEqual(fired, [1, 3]);
  });

  it('drops stale entries lazily and compacts when they dominate', () => {
    const version = new Map<number, number>();
    const index = new BreachIndex(1, (_d, ref, v) => version.get(ref) === v);
    for (let ref = 0; ref < 1_000; ref++) {
      version.set(ref, 1);
      index.push(0, TriggerDirection.Down, 50, ref, 1);
    }
    for (let ref = 0; ref < 900; ref++) {
      version.set(ref, 2);
      index.markStale(0, TriggerDirection.Down);
      index.push(0, TriggerDirection.Down, 10, ref, 2);
    }
    assert.equal(index.size(0, TriggerDirection.Down), 1_900, 'stale entries wait while live ones dominate');
    for (let ref = 0; ref < 900; ref++) {
      version.set(ref, 3);
      index.markStale(0, TriggerDirection.Down);
      index.push(0, TriggerDirection.Down, 10, ref, 3);
    }
    assert.ok(index.size(0, TriggerDirection.Down) < 2_000, `compacted: ${index.size(0, TriggerDirection.Down)}`);
    const fired: number[] = [];
    index.popCrossed(0, 50, (ref) => fired.push(ref));
    assert.deepEqual(fired.sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => 900 + i));
  });

  it('fires the same set as a scan over every live trigger (property)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), ref: fc.integer({ min: 0, max: 30 }), down: fc.option(fc.integer({ min: 1, max: 1_000 })), up: fc.option(fc.integer({ min: 1, max: 1_000 })) }),
      fc.record({ kind: fc.constant('price' as const), price: fc.integer({ min: 1, max: 1_000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const version: number[] = Array(31).fill(0);
        const triggers: ({ down: number | null; up: number | null } | undefined)[] = [];
        const index = new BreachIndex(1, (_d, ref, v) => version[ref] === v);
        for (const o of ops) {
          if (o.kind === 'set') {
            const old = triggers[o.ref];
            if (old?.down != null) index.markStale(0, TriggerDirection.Down);
            if (old?.up != null) index.markStale(0, TriggerDirection.Up);
            version[o.ref]++;
            triggers[o.ref] = { down: o.down, up: o.up };
            if (o.down !== null) index.push(0, TriggerDirection.Down, o.down, o.ref, version[o.ref]);
            if (o.up !== null) index.push(0, TriggerDirection.Up, o.up, o.ref, version[o.ref]);
          } else {
            const expected = new Set<string>();
            triggers.forEach((t, ref) => {
              if (t?.down != null && t.down >= o.price) expected.add(`${ref}d`);
              if (t?.up != null && t.up <= o.price) expected.add(`${ref}u`);
            });
            const got = new Set<string>();
            index.popCrossed(0, o.price, (ref, dir) => {
              got.add(`${ref}${dir === TriggerDirection.Down ? 'd' : 'u'}`);
              const t = triggers[ref]!;
              triggers[ref] = dir === TriggerDirection.Down ? { down: null, up: t.up } : { down: t.down, up: null };
            });
            assert.deepEqual([...got].sort(), [...expected].sort());
          }
        }
      }),
      { seed: 3, numRuns: 500 },
    );
  });
});
