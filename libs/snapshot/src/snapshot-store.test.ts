import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { configFingerprint } from './fingerprint.js';
import { SnapshotCorruptError, SnapshotRefusedError } from './snapshot-file.js';
import { SnapshotStore } from './snapshot-store.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function freshDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'perpcore-snap-'));
  dirs.push(d);
  return d;
}
const venue = configFingerprint({ markets: ['BTCUSDT'], tick: 1n });
const identity = { stage: 'embedded', venueFingerprint: venue };
const payload = (n: number) => new Uint8Array(1000).fill(n);

describe('SnapshotStore', () => {
  it('writes and reads back the newest snapshot with its position and hash', () => {
    const dir = freshDir();
    const store = SnapshotStore.open(dir, identity);
    store.write(payload(1), { journalSeq: 10 }, 'h1');
    store.write(payload(2), { journalSeq: 20 }, 'h2');
    const newest = store.newestValid();
    assert.ok(newest !== undefined);
    assert.deepEqual(newest.header.position, { journalSeq: 20 });
    assert.equal(newest.header.stateHash, 'h2');
    assert.deepEqual(new Uint8Array(newest.payload), payload(2));
    // reopening continues the numbering
    const again = SnapshotStore.open(dir, identity);
    again.write(payload(3), { offsets: { 'risk.events': { '0': 5 } } }, 'h3');
    assert.deepEqual(again.newestValid()?.header.position, { offsets: { 'risk.events': { '0': 5 } } });
  });

  it('a crash between the temp write and the rename leaves the previous snapshot the newest valid', () => {
    const dir = freshDir();
    SnapshotStore.open(dir, identity).write(payload(1), { journalSeq: 10 }, 'h1');
    const crashing = SnapshotStore.open(dir, {
      ...identity,
      beforeRename: () => {
        throw new Error('simulated crash');
      },
    });
    assert.throws(() => crashing.write(payload(2), { journalSeq: 20 }, 'h2'), /simulated crash/);
    assert.ok(readdirSync(dir).some((n) => n.endsWith('.tmp')), 'the temp file is left behind');
    const reopened = SnapshotStore.open(dir, identity);
    assert.equal(reopened.newestValid()?.header.stateHash, 'h1');
    assert.ok(!readdirSync(dir).some((n) => n.endsWith('.tmp')), 'reopening removes the leftover');
    reopened.write(payload(3), { journalSeq: 30 }, 'h3'); // the interrupted write's name is free again
    assert.equal(reopened.newestValid()?.header.stateHash, 'h3');
    assert.deepEqual([...reopened.valid()].map((s) => s.header.stateHash), ['h3', 'h1'], 'every valid one, newest first');
  });

  it('a checksum mismatch is refused and the previous valid snapshot is used', () => {
    const dir = freshDir();
    const store = SnapshotStore.open(dir, identity);
    store.write(payload(1), { journalSeq: 10 }, 'h1');
    const second = store.write(payload(2), { journalSeq: 20 }, 'h2');
    const bytes = readFileSync(second);
    bytes[bytes.length - 100] ^= 0xff;
    writeFileSync(second, bytes);
    const corrupt: SnapshotCorruptError[] = [];
    const reopened = SnapshotStore.open(dir, { ...identity, onCorrupt: (e) => corrupt.push(e) });
    assert.equal(reopened.newestValid()?.header.stateHash, 'h1');
    assert.equal(corrupt.length, 1);
    assert.deepEqual([...reopened.valid()].map((s) => s.header.stateHash), ['h1'], 'the corrupt one is never offered');
    assert.match(corrupt[0].message, /checksum mismatch/);
    // a truncated file is corrupt too
    writeFileSync(second, bytes.subarray(0, 50));
    assert.equal(SnapshotStore.open(dir, identity).newestValid()?.header.stateHash, 'h1');
  });

  it('refuses a directory holding another venue’s, stage’s or format’s snapshots, and overwrites nothing', () => {
    const dir = freshDir();
    const path = SnapshotStore.open(dir, identity).write(payload(1), { journalSeq: 10 }, 'h1');
    const before = readFileSync(path);
    const otherVenue = { stage: 'embedded', venueFingerprint: configFingerprint({ markets: ['ETHUSDT'] }) };
    assert.throws(() => SnapshotStore.open(dir, otherVenue), (e: unknown) => e instanceof SnapshotRefusedError && /another venue configuration/.test(e.message));
    assert.throws(() => SnapshotStore.open(dir, { ...identity, stage: 'risk' }), /holds stage "embedded", this process is "risk"/);
    const bumped = Buffer.from(before);
    bumped.writeUInt32LE(99, 8);
    writeFileSync(path, bumped);
    assert.throws(() => SnapshotStore.open(dir, identity), /format version 99, this build reads 1/);
    writeFileSync(path, before);
    assert.deepEqual(readFileSync(path), before, 'the file is untouched');
  });

  it('prune keeps the newest K valid snapshots', () => {
    const dir = freshDir();
    const store = SnapshotStore.open(dir, identity);
    for (let i = 1; i <= 6; i++) store.write(payload(i), { journalSeq: i * 10 }, `h${i}`);
    const deleted = store.prune({ keepNewest: 2 });
    assert.equal(deleted.length, 4);
    assert.deepEqual(readdirSync(dir).sort(), ['snapshot-000000000005.psnap', 'snapshot-000000000006.psnap']);
    assert.throws(() => store.prune({ keepNewest: 0 }), /keepNewest/);
  });
});
