/**
 * Walks one segment's records from its header on and classifies how it ends:
 *
 * - `clean`: every byte belongs to a valid record.
 * - `torn`: a bad frame (cut short, bad checksum, zeros) with no valid later
 *   record anywhere after it. That is what an interrupted write leaves behind (a
 *   crash mid-append, a power loss before the page reached the disk); the journal
 *   cuts it at `validEnd`.
 * - `corrupt`: a bad frame followed somewhere by a valid record of a later seq
 *   (the seq is in the checksum, so such a record is no accident): records that
 *   were written, and perhaps acknowledged, are damaged in the middle. Never cut
 *   silently; the journal refuses to open.
 */
import { decodeFrameAt, FRAME_HEADER_BYTES, type FrameProblem } from './record-frame.js';

export interface SegmentScan {
  /** Seq of the last valid record (firstSeq - 1 when there is none). */
  lastSeq: number;
  records: number;
  /** Byte offset just past the last valid record. */
  validEnd: number;
  end: 'clean' | 'torn' | 'corrupt';
  problem?: FrameProblem;
}

/** Whether any offset after `from` holds a valid frame of a seq above `afterSeq` (a frame of the seq is in its checksum). */
function validFrameFollows(bytes: Uint8Array, from: number, afterSeq: number): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = from; i + FRAME_HEADER_BYTES <= bytes.length; i++) {
    const seq = view.getUint32(i + 8, true) + view.getUint32(i + 12, true) * 0x1_0000_0000;
    if (seq <= afterSeq || seq > afterSeq + 0x1_0000_0000) continue;
    if (decodeFrameAt(bytes, i, bytes.length, seq).ok) return true;
  }
  return false;
}

/** Scans `bytes` (a whole segment) from `start` (just past its header) for records numbered from `firstSeq`. */
export function scanSegment(bytes: Uint8Array, start: number, firstSeq: number, onRecord?: (seq: number, payload: Uint8Array) => void): SegmentScan {
  let offset = start;
  let seq = firstSeq;
  let records = 0;
  while (offset < bytes.length) {
    const frame = decodeFrameAt(bytes, offset, bytes.length, seq);
    if (!frame.ok) {
      const torn = !validFrameFollows(bytes, offset + 1, seq - 1);
      return { lastSeq: seq - 1, records, validEnd: offset, end: torn ? 'torn' : 'corrupt', problem: frame.problem };
    }
    onRecord?.(seq, bytes.subarray(frame.payloadStart, frame.payloadEnd));
    records++;
    seq++;
    offset = frame.next;
  }
  return { lastSeq: seq - 1, records, validEnd: offset, end: 'clean' };
}
