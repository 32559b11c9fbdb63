/**
 * A captured state graph (state-graph.ts) as bytes and back: a small tagged binary
 * encoding written for it, canonical (the same value gives the same bytes, whatever
 * V8's internal representation of arrays or numbers) and stable across Node
 * versions.
 *
 * Values: undefined, null, booleans, numbers (safe integers as signed varints, any
 * other number as 8 bytes), bigints, strings (UTF-8), arrays (an array of safe
 * integers as one run of varints), typed arrays (raw bytes), Maps, Sets and plain
 * objects (keys in their own order). An object met a second time is written as a
 * back-reference to its first occurrence, so shared objects stay shared. Class
 * instances are not values here: the graph capture turns them into frames first.
 *
 * Signed varint: first byte bit 7 "more", bit 6 sign, bits 0–5 the low 6 bits of the
 * magnitude; then 7 bits per byte. Magnitudes up to 2^53 − 1 (arithmetic, not
 * bitwise, above 2^31).
 */
import type { Frame } from './state-graph.js';

const T = {
  Undefined: 0,
  Null: 1,
  False: 2,
  True: 3,
  Int: 4,
  Float: 5,
  BigInt: 6,
  String: 7,
  Array: 8,
  IntArray: 9,
  TypedArray: 10,
  Map: 11,
  Set: 12,
  Object: 13,
  Ref: 14,
  /** A bigint within ±(2^53 − 1), as a signed varint. */
  SmallBigInt: 15,
} as const;

const MAX_SMALL = BigInt(Number.MAX_SAFE_INTEGER);

const TYPED = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array] as const;
const MAX_DEPTH = 200;

class Writer {
  buf = Buffer.allocUnsafe(1 << 16);
  pos = 0;
  private readonly refs = new Map<object, number>();
  private readonly f64 = new Float64Array(1);
  private readonly f64Bytes = new Uint8Array(this.f64.buffer);

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Unsigned varint (lengths, counts). */
  uint(n: number): void {
    this.ensure(10);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  int(v: number): void {
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    const sign = v < 0 ? 0x40 : 0;
    let m = v < 0 ? -v : v;
    if (m <= 0x7fffffff) {
      // the common case, bitwise
      if (m < 0x40) {
        buf[pos] = m | sign;
        this.pos = pos + 1;
        return;
      }
      buf[pos++] = (m & 0x3f) | sign | 0x80;
      m >>>= 6;
      while (m >= 0x80) {
        buf[pos++] = (m & 0x7f) | 0x80;
        m >>>= 7;
      }
      buf[pos++] = m;
      this.pos = pos;
      return;
    }
    const low = m % 0x40;
    m = (m - low) / 0x40;
    buf[pos++] = low | sign | 0x80;
    while (m > 0) {
      const part = m % 0x80;
      m = (m - part) / 0x80;
      buf[pos++] = part | (m > 0 ? 0x80 : 0);
    }
    this.pos = pos;
  }

  float(v: number): void {
    this.ensure(8);
    this.f64[0] = v;
    this.buf.set(this.f64Bytes, this.pos);
    this.pos += 8;
  }

  string(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.uint(n);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  value(v: unknown, depth: number): void {
    if (depth > MAX_DEPTH) throw new RangeError('state encoding: value nested deeper than 200 levels');
    switch (typeof v) {
      case 'undefined':
        return this.byte(T.Undefined);
      case 'boolean':
        return this.byte(v ? T.True : T.False);
      case 'number':
        if (Number.isSafeInteger(v) && !Object.is(v, -0)) {
          this.byte(T.Int);
          return this.int(v);
        }
        this.byte(T.Float);
        return this.float(v);
      case 'bigint':
        if (v <= MAX_SMALL && v >= -MAX_SMALL) {
          this.byte(T.SmallBigInt);
          return this.int(Number(v));
        }
        this.byte(T.BigInt);
        return this.string(v.toString(36));
      case 'string':
        this.byte(T.String);
        return this.string(v);
      case 'object':
        if (v === null) return this.byte(T.Null);
        return this.object(v, depth);
      default:
        throw new TypeError(`state encoding: cannot encode a ${typeof v}`);
    }
  }

  private object(o: object, depth: number): void {
    const ref = this.refs.get(o);
    if (ref !== undefined) {
      this.byte(T.Ref);
      return this.uint(ref);
    }
    this.refs.set(o, this.refs.size);
    if (Array.isArray(o)) {
      if (isIntArray(o)) {
        this.byte(T.IntArray);
        this.uint(o.length);
        for (let i = 0; i < o.length; i++) this.int(o[i] as number);
        return;
      }
      this.byte(T.Array);
      this.uint(o.length);
      for (let i = 0; i < o.length; i++) this.value(o[i], depth + 1);
      return;
    }
    if (ArrayBuffer.isView(o)) {
      const kind = TYPED.findIndex((c) => o instanceof c);
      if (kind < 0) throw new TypeError('state encoding: a DataView cannot be encoded');
      this.byte(T.TypedArray);
      this.byte(kind);
      this.uint(o.byteLength);
      this.ensure(o.byteLength);
      this.buf.set(new Uint8Array(o.buffer, o.byteOffset, o.byteLength), this.pos);
      this.pos += o.byteLength;
      return;
    }
    if (o instanceof Map) {
      this.byte(T.Map);
      this.uint(o.size);
      for (const [k, x] of o) {
        this.value(k, depth + 1);
        this.value(x, depth + 1);
      }
      return;
    }
    if (o instanceof Set) {
      this.byte(T.Set);
      this.uint(o.size);
      for (const x of o) this.value(x, depth + 1);
      return;
    }
    const proto = Object.getPrototypeOf(o);
    if (proto !== Object.prototype && proto !== null) throw new TypeError(`state encoding: a ${o.constructor?.name ?? 'class'} instance is not plain data`);
    const keys = Object.keys(o);
    this.byte(T.Object);
    this.uint(keys.length);
    for (const k of keys) {
      this.string(k);
      this.value((o as Record<string, unknown>)[k], depth + 1);
    }
  }
}

function isIntArray(a: unknown[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || (x === 0 && 1 / x < 0)) return false;
  }
  return true;
}

class Reader {
  pos = 0;
  private readonly refs: object[] = [];
  private readonly f64 = new Float64Array(1);
  private readonly f64Bytes = new Uint8Array(this.f64.buffer);
  constructor(private readonly buf: Uint8Array) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new RangeError(`state bytes end early at ${this.pos}`);
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  uint(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return n;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new RangeError('state bytes: varint too long');
    }
  }

  int(): number {
    const buf = this.buf;
    let pos = this.pos;
    const first = buf[pos++];
    let m = first & 0x3f;
    if (first & 0x80) {
      let scale = 0x40;
      let b: number;
      do {
        b = buf[pos++];
        m += (b & 0x7f) * scale;
        scale *= 0x80;
        if (scale > 2 ** 60) throw new RangeError('state bytes: varint too long');
      } while (b & 0x80);
    }
    // reads past the end give undefined (→ 0 bits): caught here, once per number
    if (pos > buf.length) throw new RangeError(`state bytes end early at ${this.pos}`);
    this.pos = pos;
    return first & 0x40 ? -m : m;
  }

  string(): string {
    const n = this.uint();
    this.need(n);
    const s = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, n).toString('utf8');
    this.pos += n;
    return s;
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) throw new RangeError('state bytes: nested deeper than 200 levels');
    const tag = this.byte();
    switch (tag) {
      case T.Undefined:
        return undefined;
      case T.Null:
        return null;
      case T.False:
        return false;
      case T.True:
        return true;
      case T.Int:
        return this.int();
      case T.Float:
        this.need(8);
        this.f64Bytes.set(this.buf.subarray(this.pos, this.pos + 8));
        this.pos += 8;
        return this.f64[0];
      case T.BigInt: {
        const s = this.string();
        return s.startsWith('-') ? -parseBigInt36(s.slice(1)) : parseBigInt36(s);
      }
      case T.SmallBigInt:
        return BigInt(this.int());
      case T.String:
        return this.string();
      case T.Ref: {
        const i = this.uint();
        if (i >= this.refs.length) throw new RangeError(`state bytes: reference ${i} to an object not read yet`);
        return this.refs[i];
      }
      case T.IntArray: {
        const n = this.uint();
        const out: number[] = [];
        this.refs.push(out);
        for (let i = 0; i < n; i++) out.push(this.int());
        return out;
      }
      case T.Array: {
        const n = this.uint();
        const out: unknown[] = [];
        this.refs.push(out);
        for (let i = 0; i < n; i++) out.push(this.value(depth + 1));
        return out;
      }
      case T.TypedArray: {
        const kind = TYPED[this.byte()];
        if (kind === undefined) throw new RangeError('state bytes: unknown typed array kind');
        const n = this.uint();
        this.need(n);
        const copy = new Uint8Array(n);
        copy.set(this.buf.subarray(this.pos, this.pos + n));
        this.pos += n;
        const out = new kind(copy.buffer, 0, n / kind.BYTES_PER_ELEMENT);
        this.refs.push(out);
        return out;
      }
      case T.Map: {
        const n = this.uint();
        const out = new Map<unknown, unknown>();
        this.refs.push(out);
        for (let i = 0; i < n; i++) {
          const k = this.value(depth + 1);
          out.set(k, this.value(depth + 1));
        }
        return out;
      }
      case T.Set: {
        const n = this.uint();
        const out = new Set<unknown>();
        this.refs.push(out);
        for (let i = 0; i < n; i++) out.add(this.value(depth + 1));
        return out;
      }
      case T.Object: {
        const n = this.uint();
        const out: Record<string, unknown> = {};
        this.refs.push(out);
        for (let i = 0; i < n; i++) {
          const k = this.string();
          out[k] = this.value(depth + 1);
        }
        return out;
      }
      default:
        throw new RangeError(`state bytes: unknown tag ${tag} at ${this.pos - 1}`);
    }
  }
}

function parseBigInt36(s: string): bigint {
  let out = 0n;
  for (const c of s) {
    const d = parseInt(c, 36);
    if (Number.isNaN(d)) throw new RangeError('state bytes: bad bigint digit');
    out = out * 36n + BigInt(d);
  }
  return out;
}

/** Encodes any plain value (used for frames and for the participants' exported states). */
export function encodeValue(value: unknown): Uint8Array {
  const w = new Writer();
  w.value(value, 0);
  return w.buf.subarray(0, w.pos);
}

export function decodeValue(bytes: Uint8Array): unknown {
  const r = new Reader(bytes);
  const v = r.value(0);
  if (r.pos !== bytes.length) throw new RangeError(`state bytes: ${bytes.length - r.pos} bytes after the value`);
  return v;
}

export function encodeFrame(frame: Frame): Uint8Array {
  return encodeValue(frame);
}

export function decodeFrame(bytes: Uint8Array): Frame {
  return decodeValue(bytes) as Frame;
}
