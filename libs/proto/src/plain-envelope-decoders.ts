/**
 * Plain-object decoders (plain-decoder.ts) for the envelopes the embedded journal
 * holds nearly all of, order commands (`MatchingCommandV1`) and index prices
 * (`OracleEventV1`), and for the one every cluster consumer reads most of, matching's
 * fills and order state (`MatchingEventV1`). Each returns undefined for bytes the
 * fast path does not handle; decode those with the protobufjs decoder, which has the
 * final word, errors included (the envelope codecs, envelopes.ts, try these first).
 *
 * The tables restate proto/perpcore/matching/v1/commands.proto, events.proto,
 * market-halt.proto and oracle/v1/events.proto; plain-decoder.test.ts fails when
 * they drift from the .proto sources (a field added, renumbered or retyped).
 */
import type { MatchingCommandV1, MatchingEventV1, OracleEventV1 } from './envelopes.js';
import { decodePlain, type PlainMessage } from './plain-decoder.js';

const placeOrder: PlainMessage = {
  name: 'perpcore.matching.v1.PlaceOrderV1',
  fields: [
    { id: 1, name: 'orderId', kind: 'uint64' },
    { id: 2, name: 'accountId', kind: 'uint32' },
    { id: 3, name: 'side', kind: 'int32' },
    { id: 4, name: 'type', kind: 'int32' },
    { id: 5, name: 'timeInForce', kind: 'int32' },
    { id: 6, name: 'priceTicks', kind: 'int64' },
    { id: 7, name: 'qtyLots', kind: 'int64' },
    { id: 8, name: 'triggerPriceTicks', kind: 'int64' },
    { id: 9, name: 'triggerSource', kind: 'int32' },
    { id: 10, name: 'selfTradePrevention', kind: 'int32' },
    { id: 11, name: 'reduceOnly', kind: 'bool' },
    { id: 12, name: 'clientOrderId', kind: 'string' },
    { id: 13, name: 'liquidationId', kind: 'uint64' },
  ],
};

const cancelOrder: PlainMessage = {
  name: 'perpcore.matching.v1.CancelOrderV1',
  fields: [
    { id: 1, name: 'orderId', kind: 'uint64' },
    { id: 2, name: 'accountId', kind: 'uint32' },
  ],
};

const amendOrder: PlainMessage = {
  name: 'perpcore.matching.v1.AmendOrderV1',
  fields: [
    { id: 1, name: 'orderId', kind: 'uint64' },
    { id: 2, name: 'accountId', kind: 'uint32' },
    { id: 3, name: 'priceTicks', kind: 'int64' },
    { id: 4, name: 'qtyLots', kind: 'int64' },
  ],
};

const cancelAllOrders: PlainMessage = {
  name: 'perpcore.matching.v1.CancelAllOrdersV1',
  fields: [
    { id: 1, name: 'accountId', kind: 'uint32' },
    { id: 2, name: 'reason', kind: 'int32' },
  ],
};

const haltMarket: PlainMessage = { name: 'perpcore.matching.v1.HaltMarketV1', fields: [{ id: 1, name: 'reason', kind: 'string' }] };
const resumeMarket: PlainMessage = { name: 'perpcore.matching.v1.ResumeMarketV1', fields: [] };

export const matchingCommandTable: PlainMessage = {
  name: 'perpcore.matching.v1.MatchingCommandV1',
  oneof: 'command',
  fields: [
    { id: 1, name: 'schemaMajor', kind: 'uint32' },
    { id: 2, name: 'market', kind: 'string' },
    { id: 3, name: 'seq', kind: 'uint64' },
    { id: 4, name: 'tsNs', kind: 'int64' },
    { id: 5, name: 'source', kind: 'string' },
    { id: 10, name: 'place', kind: 'message', message: placeOrder, oneof: true },
    { id: 11, name: 'cancel', kind: 'message', message: cancelOrder, oneof: true },
    { id: 12, name: 'amend', kind: 'message', message: amendOrder, oneof: true },
    { id: 13, name: 'cancelAll', kind: 'message', message: cancelAllOrders, oneof: true },
    { id: 14, name: 'haltMarket', kind: 'message', message: haltMarket, oneof: true },
    { id: 15, name: 'resumeMarket', kind: 'message', message: resumeMarket, oneof: true },
  ],
};

const indexSource: PlainMessage = {
  name: 'perpcore.oracle.v1.IndexSourceV1',
  fields: [
    { id: 1, name: 'source', kind: 'string' },
    { id: 2, name: 'priceSubticks', kind: 'int64' },
    { id: 3, name: 'weightE8', kind: 'uint32' },
    { id: 4, name: 'used', kind: 'bool' },
  ],
};

const indexPrice: PlainMessage = {
  name: 'perpcore.oracle.v1.IndexPriceV1',
  fields: [
    { id: 1, name: 'priceSubticks', kind: 'int64' },
    { id: 2, name: 'sources', kind: 'message', message: indexSource, repeated: true },
  ],
};

export const oracleEventTable: PlainMessage = {
  name: 'perpcore.oracle.v1.OracleEventV1',
  oneof: 'event',
  fields: [
    { id: 1, name: 'schemaMajor', kind: 'uint32' },
    { id: 2, name: 'seq', kind: 'uint64' },
    { id: 3, name: 'tsNs', kind: 'int64' },
    { id: 4, name: 'source', kind: 'string' },
    { id: 5, name: 'symbol', kind: 'string' },
    { id: 10, name: 'indexPrice', kind: 'message', message: indexPrice, oneof: true },
  ],
};

const orderAccepted: PlainMessage = {
  name: 'perpcore.matching.v1.OrderAcceptedV1',
  fields: [
    { id: 1, name: 'orderId', kind: 'uint64' },
    { id: 2, name: 'accountId', kind: 'uint32' },
    { id: 3, name: 'side', kind: 'int32' },
    { id: 4, name: 'type', kind: 'int32' },
    { id: 5, name: 'timeInForce', kind: 'int32' },
    { id: 6, name: 'priceTicks', kind: 'int64' },
    { id: 7, name: 'qtyLots', kind: 'int64' },
    { id: 8, name: 'triggerPriceTicks', kind: 'int64' },
    { id: 9, name: 'reduceOnly', kind: 'bool' },
    { id: 10, name: 'liquidationId', kind: 'uint64' },
  ],
};

const orderRejected: PlainMessage = {
  name: 'perpcore.matching.v1.OrderRejectedV1',
  fields: [
    { id: 1, name: 'orderId', kind: 'uint64' },
    { id: 2, name: 'accountId', kind: 'uint32' },
    { id: 3, name: 'code', kind: 'string' },
    { id: 4, name: 'message', kind: 'string' },
  ],
};

const orderFilled: PlainMessage = {
  name: 'perpcore.matching.v1.OrderFilledV1',
  fields: [
    { id: 1, name: 'tradeSeq', kind: 'uint64' },
    { id: 2, name: 'makerOrderId', kind: 'uint64' },
    { id: 3, name: 'makerAccountId', kind: 'uint32' },
    { id: 4, name: 'takerOrderId', kind: 'uint64' },
    { id: 5, name: 'takerAccountId', kind: 'uint32' },
    { id: 6, name: 'takerSide', kind: 'int32' },
    { id: 7, name: 'priceTicks', kind: 'int64' },
    { id: 8, name: 'qtyLots', kind: 'int64' },
    { id: 9, name: 'makerRemainingLots', kind: 'int64' },
    { id: 10, name: 'takerRemainingLots', kind: 'int64' },
    { id: 11, name: 'fillType', kind: 'int32' },
    { id: 12, name: 'liquidationId', kind: 'uint64' },
  ],
};

const orderCanceled: PlainMessage = {
  name: 'perpcore.matching.v1.OrderCanceledV1',
  fields: [
    { id: 1, name: 'orderId', kind: 'uint64' },
    { id: 2, name: 'accountId', kind: 'uint32' },
    { id: 3, name: 'side', kind: 'int32' },
    { id: 4, name: 'priceTicks', kind: 'int64' },
    { id: 5, name: 'canceledLots', kind: 'int64' },
    { id: 6, name: 'reason', kind: 'int32' },
  ],
};

const orderAmended: PlainMessage = {
  name: 'perpcore.matching.v1.OrderAmendedV1',
  fields: [
    { id: 1, name: 'orderId', kind: 'uint64' },
    { id: 2, name: 'accountId', kind: 'uint32' },
    { id: 3, name: 'side', kind: 'int32' },
    { id: 4, name: 'oldPriceTicks', kind: 'int64' },
    { id: 5, name: 'oldQtyLots', kind: 'int64' },
    { id: 6, name: 'priceTicks', kind: 'int64' },
    { id: 7, name: 'qtyLots', kind: 'int64' },
    { id: 8, name: 'keptPriority', kind: 'bool' },
  ],
};

const orderTriggered: PlainMessage = {
  name: 'perpcore.matching.v1.OrderTriggeredV1',
  fields: [
    { id: 1, name: 'orderId', kind: 'uint64' },
    { id: 2, name: 'accountId', kind: 'uint32' },
    { id: 3, name: 'triggerPriceTicks', kind: 'int64' },
    { id: 4, name: 'crossingPriceTicks', kind: 'int64' },
  ],
};

const bookDelta: PlainMessage = {
  name: 'perpcore.matching.v1.BookDeltaV1',
  fields: [
    { id: 1, name: 'side', kind: 'int32' },
    { id: 2, name: 'priceTicks', kind: 'int64' },
    { id: 3, name: 'levelQtyLots', kind: 'int64' },
  ],
};

const bookLevel: PlainMessage = {
  name: 'perpcore.matching.v1.BookLevelV1',
  fields: [
    { id: 1, name: 'priceTicks', kind: 'int64' },
    { id: 2, name: 'qtyLots', kind: 'int64' },
  ],
};

const bookSample: PlainMessage = {
  name: 'perpcore.matching.v1.BookSampleV1',
  fields: [
    { id: 1, name: 'sampledAtNs', kind: 'int64' },
    { id: 2, name: 'bids', kind: 'message', message: bookLevel, repeated: true },
    { id: 3, name: 'asks', kind: 'message', message: bookLevel, repeated: true },
  ],
};

const marketHalted: PlainMessage = { name: 'perpcore.matching.v1.MarketHaltedV1', fields: [{ id: 1, name: 'reason', kind: 'string' }] };
const marketResumed: PlainMessage = { name: 'perpcore.matching.v1.MarketResumedV1', fields: [] };

export const matchingEventTable: PlainMessage = {
  name: 'perpcore.matching.v1.MatchingEventV1',
  oneof: 'event',
  fields: [
    { id: 1, name: 'schemaMajor', kind: 'uint32' },
    { id: 2, name: 'market', kind: 'string' },
    { id: 3, name: 'seq', kind: 'uint64' },
    { id: 4, name: 'tsNs', kind: 'int64' },
    { id: 5, name: 'inputSource', kind: 'string' },
    { id: 6, name: 'inputSeq', kind: 'uint64' },
    { id: 10, name: 'accepted', kind: 'message', message: orderAccepted, oneof: true },
    { id: 11, name: 'rejected', kind: 'message', message: orderRejected, oneof: true },
    { id: 12, name: 'filled', kind: 'message', message: orderFilled, oneof: true },
    { id: 13, name: 'canceled', kind: 'message', message: orderCanceled, oneof: true },
    { id: 14, name: 'amended', kind: 'message', message: orderAmended, oneof: true },
    { id: 15, name: 'triggered', kind: 'message', message: orderTriggered, oneof: true },
    { id: 16, name: 'bookDelta', kind: 'message', message: bookDelta, oneof: true },
    { id: 17, name: 'marketHalted', kind: 'message', message: marketHalted, oneof: true },
    { id: 18, name: 'marketResumed', kind: 'message', message: marketResumed, oneof: true },
    { id: 21, name: 'bookSample', kind: 'message', message: bookSample, oneof: true },
  ],
};

/** A matching event as a plain object, or undefined: decode with protobufjs (`matchingEventCodec` does both). */
export function decodeMatchingEventPlain(bytes: Uint8Array, start = 0): MatchingEventV1 | undefined {
  return decodePlain<MatchingEventV1>(matchingEventTable, bytes, start);
}

/** A matching command as a plain object, or undefined: decode with `matchingCommandCodec`. */
export function decodeMatchingCommandPlain(bytes: Uint8Array, start = 0): MatchingCommandV1 | undefined {
  return decodePlain<MatchingCommandV1>(matchingCommandTable, bytes, start);
}

/** An oracle event as a plain object, or undefined: decode with `oracleEventCodec`. */
export function decodeOracleEventPlain(bytes: Uint8Array, start = 0): OracleEventV1 | undefined {
  return decodePlain<OracleEventV1>(oracleEventTable, bytes, start);
}
