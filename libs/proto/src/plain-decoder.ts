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
 * Each table is compiled once into a decoding function (generated source, as
 * protobufjs does for its own decoders), so every object is one literal of one
 * shape and every store a named one.
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

/** The cursor over one message's bytes and the last 64-bit varint's halves. */
interface Reader {
  buf: Uint8Array;
  pos: number;
  lo: number;
  hi: number;
}

const NOT_HANDLED = Symbol('not handled');
type Decoded = Record<string, unknown> | typeof NOT_HANDLED;
type Decoder = (r: Reader, end: number) => Decoded;

const TWO_POW_32 = 4294967296;

/** Reads a varint of at most 10 bytes into lo/hi as protobufjs's LongBits does; false past `end` or when longer. */
function varint64(r: Reader, end: number): boolean {
  const buf = r.buf;
  let pos = r.pos;
  let lo = 0;
  let hi = 0;
  let b = 0;
  let done = false;
  for (let i = 0; i < 4 && !done; i++) {
    if (pos >= end) return false;
    b = buf[pos++] as number;
    lo = (lo | ((b & 127) << (i * 7))) >>> 0;
    done = b < 128;
  }
  if (!done) {
    if (pos >= end) return false;
    b = buf[pos++] as number;
    lo = (lo | ((b & 127) << 28)) >>> 0;
    hi = (b & 127) >> 4;
    done = b < 128;
    for (let i = 0; i < 5 && !done; i++) {
      if (pos >= end) return false;
      b = buf[pos++] as number;
      // the 10th byte carries bit 63 only: anything above 1 is not a canonical encoding
      if (i === 4 && b > 1) return false;
      hi = (hi | ((b & 127) << (i * 7 + 3))) >>> 0;
      done = b < 128;
    }
    if (!done) return false;
  }
  r.pos = pos;
  r.lo = lo;
  r.hi = hi;
  return true;
}

/** A varint that fits in 32 bits (at most 5 bytes, the 5th below 16), as a uint32; -1 when not. */
function varint32(r: Reader, end: number): number {
  const buf = r.buf;
  const pos = r.pos;
  // one-byte varints (tags, enums, small ids) are most of them
  if (pos < end && (buf[pos] as number) < 128) {
    r.pos = pos + 1;
    return buf[pos] as number;
  }
  if (!varint64(r, end) || r.hi !== 0) return -1;
  return r.lo;
}

/** A 64-bit varint as a JS number (LongBits.toNumber), NaN when not handled or out of range (wire-range.ts). */
function int64(r: Reader, end: number, signed: boolean, nanoseconds: boolean): number {
  if (!varint64(r, end)) return Number.NaN;
  let n: number;
  if (signed && r.hi >>> 31 !== 0) {
    // two's complement, exactly as LongBits.toNumber(false)
    const lo = (~r.lo + 1) >>> 0;
    let hi = ~r.hi >>> 0;
    if (lo === 0) hi = (hi + 1) >>> 0;
    n = -(lo + hi * TWO_POW_32);
  } else n = r.lo + r.hi * TWO_POW_32;
  return (nanoseconds ? Math.abs(n) < TWO_POW_63 : Number.isSafeInteger(n)) ? n : Number.NaN;
}

/** Short ASCII strings repeat on every record (market, source): interned by a hash of their bytes. */
const INTERN_SLOTS = 256;
const interned: string[] = new Array<string>(INTERN_SLOTS).fill('');

function latin1(buf: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(buf[i] as number);
  return text;
}

/** A length-delimited ASCII string, undefined when not handled (non-ASCII, past the end, a bad `…Units` total). */
function ascii(r: Reader, end: number, decimalUnits: boolean): string | undefined {
  const length = varint32(r, end);
  const start = r.pos;
  const stop = start + length;
  if (length < 0 || stop > end) return undefined;
  const buf = r.buf;
  let hash = 2166136261;
  for (let i = start; i < stop; i++) {
    const c = buf[i] as number;
    if (c >= 128) return undefined;
    hash = Math.imul(hash ^ c, 16777619);
  }
  r.pos = stop;
  let text: string;
  if (length === 0) text = '';
  else if (length > 32) text = latin1(buf, start, stop);
  else {
    const slot = (hash >>> 0) % INTERN_SLOTS;
    const candidate = interned[slot] as string;
    let same = candidate.length === length;
    for (let i = 0; same && i < length; i++) same = candidate.charCodeAt(i) === buf[start + i];
    if (same) text = candidate;
    else interned[slot] = text = latin1(buf, start, stop);
  }
  return decimalUnits && !DECIMAL_INTEGER.test(text) ? undefined : text;
}

/** A length-delimited sub-message. */
function message(r: Reader, end: number, decode: Decoder): Decoded {
  const length = varint32(r, end);
  const stop = r.pos + length;
  if (length < 0 || stop > end) return NOT_HANDLED;
  const value = decode(r, stop);
  return r.pos === stop ? value : NOT_HANDLED;
}

const helpers = { NOT_HANDLED, varint32, int64, ascii, message };
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const compiled = new WeakMap<PlainMessage, Decoder>();

/** The source of one field's `case`: reads the value, refuses what is not handled, stores it. */
function fieldCase(f: PlainField, sub: number, member: number): string {
  const wireType = f.kind === 'string' || f.kind === 'message' ? 2 : 0;
  const tag = ((f.id << 3) | wireType) >>> 0;
  const prop = `o.${f.name}`;
  let read: string;
  let check: string;
  let value = 'v';
  switch (f.kind) {
    case 'uint32':
    case 'int32':
    case 'bool':
      read = 'h.varint32(r, end)';
      check = f.kind === 'bool' ? 'v < 0 || v > 1' : 'v < 0';
      value = f.kind === 'bool' ? 'v === 1' : f.kind === 'int32' ? 'v | 0' : 'v';
      break;
    case 'uint64':
    case 'int64':
      read = `h.int64(r, end, ${f.kind === 'int64'}, ${f.name.endsWith('Ns')})`;
      check = 'v !== v';
      break;
    case 'string':
      read = `h.ascii(r, end, ${f.name.endsWith('Units')})`;
      check = 'v === undefined';
      break;
    case 'message':
      read = `h.message(r, end, d[${sub}])`;
      check = 'v === h.NOT_HANDLED';
      break;
  }
  let store: string;
  if (f.oneof === true) store = `if (m !== 0) return h.NOT_HANDLED; m = ${member}; mv = v;`;
  else if (f.repeated === true) store = `${prop}.push(v);`;
  // a message field given twice is merged by protobufjs: not handled
  else if (f.kind === 'message') store = `if (${prop} !== null) return h.NOT_HANDLED; ${prop} = v;`;
  else store = `${prop} = ${value};`;
  return `case ${tag}: { const v = ${read}; if (${check}) return h.NOT_HANDLED; ${store} continue; }`;
}

function compile(table: PlainMessage): Decoder {
  const done = compiled.get(table);
  if (done !== undefined) return done;
  const subs: Decoder[] = [];
  const defaults: string[] = [];
  const cases: string[] = [];
  const members: string[] = [];
  const ids = new Set<number>();
  for (const f of table.fields) {
    if (!IDENTIFIER.test(f.name)) throw new Error(`${table.name}: ${JSON.stringify(f.name)} is not a field name`);
    if (!Number.isInteger(f.id) || f.id < 1 || f.id > 536_870_911 || ids.has(f.id)) throw new Error(`${table.name}.${f.name}: bad or repeated field number ${f.id}`);
    ids.add(f.id);
    if ((f.kind === 'message') !== (f.message !== undefined)) throw new Error(`${table.name}.${f.name}: a message field, and only one, names its table`);
    if (f.repeated === true && f.kind !== 'message') throw new Error(`${table.name}.${f.name}: repeated scalars are not handled`);
    if (f.oneof === true && (table.oneof === undefined || f.kind !== 'message' || f.repeated === true)) throw new Error(`${table.name}.${f.name}: a oneof member must be a single message of a message that names its oneof`);
    let sub = -1;
    if (f.message !== undefined) {
      sub = subs.length;
      subs.push(compile(f.message));
    }
    if (f.oneof === true) {
      members.push(f.name);
      cases.push(fieldCase(f, sub, members.length));
      continue;
    }
    defaults.push(`${f.name}: ${f.repeated === true ? '[]' : f.kind === 'message' ? 'null' : f.kind === 'string' ? "''" : f.kind === 'bool' ? 'false' : '0'}`);
    cases.push(fieldCase(f, sub, 0));
  }
  if (table.oneof !== undefined && !IDENTIFIER.test(table.oneof)) throw new Error(`${table.name}: ${JSON.stringify(table.oneof)} is not a oneof name`);
  const oneof = members.map((name, i) => `if (m === ${i + 1}) { o.${table.oneof} = '${name}'; o.${name} = mv; }`).join(' else ');
  const source = `'use strict';
return function decode(r, end) {
  const o = { ${defaults.join(', ')} };
  let m = 0;
  let mv = null;
  while (r.pos < end) {
    switch (h.varint32(r, end)) {
      ${cases.join('\n      ')}
    }
    return h.NOT_HANDLED;
  }
  ${oneof}
  return o;
};`;
  // the source is built from the static tables only (names checked above), never from input
  const decoder = new Function('h', 'd', source)(helpers, subs) as Decoder;
  compiled.set(table, decoder);
  return decoder;
}

const reader: Reader = { buf: new Uint8Array(0), pos: 0, lo: 0, hi: 0 };
const EMPTY = new Uint8Array(0);

/**
 * Decodes `bytes` from `start` on (a view costs an allocation per record) as `table` into a plain object, or undefined when the fast path
 * does not handle them (then decode with the envelope codec). An envelope (a message
 * with `schemaMajor`) must carry schema major 1 and a payload.
 */
export function decodePlain<T>(table: PlainMessage, bytes: Uint8Array, start = 0): T | undefined {
  const decode = compile(table);
  reader.buf = bytes;
  reader.pos = start;
  try {
    const out = decode(reader, bytes.length);
    if (out === NOT_HANDLED) return undefined;
    if ('schemaMajor' in out && out.schemaMajor !== 1) return undefined;
    if (table.oneof !== undefined && out[table.oneof] === undefined) return undefined;
    return out as T;
  } finally {
    reader.buf = EMPTY;
  }
}
