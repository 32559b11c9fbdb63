import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Journal, JournalWriteError } from './journal.js';
import { type JournalFs, nodeJournalFs } from './journal-fs.js';
import { listSegments, readRecords } from './segment-files.js';

const VENUE = { venueFingerprint: 'venue-a' };
const made: string[] = [];
after(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
const tempDir = (): string => {
  const dir = fs.mkdtempSync(join(tmpdir(), 'journal-test-'));
  made.push(dir);
  return dir;
};
const payload = (i: number): Uint8Array => Uint8Array.from([i & 0xff, (i >> 8) & 0xff, 1, 2, 3, 4, 5, 6]);

/** node:fs, counting syncs and writes, failing with `failCode` once `failAfterBytes` have been written. */
function countingFs(failAfterBytes = Infinity, failCode = 'ENOSPC'): JournalFs & { syncs: number; writes: number } {
  let written = 0;
  const fail = (): NodeJS.ErrnoException => Object.assign(new Error(`${failCode}: no space left on device, write`), { code: failCode });
  const files = {
    syncs: 0,
    writes: 0,
    writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
      files.writes++;
      if (written + length > failAfterBytes) throw fail();
      written += length;
      return nodeJournalFs.writeSync(fd, buffer, offset, length, position);
    },
    fdatasyncSync(fd: number): void {
      files.syncs++;
      nodeJournalFs.fdatasyncSync(fd);
    },
    write(fd: number, buffer: Uint8Array, offset: number, length: number, position: number, done: (e: Error | null, n: number) => void): void {
      files.writes++;
      if (written + length > failAfterBytes) return void setImmediate(() => done(fail(), 0));
      written += length;
      nodeJournalFs.write(fd, buffer, offset, length, position, done);
    },
    fdatasync(fd: number, done: (e: Error | null) => void): void {
      files.syncs++;
      nodeJournalFs.fdatasync(fd, done);
    },
  };
  return files;
}

test('batch policy commits in groups: many appends, few syncs, flush resolves only once all are durable', async () => {
  const files = countingFs();
  const journal = Journal.open(tempDir(), VENUE, { files });
  for (let i = 1; i <= 2_000; i++) assert.equal(journal.append(payload(i)), i);
  assert.equal(journal.durableSeq, 0, 'nothing is durable before the group is written');
  const flushed = journal.flush();
  for (let i = 2_001; i <= 3_000; i++) journal.append(payload(i));
  assert.ok((await flushed) >= 2_000);
  assert.equal(await journal.flush(), 3_000);
  assert.ok(files.syncs >= 1 && files.syncs <= 4, `${files.syncs} syncs for 3,000 records`);
  await journal.close();
  assert.equal([...readRecords(journal.dir, VENUE.venueFingerprint)].length, 3_000);
});

test('always policy makes every record durable before append returns; none never syncs', async () => {
  const always = countingFs();
  const a = Journal.open(tempDir(), VENUE, { fsync: 'always', files: always });
  for (let i = 1; i <= 5; i++) {
    a.append(payload(i));
    assert.equal(a.durableSeq, i);
  }
  assert.equal(always.syncs, 5);
  await a.close();
  const none = countingFs();
  const n = Journal.open(tempDir(), VENUE, { fsync: 'none', files: none });
  for (let i = 1; i <= 100; i++) n.append(payload(i));
  assert.equal(await n.flush(), 100);
  assert.equal(none.syncs, 0);
  await n.close();
});

test('segments rotate at the size limit, read back in order, and prune drops only whole segments below a seq', async () => {
  const dir = tempDir();
  const journal = Journal.open(dir, VENUE, { fsync: 'always', segmentBytes: 400 });
  for (let i = 1; i <= 200; i++) journal.append(payload(i));
  const segments = listSegments(dir);
  assert.ok(segments.length > 5, `${segments.length} segments`);
  assert.deepEqual(
    Array.from(journal.read(1), (r) => r.seq),
    Array.from({ length: 200 }, (_, i) => i + 1),
  );
  const keepFrom = (segments[3] as { firstSeq: number }).firstSeq;
  assert.equal(journal.prune(keepFrom + 1), 3);
  assert.equal((listSegments(dir)[0] as { firstSeq: number }).firstSeq, keepFrom);
  await journal.close();
  const reopened = Journal.open(dir, VENUE);
  assert.equal(reopened.recovery.lastSeq, 200);
  assert.equal(reopened.append(payload(201)), 201);
  await reopened.close();
  assert.deepEqual(
    Array.from(readRecords(dir, VENUE.venueFingerprint, 199), (r) => r.seq),
    [199, 200, 201],
  );
});

test('a full disk stops the journal: flush rejects, later appends throw, and what reopens is the durable prefix', async () => {
  const dir = tempDir();
  const failures: JournalWriteError[] = [];
  const journal = Journal.open(dir, VENUE, { files: countingFs(24 * 100), onFailure: (e) => failures.push(e) });
  for (let i = 1; i <= 50; i++) journal.append(payload(i));
  assert.equal(await journal.flush(), 50);
  for (let i = 51; i <= 200; i++) journal.append(payload(i));
  await assert.rejects(journal.flush(), (e: unknown) => e instanceof JournalWriteError && e.causeCode === 'ENOSPC' && /after seq 50 .*no further input is accepted/.test(e.message));
  assert.equal(failures.length, 1);
  assert.equal(journal.durableSeq, 50);
  assert.throws(() => journal.append(payload(1)), JournalWriteError);
  await journal.close();
  const reopened = Journal.open(dir, VENUE);
  assert.equal(reopened.recovery.lastSeq, 50);
  await reopened.close();
});

test('under the always policy a failing write throws from append itself', async () => {
  const journal = Journal.open(tempDir(), VENUE, { fsync: 'always', files: countingFs(24 * 3, 'EIO') });
  for (let i = 1; i <= 3; i++) journal.append(payload(i));
  assert.throws(() => journal.append(payload(4)), (e: unknown) => e instanceof JournalWriteError && e.durableSeq === 3 && e.causeCode === 'EIO');
  await assert.rejects(journal.flush(), JournalWriteError);
  await journal.close();
});
