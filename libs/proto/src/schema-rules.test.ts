/**
 * The house rules of the wire, checked on the .proto sources themselves:
 * no floats, unit-named numbers, 0 = UNSPECIFIED, versioned names, and envelopes
 * that carry a schema major, a stage sequence and a timestamp.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allEnums, allTypes, loadSchema } from './schema-reflection.test-support.js';

const root = loadSchema();
const types = allTypes(root);
const ENVELOPES = [
  'perpcore.matching.v1.MatchingCommandV1',
  'perpcore.matching.v1.MatchingEventV1',
  'perpcore.risk.v1.AccountCommandV1',
  'perpcore.risk.v1.SpotCommandV1',
  'perpcore.risk.v1.RiskEventV1',
  'perpcore.liquidation.v1.LiquidationEventV1',
  'perpcore.oracle.v1.OracleEventV1',
];
// A 64-bit number names its unit (or is an id / sequence); 32-bit fields are counts, ids and small settings.
const INT64_NAME = /(Ticks|Subticks|Lots|Units|E8|Ns|Id|Seq|^seq)$/;

test('the schema has no float or double field (money and prices are integers)', () => {
  const floats = types.flatMap((t) => t.fieldsArray.filter((f) => f.type === 'float' || f.type === 'double').map((f) => f.fullName));
  assert.deepEqual(floats, []);
});

test('every 64-bit field names its unit, or is an id or a sequence', () => {
  const bad = types.flatMap((t) =>
    t.fieldsArray.filter((f) => /64$/.test(f.type) && !INT64_NAME.test(f.name)).map((f) => `${f.fullName} (${f.name})`),
  );
  assert.deepEqual(bad, []);
});

test('every enum starts with <NAME>_UNSPECIFIED = 0', () => {
  for (const e of allEnums(root)) {
    const zero = Object.entries(e.values).find(([, v]) => v === 0);
    assert.ok(zero, `${e.fullName} has no 0 value`);
    assert.match(zero[0], /_UNSPECIFIED$/, e.fullName);
  }
});

test('every message is versioned (…V1) in a perpcore.<domain>.v1 package', () => {
  for (const t of types) {
    assert.match(t.fullName, /^\.?perpcore\.[a-z]+\.v1\.[A-Za-z]+V1$/, t.fullName);
  }
});

test('every envelope carries schema_major = field 1, its stage sequence, a timestamp and one oneof payload', () => {
  for (const name of ENVELOPES) {
    const t = root.lookupType(name);
    assert.equal(t.fields.schemaMajor?.id, 1, `${name}.schema_major`);
    assert.equal(t.fields.seq?.type, 'uint64', `${name}.seq`);
    assert.equal(t.fields.tsNs?.type, 'int64', `${name}.ts_ns`);
    assert.equal(t.oneofsArray.length, 1, `${name} oneof`);
  }
});
