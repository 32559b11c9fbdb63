/**
 * Every payload case of every envelope survives encode → decode unchanged
 * (property test over values generated from the .proto descriptors), and a
 * decoded message's unset int64 fields read as the number 0, never a Long.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  accountCommandCodec,
  spotCommandCodec,
  liquidationEventCodec,
  matchingAccountEventCodec,
  matchingCommandCodec,
  matchingEventCodec,
  oracleEventCodec,
  riskEventCodec,
  type WireCodec,
} from './index.js';
import { loadSchema, matchesPlain, messageArbitrary } from './schema-reflection.test-support.js';

const root = loadSchema();
const codecs: WireCodec<never>[] = [
  matchingCommandCodec,
  matchingEventCodec,
  accountCommandCodec,
  spotCommandCodec,
  riskEventCodec,
  liquidationEventCodec,
  oracleEventCodec,
] as WireCodec<never>[];

for (const codec of codecs) {
  const type = root.lookupType(codec.messageName);
  for (const member of type.oneofsArray[0].fieldsArray) {
    test(`${type.name}.${member.name} round-trips`, () => {
      fc.assert(
        fc.property(messageArbitrary(type, 0, member.name), (value) => {
          const decoded = codec.decode(codec.encode(value as never));
          assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.message);
          assert.equal(matchesPlain(decoded.value, value), null);
        }),
        { numRuns: 60 },
      );
    });
  }
}

test('MatchingAccountEventV1 round-trips with every matching event inside', () => {
  const type = root.lookupType(matchingAccountEventCodec.messageName);
  fc.assert(
    fc.property(messageArbitrary(type), (value) => {
      const decoded = matchingAccountEventCodec.decode(matchingAccountEventCodec.encode(value as never));
      assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.message);
      assert.equal(matchesPlain(decoded.value, value), null);
    }),
    { numRuns: 200 },
  );
});

test('unset int64 fields decode as the number 0 (Long is switched off)', () => {
  const bytes = matchingEventCodec.encode({
    schemaMajor: 1, market: 'BTC-USDT', seq: 1, tsNs: 0, inputSource: '', inputSeq: 0,
    event: 'bookDelta', bookDelta: { side: 1, priceTicks: 0, levelQtyLots: 0 },
  });
  const decoded = matchingEventCodec.decode(bytes);
  assert.ok(decoded.ok);
  assert.equal(decoded.value.tsNs, 0);
  assert.equal(typeof decoded.value.bookDelta?.priceTicks, 'number');
  assert.equal(decoded.value.bookDelta?.levelQtyLots, 0);
});
