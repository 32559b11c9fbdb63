/**
 * The order in which a cluster stage applied its inputs, on disk beside its
 * snapshots (`DIR/input-order-NNNNNNNNNNNN.log`).
 *
 * Why: a stage that reads several topics (risk: gateway commands, matching's fills,
 * index prices, its own clock) sees them interleaved by the broker's timing, and
 * its outputs depend on that interleaving (a pre-trade check before or after a fill
 * settles). After a restart it consumes the same messages again from its snapshot's
 * offsets and republishes its outputs with the same sequence numbers, which
 * consumers drop as duplicates; if the replay interleaved them differently, the
 * outputs behind those numbers would differ from what downstream already applied
 * (a command forwarded in one life and refused in the next). Replaying in the
 * logged order makes the second life publish exactly what the first did.
 *
 * Entries (16 bytes, little endian): kind u8 (0 a message, 1 a local input such as
 * a clock tick), topic u8 (index in the stage's topic list) or the local input's
 * kind, partition u16, index in the record u32, then the record's offset or the
 * local input's value as f64 (offsets and ns times are exact integers below 2^53;
 * a value above it is still the same double in the replay).
 *
 * Files: a snapshot rotates to a new file and records its number, so the inputs
 * after a snapshot are the concatenation of that file and every later one.
 *
 * Durability: entries are buffered and written before the bus sends a batch
 * (`Bus.beforeSend`), before a snapshot's rotation, and, on a bus that delivers at
 * once (in-process), on every append. The fsync policy (`PERPCORE_SNAPSHOT_FSYNC`,
 * the journal's names, fsync-policy.ts) decides whether that write is also forced to
 * the disk:
 *
 * | policy | before a batch leaves | process crash (kill -9) | power failure / kernel crash |
 * |--------|-----------------------|-------------------------|------------------------------|
 * | `always`, `batch` (default) | write(2) + fdatasync of the entries since the last batch (one sync per send batch: the bus's batch is the group commit, so the two are the same here); a new file's directory entry synced | nothing of what any output depends on | the same: no output leaves the process before the order of the inputs behind it is on the disk |
 * | `none` | write(2) only | nothing of what any output depends on | the page cache's tail, while Kafka may keep the outputs: the replay follows the log as far as it goes and the broker's order after it, so outputs republished past that point may differ from the ones downstream applied |
 *
 * Under every policy a rotation (a snapshot) syncs the file it closes. The entries a
 * crash does lose are of inputs nobody saw the effects of, which the restart may
 * apply in any order. (Kafka itself acknowledges from the page cache unless the
 * broker is configured to flush: on one machine a power loss can cost the topics'
 * tails as well; the log's sync keeps the stage's side of the ordering exact.)
 * A file whose length is not a multiple of 16 (a write cut by a power loss) is read
 * up to its last whole entry.
 */
import { closeSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type FsyncPolicy, type JournalFs, nodeJournalFs, syncDirectory } from '@perpcore/journal';

export const ENTRY_BYTES = 16;
const FILE = /^input-order-(\d{12})\.log$/;

export type InputOrderEntry =
  | { readonly kind: 'message'; readonly topic: number; readonly partition: number; readonly offset: number; readonly indexInRecord: number }
  | { readonly kind: 'local'; readonly input: number; readonly value: number };

function fileName(index: number): string {
  return `input-order-${String(index).padStart(12, '0')}.log`;
}

/** The log files in `dir`, oldest first. */
export function listInputOrderFiles(dir: string): { name: string; index: number }[] {
  return readdirSync(dir)
    .map((name) => ({ name, m: FILE.exec(name) }))
    .filter((f): f is { name: string; m: RegExpExecArray } => f.m !== null)
    .map((f) => ({ name: f.name, index: Number(f.m[1]) }))
    .sort((a, b) => a.index - b.index);
}

export function encodeEntry(entry: InputOrderEntry, out: Buffer = Buffer.alloc(ENTRY_BYTES)): Buffer {
  if (entry.kind === 'message') {
    out.writeUInt8(0, 0);
    out.writeUInt8(entry.topic, 1);
    out.writeUInt16LE(entry.partition, 2);
    out.writeUInt32LE(entry.indexInRecord, 4);
    out.writeDoubleLE(entry.offset, 8);
  } else {
    out.writeUInt8(1, 0);
    out.writeUInt8(entry.input, 1);
    out.writeUInt16LE(0, 2);
    out.writeUInt32LE(0, 4);
    out.writeDoubleLE(entry.value, 8);
  }
  return out;
}

export function decodeEntries(bytes: Buffer): InputOrderEntry[] {
  const out: InputOrderEntry[] = [];
  for (let at = 0; at + ENTRY_BYTES <= bytes.length; at += ENTRY_BYTES) {
    if (bytes.readUInt8(at) === 0) {
      out.push({ kind: 'message', topic: bytes.readUInt8(at + 1), partition: bytes.readUInt16LE(at + 2), indexInRecord: bytes.readUInt32LE(at + 4), offset: bytes.readDoubleLE(at + 8) });
    } else {
      out.push({ kind: 'local', input: bytes.readUInt8(at + 1), value: bytes.readDoubleLE(at + 8) });
    }
  }
  return out;
}

/** Every entry of the files numbered `fromIndex` and later, in order (the inputs after the snapshot that rotated to `fromIndex`). */
export function readInputOrder(dir: string, fromIndex: number): InputOrderEntry[] {
  const out: InputOrderEntry[] = [];
  for (const f of listInputOrderFiles(dir)) if (f.index >= fromIndex) for (const e of decodeEntries(readFileSync(join(dir, f.name)))) out.push(e);
  return out;
}

export interface InputOrderLogOptions {
  /** `batch` when absent (the table above). */
  readonly fsync?: FsyncPolicy;
  /** The write and sync calls (node:fs unless a test makes them fail like a full disk). */
  readonly files?: JournalFs;
}

export class InputOrderLog {
  private fd: number;
  private readonly sync: boolean;
  private readonly files: JournalFs;
  /** Bytes written to the current file (the next write's position). */
  private fileBytes = 0;
  /** Written to the current file since its last successful sync. */
  private unsynced = false;
  private current: number;
  private pending = Buffer.alloc(ENTRY_BYTES * 4_096);
  private pendingBytes = 0;
  /** Write each entry at once (a bus without `beforeSend`), else at `flush`. */
  writeThrough = true;
  /** Entries appended by this process. */
  appended = 0;

  /** Opens a new file after every existing one (never appends to a file a previous life wrote: its tail is the replay plan). */
  constructor(
    private readonly dir: string,
    options: InputOrderLogOptions = {},
  ) {
    this.sync = (options.fsync ?? 'batch') !== 'none';
    this.files = options.files ?? nodeJournalFs;
    this.current = (listInputOrderFiles(dir).at(-1)?.index ?? 0) + 1;
    this.fd = this.create(this.current);
  }

  private create(index: number): number {
    const fd = openSync(join(this.dir, fileName(index)), 'wx');
    if (this.sync) syncDirectory(this.dir);
    return fd;
  }

  /** The file being written: a snapshot taken now includes everything before it (call `rotate` first). */
  get fileIndex(): number {
    return this.current;
  }

  append(entry: InputOrderEntry): void {
    if (this.pendingBytes + ENTRY_BYTES > this.pending.length) {
      const grown = Buffer.alloc(this.pending.length * 2);
      this.pending.copy(grown, 0, 0, this.pendingBytes);
      this.pending = grown;
    }
    encodeEntry(entry, this.pending.subarray(this.pendingBytes, this.pendingBytes + ENTRY_BYTES));
    this.pendingBytes += ENTRY_BYTES;
    this.appended++;
    if (this.writeThrough) this.flush();
  }

  /** Writes the buffered entries to the current file (to the kernel: a process crash keeps them) and, unless the policy is `none`, to the disk. A failure throws: the bus's send fails with it and the stage stops. */
  flush(): void {
    if (this.pendingBytes > 0) {
      let at = 0;
      while (at < this.pendingBytes) at += this.files.writeSync(this.fd, this.pending, at, this.pendingBytes - at, this.fileBytes + at);
      this.fileBytes += this.pendingBytes;
      this.pendingBytes = 0;
      this.unsynced = true;
    }
    // a sync that failed is tried again by the next flush, even with nothing new to write
    if (this.sync && this.unsynced) {
      this.files.fdatasyncSync(this.fd);
      this.unsynced = false;
    }
  }

  /** Starts the next file; returns its number (what a snapshot taken at this point records). */
  rotate(): number {
    this.flush();
    if (!this.sync || this.unsynced) this.files.fdatasyncSync(this.fd);
    this.unsynced = false;
    closeSync(this.fd);
    this.current++;
    this.fd = this.create(this.current);
    this.fileBytes = 0;
    return this.current;
  }

  /** Removes the files before `index` (no kept snapshot needs them). */
  pruneBefore(index: number): void {
    for (const f of listInputOrderFiles(this.dir)) if (f.index < index) rmSync(join(this.dir, f.name), { force: true });
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
