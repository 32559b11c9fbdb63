/**
 * The input-order log's fsync policy (input-order-log.ts) through a recording file
 * port: `always` and `batch` sync once per flush (a send batch) and never for an
 * empty one, `none` never syncs but a rotation still does; every policy writes the
 * same bytes; a failing write or sync (a full or broken disk) throws out of `flush`
 * (so the bus's send fails and the stage stops); a later flush rewrites the same
 * bytes at the same place rather than leaving a gap, and retries a failed sync. The policy comes from
 * PERPCORE_SNAPSHOT_FSYNC.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readConfig } from '@perpcore/config';
import { FSYNC_POLICIES, type FsyncPolicy, type JournalFs, nodeJournalFs } from '@perpcore/journal';
import { decodeEntries, InputOrderLog, listInputOrderFiles, readInputOrder } from './input-order-log.js';
import { snapshotConfigSchema } from './snapshot-config.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'perpcore-order-sync-'));
  dirs.push(dir);
  return dir;
}

/** node:fs with the calls counted, and a switch that makes the next write or sync fail as a full disk does. */
function recordingFs(): JournalFs & { writes: number; syncs: number; failNext: 'write' | 'sync' | null } {
  const port = {
    writes: 0,
    syncs: 0,
    failNext: null as 'write' | 'sync' | null,
    writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
      if (port.failNext === 'write') {
        port.failNext = null;
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      port.writes++;
      return nodeJournalFs.writeSync(fd, buffer, offset, length, position);
    },
    fdatasyncSync(fd: number): void {
      if (port.failNext === 'sync') {
        port.failNext = null;
        throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
      }
      port.syncs++;
      nodeJournalFs.fdatasyncSync(fd);
    },
    write: nodeJournalFs.write,
    fdatasync: nodeJournalFs.fdatasync,
  };
  return port;
}

function message(offset: number) {
  return { kind: 'message', topic: 0, partition: 1, offset, indexInRecord: 0 } as const;
}

describe('input-order log sync policy', () => {
  it('always and batch sync once per flush of a batch, none only at a rotation; the bytes are the same under every policy', () => {
    const contents: Buffer[] = [];
    for (const fsync of FSYNC_POLICIES) {
      const dir = freshDir();
      const files = recordingFs();
      const log = new InputOrderLog(dir, { fsync, files });
      log.writeThrough = false;
      for (let batch = 0; batch < 3; batch++) {
        for (let i = 0; i < 100; i++) log.append(message(batch * 100 + i));
        log.flush();
      }
      log.flush(); // nothing buffered: no write, no sync
      assert.equal(files.writes, 3, `${fsync}: one write per batch`);
      assert.equal(files.syncs, fsync === 'none' ? 0 : 3, `${fsync}: syncs per batch`);
      log.append({ kind: 'local', input: 0, value: 42 });
      const next = log.rotate();
      assert.equal(files.syncs, fsync === 'none' ? 1 : 4, `${fsync}: the rotation syncs the file it closes (its tail's flush is that sync under always and batch)`);
      log.close();
      assert.equal(readInputOrder(dir, next).length, 0);
      const first = listInputOrderFiles(dir)[0];
      contents.push(readFileSync(join(dir, first.name)));
    }
    for (const c of contents.slice(1)) assert.deepEqual(c, contents[0]);
    assert.equal(decodeEntries(contents[0]).length, 301);
  });

  it('a failing write or sync throws out of flush, and the next flush writes the same entries at the same place', () => {
    for (const failure of ['write', 'sync'] as const) {
      const dir = freshDir();
      const files = recordingFs();
      const log = new InputOrderLog(dir, { fsync: 'batch', files });
      log.writeThrough = false;
      log.append(message(1));
      log.flush();
      log.append(message(2));
      log.append(message(3));
      files.failNext = failure;
      assert.throws(() => log.flush(), failure === 'write' ? /ENOSPC/ : /EIO/);
      log.flush();
      log.close();
      // a failed sync already wrote the two entries: the retry syncs them and does not write them twice
      assert.deepEqual(readInputOrder(dir, 0).map((e) => (e.kind === 'message' ? e.offset : -1)), [1, 2, 3], failure);
      assert.equal(files.syncs, 2, `${failure}: the retry synced`);
    }
  });

  it('on a bus that delivers at once (write-through) every append is written and, unless none, synced', () => {
    for (const [fsync, syncs] of [['always', 4], ['batch', 4], ['none', 0]] as [FsyncPolicy, number][]) {
      const files = recordingFs();
      const log = new InputOrderLog(freshDir(), { fsync, files });
      for (let i = 0; i < 4; i++) log.append(message(i));
      assert.deepEqual([files.writes, files.syncs], [4, syncs], fsync);
      log.close();
    }
  });

  it('PERPCORE_SNAPSHOT_FSYNC selects the policy (batch by default) and refuses anything else', () => {
    assert.equal(readConfig(snapshotConfigSchema, {}).snapshotFsync, 'batch');
    assert.equal(readConfig(snapshotConfigSchema, { PERPCORE_SNAPSHOT_FSYNC: 'none' }).snapshotFsync, 'none');
    assert.throws(() => readConfig(snapshotConfigSchema, { PERPCORE_SNAPSHOT_FSYNC: 'sometimes' }), /PERPCORE_SNAPSHOT_FSYNC/);
  });
});
