/**
 * The embedded journal: an append-only log of opaque payloads numbered 1, 2, 3…,
 * kept as segment files in one directory.
 *
 * Layout: `DIR/<firstSeq, 20 digits>.seg`, each opening with a segment header
 * (segment-header.ts: format version, venue fingerprint, first seq) followed by
 * frames (record-frame.ts: length, CRC-32, seq, payload). Segments are created
 * atomically (temp file, fsync, rename, fsync of the directory) and are closed
 * with an fdatasync before the next one starts, so only the newest can end in a
 * torn record.
 *
 * Invariants
 * - Seqs are consecutive across segments; `append` returns the record's seq.
 * - `flush()` resolves with a seq only once every record up to it is on disk as
 *   the fsync policy promises (fsync-policy.ts); what was not made durable is
 *   never reported durable. After a write error the journal is failed: every
 *   later `append` throws and every `flush` rejects, with the cause.
 * - `open` validates every segment before it writes anything: another format
 *   version, another venue fingerprint, a damaged header or damaged records in
 *   the middle are refused with a message naming the file, and nothing changes.
 *   A torn tail of the newest segment is reported (`recovery.cut`) and cut at the
 *   last whole record; its bytes are never returned by `read`.
 *
 * Group commit (policy `batch`): appends copy their frame into a pending buffer;
 * one write + one fdatasync per group is in flight at a time, and everything
 * appended meanwhile forms the next group. Appending allocates nothing per record
 * beyond the buffer's occasional doubling.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { type FsyncPolicy } from './fsync-policy.js';
import { type JournalFs, nodeJournalFs } from './journal-fs.js';
import { encodeFrameInto, FRAME_HEADER_BYTES, MAX_PAYLOAD_BYTES } from './record-frame.js';
import { type JournalHeader } from './segment-header.js';
import { createSegmentFile, listSegments, readRecords, type SegmentFile, syncDirectory, validateSegments } from './segment-files.js';

export interface JournalOptions {
  /** Default `batch` (group commit). */
  fsync?: FsyncPolicy;
  /** A new segment starts once the current one holds this many bytes (default 64 MiB). */
  segmentBytes?: number;
  /** The write path's file operations (tests inject failing ones). */
  files?: JournalFs;
  /** Called once, when a write or sync fails (the journal is failed from then on). */
  onFailure?: (error: JournalWriteError) => void;
}

export interface JournalRecovery {
  segments: number;
  /** Seq of the last whole record found (0 for an empty journal). */
  lastSeq: number;
  /** The torn tail that was cut, if any. */
  cut: { segment: string; atByte: number; bytesCut: number; problem: string } | null;
}

/** A write or sync of the journal failed (full disk, I/O error): nothing after `durableSeq` is durable. */
export class JournalWriteError extends Error {
  constructor(
    message: string,
    readonly durableSeq: number,
    readonly causeCode: string,
  ) {
    super(message);
    this.name = 'JournalWriteError';
  }
}

interface Waiter {
  seq: number;
  resolve: (seq: number) => void;
  reject: (error: Error) => void;
}

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

export class Journal {
  private pending: Buffer = Buffer.allocUnsafe(1 << 20);
  private spare: Buffer = Buffer.allocUnsafe(1 << 20);
  private pendingBytes = 0;
  private appendedSeq: number;
  private writtenSeq: number;
  private durable: number;
  private inFlight = false;
  private scheduled = false;
  private failure: JournalWriteError | null = null;
  private closed = false;
  private readonly waiters: Waiter[] = [];
  private readonly policy: FsyncPolicy;
  private readonly files: JournalFs;
  private readonly segmentBytes: number;

  private constructor(
    readonly dir: string,
    readonly header: JournalHeader,
    private segment: SegmentFile,
    readonly recovery: JournalRecovery,
    private readonly options: JournalOptions,
  ) {
    this.appendedSeq = recovery.lastSeq;
    this.writtenSeq = recovery.lastSeq;
    this.durable = recovery.lastSeq;
    this.policy = options.fsync ?? 'batch';
    this.files = options.files ?? nodeJournalFs;
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
  }

  /**
   * Opens (or creates) the journal in `dir` for `header.venueFingerprint`. Throws
   * `JournalOpenError` for a journal it must not append to (see the module doc).
   */
  static open(dir: string, header: JournalHeader, options: JournalOptions = {}): Journal {
    fs.mkdirSync(dir, { recursive: true });
    const checked = validateSegments(dir, header.venueFingerprint);
    const recovery: JournalRecovery = { segments: checked.segments.length, lastSeq: checked.lastSeq, cut: null };
    let segment: SegmentFile;
    const last = checked.segments[checked.segments.length - 1];
    if (last === undefined) {
      segment = createSegmentFile(dir, header, 1);
      recovery.segments = 1;
    } else {
      const fd = fs.openSync(last.path, 'r+');
      if (last.scan.end === 'torn') {
        recovery.cut = { segment: last.name, atByte: last.scan.validEnd, bytesCut: last.size - last.scan.validEnd, problem: last.scan.problem ?? 'incomplete' };
        fs.ftruncateSync(fd, last.scan.validEnd);
        fs.fsyncSync(fd);
      }
      segment = { name: last.name, fd, size: last.scan.validEnd };
    }
    return new Journal(dir, header, segment, recovery, options);
  }

  /** Seq of the last record appended (durable or not). */
  get lastSeq(): number {
    return this.appendedSeq;
  }

  /** Every record up to this seq is durable as the policy promises. */
  get durableSeq(): number {
    return this.durable;
  }

  /** The write error that stopped the journal, or null. */
  get failed(): JournalWriteError | null {
    return this.failure;
  }

  /** Appends one record; returns its seq. Under `always` it is durable when this returns. */
  append(payload: Uint8Array): number {
    if (this.failure !== null) throw this.failure;
    if (this.closed) throw new Error('journal is closed');
    if (payload.length > MAX_PAYLOAD_BYTES) throw new RangeError(`journal record of ${payload.length} bytes is above the ${MAX_PAYLOAD_BYTES}-byte limit`);
    const need = this.pendingBytes + FRAME_HEADER_BYTES + payload.length;
    if (need > this.pending.length) this.pending = growInto(this.pending, need, this.pendingBytes);
    const seq = this.appendedSeq + 1;
    this.pendingBytes += encodeFrameInto(this.pending, this.pendingBytes, seq, payload);
    this.appendedSeq = seq;
    if (this.policy === 'always') this.commitSync();
    else if (!this.scheduled && !this.inFlight) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.commit();
      });
    }
    return seq;
  }

  /** Resolves with the durable seq once every record appended so far is durable; rejects if the journal failed. */
  flush(): Promise<number> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.durable >= this.appendedSeq) return Promise.resolve(this.durable);
    return new Promise<number>((resolve, reject) => {
      this.waiters.push({ seq: this.appendedSeq, resolve, reject });
      this.commit();
    });
  }

  /**
   * The records from `fromSeq` on that are written to the files, in order. The
   * yielded object and its payload are reused / views: copy what you keep.
   */
  *read(fromSeq = 1): Generator<{ seq: number; payload: Uint8Array }> {
    for (const record of readRecords(this.dir, this.header.venueFingerprint, fromSeq)) {
      if (record.seq > this.writtenSeq) return;
      yield record;
    }
  }

  /**
   * Deletes whole segments holding only records below `beforeSeq` (those a
   * snapshot includes); the current segment always stays. Returns how many went.
   */
  prune(beforeSeq: number): number {
    const names = listSegments(this.dir);
    let removed = 0;
    for (let i = 0; i + 1 < names.length; i++) {
      const next = names[i + 1] as { name: string; firstSeq: number };
      if (next.firstSeq > beforeSeq || (names[i] as { name: string }).name === this.segment.name) break;
      fs.unlinkSync(join(this.dir, (names[i] as { name: string }).name));
      removed++;
    }
    if (removed > 0) syncDirectory(this.dir);
    return removed;
  }

  /** Flushes, syncs and closes the current segment. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.failure === null) await this.flush();
      while (this.inFlight) await new Promise<void>((resolve) => setImmediate(resolve));
    } finally {
      this.closed = true;
      fs.closeSync(this.segment.fd);
    }
  }

  private commitSync(): void {
    try {
      this.rotateIfFull();
      let offset = 0;
      while (offset < this.pendingBytes) offset += this.files.writeSync(this.segment.fd, this.pending, offset, this.pendingBytes - offset, this.segment.size + offset);
      this.files.fdatasyncSync(this.segment.fd);
    } catch (error) {
      this.fail(error);
      throw this.failure;
    }
    this.segment.size += this.pendingBytes;
    this.pendingBytes = 0;
    this.writtenSeq = this.appendedSeq;
    this.markDurable(this.appendedSeq);
  }

  /** Starts writing the pending group unless one is in flight (it starts the next group when it lands). */
  private commit(): void {
    if (this.inFlight || this.pendingBytes === 0 || this.failure !== null) return;
    try {
      this.rotateIfFull();
    } catch (error) {
      this.fail(error);
      return;
    }
    const buffer = this.pending;
    const length = this.pendingBytes;
    const lastSeq = this.appendedSeq;
    const position = this.segment.size;
    this.pending = this.spare;
    this.spare = buffer;
    this.pendingBytes = 0;
    this.inFlight = true;
    const fd = this.segment.fd;
    const landed = (): void => {
      this.inFlight = false;
      this.markDurable(lastSeq);
      this.commit();
    };
    const writeFrom = (offset: number): void => {
      this.files.write(fd, buffer, offset, length - offset, position + offset, (error, written) => {
        if (error !== null) return this.fail(error);
        if (offset + written < length) return writeFrom(offset + written);
        this.segment.size = position + length;
        this.writtenSeq = lastSeq;
        if (this.policy === 'none') return landed();
        this.files.fdatasync(fd, (syncError) => (syncError !== null ? this.fail(syncError) : landed()));
      });
    };
    writeFrom(0);
  }

  private rotateIfFull(): void {
    if (this.segment.size < this.segmentBytes) return;
    const firstSeq = this.writtenSeq + 1;
    this.files.fdatasyncSync(this.segment.fd);
    fs.closeSync(this.segment.fd);
    this.segment = createSegmentFile(this.dir, this.header, firstSeq);
  }

  private markDurable(seq: number): void {
    this.durable = seq;
    while (this.waiters.length > 0 && (this.waiters[0] as Waiter).seq <= seq) (this.waiters.shift() as Waiter).resolve(seq);
  }

  private fail(error: unknown): void {
    if (this.failure !== null) return;
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    this.inFlight = false;
    this.failure = new JournalWriteError(
      `journal ${this.dir}: write failed after seq ${this.durable} (${code}: ${(error as Error).message}); nothing after seq ${this.durable} is durable and no further input is accepted`,
      this.durable,
      code,
    );
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
    this.options.onFailure?.(this.failure);
  }
}

function growInto(buffer: Buffer, need: number, used: number): Buffer {
  let size = buffer.length * 2;
  while (size < need) size *= 2;
  const grown = Buffer.allocUnsafe(size);
  buffer.copy(grown, 0, 0, used);
  return grown;
}
