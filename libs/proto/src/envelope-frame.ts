/**
 * The codec of `EnvelopeFrameV1` (proto/perpcore/bus/v1/frame.proto): many
 * envelopes of one topic partition in one Kafka record. The frame does not look
 * inside its envelopes (each is decoded by its topic's codec afterwards), so a bad
 * envelope in a good frame is that envelope's problem alone.
 *
 * Decode never throws: bytes protobufjs cannot parse, schema_major other than 1,
 * an empty producer, a first_seq that is not a positive safe integer, or a frame
 * whose last sequence would leave the safe range → a typed error.
 * Encode throws on the same conditions (a producer bug).
 */
import { type DecodeResult, ProtoCodecError, ProtoErrorCode } from './codec-error.js';
import { SCHEMA_MAJOR_V1 } from './envelope-codec.js';
import { perpcore } from './wire.js';

export interface EnvelopeFrame {
  producer: string;
  /** The producer's sequence of `envelopes[0]` on this topic partition; the last is firstSeq + length − 1. */
  firstSeq: number;
  envelopes: Uint8Array[];
}

const NAME = 'perpcore.bus.v1.EnvelopeFrameV1';

function check(producer: string, firstSeq: number, count: number, schemaMajor: number): ProtoCodecError | null {
  if (schemaMajor === 0) return new ProtoCodecError(ProtoErrorCode.Malformed, `${NAME}: schema_major missing`);
  if (schemaMajor !== SCHEMA_MAJOR_V1) return new ProtoCodecError(ProtoErrorCode.UnknownVersion, `${NAME}: schema_major ${schemaMajor}, this decoder reads ${SCHEMA_MAJOR_V1}`);
  if (producer === '') return new ProtoCodecError(ProtoErrorCode.Malformed, `${NAME}: producer missing`);
  if (!Number.isSafeInteger(firstSeq) || firstSeq < 1 || !Number.isSafeInteger(firstSeq + count)) {
    return new ProtoCodecError(ProtoErrorCode.OutOfRange, `${NAME}: first_seq ${firstSeq} with ${count} envelopes is outside 1..2^53`);
  }
  return null;
}

export function encodeEnvelopeFrame(frame: EnvelopeFrame): Uint8Array {
  const error = check(frame.producer, frame.firstSeq, frame.envelopes.length, SCHEMA_MAJOR_V1);
  if (error !== null) throw error;
  return perpcore.bus.v1.EnvelopeFrameV1.encode({ schemaMajor: SCHEMA_MAJOR_V1, producer: frame.producer, firstSeq: frame.firstSeq, envelopes: frame.envelopes }).finish();
}

export function decodeEnvelopeFrame(bytes: Uint8Array): DecodeResult<EnvelopeFrame> {
  let m: perpcore.bus.v1.EnvelopeFrameV1;
  try {
    m = perpcore.bus.v1.EnvelopeFrameV1.decode(bytes);
  } catch (cause) {
    return { ok: false, error: new ProtoCodecError(ProtoErrorCode.Malformed, `${NAME}: ${cause instanceof Error ? cause.message : String(cause)}`) };
  }
  const firstSeq = Number(m.firstSeq);
  const error = check(m.producer, firstSeq, m.envelopes.length, m.schemaMajor);
  return error === null ? { ok: true, value: { producer: m.producer, firstSeq, envelopes: m.envelopes } } : { ok: false, error };
}
