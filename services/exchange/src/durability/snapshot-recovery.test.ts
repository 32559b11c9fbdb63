/**
 * Start = newest valid snapshot + journal tail (startEmbeddedCore with a snapshot
 * policy): the recovered state equals the uninterrupted run's at the same journal
 * position and continues in lockstep; with no snapshot it replays from genesis; a
 * corrupt newest snapshot is reported and the previous one used; journal segments
 * before the oldest kept snapshot are pruned and the fallback still finds its tail.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { listSegments } from '@perpcore/journal';
import { createLogger } from '@perpcore/observability';
import { closeEmbeddedCore, type EmbeddedCore, snapshotIfDue, startEmbeddedCore } from './embedded-core-start.js';
import { runReplayCli } from './replay-cli.js';
import { TempDirs } from './journal-test-dirs.test-support.js';

const logger = createLogger('test', 'silent');
const dirs = new TempDirs();
const cores: EmbeddedCore[] = [];
const POLICY = { everyRecords: 0, everyEventNs: 0, keepNewest: 2 };

async function start(dataDir: string, corrupt: string[] = []): Promise<EmbeddedCore> {
  const core = await startEmbeddedCore({ logger, seed: 13, dataDir, segmentBytes: 16 * 1024, snapshotPolicy: POLICY, onSnapshotCorrupt: (m) => corrupt.push(m) });
  cores.push(core);
  return core;
}

/** The directory as a crash leaves it (journal segments and the snapshots below). */
const crashCopy = (from: string): string => dirs.copyTree(from);

describe('recovery from snapshot + journal tail', () => {
  after(async () => {
    for (const core of cores) await closeEmbeddedCore(core);
    dirs.removeAll();
  });

  it('restores the newest snapshot, replays the tail in lockstep, falls back past a corrupt one, and prunes only what the oldest kept snapshot covers', async () => {
    const dir = dirs.make();
    const a = await start(dir);
    assert.equal(a.recovery?.snapshotSeq, null, 'an empty directory starts from genesis');
    a.exchange.step(2_000);
    await a.exchange.inputs.flush(); // group commit: a segment rotates between commits
    const first = await snapshotIfDue(a, true);
    await a.exchange.inputs.flush();
    const unpruned = crashCopy(dir); // one snapshot, the journal whole
    a.exchange.step(2_000);
    await a.exchange.inputs.flush();
    const second = await snapshotIfDue(a, true);
    a.exchange.step(1_500);
    await a.exchange.inputs.flush();
    assert.ok(first !== null && second !== null && second.journalSeq > first.journalSeq);

    const b = await start(crashCopy(dir));
    assert.equal(b.recovery?.snapshotSeq, second.journalSeq);
    assert.equal(b.recovery?.seq, a.exchange.inputs.appliedSeq);
    assert.equal(b.recovery?.stateHash, a.exchange.stateHash());
    a.exchange.step(500);
    b.exchange.step(500);
    assert.equal(b.exchange.stateHash(), a.exchange.stateHash(), 'the restored simulated market continues in lockstep');

    const broken = crashCopy(dir);
    const newest = join(broken, 'snapshots', fs.readdirSync(join(broken, 'snapshots')).filter((n) => n.endsWith('.psnap')).sort().at(-1) as string);
    const bytes = fs.readFileSync(newest);
    bytes[bytes.length - 10] ^= 0xff;
    fs.writeFileSync(newest, bytes);
    const corrupt: string[] = [];
    const c = await start(broken, corrupt);
    assert.equal(c.recovery?.snapshotSeq, first.journalSeq, 'the previous snapshot is used');
    assert.deepEqual([...new Set(corrupt)].map((m) => m.includes(newest) && /checksum/.test(m)), [true], corrupt.join('\n'));
    await a.exchange.inputs.flush();
    assert.equal(c.recovery?.seq, b.recovery?.seq);
    assert.equal(c.recovery?.stateHash, b.recovery?.stateHash);

    const out = new PassThrough();
    let printed = '';
    out.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    assert.equal(await runReplayCli([unpruned], out), 0);
    assert.match(printed, new RegExp(`state hash at seq ${first.journalSeq}: \\S+ \\(snapshot point: equals the snapshot’s\\)`));
    assert.match(printed, /snapshot points checked: 1, mismatches 0/);

    const segments = listSegments(dir);
    assert.ok((segments[0]?.firstSeq ?? 0) > 1, `the journal was pruned (segments from ${segments[0]?.firstSeq})`);
    assert.ok((segments[0]?.firstSeq ?? 0) <= first.journalSeq + 1, 'the oldest kept snapshot still finds its tail');
  });
});
