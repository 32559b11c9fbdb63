/**
 * Cluster recovery on the in-process bus (the same `Bus` port the Kafka bus
 * implements; the Kafka seek is the same `startOffsets`): a stage snapshotted with
 * its offsets, then killed after more input, restarts from the snapshot and
 * re-consumes exactly the inputs after it (reaching the uninterrupted state); with
 * committed offsets and no snapshot it refuses to start with one line; the bus is
 * flushed before a snapshot is written.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type Bus, defineTopic, InProcessBus } from '@perpcore/bus';
import { encodeValue, decodeValue } from './state-encoding.js';
import { openStageRecovery, StageRecoveryRefusedError } from './stage-recovery.js';

const numbers = defineTopic<number>('test.numbers.v1', 2, { encode: (n: number) => encodeValue(n), decode: (b: Uint8Array) => ({ ok: true, value: decodeValue(b) as number }) } as never, (n: number) => String(n % 2));

/** A stage whose state is the running sum and count of what it consumed. */
class SumStage {
  sum = 0;
  count = 0;
  exportState(): Uint8Array {
    return encodeValue([this.sum, this.count]);
  }
  importState(bytes: Uint8Array): void {
    [this.sum, this.count] = decodeValue(bytes) as [number, number];
  }
  stateHash(): string {
    return `${this.sum}/${this.count}`;
  }
}

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function startStage(bus: InProcessBus, dir: string, committed: () => Record<number, number>, flushes: { n: number } = { n: 0 }) {
  const recovery = await openStageRecovery({
    dir,
    stage: 'sum',
    venueFingerprint: 'v1',
    topics: [numbers.name],
    committedOffsets: async () => committed(),
    everyMs: 60_000,
    minMessages: 1,
    keepNewest: 2,
  });
  const counting: Bus = { ...bus, publish: bus.publish.bind(bus), subscribe: bus.subscribe.bind(bus), close: bus.close.bind(bus), flush: async () => void flushes.n++ };
  const tracked = recovery.bus(counting);
  const stage = new SumStage();
  recovery.restore(stage);
  const sub = await tracked.subscribe(numbers, { groupId: 'sum', fromBeginning: true }, (m) => {
    stage.sum += m.value;
    stage.count++;
  });
  return { recovery, stage, sub };
}

describe('stage recovery with offsets (in-process bus)', () => {
  it('restarts from the newest snapshot and re-consumes exactly what came after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perpcore-stage-'));
    dirs.push(dir);
    const bus = new InProcessBus({ retainPerPartition: 1_000 });
    const flushes = { n: 0 };
    const first = await startStage(bus, dir, () => ({}), flushes);
    for (let i = 1; i <= 10; i++) bus.publish(numbers, i);
    const written = await first.recovery.snapshotNow();
    assert.ok(written !== null);
    assert.equal(flushes.n, 1, 'the bus was flushed before the snapshot was written');
    assert.deepEqual(written.offsets, { [numbers.name]: { '0': 5, '1': 5 } });
    for (let i = 11; i <= 15; i++) bus.publish(numbers, i);
    assert.equal(first.stage.stateHash(), `${(15 * 16) / 2}/15`);
    await first.sub.close(); // "killed": its state after the snapshot is lost
    const second = await startStage(bus, dir, () => ({ 0: 8, 1: 7 }));
    assert.deepEqual(second.recovery.restoredFrom?.offsets, written.offsets);
    assert.equal(second.stage.stateHash(), `${(15 * 16) / 2}/15`, 'snapshot (1..10) + the re-consumed tail (11..15)');
    await second.sub.close();
  });

  it('refuses to start with committed offsets and no snapshot, in one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perpcore-stage-'));
    dirs.push(dir);
    const bus = new InProcessBus();
    await assert.rejects(startStage(bus, dir, () => ({ 0: 3 })), (e: unknown) => e instanceof StageRecoveryRefusedError && /committed offsets on test\.numbers\.v1 but .* holds no usable snapshot/.test(e.message) && !e.message.includes('\n'));
    const fresh = await startStage(bus, dir, () => ({}));
    assert.equal(fresh.recovery.restoredFrom, null, 'a first start (nothing committed) starts from the beginning');
    await fresh.sub.close();
  });
});

describe('stage recovery: a partition untouched at the snapshot', () => {
  it('resumes it from its beginning, not from the offsets the group committed after the snapshot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perpcore-stage-'));
    dirs.push(dir);
    const bus = new InProcessBus({ retainPerPartition: 1_000 });
    const first = await startStage(bus, dir, () => ({}));
    bus.publish(numbers, 2); // partition 0 only
    const written = await first.recovery.snapshotNow();
    assert.ok(written !== null);
    assert.deepEqual(written.offsets, { [numbers.name]: { '0': 1, '1': 0 } }, 'partition 1 is included at its beginning');
    bus.publish(numbers, 3); // partition 1, consumed and committed by the group after the snapshot
    bus.publish(numbers, 5);
    await first.sub.close();
    const second = await startStage(bus, dir, () => ({ 0: 1, 1: 2 }));
    assert.equal(second.stage.stateHash(), '10/3', 'both messages of partition 1 after the snapshot applied again');
    await second.sub.close();
  });
});

describe('stage recovery: killed before its first snapshot', () => {
  it('with its input-order log from the first file, starts from offset 0 despite committed offsets and reaches the lost state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perpcore-stage-'));
    dirs.push(dir);
    const bus = new InProcessBus({ retainPerPartition: 1_000 });
    const first = await startStage(bus, dir, () => ({}));
    for (let i = 1; i <= 6; i++) bus.publish(numbers, i);
    assert.equal(first.stage.stateHash(), '21/6');
    await first.sub.close(); // killed: no snapshot, but the group committed everything
    const second = await startStage(bus, dir, () => ({ 0: 3, 1: 3 }));
    assert.equal(second.recovery.restoredFrom, null);
    assert.equal(second.stage.stateHash(), '21/6', 'every input applied again from the beginning, in the logged order');
    bus.publish(numbers, 7);
    assert.equal(second.stage.stateHash(), '28/7');
    await second.sub.close();
  });
});
