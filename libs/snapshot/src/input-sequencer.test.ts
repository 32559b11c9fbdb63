/**
 * The ordered replay (input-order-log.ts, input-sequencer.ts) on the in-process bus:
 * a stage reading two topics whose state depends on the order it applies them. After
 * a kill and a restart from a snapshot, the bus delivers the tail topic by topic (A's
 * messages before B's), not in the order the first life applied them; with the log,
 * the restarted stage applies them in the first life's order and reaches its state
 * (and would republish the same outputs); without the log (the files removed: what
 * recovery did before), the same restart reaches another state. Local inputs (a clock
 * tick) are replayed at their logged place with their logged value; a live tick during
 * the replay is dropped. A torn entry at a file's end is cut.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { defineTopic, InProcessBus } from '@perpcore/bus';
import { decodeValue, encodeValue } from './state-encoding.js';
import { ENTRY_BYTES, InputOrderLog, listInputOrderFiles, readInputOrder } from './input-order-log.js';
import { openStageRecovery, type Recovery } from './stage-recovery.js';

const codec = { encode: (n: number) => encodeValue(n), decode: (b: Uint8Array) => ({ ok: true, value: decodeValue(b) as number }) } as never;
const topicA = defineTopic<number>('test.order-a.v1', 2, codec, (n: number) => String(n % 2));
const topicB = defineTopic<number>('test.order-b.v1', 1, codec, () => '0');
const TICK = 0;

/** Order-dependent state: a polynomial hash of the inputs in the order applied. */
class OrderStage {
  h = 7;
  applied: string[] = [];
  take(tag: string, v: number): void {
    this.h = (this.h * 31 + v) % 1_000_000_007;
    this.applied.push(`${tag}${v}`);
  }
  exportState(): Uint8Array {
    return encodeValue([this.h, this.applied]);
  }
  importState(bytes: Uint8Array): void {
    [this.h, this.applied] = decodeValue(bytes) as [number, string[]];
  }
  stateHash(): string {
    return String(this.h);
  }
}

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function startStage(bus: InProcessBus, dir: string, betweenSubscriptions: (recovery: Recovery) => void = () => undefined) {
  const recovery = await openStageRecovery({ dir, stage: 'order', venueFingerprint: 'v1', topics: [topicA.name, topicB.name], committedOffsets: async () => ({}), everyMs: 60_000, minMessages: 1, keepNewest: 2 });
  const tracked = recovery.bus(bus);
  const stage = new OrderStage();
  recovery.onLocal(TICK, (v) => stage.take('t', v));
  recovery.restore(stage);
  // subscribed one topic after the other: a restarted subscription gets A's whole tail before B's
  const subA = await tracked.subscribe(topicA, { groupId: 'order', fromBeginning: true }, (m) => stage.take('a', m.value));
  betweenSubscriptions(recovery);
  const subB = await tracked.subscribe(topicB, { groupId: 'order', fromBeginning: true }, (m) => stage.take('b', m.value));
  return { recovery, stage, close: async () => (await subA.close(), await subB.close()) };
}

async function firstLife(bus: InProcessBus, dir: string) {
  const first = await startStage(bus, dir);
  bus.publish(topicA, 2);
  assert.ok((await first.recovery.snapshotNow()) !== null);
  // after the snapshot, interleaved: B, tick, A, B, A
  bus.publish(topicB, 10);
  first.recovery.local(TICK, 1_000);
  bus.publish(topicA, 3);
  bus.publish(topicB, 11);
  bus.publish(topicA, 4);
  await first.close(); // "killed": everything after the snapshot is lost but the log
  return first.stage;
}

describe('ordered replay after a restart', () => {
  it('applies the tail in the order the first life applied it, ticks included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perpcore-order-'));
    dirs.push(dir);
    const bus = new InProcessBus({ retainPerPartition: 1_000 });
    const before = await firstLife(bus, dir);
    assert.deepEqual(before.applied, ['a2', 'b10', 't1000', 'a3', 'b11', 'a4']);
    // a live tick while A's tail is held for B: dropped
    const second = await startStage(bus, dir, (recovery) => {
      assert.equal(recovery.replaying, true);
      recovery.local(TICK, 2_000);
    });
    assert.deepEqual(second.stage.applied, before.applied);
    assert.equal(second.stage.stateHash(), before.stateHash());
    assert.equal(second.recovery.replaying, false);
    // live again: new inputs are applied and logged in arrival order
    second.recovery.local(TICK, 3_000);
    bus.publish(topicB, 12);
    assert.deepEqual(second.stage.applied.slice(-2), ['t3000', 'b12']);
    await second.close();
    const logged = readInputOrder(dir, 0).map((e) => (e.kind === 'local' ? `t${e.value}` : `${e.topic}:${e.partition}:${e.offset}`));
    assert.deepEqual(logged, ['0:0:0', '1:0:0', 't1000', '0:1:0', '1:0:1', '0:0:1', 't3000', '1:0:2']);
  });

  it('without the log the same restart reaches another state (the failure the log prevents)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perpcore-order-'));
    dirs.push(dir);
    const bus = new InProcessBus({ retainPerPartition: 1_000 });
    const before = await firstLife(bus, dir);
    for (const f of listInputOrderFiles(dir)) rmSync(join(dir, f.name));
    const second = await startStage(bus, dir);
    assert.deepEqual(second.stage.applied, ['a2', 'a4', 'a3', 'b10', 'b11']); // partition by partition, then topic by topic
    assert.notEqual(second.stage.stateHash(), before.stateHash());
    await second.close();
  });

  it('reads a file cut inside an entry up to its last whole entry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perpcore-order-'));
    dirs.push(dir);
    const bus = new InProcessBus({ retainPerPartition: 1_000 });
    await firstLife(bus, dir);
    const last = listInputOrderFiles(dir).at(-1)?.name as string;
    const path = join(dir, last);
    const entries = statSync(path).size / ENTRY_BYTES;
    truncateSync(path, statSync(path).size - 3);
    assert.equal(readInputOrder(dir, listInputOrderFiles(dir).at(-1)?.index as number).length, entries - 1);
    assert.ok(readdirSync(dir).some((n) => n.endsWith('.psnap')));
  });

  it('over a queuing bus writes its entries when a batch is sent (and before a rotation), not one write per input', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perpcore-order-'));
    dirs.push(dir);
    const log = new InputOrderLog(dir);
    log.writeThrough = false;
    for (let i = 0; i < 5_000; i++) log.append({ kind: 'message', topic: 1, partition: 2, offset: i, indexInRecord: 0 });
    assert.equal(readInputOrder(dir, 0).length, 0, 'nothing written before the send');
    log.flush(); // what the bus's beforeSend hook does
    assert.equal(readInputOrder(dir, 0).length, 5_000);
    log.append({ kind: 'local', input: 0, value: 7 });
    const next = log.rotate();
    assert.deepEqual(readInputOrder(dir, 0).at(-1), { kind: 'local', input: 0, value: 7 }, 'a rotation writes what is buffered into the file it closes');
    assert.equal(readInputOrder(dir, next).length, 0);
    log.close();
  });
});
