/**
 * A table-driven protobuf reader that builds plain objects (Object.prototype, every
 * field an own property, in schema order, the oneof discriminator an own string
 * followed by its member), the shape the embedded producers build by hand.
 *
 * Why: a protobufjs message keeps unset fields on its prototype and answers the
 * oneof discriminator through a getter that lists the object's keys on every read;
 * the journal replay decodes ~10^6 commands and every stage reads `command` several
 * times per command. Plain objects of one shape per payload case also keep the
 * stages' property accesses monomorphic, as in the live run.
 *
 * Contract: `decodePlain` returns a value only for a well-formed, canonical
 * encoding whose every field is in the table and in range (wire-range.ts), with
 * schema_major 1 and one payload; for anything else it returns undefined and the
 * caller decodes with the envelope codec, which gives the value or the precise
 * error. So the fast path never accepts what the codec refuses, and never gives a
 * value the codec would decode differently (plain-decoder.test.ts checks both on
 * random messages, and the tables against the .proto sources).
 *
 * Handled: varint scalars (uint32, int32, enums as int32, bool, uint64, int64 as JS
 * numbers like protobuf-runtime.ts), ASCII strings, nested and repeated messages,
 * one oneof per message. Not handled (undefined): unknown or repeated-scalar fields,
 * a field with another wire type, a message field or oneof member given twice
 * (protobufjs merges those), non-ASCII strings, over-long varints.
 */
import { DECIMAL_INTEGER, TWO_POW_63 } from './wire-range.js';

export type PlainFieldKind = 'uint32' | 'int32' | 'bool' | 'uint64' | 'int64' | 'string' | 'message';

export interface PlainField {
  /** The protobuf field number. */
  readonly id: number;
  /** The JS name (camelCase), as the generated code names it. */
  readonly name: string;
  readonly kind: PlainFieldKind;
  /** The message type of a `message` field. */
  readonly message?: PlainMessage;
  /** A repeated message field (repeated scalars are not handled). */
  readonly repeated?: boolean;
  /** A member of the message's oneof. */
  readonly oneof?: boolean;
}

export interface PlainMessage {
  /** Fully qualified name, e.g. `perpcore.matching.v1.PlaceOrderV1`. */
  readonly name: string;
  readonly fields: readonly PlainField[];
  /** The oneof's discriminator property (`command`, `event`), when the message has one. */
  readonly oneof?: string;
}

/** A table compiled for decoding: fields by number, the defaults in schema order. */
interface CompiledMessage {
  readonly byId: readonly (CompiledField | undefined)[];
  readonly plain: readonly CompiledField[];
  readonly oneof: string | undefined;
}

interface CompiledField {
  readonly name: string;
  readonly kind: PlainFieldKind;
  readonly wireType: number;
  readonly message: CompiledMessage | undefined;
  readonly repeated: boolean;
  readonly oneof: boolean;
  /** A 64-bit field named …Ns: a nanosecond timestamp, an integer below 2^63 instead of a safe integer (wire-range.ts). */
  readonly nanoseconds: boolean;
  /** A string named …Units: a decimal integer money total (wire-range.ts). */
  readonly decimalUnits: boolean;
}

const compiled = new WeakMap<PlainMessage, CompiledMessage>();

function compile(message: PlainMessage): CompiledMessage {
  const done = compiled.get(message);
  if (done !== undefined) return done;
  const byId: (CompiledField | undefined)[] = [];
  const plain: CompiledField[] = [];
  for (const f of message.fields) {
    if (f.kind === 'message' && f.message === undefined) throw new Error(`${message.name}.${f.name}: a message field needs its table`);
    if (f.repeated === true && f.kind !== 'message') throw new Error(`${message.name}.${f.name}: repeated scalars are not handled`);
    if (f.oneof === true && message.oneof === undefined) throw new Error(`${message.name}.${f.name}: a oneof member, but the message names no oneof`);
    const field: CompiledField = {
      name: f.name,
      kind: f.kind,
      wireType: f.kind === 'string' || f.kind === 'message' ? 2 : 0,
      message: f.message === undefined ? undefined : compile(f.message),
      repeated: f.repeated === true,
      oneof: f.oneof === true,
      nanoseconds: (f.kind === 'int64' || f.kind === 'uint64') && f.name.endsWith('Ns'),
      decimalUnits: f.kind === 'string' && f.name.endsWith('Units'),
    };
    byId[f.id] = field;
    if (!field.oneof) plain.push(field);
  }
  const result: CompiledMessage = { byId, plain, oneof: message.oneof };
  compiled.set(message, result);
  return result;
}

const TWO_POW_32 = 4294967296;
const NOT_HANDLED = Symbol('not handled');

/**
 * The reader's cursor and its last 64-bit varint's halves, module state (not an
 * object per call); decoding is synchronous and does not re-enter.
 */
let buf: Uint8Array = new Uint8Array(0);
let pos = 0;
let lo = 0;
let hi = 0;

/** Reads a varint of at most 10 bytes into lo/hi as protobufjs's LongBits does; false past `end` or when longer. */
function readVarint64(end: number): boolean {
  lo = 0;
  hi = 0;
  for (let i = 0; i < 4; i++) {
    if (pos >= end) return false;
    const b = buf[pos++] as number;
    lo = (lo | ((b & 127) << (i * 7))) >>> 0;
    if (b < 128) return true;
  }
  if (pos >= end) return false;
  let b = buf[pos++] as number;
  lo = (lo | ((b & 127) << 28)) >>> 0;
  hi = (hi | ((b & 127) >> 4)) >>> 0;
  if (b < 128) return true;
  for (let i = 0; i < 5; i++) {
    if (pos >= end) return false;
    b = buf[pos++] as number;
    // the 10th byte carries bit 63 only: anything above 1 is not a canonical encoding
    if (i === 4 && b > 1) return false;
    hi = (hi | ((b & 127) << (i * 7 + 3))) >>> 0;
    if (b < 128) return true;
  }
  return false;
}

/** A varint that fits in 32 bits (at most 5 bytes, the 5th below 16), as a uint32; -1 when not. */
function readVarint32(end: number): number {
  if (!readVarint64(end) || hi !== 0) return -1;
  return lo;
}

/** Short ASCII strings repeat on every record (market, source): interned by a hash of their bytes. */
const internSlots = 256;
const interned: (string | undefined)[] = new Array<string | undefined>(internSlots).fill(undefined);

function readAscii(start: number, end: number): string | undefined {
  let hash = 2166136261;
  for (let i = start; i < end; i++) {
    const c = buf[i] as number;
    if (c >= 128) return undefined;
    hash = Math.imul(hash ^ c, 16777619);
  }
  const length = end - start;
  if (length === 0) return '';
  if (length > 32) return latin1(start, end);
  const slot = (hash >>> 0) % internSlots;
  const candidate = interned[slot];
  if (candidate !== undefined && candidate.length === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (candidate.charCodeAt(i) !== buf[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return candidate;
  }
  const text = latin1(start, end);
  interned[slot] = text;
  return text;
}

function latin1(start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(buf[i] as number);
  return text;
}

function readMessage(message: CompiledMessage, end: number): Record<string, unknown> | typeof NOT_HANDLED {
  const out: Record<string, unknown> = {};
  const plain = message.plain;
  for (let i = 0; i < plain.length; i++) {
    const f = plain[i] as CompiledField;
    out[f.name] = f.repeated ? [] : f.kind === 'message' ? null : f.kind === 'string' ? '' : f.kind === 'bool' ? false : 0;
  }
  let member: string | undefined;
  while (pos < end) {
    const tag = readVarint32(end);
    if (tag < 0) return NOT_HANDLED;
    const f = message.byId[tag >>> 3];
    if (f === undefined || (tag & 7) !== f.wireType) return NOT_HANDLED;
    let value: unknown;
    if (f.wireType === 2) {
      const length = readVarint32(end);
      if (length < 0 || pos + length > end) return NOT_HANDLED;
      const stop = pos + length;
      if (f.kind === 'string') {
        value = readAscii(pos, stop);
        if (value === undefined || (f.decimalUnits && !DECIMAL_INTEGER.test(value as string))) return NOT_HANDLED;
        pos = stop;
      } else {
        value = readMessage(f.message as CompiledMessage, stop);
        if (value === NOT_HANDLED || pos !== stop) return NOT_HANDLED;
      }
    } else if (f.kind === 'uint64' || f.kind === 'int64') {
      if (!readVarint64(end)) return NOT_HANDLED;
      let n: number;
      if (f.kind === 'int64' && hi >>> 31 !== 0) {
        // two's complement, exactly as LongBits.toNumber(false)
        const nlo = (~lo + 1) >>> 0;
        let nhi = ~hi >>> 0;
        if (nlo === 0) nhi = (nhi + 1) >>> 0;
        n = -(nlo + nhi * TWO_POW_32);
      } else n = lo + hi * TWO_POW_32;
      if (f.nanoseconds ? Math.abs(n) >= TWO_POW_63 : !Number.isSafeInteger(n)) return NOT_HANDLED;
      value = n;
    } else {
      const n = readVarint32(end);
      if (n < 0) return NOT_HANDLED;
      if (f.kind === 'bool') {
        if (n > 1) return NOT_HANDLED;
        value = n === 1;
      } else value = f.kind === 'int32' ? n | 0 : n;
    }
    if (f.oneof) {
      if (member !== undefined) return NOT_HANDLED;
      member = f.name;
      out[message.oneof as string] = member;
      out[member] = value;
    } else if (f.repeated) (out[f.name] as unknown[]).push(value);
    else {
      // a message field given twice is merged by protobufjs: not handled
      if (f.kind === 'message' && out[f.name] !== null) return NOT_HANDLED;
      out[f.name] = value;
    }
  }
  return out;
}

/**
 * Decodes `bytes` as `message` into a plain object, or undefined when the fast path
 * does not handle them (then decode with the envelope codec). An envelope (a message
 * with `schemaMajor`) must carry schema major 1 and a payload.
 */
export function decodePlain<T>(message: PlainMessage, bytes: Uint8Array): T | undefined {
  const table = compile(message);
  buf = bytes;
  pos = 0;
  try {
    const out = readMessage(table, bytes.length);
    if (out === NOT_HANDLED) return undefined;
    if ('schemaMajor' in out && out.schemaMajor !== 1) return undefined;
    if (table.oneof !== undefined && out[table.oneof] === undefined) return undefined;
    return out as T;
  } finally {
    buf = EMPTY;
  }
}

const EMPTY = new Uint8Array(0);
