import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeCoreInput, encodeCoreInput, InputKind, InputOrigin } from './core-input-record.js';

const scratch = { buffer: Buffer.alloc(4) };

test('a time advance round-trips as the exact JS number', () => {
  fc.assert(
    fc.property(fc.double({ min: 1, max: 2 ** 63, noNaN: true }), fc.constantFrom(InputOrigin.sim, InputOrigin.external), (tsNs, origin) => {
      const { input, origin: back } = decodeCoreInput(1, encodeCoreInput(scratch, InputKind.time, origin, tsNs));
      return input.kind === InputKind.time && Object.is(input.value, tsNs) && back === origin;
    }),
  );
});

test('a decoded command has every field as its own, so a spread copy keeps the defaults the live run has', () => {
  const place = { orderId: 9, accountId: 7, side: 1, type: 1, timeInForce: 1, priceTicks: 100, qtyLots: 2, triggerPriceTicks: 0, triggerSource: 0, selfTradePrevention: 1, reduceOnly: false, clientOrderId: '', liquidationId: 0 };
  const command = { schemaMajor: 1, market: 'BTCUSDT', seq: 3, tsNs: 5, source: 'gateway-sim', command: 'place', place };
  const { input } = decodeCoreInput(4, encodeCoreInput(scratch, InputKind.order, InputOrigin.sim, command));
  assert.equal(input.kind, InputKind.order);
  const copied = { ...(input.value as unknown as { place: object }).place };
  assert.deepEqual(copied, place);
});

test('a record that is not a core input is refused, naming its seq', () => {
  assert.throws(() => decodeCoreInput(17, Uint8Array.from([9, 0, 1, 2])), /journal record 17: unknown input kind 9/);
  assert.throws(() => decodeCoreInput(18, Uint8Array.from([4, 0, 1])), /journal record 18: a time advance must be 10 bytes/);
  assert.throws(() => decodeCoreInput(19, Uint8Array.from([1, 7])), /journal record 19: not a core input/);
});
