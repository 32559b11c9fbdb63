/**
 * Capture and restore of a stage's in-memory state by walking its object graph:
 * the stage's own fields, whatever they are, so a field added later is captured
 * without anyone remembering to add it to a codec.
 *
 * Capture walks from a root object. Per own enumerable field:
 * - functions (ports, closures) are structure, not state: left out;
 * - data (primitives incl. bigint, typed arrays, and arrays / Maps / Sets / plain
 *   objects that hold only data) is taken as it is;
 * - a `StateParticipant` (an object with `exportState()` and `importState()`, e.g. an
 *   order book) is taken as its `exportState()` value: it chooses its own form;
 * - any other class instance, and a container holding one, is walked in turn; an
 *   instance met a second time is a reference (walked once), one the caller's
 *   `skip` names (a bus, a logger, another stage's adapter) is left out.
 *
 * Restore overlays a captured graph onto a twin: a fresh stage built from the same
 * configuration, so its instances, ports and closures are already in place and only
 * their data is replaced. Data is written into the twin's existing containers
 * (arrays, Maps, Sets emptied and refilled; plain objects merged key by key;
 * same-length typed arrays copied in place), so anything else holding them keeps
 * seeing the live value. Any difference of shape between the capture and the twin
 * (a field one side lacks, an instance where the other has data, a different
 * number of walked instances) is refused with the field's path: a snapshot of
 * another build or configuration is never half-applied into a stage that then runs
 * on. Restore checks the whole shape before it writes anything. The one place a
 * restore makes instances is an `InstanceMap` (instance-map.ts): a captured key the
 * twin lacks gets a fresh instance from the map's own factory, overlaid like any other.
 *
 * Frozen objects (configuration) are never written into: an equal captured value
 * keeps the twin's object, another one replaces the reference. That a snapshot was
 * taken under the same configuration is the snapshot file's venue fingerprint to
 * check, not this overlay's.
 *
 * Determinism: fields are visited in the objects' own key order and Maps in
 * insertion order, both fixed by the stage's history, so the same input log gives
 * the same capture, and its encoding (state-encoding.ts) the same bytes.
 */
import { isDeepStrictEqual } from 'node:util';
import { InstanceMap } from './instance-map.js';

export interface StateParticipant {
  exportState(): unknown;
  importState(state: unknown): void;
}

export interface CaptureOptions {
  /** Objects (and what hangs off them) that are not this stage's state. */
  skip?: (value: object) => boolean;
}

/** A captured node: [kind, payload]. Kept as arrays so the encoding stays small. */
export type Frame =
  | readonly [FrameKind.Data, unknown]
  | readonly [FrameKind.Participant, unknown]
  | readonly [FrameKind.Object, readonly (readonly [string, Frame])[]]
  | readonly [FrameKind.Array, readonly Frame[]]
  | readonly [FrameKind.Map, readonly (readonly [unknown, Frame])[]]
  | readonly [FrameKind.Reference]
  | readonly [FrameKind.Skipped];

export const enum FrameKind {
  Data = 0,
  Participant = 1,
  Object = 2,
  Array = 3,
  Map = 4,
  Reference = 5,
  Skipped = 6,
}

const MAX_DATA_DEPTH = 64;

export class SnapshotShapeError extends Error {
  constructor(path: string, what: string) {
    super(`snapshot does not fit this stage at ${path}: ${what}`);
    this.name = 'SnapshotShapeError';
  }
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isParticipant(v: object): v is StateParticipant {
  const p = v as Partial<StateParticipant>;
  return typeof p.exportState === 'function' && typeof p.importState === 'function';
}

/** Whether `v` holds only data (no function, no class instance) all the way down. */
function isData(v: unknown, depth = 0): boolean {
  if (v === null || v === undefined) return true;
  const t = typeof v;
  if (t !== 'object') return t !== 'function' && t !== 'symbol';
  if (depth > MAX_DATA_DEPTH) throw new RangeError('state graph: data nested deeper than 64 levels (a cycle?)');
  const o = v as object;
  if (ArrayBuffer.isView(o)) return true;
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) {
      const x = o[i];
      if (x !== null && (typeof x === 'object' || typeof x === 'function') && !isData(x, depth + 1)) return false;
    }
    return true;
  }
  if (o instanceof Map) {
    for (const [k, x] of o) if (!isData(k, depth + 1) || !isData(x, depth + 1)) return false;
    return true;
  }
  if (o instanceof Set) {
    for (const x of o) if (!isData(x, depth + 1)) return false;
    return true;
  }
  if (!isPlainObject(o)) return false;
  for (const k of Object.keys(o)) if (!isData((o as Record<string, unknown>)[k], depth + 1)) return false;
  return true;
}

class Capture {
  private readonly seen = new Set<object>();
  constructor(private readonly skip: (value: object) => boolean) {}

  value(v: unknown): Frame | null {
    if (typeof v === 'function') return null;
    if (isData(v)) return [FrameKind.Data, v];
    const o = v as object;
    if (this.skip(o)) return [FrameKind.Skipped];
    if (this.seen.has(o)) return [FrameKind.Reference];
    this.seen.add(o);
    if (isParticipant(o)) return [FrameKind.Participant, o.exportState()];
    return this.container(o);
  }

  container(o: object): Frame {
    if (Array.isArray(o)) return [FrameKind.Array, o.map((x) => this.value(x) ?? ([FrameKind.Skipped] as const))];
    if (o instanceof Map) {
      const entries: [unknown, Frame][] = [];
      for (const [k, x] of o) {
        if (!isData(k)) throw new TypeError('state graph: a Map keyed by objects cannot be captured');
        entries.push([k, this.value(x) ?? [FrameKind.Skipped]]);
      }
      return [FrameKind.Map, entries];
    }
    if (o instanceof Set) throw new TypeError('state graph: a Set of objects cannot be captured');
    const fields: [string, Frame][] = [];
    for (const key of Object.keys(o)) {
      const frame = this.value((o as Record<string, unknown>)[key]);
      if (frame !== null) fields.push([key, frame]);
    }
    return [FrameKind.Object, fields];
  }
}

/** Captures the state reachable from `root` (walked even if it is itself a participant). */
export function captureGraph(root: object, options: CaptureOptions = {}): Frame {
  const capture = new Capture(options.skip ?? (() => false));
  return capture.container(root);
}

type Write = () => void;

class Restore {
  private readonly seen = new Set<object>();
  private readonly identity = new Identity();
  readonly writes: Write[] = [];
  constructor(private readonly skip: (value: object) => boolean) {}

  /** Plans the overlay of `frame` onto `holder[key]` (current value `twin`); writes nothing yet. */
  field(holder: Record<string | number, unknown>, key: string | number, twin: unknown, frame: Frame, path: string): void {
    const kind = frame[0];
    if (kind === FrameKind.Data) return this.data(holder, key, twin, frame[1], path);
    if (twin === null || typeof twin !== 'object') throw new SnapshotShapeError(path, `the stage holds ${describe(twin)}, the snapshot an object`);
    if (kind === FrameKind.Skipped) {
      if (!this.skip(twin)) throw new SnapshotShapeError(path, 'left out of the snapshot but state here');
      return;
    }
    if (this.seen.has(twin)) {
      if (kind !== FrameKind.Reference) throw new SnapshotShapeError(path, 'a shared object here, a separate one in the snapshot');
      return;
    }
    if (kind === FrameKind.Reference) throw new SnapshotShapeError(path, 'a separate object here, a shared one in the snapshot');
    this.seen.add(twin);
    if (kind === FrameKind.Participant) {
      if (!isParticipant(twin)) throw new SnapshotShapeError(path, 'the snapshot holds an exported state, the stage no participant');
      const state = frame[1];
      this.writes.push(() => twin.importState(state));
      return;
    }
    this.container(twin, frame, path);
  }

  container(twin: object, frame: Frame, path: string): void {
    const kind = frame[0];
    if (kind === FrameKind.Array) {
      const items = frame[1];
      if (!Array.isArray(twin) || twin.length !== items.length) throw new SnapshotShapeError(path, `${items.length} walked elements in the snapshot, ${describe(twin)} here`);
      items.forEach((f, i) => this.field(twin as unknown as Record<number, unknown>, i, twin[i], f, `${path}[${i}]`));
      return;
    }
    if (kind === FrameKind.Map) {
      const entries = frame[1];
      if (twin instanceof InstanceMap) return this.instanceMap(twin, entries, path);
      if (!(twin instanceof Map) || twin.size !== entries.length) throw new SnapshotShapeError(path, `a Map of ${entries.length} walked entries in the snapshot, ${describe(twin)} here`);
      for (const [k, f] of entries) {
        if (!twin.has(k)) throw new SnapshotShapeError(path, `key ${String(k)} is not in the stage`);
        const map = twin;
        const holder = { value: map.get(k) };
        this.field(holder, 'value', holder.value, f, `${path}.get(${String(k)})`);
        // a data entry is written through the holder: put it back into the Map afterwards
        if (f[0] === FrameKind.Data) this.writes.push(() => map.set(k, holder.value));
      }
      return;
    }
    if (kind !== FrameKind.Object) throw new SnapshotShapeError(path, `unexpected frame kind ${kind}`);
    const fields = frame[1];
    const mine = Object.keys(twin).filter((k) => typeof (twin as Record<string, unknown>)[k] !== 'function');
    const theirs = new Set(fields.map(([k]) => k));
    for (const k of mine) if (!theirs.has(k)) throw new SnapshotShapeError(`${path}.${k}`, 'the snapshot lacks this field (another build?)');
    for (const [k, f] of fields) {
      if (!(k in twin)) throw new SnapshotShapeError(`${path}.${k}`, 'this build has no such field (another build?)');
      this.field(twin as Record<string, unknown>, k, (twin as Record<string, unknown>)[k], f, `${path}.${k}`);
    }
  }

  /** Each captured entry onto the twin's instance for its key, or a fresh one; then the Map holds exactly the captured keys, in order. */
  private instanceMap(twin: InstanceMap<unknown, object>, entries: readonly (readonly [unknown, Frame])[], path: string): void {
    const holders: { key: unknown; holder: { value: unknown } }[] = [];
    for (const [k, f] of entries) {
      const holder = { value: twin.has(k) ? twin.get(k) : twin.create(k) };
      this.field(holder, 'value', holder.value, f, `${path}.get(${String(k)})`);
      holders.push({ key: k, holder });
    }
    this.writes.push(() => {
      twin.clear();
      for (const { key, holder } of holders) twin.set(key, holder.value as object);
    });
  }

  private data(holder: Record<string | number, unknown>, key: string | number, twin: unknown, value: unknown, path: string): void {
    if (twin !== null && typeof twin === 'object' && !isData(twin)) throw new SnapshotShapeError(path, 'the stage holds an object with state here, the snapshot plain data');
    const twinKind = dataKind(twin);
    const kind = dataKind(value);
    // a field that is null / undefined / a number at times may change kind; a container may not
    if (twinKind !== kind && (isContainerKind(twinKind) || isContainerKind(kind))) {
      throw new SnapshotShapeError(path, `${twinKind} here, ${kind} in the snapshot`);
    }
    this.writes.push(() => {
      const next = overlay(twin, value, this.identity);
      if (next !== twin) holder[key] = next;
    });
  }
}

function dataKind(v: unknown): string {
  if (v === null || typeof v !== 'object') return typeof v;
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (Array.isArray(v)) return 'array';
  if (v instanceof Map) return 'Map';
  if (v instanceof Set) return 'Set';
  return 'object';
}

function isContainerKind(kind: string): boolean {
  return kind === 'array' || kind === 'Map' || kind === 'Set';
}

/**
 * Identity while overlaying: which twin object each decoded object became, and which
 * twin objects are taken. A decoded object met again (the snapshot shared it) becomes
 * the same twin object again; a twin object already taken by another decoded object
 * is not merged into a second time (the twin shared it where the snapshot did not),
 * so sharing in the restored stage is exactly the captured stage's.
 */
class Identity {
  private readonly became = new Map<object, object>();
  private readonly taken = new Set<object>();

  known(value: object): object | undefined {
    return this.became.get(value);
  }

  isTaken(twin: object): boolean {
    return this.taken.has(twin);
  }

  bind(value: object, twin: object): void {
    this.became.set(value, twin);
    this.taken.add(twin);
  }

  /** `value` itself goes into the stage: its parts already bound elsewhere are swapped for what they became. */
  adopt(value: object): object {
    this.bind(value, value);
    if (ArrayBuffer.isView(value)) return value;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = this.adoptPart(value[i]);
    } else if (value instanceof Map) {
      for (const [k, x] of value) value.set(k, this.adoptPart(x));
    } else if (!(value instanceof Set)) {
      const o = value as Record<string, unknown>;
      for (const k of Object.keys(o)) o[k] = this.adoptPart(o[k]);
    }
    return value;
  }

  private adoptPart(x: unknown): unknown {
    if (x === null || typeof x !== 'object') return x;
    return this.known(x) ?? this.adopt(x);
  }
}

/**
 * Writes `value` into `twin` where it can (same kind of container, not yet taken),
 * returning what the field should hold afterwards: `twin` itself when written in
 * place, else `value` (adopted).
 */
function overlay(twin: unknown, value: unknown, id: Identity): unknown {
  if (value === null || typeof value !== 'object') return value;
  const known = id.known(value);
  if (known !== undefined) return known;
  if (twin === null || typeof twin !== 'object' || id.isTaken(twin)) return id.adopt(value);
  if (Object.isFrozen(twin) && !ArrayBuffer.isView(twin)) {
    // configuration: never written into; an equal value is the twin's own object, another one (a
    // pointer that moved to another market's parameters, say) is taken as captured
    if (!isDeepStrictEqual(twin, value)) return id.adopt(value);
    id.bind(value, twin);
    return twin;
  }
  if (ArrayBuffer.isView(twin) && ArrayBuffer.isView(value)) {
    if (twin.constructor === value.constructor && (twin as Uint8Array).length === (value as Uint8Array).length) {
      (twin as Uint8Array).set(value as Uint8Array);
      id.bind(value, twin);
      return twin;
    }
    return id.adopt(value);
  }
  if (Array.isArray(twin) && Array.isArray(value)) {
    id.bind(value, twin);
    if (twin.length === value.length) {
      const old = [...twin];
      twin.length = 0;
      for (let i = 0; i < value.length; i++) twin.push(overlay(old[i], value[i], id));
    } else {
      twin.length = 0;
      for (let i = 0; i < value.length; i++) twin.push(part(value[i], id));
    }
    return twin;
  }
  if (twin instanceof Map && value instanceof Map) {
    id.bind(value, twin);
    if (twin.size === 0) {
      for (const [k, x] of value) twin.set(k, part(x, id));
      return twin;
    }
    const old = new Map(twin);
    twin.clear();
    for (const [k, x] of value) twin.set(k, old.has(k) ? overlay(old.get(k), x, id) : part(x, id));
    return twin;
  }
  if (twin instanceof Set && value instanceof Set) {
    id.bind(value, twin);
    twin.clear();
    for (const x of value) twin.add(x);
    return twin;
  }
  if (isPlainObject(twin) && isPlainObject(value) && !Array.isArray(value) && !(value instanceof Map) && !(value instanceof Set) && !ArrayBuffer.isView(value)) {
    id.bind(value, twin);
    const t = twin as Record<string, unknown>;
    const v = value as Record<string, unknown>;
    for (const k of Object.keys(t)) if (!(k in v)) delete t[k];
    for (const k of Object.keys(v)) t[k] = overlay(t[k], v[k], id);
    return twin;
  }
  return id.adopt(value);
}

/** An element taken as captured: a primitive as it is, an object as what it became (or adopted). */
function part(x: unknown, id: Identity): unknown {
  if (x === null || typeof x !== 'object') return x;
  return id.known(x) ?? id.adopt(x);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v instanceof Map) return `a Map of ${v.size}`;
  if (v === null) return 'null';
  if (typeof v === 'object') return `a ${(v as object).constructor?.name ?? 'object'}`;
  return typeof v;
}

/**
 * Overlays `frame` (from `captureGraph`) onto `twin`, the root of a fresh stage built
 * from the same configuration. Checks the whole shape first; throws
 * `SnapshotShapeError` (nothing written) on any mismatch.
 */
export function restoreGraph(twin: object, frame: Frame, options: CaptureOptions = {}): void {
  const restore = new Restore(options.skip ?? (() => false));
  restore.container(twin, frame, '$');
  for (const write of restore.writes) write();
}
