/**
 * The plain decoders agree with the envelope codecs: their tables restate the
 * .proto sources exactly; on every valid message they give the codec's value as a
 * plain object in schema order; on damaged bytes they either step aside
 * (undefined) or give what the codec gives, never a value the codec refuses.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { matchingCommandCodec, matchingEventCodec, oracleEventCodec, perpcore, type WireCodec } from './index.js';
import { protobufMatchingCommandCodec, protobufMatchingEventCodec, protobufOracleEventCodec } from './envelopes.js';
import type { PlainFieldKind, PlainMessage } from './plain-decoder.js';
import { decodeMatchingCommandPlain, decodeMatchingEventPlain, decodeOracleEventPlain, matchingCommandTable, matchingEventTable, oracleEventTable } from './plain-envelope-decoders.js';
import { loadSchema, messageArbitrary } from './schema-reflection.test-support.js';

const root = loadSchema();
type Value = Record<string, unknown>;

// `codec` is the protobufjs codec alone (the reference); `fast` the exported one, which tries the plain decoder first
const cases: { table: PlainMessage; codec: WireCodec<never>; fast: WireCodec<never>; decodePlain: (bytes: Uint8Array, start?: number) => unknown }[] = [
  { table: matchingCommandTable, codec: protobufMatchingCommandCodec as WireCodec<never>, fast: matchingCommandCodec as WireCodec<never>, decodePlain: decodeMatchingCommandPlain },
  { table: oracleEventTable, codec: protobufOracleEventCodec as WireCodec<never>, fast: oracleEventCodec as WireCodec<never>, decodePlain: decodeOracleEventPlain },
  { table: matchingEventTable, codec: protobufMatchingEventCodec as WireCodec<never>, fast: matchingEventCodec as WireCodec<never>, decodePlain: decodeMatchingEventPlain },
];

function kindOf(field: protobuf.Field): PlainFieldKind | string {
  if (field.resolvedType instanceof protobuf.Enum) return 'int32';
  if (field.resolvedType instanceof protobuf.Type) return 'message';
  return field.type;
}

function checkTable(table: PlainMessage, type: protobuf.Type): void {
  assert.equal(type.fullName.replace(/^\./, ''), table.name);
  const reflected = type.fieldsArray.map((f) => ({ id: f.id, name: f.name, kind: kindOf(f), repeated: f.repeated, oneof: f.partOf !== null }));
  const restated = table.fields.map((f) => ({ id: f.id, name: f.name, kind: f.kind, repeated: f.repeated === true, oneof: f.oneof === true }));
  assert.deepEqual(restated, reflected, `${table.name}: the table differs from the .proto`);
  assert.equal(table.oneof, type.oneofsArray[0]?.name, `${table.name}: oneof`);
  for (const f of table.fields) if (f.message !== undefined) checkTable(f.message, type.fields[f.name]?.resolvedType as protobuf.Type);
}

/** The codec's decoded message as the plain object the fast path must build: every field own, schema order, the oneof last. */
function plainView(decoded: Value, type: protobuf.Type): Value {
  const out: Value = {};
  const one = (field: protobuf.Field, value: unknown): unknown => (field.resolvedType instanceof protobuf.Type && value != null ? plainView(value as Value, field.resolvedType) : value);
  for (const field of type.fieldsArray) {
    if (field.partOf !== null) continue;
    const value = decoded[field.name];
    out[field.name] = field.repeated ? (value as unknown[]).map((v) => one(field, v)) : one(field, value);
  }
  const oneof = type.oneofsArray[0];
  if (oneof !== undefined) {
    const member = decoded[oneof.name] as string | undefined;
    if (member !== undefined) {
      out[oneof.name] = member;
      out[member] = one(type.fields[member] as protobuf.Field, decoded[member]);
    }
  }
  return out;
}

/** A decoded value as the plain shape: the fast path's object already is; a protobufjs message is viewed as one. */
function asPlain(value: Value, type: protobuf.Type): Value {
  return Object.getPrototypeOf(value) === Object.prototype ? value : plainView(value, type);
}

function asciiStrings(value: unknown): unknown {
  if (typeof value === 'string') return /^[\x00-\x7f]*$/.test(value) ? value : [...value].map((c) => (c.codePointAt(0) as number).toString(16)).join('');
  if (Array.isArray(value)) return value.map(asciiStrings);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asciiStrings(v)]));
  return value;
}

/** Deep equality that also holds the key order and the prototypes (JSON keeps the order; these messages hold no bytes or bigints). */
function assertSamePlain(actual: unknown, expected: unknown): void {
  assert.deepStrictEqual(actual, expected);
  assert.equal(JSON.stringify(actual), JSON.stringify(expected));
}

for (const { table, codec, fast, decodePlain } of cases) {
  const type = root.lookupType(codec.messageName);

  test(`${type.name}: the plain decoder's table restates the .proto`, () => checkTable(table, type));

  for (const member of type.oneofsArray[0].fieldsArray) {
    test(`${type.name}.${member.name}: the plain decoder gives the codec's value, as a plain object in schema order`, () => {
      fc.assert(
        fc.property(messageArbitrary(type, 0, member.name).map(asciiStrings), (value) => {
          const bytes = codec.encode(value as never);
          const generic = codec.decode(bytes);
          assert.ok(generic.ok);
          const plain = decodePlain(bytes);
          assert.notEqual(plain, undefined, 'a canonical ASCII message must take the fast path');
          assertSamePlain(plain, plainView(generic.value as Value, type));
          // from an offset, as the journal replay reads a record's body behind its kind and origin bytes
          assertSamePlain(decodePlain(Uint8Array.from([1, 0, ...bytes]), 2), plain);
          // the exported codec (what every bus consumer decodes with) takes the fast path
          const viaCodec = fast.decode(bytes);
          assert.ok(viaCodec.ok);
          assertSamePlain(viaCodec.value, plain);
        }),
        { numRuns: 150 },
      );
    });
  }

  test(`${type.name}: on damaged bytes the plain decoder steps aside or agrees with the codec`, () => {
    let handled = 0;
    fc.assert(
      fc.property(
        messageArbitrary(type).map(asciiStrings),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'cut')), { minLength: 1, maxLength: 3 }),
        (value, edits) => {
          let bytes = Array.from(codec.encode(value as never));
          for (const [at, byte, how] of edits) {
            const i = bytes.length === 0 ? 0 : at % bytes.length;
            if (how === 'set') bytes[i] = byte;
            else if (how === 'insert') bytes.splice(i, 0, byte);
            else bytes = bytes.slice(0, i);
          }
          const damaged = Uint8Array.from(bytes);
          // the exported codec accepts and refuses what the protobufjs codec does, with its codes
          const reference = codec.decode(damaged);
          const exported = fast.decode(damaged);
          assert.equal(exported.ok, reference.ok);
          if (!exported.ok && !reference.ok) assert.equal(exported.error.code, reference.error.code);
          if (exported.ok && reference.ok) assertSamePlain(asPlain(exported.value as Value, type), plainView(reference.value as Value, type));
          const plain = decodePlain(damaged);
          if (plain === undefined) return;
          handled++;
          const generic = codec.decode(damaged);
          assert.ok(generic.ok, `the fast path accepted bytes the codec refuses: ${generic.ok ? '' : generic.error.message}`);
          assertSamePlain(plain, plainView(generic.value as Value, type));
        },
      ),
      { numRuns: 1_000 },
    );
    assert.ok(handled > 0, 'some damaged messages still decode (a changed value), and must agree');
  });
}

const generated = perpcore.matching.v1.MatchingCommandV1;
const place = { orderId: 9, accountId: 7, side: 1, type: 1, timeInForce: 1, priceTicks: 100, qtyLots: 2, triggerPriceTicks: 0, triggerSource: 0, selfTradePrevention: 1, reduceOnly: false, clientOrderId: '', liquidationId: 0 };
const command = { schemaMajor: 1, market: 'BTCUSDT', seq: 3, tsNs: 1.7e18, source: 'gateway-sim', command: 'place', place };

test('an order command decodes to the embedded producers\' shape: own fields, the discriminator own, no prototype', () => {
  const plain = decodeMatchingCommandPlain(matchingCommandCodec.encode(command as never)) as unknown as Value;
  assert.equal(Object.getPrototypeOf(plain), Object.prototype);
  assert.deepEqual(Object.keys(plain), ['schemaMajor', 'market', 'seq', 'tsNs', 'source', 'command', 'place']);
  assert.deepEqual(Object.keys(plain.place as Value), Object.keys(place));
  assertSamePlain(plain, command);
});

test('what the codec refuses or merges, the plain decoder leaves to it', () => {
  const encode = (value: object) => generated.encode(value as never).finish();
  const refusedBy = (bytes: Uint8Array, code: string) => {
    assert.equal(decodeMatchingCommandPlain(bytes), undefined);
    const decoded = matchingCommandCodec.decode(bytes);
    assert.ok(!decoded.ok && decoded.error.code === code, decoded.ok ? 'accepted' : decoded.error.code);
  };
  refusedBy(encode({ ...command, schemaMajor: 2 }), 'PROTO_UNKNOWN_VERSION');
  refusedBy(encode({ ...command, schemaMajor: 0 }), 'PROTO_MALFORMED');
  refusedBy(encode({ schemaMajor: 1, market: 'BTCUSDT', seq: 3 }), 'PROTO_UNKNOWN_VERSION');
  refusedBy(encode({ ...command, seq: 2 ** 53 }), 'PROTO_OUT_OF_RANGE');
  refusedBy(encode({ ...command, place: { ...place, qtyLots: -(2 ** 53) } }), 'PROTO_OUT_OF_RANGE');
  // not refused, but not the fast path's: an unknown field (a later schema), a non-ASCII string, a member given twice
  const known = matchingCommandCodec.encode(command as never);
  const unknownField = Uint8Array.from([...known, 0x98, 0x06, 1]); // field 99, varint 1
  assert.equal(decodeMatchingCommandPlain(unknownField), undefined);
  assert.ok(matchingCommandCodec.decode(unknownField).ok);
  const nonAscii = matchingCommandCodec.encode({ ...command, market: 'BTC€' } as never);
  assert.equal(decodeMatchingCommandPlain(nonAscii), undefined);
  assert.equal((matchingCommandCodec.decode(nonAscii) as unknown as { value: Value }).value.market, 'BTC€');
  const twice = Uint8Array.from([...known, ...encode({ place: { qtyLots: 5 } })]);
  assert.equal(decodeMatchingCommandPlain(twice), undefined);
  assert.equal((matchingCommandCodec.decode(twice) as unknown as { value: { place: Value } }).value.place.orderId, 9, 'protobufjs merges the second place into the first');
});
