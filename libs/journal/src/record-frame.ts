/**
 * One journal record on disk:
 *
 * | bytes | field |
 * |-------|-------|
 * | 4 | payload length, u32 little-endian |
 * | 4 | CRC-32 of (seq bytes ‖ payload), u32 LE |
 * | 8 | seq, u64 LE (a JS safe integer, ≥ 1) |
 * | n | payload |
 *
 * Invariants: seq is in the checksum, so a record copied to another position or a
 * stale record left behind a truncation never validates as the next one; a frame
 * is valid only if it is whole, its checksum matches and its seq is the one
 * expected. `decodeFrameAt` never throws on bad bytes: it says what is wrong.
 */
import { crc32 } from './crc32.js';

export const FRAME_HEADER_BYTES = 16;
/** A payload above this is refused at append (and a length above it on disk is corruption). */
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

/** Writes a frame for (seq, payload) at `offset` of `target` (which must have room); returns the bytes written. */
export function encodeFrameInto(target: Buffer, offset: number, seq: number, payload: Uint8Array): number {
  const length = payload.length;
  target.writeUInt32LE(length, offset);
  target.writeUInt32LE(seq % 0x1_0000_0000, offset + 8);
  target.writeUInt32LE(Math.floor(seq / 0x1_0000_0000), offset + 12);
  target.set(payload, offset + FRAME_HEADER_BYTES);
  // seq and payload are contiguous: one checksum call covers both (a native call each costs more than the bytes)
  target.writeUInt32LE(crc32(target.subarray(offset + 8, offset + FRAME_HEADER_BYTES + length)), offset + 4);
  return FRAME_HEADER_BYTES + length;
}

export type FrameProblem =
  /** Fewer bytes left than a frame header, or than the length it declares: an interrupted write. */
  | 'incomplete'
  /** The checksum does not match. */
  | 'checksum'
  /** A whole frame with a valid checksum but not the expected seq. */
  | 'sequence'
  /** A declared length above MAX_PAYLOAD_BYTES. */
  | 'length';

export type FrameResult =
  | { ok: true; seq: number; payloadStart: number; payloadEnd: number; next: number }
  | { ok: false; problem: FrameProblem; frameEnd: number };

/** Decodes the frame at `offset` of `bytes[0, end)`, expecting `expectedSeq`. */
export function decodeFrameAt(bytes: Uint8Array, offset: number, end: number, expectedSeq: number): FrameResult {
  if (end - offset < FRAME_HEADER_BYTES) return { ok: false, problem: 'incomplete', frameEnd: end };
  // read in place: a DataView per frame was an allocation per record of every replay
  const length = u32le(bytes, offset);
  if (length > MAX_PAYLOAD_BYTES) return { ok: false, problem: 'length', frameEnd: end };
  const frameEnd = offset + FRAME_HEADER_BYTES + length;
  if (frameEnd > end) return { ok: false, problem: 'incomplete', frameEnd };
  const stored = u32le(bytes, offset + 4);
  const seq = u32le(bytes, offset + 8) + u32le(bytes, offset + 12) * 0x1_0000_0000;
  const crc = crc32(bytes.subarray(offset + 8, frameEnd));
  if (crc !== stored) return { ok: false, problem: 'checksum', frameEnd };
  if (seq !== expectedSeq) return { ok: false, problem: 'sequence', frameEnd };
  return { ok: true, seq, payloadStart: offset + FRAME_HEADER_BYTES, payloadEnd: frameEnd, next: frameEnd };
}

function u32le(bytes: Uint8Array, at: number): number {
  return ((bytes[at] as number) | ((bytes[at + 1] as number) << 8) | ((bytes[at + 2] as number) << 16)) + (bytes[at + 3] as number) * 0x100_0000;
}
