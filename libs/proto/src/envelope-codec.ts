/**
 * One codec per envelope message: `encode` (throws on a value that cannot go on
 * the wire) and `decode` (never throws; returns a typed error).
 *
 * Decode rules, in order:
 * 1. bytes that protobufjs cannot parse (truncated, bad varint or UTF-8) → PROTO_MALFORMED;
 * 2. schema_major 0 (absent) → PROTO_MALFORMED; any value other than 1 → PROTO_UNKNOWN_VERSION;
 * 3. no payload this decoder knows (a oneof case added by a later schema, whose field
 *    protobuf skipped as unknown) → PROTO_UNKNOWN_VERSION;
 * 4. any field out of range (wire-range.ts) → PROTO_OUT_OF_RANGE.
 * Encode applies 2–4 to the value first, so a producer bug never reaches a consumer.
 */
import { type DecodeResult, ProtoCodecError, ProtoErrorCode } from './codec-error.js';
import { findOutOfRange } from './wire-range.js';

export const SCHEMA_MAJOR_V1 = 1;

export interface WireCodec<T> {
  /** Fully qualified message name, e.g. `perpcore.matching.v1.MatchingEventV1`. */
  readonly messageName: string;
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): DecodeResult<T>;
}

/** The generated static class of a message (only what the codec calls). */
export interface GeneratedMessageClass<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(bytes: Uint8Array): T;
}

/** Where an envelope keeps its schema major and which payload case is set. */
export interface EnvelopeShape {
  schemaMajor: number;
  payloadKind: string | null | undefined;
}

function checkEnvelope(messageName: string, shape: EnvelopeShape | null, value: object): ProtoCodecError | null {
  if (shape === null) return new ProtoCodecError(ProtoErrorCode.Malformed, `${messageName}: envelope body missing`);
  if (shape.schemaMajor === 0) return new ProtoCodecError(ProtoErrorCode.Malformed, `${messageName}: schema_major missing`);
  if (shape.schemaMajor !== SCHEMA_MAJOR_V1) {
    return new ProtoCodecError(ProtoErrorCode.UnknownVersion, `${messageName}: schema_major ${shape.schemaMajor}, this decoder reads ${SCHEMA_MAJOR_V1}`);
  }
  if (shape.payloadKind == null || shape.payloadKind === '') {
    return new ProtoCodecError(ProtoErrorCode.UnknownVersion, `${messageName}: no payload this v${SCHEMA_MAJOR_V1} decoder knows (written by a later schema?)`);
  }
  const bad = findOutOfRange(value);
  return bad === null ? null : new ProtoCodecError(ProtoErrorCode.OutOfRange, `${messageName}: ${bad}`);
}

export function createEnvelopeCodec<T extends object>(
  messageName: string,
  generated: GeneratedMessageClass<T>,
  envelopeOf: (value: T) => EnvelopeShape | null,
): WireCodec<T> {
  return {
    messageName,
    encode(value: T): Uint8Array {
      const error = checkEnvelope(messageName, envelopeOf(value), value);
      if (error !== null) throw error;
      return generated.encode(value).finish();
    },
    decode(bytes: Uint8Array): DecodeResult<T> {
      let value: T;
      try {
        value = generated.decode(bytes);
      } catch (cause) {
        const reason = cause instanceof Error ? cause.message : String(cause);
        return { ok: false, error: new ProtoCodecError(ProtoErrorCode.Malformed, `${messageName}: ${reason}`) };
      }
      const error = checkEnvelope(messageName, envelopeOf(value), value);
      return error === null ? { ok: true, value } : { ok: false, error };
    },
  };
}

/**
 * `codec` with a faster decoder in front (plain-envelope-decoders.ts): bytes the fast
 * decoder handles come back as its plain object, everything else goes to `codec`,
 * which keeps the final word on errors. The fast decoder must never accept what
 * `codec` refuses nor decode to another value; plain-decoder.test.ts checks both
 * against the protobufjs codec itself.
 */
export function withFastDecode<T>(codec: WireCodec<T>, fast: (bytes: Uint8Array) => T | undefined): WireCodec<T> {
  return {
    messageName: codec.messageName,
    encode: (value: T) => codec.encode(value),
    decode(bytes: Uint8Array): DecodeResult<T> {
      const value = fast(bytes);
      return value === undefined ? codec.decode(bytes) : { ok: true, value };
    },
  };
}
