/**
 * Typed failures of the wire codecs. Decoding never throws: it returns a
 * `DecodeResult`, so a consumer can route bad bytes to a dead-letter topic and
 * carry on with nothing applied. Encoding throws `ProtoCodecError` (a value that
 * cannot go on the wire is a bug in the producer, not an input to tolerate).
 */
export const ProtoErrorCode = {
  /** Bytes that are not a valid message: truncated, bad varint, bad UTF-8, wrong wire type, missing schema_major. */
  Malformed: 'PROTO_MALFORMED',
  /** A well-formed message this decoder does not understand: another schema major, or a payload kind added later. */
  UnknownVersion: 'PROTO_UNKNOWN_VERSION',
  /** A number outside its representable range (not a safe integer), or a `…Units` string that is not a decimal integer. */
  OutOfRange: 'PROTO_OUT_OF_RANGE',
} as const;
export type ProtoErrorCode = (typeof ProtoErrorCode)[keyof typeof ProtoErrorCode];

export class ProtoCodecError extends Error {
  readonly code: ProtoErrorCode;
  constructor(code: ProtoErrorCode, message: string) {
    super(message);
    this.name = 'ProtoCodecError';
    this.code = code;
  }
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: ProtoCodecError };
