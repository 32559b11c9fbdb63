/**
 * Test support: the .proto sources loaded by reflection (full protobufjs parser),
 * and fast-check arbitraries that build a valid value of any message from its
 * descriptor. The round-trip tests use them, so a message added to proto/ is
 * covered without touching the tests.
 */
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import protobuf from 'protobufjs';

export const protoDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'proto');

function listProtos(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) listProtos(path, out);
    else if (name.endsWith('.proto')) out.push(path);
  }
  return out;
}

export function loadSchema(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : join(protoDir, target));
  root.loadSync(listProtos(protoDir));
  root.resolveAll();
  return root;
}

export function allTypes(ns: protobuf.NamespaceBase, out: protobuf.Type[] = []): protobuf.Type[] {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Type) out.push(nested);
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) allTypes(nested, out);
  }
  return out;
}

export function allEnums(ns: protobuf.NamespaceBase, out: protobuf.Enum[] = []): protobuf.Enum[] {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Enum) out.push(nested);
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) allEnums(nested, out);
  }
  return out;
}

type Value = Record<string, unknown>;
const TWO_POW_62 = 2n ** 62n;

function scalarArbitrary(field: protobuf.Field): fc.Arbitrary<unknown> {
  const name = field.name;
  switch (field.type) {
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      if (name.endsWith('Ns')) return fc.bigInt({ min: -TWO_POW_62, max: TWO_POW_62 }).map((n) => Number(n));
      return fc.maxSafeInteger();
    case 'uint64':
    case 'fixed64':
      if (name.endsWith('Ns')) return fc.bigInt({ min: 0n, max: TWO_POW_62 }).map((n) => Number(n));
      return fc.maxSafeNat();
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return fc.integer();
    case 'uint32':
    case 'fixed32':
      return name === 'schemaMajor' ? fc.constant(1) : fc.nat({ max: 0xffff_ffff });
    case 'bool':
      return fc.boolean();
    case 'string':
      if (name.endsWith('Units')) return fc.bigInt({ min: -(10n ** 39n), max: 10n ** 39n }).map((n) => n.toString());
      return fc.string({ unit: 'grapheme', maxLength: 12 });
    case 'bytes':
      return fc.uint8Array({ maxLength: 8 });
    default:
      throw new Error(`no arbitrary for ${field.type} (${field.fullName})`);
  }
}

function fieldArbitrary(field: protobuf.Field, depth: number): fc.Arbitrary<unknown> {
  const resolved = field.resolvedType;
  let single: fc.Arbitrary<unknown>;
  if (resolved instanceof protobuf.Enum) single = fc.constantFrom(...Object.values(resolved.values));
  else if (resolved instanceof protobuf.Type) single = messageArbitrary(resolved, depth + 1);
  else single = scalarArbitrary(field);
  return field.repeated ? fc.array(single, { maxLength: 3 }) : single;
}

/** A valid value of `type`; `fixedCase` pins the payload case of the type's oneof. */
export function messageArbitrary(type: protobuf.Type, depth = 0, fixedCase?: string): fc.Arbitrary<Value> {
  if (depth > 6) throw new Error(`${type.fullName}: nesting too deep for the arbitrary`);
  const plain: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of type.fieldsArray) if (field.partOf === null) plain[field.name] = fieldArbitrary(field, depth);
  const base = fc.record(plain) as fc.Arbitrary<Value>;
  if (type.oneofsArray.length === 0) return base;
  if (type.oneofsArray.length > 1) throw new Error(`${type.fullName}: one oneof per message expected`);
  const oneof = type.oneofsArray[0];
  const members = oneof.fieldsArray.filter((m) => fixedCase === undefined || m.name === fixedCase);
  if (members.length === 0) throw new Error(`${type.fullName}: no oneof case ${fixedCase}`);
  const payload = fc.oneof(...members.map((m) => fieldArbitrary(m, depth).map((v) => ({ [oneof.name]: m.name, [m.name]: v }))));
  return fc.tuple(base, payload).map(([b, p]) => ({ ...b, ...p }));
}

/** Deep comparison of a decoded message (defaults on its prototype) with the plain value it was encoded from. */
export function matchesPlain(actual: unknown, expected: unknown, path = ''): string | null {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return `${path}: array length differs`;
    for (let i = 0; i < expected.length; i++) {
      const bad = matchesPlain(actual[i], expected[i], `${path}[${i}]`);
      if (bad !== null) return bad;
    }
    return null;
  }
  if (expected instanceof Uint8Array) {
    return actual instanceof Uint8Array && Buffer.from(actual).equals(Buffer.from(expected)) ? null : `${path}: bytes differ`;
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null) return `${path}: expected a message`;
    for (const [key, value] of Object.entries(expected)) {
      const bad = matchesPlain((actual as Value)[key], value, `${path}.${key}`);
      if (bad !== null) return bad;
    }
    return null;
  }
  return Object.is(actual, expected) ? null : `${path}: ${String(actual)} !== ${String(expected)}`;
}
