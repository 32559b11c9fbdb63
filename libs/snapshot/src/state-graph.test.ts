import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureState, restoreState } from './stage-state.js';
import { SnapshotShapeError } from './state-graph.js';
import { InstanceMap } from './instance-map.js';

class Counter {
  count = 0;
  readonly history: number[] = [];
  seen = new Float64Array(4);
}

class Book {
  private orders: number[] = [];
  exportState(): number[] {
    return [...this.orders];
  }
  importState(state: unknown): void {
    this.orders = [...(state as number[])];
  }
  add(id: number): void {
    this.orders.push(id);
  }
  ids(): number[] {
    return this.orders;
  }
}

interface Ladder {
  id: number;
  lots: number;
}

class Stage {
  readonly counter = new Counter();
  readonly alias = this.counter;
  readonly book = new Book();
  readonly config = { name: 'x', limits: { max: 10 } };
  readonly active = new Map<string, Ladder>();
  readonly byId = new Map<number, Ladder>();
  readonly perMarket = [new Counter(), new Counter()];
  readonly publish = (n: number) => n;
  total = 0n;
  constructor(readonly bus: { publish(): void }) {}
}

function drive(s: Stage): void {
  s.counter.count = 7;
  s.counter.history.push(1, 2, 3);
  s.counter.seen = new Float64Array([1.5, 2, 3, 4, 5, 6, 7, 8]);
  s.book.add(42);
  const ladder = { id: 9, lots: 3 };
  s.active.set('a', ladder);
  s.byId.set(9, ladder);
  s.perMarket[1].count = 5;
  s.total = 2n ** 70n;
  s.config.limits.max = 11;
}

const skipBus = (bus: object) => (v: object) => v === bus;

describe('state graph capture / restore', () => {
  it('restores data, participants, shared objects and in-place containers onto a fresh twin', () => {
    const bus = { publish() {} };
    const original = new Stage(bus);
    drive(original);
    const bytes = captureState(original, { skip: skipBus(bus) });
    const bus2 = { publish() {} };
    const twin = new Stage(bus2);
    const historyBefore = twin.counter.history;
    const limits = twin.config.limits;
    restoreState(twin, bytes, { skip: skipBus(bus2) });
    assert.equal(twin.counter.count, 7);
    assert.equal(twin.counter.history, historyBefore, 'arrays are refilled in place');
    assert.deepEqual(twin.counter.history, [1, 2, 3]);
    assert.deepEqual([...twin.counter.seen], [1.5, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(twin.book.ids(), [42]);
    assert.equal(twin.active.get('a'), twin.byId.get(9), 'an object held in two Maps stays one object');
    assert.equal(twin.perMarket[1].count, 5);
    assert.equal(twin.total, 2n ** 70n);
    assert.equal(twin.config.limits, limits, 'plain objects are merged in place');
    assert.equal(twin.config.limits.max, 11);
    assert.equal(twin.bus, bus2, 'skipped objects stay the twin’s own');
    assert.deepEqual(captureState(twin, { skip: skipBus(bus2) }), bytes, 'same state, same bytes');
  });

  it('refuses a snapshot of another shape, naming the field, and writes nothing', () => {
    const bus = { publish() {} };
    const original = new Stage(bus);
    drive(original);
    const bytes = captureState(original, { skip: skipBus(bus) });
    class OtherStage extends Stage {
      readonly extra = new Counter();
    }
    const twin = new OtherStage(bus);
    assert.throws(() => restoreState(twin, bytes, { skip: skipBus(bus) }), (e: unknown) => e instanceof SnapshotShapeError && /\$\.extra/.test(e.message));
    assert.equal(twin.counter.count, 0, 'nothing written');
    const fewer = new Stage(bus);
    (fewer as { perMarket: Counter[] }).perMarket.pop();
    assert.throws(() => restoreState(fewer, bytes, { skip: skipBus(bus) }), /perMarket/);
    assert.equal(fewer.counter.count, 0);
  });

  it('makes the instances of an InstanceMap the twin lacks, with the captured fields, keys in the captured order', () => {
    class Account {
      readonly orders = new Map<number, { id: number; lots: number }>();
      fills = 0;
      constructor(readonly limit: { max: number }) {}
    }
    class Model {
      readonly limit = { max: 5 };
      readonly accounts = new InstanceMap<number, Account>(() => new Account(this.limit));
      readonly openById = new Map<number, { id: number; lots: number }>();
    }
    const original = new Model();
    for (const id of [9, 3, 7]) {
      const order = { id: id * 10, lots: id };
      original.accounts.getOrCreate(id).orders.set(order.id, order);
      original.accounts.getOrCreate(id).fills = id;
      original.openById.set(order.id, order);
    }
    const bytes = captureState(original);
    const twin = new Model();
    twin.accounts.getOrCreate(3).fills = 99; // an instance the twin already has is overlaid, not replaced
    const kept = twin.accounts.get(3);
    restoreState(twin, bytes);
    assert.deepEqual([...twin.accounts.keys()], [9, 3, 7]);
    assert.equal(twin.accounts.get(3), kept);
    assert.deepEqual(
      [...twin.accounts.values()].map((a) => a.fills),
      [9, 3, 7],
    );
    assert.ok(twin.accounts.get(7) instanceof Account);
    assert.equal(twin.accounts.get(7)?.limit, twin.limit, 'a made instance is the factory’s, wired to the twin');
    assert.equal(twin.accounts.get(7)?.orders.get(70), twin.openById.get(70), 'an object shared with another Map stays shared');
    assert.deepEqual(captureState(twin), bytes, 'same state, same bytes');

    const shapeless = new (class extends Model {
      override readonly accounts = new InstanceMap<number, Account>(() => Object.assign(new Account(this.limit), { extra: 1 }));
    })();
    assert.throws(() => restoreState(shapeless, bytes), (e: unknown) => e instanceof SnapshotShapeError && /accounts\.get\(9\)\.extra/.test(e.message));
    assert.equal(shapeless.accounts.size, 0, 'nothing written');
  });
});
