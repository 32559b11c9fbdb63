export { perpcore } from './wire.js';
export { ProtoCodecError, ProtoErrorCode, type DecodeResult } from './codec-error.js';
export { SCHEMA_MAJOR_V1, type WireCodec } from './envelope-codec.js';
export * from './envelopes.js';
export { sideFromWire, sideToWire } from './wire-side.js';
export { type EnvelopeFrame, decodeEnvelopeFrame, encodeEnvelopeFrame } from './envelope-frame.js';
export { decodeMatchingCommandPlain, decodeMatchingEventPlain, decodeOracleEventPlain } from './plain-envelope-decoders.js';
