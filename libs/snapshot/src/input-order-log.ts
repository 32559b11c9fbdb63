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
 * Durability: entries are buffered and written (write(2), no fsync) before the bus
 * sends a batch (`Bus.beforeSend`), before a snapshot's rotation, and, on a bus that
 * delivers at once (in-process), on every append. So a process crash (SIGKILL, OOM)
 * never loses an entry whose input had output outside the process; the entries it
 * does lose are of inputs nobody saw the effects of, which the restart may apply in
 * any order. A machine crash can lose the page cache's tail while Kafka kept the
 * outputs; the replay then follows the log as far as it goes and the broker's order
 * after it.
 * A file whose length is not a multiple of 16 (a write cut by a power loss) is read
 * up to its last whole entry.
 */
import { closeSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

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

export class InputOrderLog {
  private fd: number;
  private current: number;
  private pending = Buffer.alloc(ENTRY_BYTES * 4_096);
  private pendingBytes = 0;
  /** Write each entry at once (a bus without `beforeSend`), else at `flush`. */
  writeThrough = true;
  /** Entries appended by this process. */
  appended = 0;

  /** Opens a new file after every existing one (never appends to a file a previous life wrote: its tail is the replay plan). */
  constructor(private readonly dir: string) {
    this.current = (listInputOrderFiles(dir).at(-1)?.index ?? 0) + 1;
    this.fd = openSync(join(dir, fileName(this.current)), 'wx');
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

  /** Writes the buffered entries to the current file (to the kernel: a process crash keeps them). */
  flush(): void {
    let at = 0;
    while (at < this.pendingBytes) at += writeSync(this.fd, this.pending, at, this.pendingBytes - at);
    this.pendingBytes = 0;
  }

  /** Starts the next file; returns its number (what a snapshot taken at this point records). */
  rotate(): number {
    this.flush();
    closeSync(this.fd);
    this.current++;
    this.fd = openSync(join(this.dir, fileName(this.current)), 'wx');
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
