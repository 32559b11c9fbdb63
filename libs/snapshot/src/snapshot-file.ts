/**
 * The snapshot file: one stage's state at one input position, self-describing and
 * checksummed.
 *
 * Layout (little-endian)
 *   0   8  magic "PERPSNAP"
 *   8   4  format version (SNAPSHOT_FORMAT_VERSION)
 *   12  4  header length H
 *   16  H  header: UTF-8 JSON (`SnapshotHeader`: stage, venue fingerprint, position,
 *          state hash, payload length)
 *   ..  P  payload: the stage's state bytes
 *   ..  4  CRC-32 of every byte before it
 *
 * The checksum is last, so a file cut short anywhere fails it. A file is refused
 * (`SnapshotRefusedError`, naming the file and why) when its magic, format version,
 * stage or venue fingerprint is not this process's, and reported
 * corrupt when its length or checksum does not add up.
 */
import { crc32 } from 'node:zlib';

export const SNAPSHOT_MAGIC = 'PERPSNAP';
export const SNAPSHOT_FORMAT_VERSION = 1;

/** Kafka offsets a snapshot includes: per topic, per partition, the next offset to consume. */
export type TopicOffsets = Record<string, Record<string, number>>;

/** The input position a snapshot's state includes: everything before it, nothing after. */
export type SnapshotPosition =
  | { readonly journalSeq: number }
  /** `inputOrderLog`: the input-order log file the inputs after this snapshot start in (input-order-log.ts); absent in snapshots written before the log existed. */
  | { readonly offsets: TopicOffsets; readonly inputOrderLog?: number };

export interface SnapshotIdentity {
  /** Which stage's state (e.g. "embedded", "risk", "matching"): a snapshot of another stage is refused. */
  readonly stage: string;
  /** `configFingerprint` of the venue configuration the state was built under. */
  readonly venueFingerprint: string;
}

export interface SnapshotHeader extends SnapshotIdentity {
  readonly formatVersion: number;
  readonly position: SnapshotPosition;
  readonly stateHash: string;
  readonly payloadBytes: number;
}

export class SnapshotRefusedError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`snapshot ${file} refused: ${reason}`);
    this.name = 'SnapshotRefusedError';
  }
}

export class SnapshotCorruptError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`snapshot ${file} is corrupt: ${reason}`);
    this.name = 'SnapshotCorruptError';
  }
}

export function encodeSnapshotFile(identity: SnapshotIdentity, position: SnapshotPosition, stateHash: string, payload: Uint8Array): Buffer {
  const header: SnapshotHeader = {
    stage: identity.stage,
    venueFingerprint: identity.venueFingerprint,
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    position,
    stateHash,
    payloadBytes: payload.length,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const out = Buffer.allocUnsafe(16 + headerBytes.length + payload.length + 4);
  out.write(SNAPSHOT_MAGIC, 0, 'latin1');
  out.writeUInt32LE(SNAPSHOT_FORMAT_VERSION, 8);
  out.writeUInt32LE(headerBytes.length, 12);
  headerBytes.copy(out, 16);
  out.set(payload, 16 + headerBytes.length);
  const end = out.length - 4;
  out.writeUInt32LE(crc32(out.subarray(0, end)), end);
  return out;
}

/** Reads the header only (no checksum): enough to tell whose snapshot a file is. Throws refused / corrupt errors. */
export function readSnapshotHeader(file: string, bytes: Uint8Array): SnapshotHeader {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 20 || buf.toString('latin1', 0, 8) !== SNAPSHOT_MAGIC) throw new SnapshotRefusedError(file, 'not a perpcore snapshot (bad magic)');
  const version = buf.readUInt32LE(8);
  if (version !== SNAPSHOT_FORMAT_VERSION) throw new SnapshotRefusedError(file, `format version ${version}, this build reads ${SNAPSHOT_FORMAT_VERSION}`);
  const headerLength = buf.readUInt32LE(12);
  if (16 + headerLength + 4 > buf.length) throw new SnapshotCorruptError(file, `header of ${headerLength} bytes runs past the end (${buf.length} bytes)`);
  let header: SnapshotHeader;
  try {
    header = JSON.parse(buf.toString('utf8', 16, 16 + headerLength)) as SnapshotHeader;
  } catch {
    throw new SnapshotCorruptError(file, 'header is not valid JSON');
  }
  if (16 + headerLength + header.payloadBytes + 4 !== buf.length) {
    throw new SnapshotCorruptError(file, `length ${buf.length} does not match its header (payload ${header.payloadBytes} bytes)`);
  }
  return header;
}

/** Checks `identity` against a header: another stage or venue is refused with the reason. */
export function checkSnapshotIdentity(file: string, header: SnapshotHeader, identity: SnapshotIdentity): void {
  if (header.stage !== identity.stage) throw new SnapshotRefusedError(file, `it holds stage "${header.stage}", this process is "${identity.stage}"`);
  if (header.venueFingerprint !== identity.venueFingerprint) {
    throw new SnapshotRefusedError(file, `it was taken under another venue configuration (fingerprint ${header.venueFingerprint.slice(0, 12)}…, this process ${identity.venueFingerprint.slice(0, 12)}…)`);
  }
}

/** Verifies the whole file (length, checksum) and returns its header and payload. */
export function decodeSnapshotFile(file: string, bytes: Uint8Array): { header: SnapshotHeader; payload: Uint8Array } {
  const header = readSnapshotHeader(file, bytes);
  const end = bytes.length - 4;
  const stored = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readUInt32LE(end);
  const actual = crc32(bytes.subarray(0, end));
  if (stored !== actual) throw new SnapshotCorruptError(file, `checksum mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)})`);
  const headerLength = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readUInt32LE(12);
  return { header, payload: bytes.subarray(16 + headerLength, end) };
}
