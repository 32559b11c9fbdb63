/**
 * The journal directory's segment files: naming, atomic creation, validation of
 * the whole set before anything is written, and reading records back.
 *
 * A segment is named by its first seq, zero-padded to 20 digits, so the names
 * sort in seq order. Validation refuses (JournalOpenError, nothing touched):
 * another format version, another venue fingerprint, a bad header, a first seq
 * that does not continue the previous segment, a torn or corrupt older segment
 * (those were synced before the next began), and corruption in the middle of the
 * newest one. Only a torn tail of the newest segment is left for the caller to cut.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { decodeFrameAt } from './record-frame.js';
import { decodeSegmentHeader, encodeSegmentHeader, JOURNAL_FORMAT_VERSION, type JournalHeader, type SegmentHeader } from './segment-header.js';
import { scanSegment, type SegmentScan } from './segment-scan.js';

/** The journal must not be opened (another version or venue, damage): the message says which file and why. */
export class JournalOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JournalOpenError';
  }
}

export interface SegmentFile {
  readonly name: string;
  readonly fd: number;
  /** Bytes in the file (header included): where the next frame goes. */
  size: number;
}

export interface CheckedSegment {
  readonly name: string;
  readonly path: string;
  readonly size: number;
  readonly header: SegmentHeader;
  readonly headerBytes: number;
  readonly scan: SegmentScan;
}

const SEGMENT_NAME = /^(\d{20})\.seg$/;

export function segmentName(firstSeq: number): string {
  return `${String(firstSeq).padStart(20, '0')}.seg`;
}

/** The segment files of `dir` in seq order (a missing directory has none). */
export function listSegments(dir: string): { name: string; firstSeq: number }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((name) => ({ name, match: SEGMENT_NAME.exec(name) }))
    .filter((s): s is { name: string; match: RegExpExecArray } => s.match !== null)
    .map((s) => ({ name: s.name, firstSeq: Number(s.match[1]) }))
    .sort((a, b) => a.firstSeq - b.firstSeq);
}

export function syncDirectory(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Creates segment `firstSeq` atomically (temp file with its header, fsync, rename, fsync of the directory); open for appending. */
export function createSegmentFile(dir: string, header: JournalHeader, firstSeq: number): SegmentFile {
  const name = segmentName(firstSeq);
  const bytes = encodeSegmentHeader(header, firstSeq);
  const temp = join(dir, `${name}.tmp`);
  const fd = fs.openSync(temp, 'w');
  try {
    fs.writeSync(fd, bytes, 0, bytes.length, 0);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, join(dir, name));
  syncDirectory(dir);
  return { name, fd: fs.openSync(join(dir, name), 'r+'), size: bytes.length };
}

function checkHeader(dir: string, name: string, bytes: Buffer, venueFingerprint: string | undefined): { header: SegmentHeader; bytes: number } {
  const decoded = decodeSegmentHeader(bytes);
  if (!decoded.ok) throw new JournalOpenError(`journal ${dir}: ${name}: ${decoded.reason}; refused, nothing changed`);
  const h = decoded.header;
  if (h.formatVersion !== JOURNAL_FORMAT_VERSION) {
    throw new JournalOpenError(`journal ${dir}: ${name} is journal format version ${h.formatVersion}, this build reads version ${JOURNAL_FORMAT_VERSION}; refused, nothing changed`);
  }
  if (venueFingerprint !== undefined && h.venueFingerprint !== venueFingerprint) {
    throw new JournalOpenError(
      `journal ${dir}: ${name} was written for venue fingerprint ${h.venueFingerprint}, this exchange is ${venueFingerprint} (another venue, market configuration or seed); refused, nothing changed`,
    );
  }
  return decoded;
}

/**
 * Reads and checks every segment of `dir` (see the module doc); `venueFingerprint`
 * undefined accepts any venue (the replay tool reads it from the header first).
 */
export function validateSegments(dir: string, venueFingerprint: string | undefined): { segments: CheckedSegment[]; lastSeq: number } {
  const names = listSegments(dir);
  const segments: CheckedSegment[] = [];
  let lastSeq = 0;
  names.forEach(({ name, firstSeq }, i) => {
    const path = join(dir, name);
    const bytes = fs.readFileSync(path);
    const { header, bytes: headerBytes } = checkHeader(dir, name, bytes, venueFingerprint);
    if (header.firstSeq !== firstSeq) throw new JournalOpenError(`journal ${dir}: ${name} says it starts at seq ${header.firstSeq}; refused, nothing changed`);
    if (i > 0 && firstSeq !== lastSeq + 1) throw new JournalOpenError(`journal ${dir}: ${name} starts at seq ${firstSeq} but the previous segment ends at ${lastSeq} (a segment is missing); refused, nothing changed`);
    const scan = scanSegment(bytes, headerBytes, firstSeq);
    const newest = i === names.length - 1;
    if (scan.end === 'corrupt' || (scan.end === 'torn' && !newest)) {
      throw new JournalOpenError(
        `journal ${dir}: ${name} is damaged at byte ${scan.validEnd} (record seq ${scan.lastSeq + 1}: ${scan.problem}) with records after it; refused, nothing changed (restore the file or cut it by hand)`,
      );
    }
    lastSeq = scan.lastSeq;
    segments.push({ name, path, size: bytes.length, header, headerBytes, scan });
  });
  return { segments, lastSeq };
}

/** The first segment's header (the journal's venue and the writer's meta), or null for an empty directory. */
export function readJournalHeader(dir: string): SegmentHeader | null {
  const first = listSegments(dir)[0];
  if (first === undefined) return null;
  return checkHeader(dir, first.name, readHeaderBytes(join(dir, first.name)), undefined).header;
}

/** A segment's leading bytes, as many as its header declares (not the whole file: a segment is up to 64 MB, the header ~1 KB). */
function readHeaderBytes(path: string): Buffer {
  const fd = fs.openSync(path, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const fixed = Buffer.alloc(Math.min(16, size));
    fs.readSync(fd, fixed, 0, fixed.length, 0);
    // a short or foreign file: decodeSegmentHeader names what is wrong from these bytes
    const wanted = fixed.length < 16 ? fixed.length : Math.min(size, 16 + fixed.readUInt32LE(12) + 4);
    const bytes = Buffer.alloc(wanted);
    fs.readSync(fd, bytes, 0, wanted, 0);
    return bytes;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Every whole record of `dir` from `fromSeq` on, in order, read straight from the
 * files (a torn tail ends the iteration, it is never yielded). The yielded object
 * is reused and its payload is a view into the segment's bytes.
 */
export function* readRecords(dir: string, venueFingerprint: string | undefined, fromSeq = 1): Generator<{ seq: number; payload: Uint8Array }> {
  const names = listSegments(dir);
  const record = { seq: 0, payload: new Uint8Array(0) };
  for (let i = 0; i < names.length; i++) {
    const { name, firstSeq } = names[i] as { name: string; firstSeq: number };
    const nextFirst = names[i + 1]?.firstSeq;
    if (nextFirst !== undefined && nextFirst <= fromSeq) continue;
    const bytes = fs.readFileSync(join(dir, name));
    const { bytes: headerBytes } = checkHeader(dir, name, bytes, venueFingerprint);
    let offset = headerBytes;
    let seq = firstSeq;
    while (offset < bytes.length) {
      const frame = decodeFrameAt(bytes, offset, bytes.length, seq);
      if (!frame.ok) {
        if (nextFirst === undefined) return;
        throw new JournalOpenError(`journal ${dir}: ${name} is damaged at byte ${offset} (record seq ${seq}: ${frame.problem})`);
      }
      if (seq >= fromSeq) {
        record.seq = seq;
        record.payload = bytes.subarray(frame.payloadStart, frame.payloadEnd);
        yield record;
      }
      seq++;
      offset = frame.next;
    }
  }
}
