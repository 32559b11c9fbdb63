/**
 * The header every segment file opens with, so each file says on its own what it
 * belongs to:
 *
 * | bytes | field |
 * |-------|-------|
 * | 8 | magic `PERPJRNL` |
 * | 4 | format version, u32 LE |
 * | 4 | n = length of the JSON body, u32 LE |
 * | n | JSON `{ venueFingerprint, firstSeq, meta }` |
 * | 4 | CRC-32 of everything before it, u32 LE |
 *
 * `venueFingerprint` names the venue and market configuration the inputs were
 * applied to: a journal is only ever replayed into the configuration that wrote
 * it. `meta` is the writer's own (JSON) description, e.g. what the replay tool
 * needs to rebuild that configuration.
 */
import { crc32 } from './crc32.js';

export const SEGMENT_MAGIC = Buffer.from('PERPJRNL', 'latin1');
/** Bumped on any change of the segment or frame layout; other versions are refused, never converted in place. */
export const JOURNAL_FORMAT_VERSION = 1;

export interface JournalHeader {
  readonly venueFingerprint: string;
  /** The writer's description (JSON-serialisable), stored with every segment. */
  readonly meta?: Readonly<Record<string, unknown>>;
}

export interface SegmentHeader extends JournalHeader {
  readonly formatVersion: number;
  readonly firstSeq: number;
}

export function encodeSegmentHeader(header: JournalHeader, firstSeq: number): Buffer {
  const body = Buffer.from(JSON.stringify({ venueFingerprint: header.venueFingerprint, firstSeq, meta: header.meta ?? {} }), 'utf8');
  const out = Buffer.alloc(8 + 4 + 4 + body.length + 4);
  SEGMENT_MAGIC.copy(out, 0);
  out.writeUInt32LE(JOURNAL_FORMAT_VERSION, 8);
  out.writeUInt32LE(body.length, 12);
  body.copy(out, 16);
  out.writeUInt32LE(crc32(out.subarray(0, 16 + body.length)), 16 + body.length);
  return out;
}

export type HeaderResult = { ok: true; header: SegmentHeader; bytes: number } | { ok: false; reason: string };

/** Reads a segment's header; a short, damaged or foreign one comes back as a reason. */
export function decodeSegmentHeader(bytes: Buffer): HeaderResult {
  if (bytes.length < 20 || !bytes.subarray(0, 8).equals(SEGMENT_MAGIC)) return { ok: false, reason: 'not a perpcore journal segment (bad magic)' };
  const formatVersion = bytes.readUInt32LE(8);
  const bodyLength = bytes.readUInt32LE(12);
  const end = 16 + bodyLength;
  if (end + 4 > bytes.length) return { ok: false, reason: 'segment header is incomplete' };
  if (crc32(bytes.subarray(0, end)) !== bytes.readUInt32LE(end)) return { ok: false, reason: 'segment header checksum mismatch' };
  let body: { venueFingerprint?: unknown; firstSeq?: unknown; meta?: unknown };
  try {
    body = JSON.parse(bytes.subarray(16, end).toString('utf8')) as typeof body;
  } catch {
    return { ok: false, reason: 'segment header body is not JSON' };
  }
  if (typeof body.venueFingerprint !== 'string' || !Number.isSafeInteger(body.firstSeq) || (body.firstSeq as number) < 1) {
    return { ok: false, reason: 'segment header lacks venueFingerprint or firstSeq' };
  }
  const meta = typeof body.meta === 'object' && body.meta !== null ? (body.meta as Record<string, unknown>) : {};
  return { ok: true, header: { formatVersion, venueFingerprint: body.venueFingerprint, firstSeq: body.firstSeq as number, meta }, bytes: end + 4 };
}
