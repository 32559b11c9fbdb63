/**
 * A directory of one stage's snapshot files (snapshot-file.ts), written atomically
 * and pruned by policy.
 *
 * Files are `snapshot-<n>.psnap`, n a 12-digit counter one above the newest present,
 * so names sort by age whatever the position type (journal sequence or Kafka
 * offsets). A write goes to `snapshot-<n>.psnap.tmp` (created exclusively: never
 * over an existing file), is fsynced, renamed to its final name, and the directory
 * is fsynced: a crash at any point leaves either the previous set of snapshots or
 * the new one complete, never a torn `.psnap`. Leftover `.tmp` files are ignored
 * and removed by `prune`.
 *
 * Opening refuses (`SnapshotRefusedError`, one clear message) a directory that
 * holds a snapshot of another stage, venue configuration or format version: such a directory belongs to someone else, and nothing in it is read,
 * overwritten or pruned. A corrupt file (checksum, length) is skipped by
 * `newestValid` and reported through `onCorrupt`; it is never deleted by the store
 * except by `prune`, once newer valid snapshots exist.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { syncDirectory } from '@perpcore/journal';
import {
  checkSnapshotIdentity,
  decodeSnapshotFile,
  encodeSnapshotFile,
  readSnapshotHeader,
  SnapshotCorruptError,
  type SnapshotHeader,
  type SnapshotIdentity,
  type SnapshotPosition,
} from './snapshot-file.js';

const NAME = /^snapshot-(\d{12})\.psnap$/;
const TMP = /^snapshot-\d{12}\.psnap\.tmp$/;

export interface StoredSnapshot {
  readonly file: string;
  readonly index: number;
  readonly header: SnapshotHeader;
  readonly payload: Uint8Array;
}

export interface PrunePolicy {
  /** Valid snapshots to keep, newest first (≥ 1). */
  readonly keepNewest: number;
}

export interface SnapshotStoreOptions extends SnapshotIdentity {
  /** Told about each corrupt file `newestValid` skips (log it). */
  readonly onCorrupt?: (error: SnapshotCorruptError) => void;
  /** Test hook: runs after the temp file is durable and before the rename (a crash there must leave the old state). */
  readonly beforeRename?: (tmpPath: string) => void;
}

export class SnapshotStore {
  private constructor(
    readonly dir: string,
    private readonly options: SnapshotStoreOptions,
    private nextIndex: number,
  ) {}

  /** Opens (creating) `dir`; throws `SnapshotRefusedError` if it holds another stage's or venue's snapshots. */
  static open(dir: string, options: SnapshotStoreOptions): SnapshotStore {
    mkdirSync(dir, { recursive: true });
    let newest = 0;
    for (const { name, index } of listSnapshots(dir)) {
      newest = Math.max(newest, index);
      const path = join(dir, name);
      let header: SnapshotHeader;
      try {
        header = readSnapshotHeader(path, readFileSync(path));
      } catch (error) {
        if (error instanceof SnapshotCorruptError) continue; // newestValid skips it and says so
        throw error;
      }
      checkSnapshotIdentity(path, header, options);
    }
    // a write a crash interrupted before its rename: never a snapshot, and it holds the next write's name
    for (const name of readdirSync(dir)) if (TMP.test(name)) rmSync(join(dir, name));
    return new SnapshotStore(dir, options, newest + 1);
  }

  /** Writes a snapshot atomically; returns its path. Never overwrites a file. */
  write(payload: Uint8Array, position: SnapshotPosition, stateHash: string): string {
    const index = this.nextIndex++;
    const name = `snapshot-${String(index).padStart(12, '0')}.psnap`;
    const path = join(this.dir, name);
    const tmp = `${path}.tmp`;
    const bytes = encodeSnapshotFile(this.options, position, stateHash, payload);
    const fd = openSync(tmp, 'wx');
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.options.beforeRename?.(tmp);
    renameSync(tmp, path);
    syncDirectory(this.dir);
    return path;
  }

  /** The newest snapshot whose checksum holds (corrupt ones are skipped and reported), or undefined. */
  newestValid(): StoredSnapshot | undefined {
    for (const stored of this.valid()) return stored;
    return undefined;
  }

  /**
   * The snapshots whose checksum holds, newest first, each read when the caller asks
   * for it (corrupt ones skipped and reported): for a caller that needs more than a
   * valid file of one (the sections it restores), so it can fall back to an older one.
   */
  *valid(): Generator<StoredSnapshot> {
    for (const { name, index } of listSnapshots(this.dir).reverse()) {
      const path = join(this.dir, name);
      let stored: StoredSnapshot;
      try {
        const { header, payload } = decodeSnapshotFile(path, readFileSync(path));
        checkSnapshotIdentity(path, header, this.options);
        stored = { file: path, index, header, payload };
      } catch (error) {
        if (!(error instanceof SnapshotCorruptError)) throw error;
        this.options.onCorrupt?.(error);
        continue;
      }
      yield stored;
    }
  }

  /** Deletes all but the newest `keepNewest` valid snapshots (and corrupt or temp files older than them); returns the deleted paths. */
  prune(policy: PrunePolicy): string[] {
    if (!(Number.isSafeInteger(policy.keepNewest) && policy.keepNewest >= 1)) throw new RangeError(`prune: keepNewest must be an integer ≥ 1, got ${policy.keepNewest}`);
    const deleted: string[] = [];
    let kept = 0;
    for (const { name } of listSnapshots(this.dir).reverse()) {
      const path = join(this.dir, name);
      let valid = true;
      try {
        decodeSnapshotFile(path, readFileSync(path));
      } catch (error) {
        if (!(error instanceof SnapshotCorruptError)) throw error;
        valid = false;
      }
      if (valid && kept < policy.keepNewest) {
        kept++;
        continue;
      }
      if (kept === 0) continue; // nothing valid newer yet: keep even a corrupt file for inspection
      rmSync(path);
      deleted.push(path);
    }
    for (const name of readdirSync(this.dir)) {
      if (!TMP.test(name)) continue;
      rmSync(join(this.dir, name));
      deleted.push(join(this.dir, name));
    }
    if (deleted.length > 0) syncDirectory(this.dir);
    return deleted;
  }
}

function listSnapshots(dir: string): { name: string; index: number }[] {
  const out: { name: string; index: number }[] = [];
  for (const name of readdirSync(dir)) {
    const m = NAME.exec(name);
    if (m !== null) out.push({ name, index: Number(m[1]) });
  }
  return out.sort((a, b) => a.index - b.index);
}

