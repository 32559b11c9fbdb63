/**
 * Bad bytes never throw out of a decode: truncated, garbled, other-version and
 * out-of-range inputs come back as typed errors; encoding an out-of-range value
 * throws before anything reaches the wire.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import protobuf from 'protobufjs/minimal.js';
import {
  type MatchingEventV1,
  ProtoCodecError,
  ProtoErrorCode,
  accountCommandCodec,
  spotCommandCodec,
  decodeMatchingEvent,
  encodeMatchingEvent,
  liquidationEventCodec,
  matchingAccountEventCodec,
  matchingCommandCodec,
  matchingEventCodec,
  oracleEventCodec,
  riskEventCodec,
  sideFromWire,
  sideToWire,
} from './index.js';

function fill(overrides: Partial<NonNullable<MatchingEventV1['filled']>> = {}, tsNs = 1_732_500_000_123_456_789): MatchingEventV1 {
  return {
    schemaMajor: 1, market: 'BTC-USDT', seq: 42, tsNs, inputSource: 'risk-0', inputSeq: 7, event: 'filled',
    filled: {
      tradeSeq: 9, makerOrderId: 11, makerAccountId: 1, takerOrderId: 12, takerAccountId: 2, takerSide: 1,
      priceTicks: 5_000_000, qtyLots: 3, makerRemainingLots: 0, takerRemainingLots: 2, fillType: 1, liquidationId: 0,
      ...overrides,
    },
  };
}

function codeOf(result: ReturnType<typeof decodeMatchingEvent>): string {
  return result.ok ? 'ok' : result.error.code;
}

/** Hand-written envelope bytes: schema_major, then an arbitrary extra field. */
function rawEnvelope(schemaMajor: number, extra: (w: protobuf.Writer) => void): Uint8Array {
  const w = protobuf.Writer.create();
  if (schemaMajor !== 0) w.uint32((1 << 3) | 0).uint32(schemaMajor);
  w.uint32((2 << 3) | 2).string('BTC-USDT');
  extra(w);
  return w.finish();
}

test('every strict prefix of a valid message is rejected as malformed or incomplete', () => {
  const bytes = encodeMatchingEvent(fill());
  for (let length = 0; length < bytes.length; length++) {
    const result = decodeMatchingEvent(bytes.subarray(0, length));
    assert.equal(result.ok, false, `prefix of ${length} bytes decoded`);
  }
});

test('a prefix cut inside a field is PROTO_MALFORMED', () => {
  const bytes = encodeMatchingEvent(fill());
  assert.equal(codeOf(decodeMatchingEvent(bytes.subarray(0, bytes.length - 1))), ProtoErrorCode.Malformed);
  assert.equal(codeOf(decodeMatchingEvent(bytes.subarray(0, 3))), ProtoErrorCode.Malformed);
});

test('arbitrary bytes never throw out of any decoder', () => {
  const decoders = [matchingCommandCodec, matchingEventCodec, matchingAccountEventCodec, accountCommandCodec, spotCommandCodec, riskEventCodec, liquidationEventCodec, oracleEventCodec];
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      for (const codec of decoders) {
        const result = codec.decode(bytes);
        if (!result.ok) assert.ok(result.error instanceof ProtoCodecError);
      }
    }),
    { numRuns: 500 },
  );
});

test('schema_major other than 1 is PROTO_UNKNOWN_VERSION; absent is PROTO_MALFORMED', () => {
  const payload = (w: protobuf.Writer) => w.uint32((16 << 3) | 2).fork().uint32((1 << 3) | 0).uint32(1).ldelim();
  assert.equal(codeOf(decodeMatchingEvent(rawEnvelope(1, payload))), 'ok');
  assert.equal(codeOf(decodeMatchingEvent(rawEnvelope(2, payload))), ProtoErrorCode.UnknownVersion);
  assert.equal(codeOf(decodeMatchingEvent(rawEnvelope(0, payload))), ProtoErrorCode.Malformed);
});

test('a payload case this schema does not know (a later oneof member) is PROTO_UNKNOWN_VERSION', () => {
  const laterCase = (w: protobuf.Writer) => w.uint32((99 << 3) | 2).fork().uint32((1 << 3) | 0).uint32(5).ldelim();
  assert.equal(codeOf(decodeMatchingEvent(rawEnvelope(1, laterCase))), ProtoErrorCode.UnknownVersion);
});

test('int64 beyond 2^53 − 1 decodes to PROTO_OUT_OF_RANGE, not a rounded number', () => {
  // An OrderFilledV1 body holding only price_ticks (field 7, varint) as raw varint bytes.
  const withPrice = (varint: number[]) =>
    rawEnvelope(1, (w) => w.uint32((12 << 3) | 2).bytes(Uint8Array.from([(7 << 3) | 0, ...varint])));
  const maxSafe = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]; // 2^53 − 1
  const twoPow53 = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10];
  const int64Max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
  const ok = decodeMatchingEvent(withPrice(maxSafe));
  assert.ok(ok.ok && ok.value.filled?.priceTicks === Number.MAX_SAFE_INTEGER, codeOf(ok));
  assert.equal(codeOf(decodeMatchingEvent(withPrice(twoPow53))), ProtoErrorCode.OutOfRange);
  assert.equal(codeOf(decodeMatchingEvent(withPrice(int64Max))), ProtoErrorCode.OutOfRange);
});

test('negative int64 and the full safe range round-trip exactly', () => {
  for (const priceTicks of [-1, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 2 ** 32, -(2 ** 32) - 1]) {
    const decoded = decodeMatchingEvent(encodeMatchingEvent(fill({ priceTicks })));
    assert.ok(decoded.ok);
    assert.equal(decoded.value.filled?.priceTicks, priceTicks);
  }
});

test('encoding a value out of range throws PROTO_OUT_OF_RANGE and names the field', () => {
  for (const bad of [2 ** 53, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => encodeMatchingEvent(fill({ qtyLots: bad })), (e: unknown) => e instanceof ProtoCodecError && e.code === ProtoErrorCode.OutOfRange && /filled\.qtyLots/.test(e.message));
  }
});

test('timestamps beyond 2^53 ns round-trip bit-exactly; a fractional one is rejected', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 2n ** 62n }), (ns) => {
      const tsNs = Number(ns);
      const decoded = decodeMatchingEvent(encodeMatchingEvent(fill({}, tsNs)));
      assert.ok(decoded.ok);
      assert.equal(decoded.value.tsNs, tsNs);
    }),
  );
  assert.throws(() => encodeMatchingEvent(fill({}, 1.5)), ProtoCodecError);
});

test('money totals carried as strings must be canonical decimal integers', () => {
  const accepted = (balanceAfterUnits: string) => ({
    schemaMajor: 1, seq: 1, tsNs: 1, source: 'risk-0', accountId: 7, market: '',
    event: 'commandAccepted' as const, commandAccepted: { commandId: 3, asset: 'USDT', balanceAfterUnits, leverage: 0, marginMode: 0, firstEventSeq: 0 },
  });
  for (const good of ['0', '-12', '123456789012345678901234567890', '']) {
    const decoded = riskEventCodec.decode(riskEventCodec.encode(accepted(good)));
    assert.ok(decoded.ok);
    assert.equal(decoded.value.commandAccepted?.balanceAfterUnits, good);
  }
  for (const bad of ['01', '-0', '+5', '1.5', '1e3', ' 1', '12345678901234567890123456789012345678901']) {
    assert.throws(() => riskEventCodec.encode(accepted(bad)), (e: unknown) => e instanceof ProtoCodecError && e.code === ProtoErrorCode.OutOfRange, bad);
  }
});

test('an envelope without a payload cannot be encoded', () => {
  const empty = { ...fill(), event: undefined, filled: undefined } as unknown as MatchingEventV1;
  assert.throws(() => encodeMatchingEvent(empty), (e: unknown) => e instanceof ProtoCodecError && e.code === ProtoErrorCode.UnknownVersion);
});

test('side maps between the signed domain value and the wire enum', () => {
  assert.equal(sideToWire(1), 1);
  assert.equal(sideToWire(-1), 2);
  assert.equal(sideFromWire(1), 1);
  assert.equal(sideFromWire(2), -1);
  assert.equal(sideFromWire(0), undefined);
  assert.equal(sideFromWire(3), undefined);
});
