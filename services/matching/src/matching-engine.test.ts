import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMarketSpec, FillType, OrderType, TimeInForce } from '@perpcore/domain';
import { createReferenceOrderBook } from '@perpcore/orderbook';
import { matchingEventCodec, SCHEMA_MAJOR_V1, type MatchingCommandV1, type MatchingEventV1, perpcore } from '@perpcore/proto';
import { MatchingEngine, MatchingServiceReject } from './matching-engine.js';

const WireSide = perpcore.common.v1.Side;
const btc = createMarketSpec({
  symbol: 'BTCUSDT', baseAsset: 'BTC', settleAsset: 'USDT', settleDecimals: 6,
  tickSize: '0.1', lotSize: '0.001', maxPriceTicks: 10_000_000, maxQtyLots: 1_000_000, priceBandE8: 5_000_000,
});

function setup() {
  const events: MatchingEventV1[] = [];
  const engine = new MatchingEngine({
    markets: [btc],
    createBook: createReferenceOrderBook,
    // every event must survive the wire: encode and decode it as Kafka would
    publish: (e) => {
      const decoded = matchingEventCodec.decode(matchingEventCodec.encode(e));
      assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.message);
      events.push(e);
    },
  });
  let seq = 0;
  const send = (command: Partial<MatchingCommandV1>, market = 'BTCUSDT') =>
    engine.handle({ schemaMajor: SCHEMA_MAJOR_V1, market, seq: ++seq, tsNs: 1_000 + seq, source: 'risk-0', ...command } as MatchingCommandV1);
  const place = (o: Partial<perpcore.matching.v1.PlaceOrderV1>, market = 'BTCUSDT') =>
    send({
      command: 'place',
      place: {
        orderId: 1, accountId: 1, side: WireSide.SIDE_BUY, type: OrderType.Limit, timeInForce: TimeInForce.GoodTillCancel,
        priceTicks: 300_000, qtyLots: 10, triggerPriceTicks: 0, triggerSource: 0, selfTradePrevention: 0, reduceOnly: false,
        clientOrderId: '', liquidationId: 0, ...o,
      } as perpcore.matching.v1.PlaceOrderV1,
    }, market);
  return { engine, events, send, place };
}

describe('matching engine', () => {
  it('numbers every event of a market 1, 2, 3… and stamps the command time and source', () => {
    const { events, place } = setup();
    place({ orderId: 1, accountId: 1, side: WireSide.SIDE_SELL, priceTicks: 300_000, qtyLots: 5 });
    place({ orderId: 2, accountId: 2, side: WireSide.SIDE_BUY, priceTicks: 300_000, qtyLots: 3 });
    assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1));
    const fill = events.find((e) => e.event === 'filled');
    assert.ok(fill?.filled);
    assert.equal(fill.filled.tradeSeq, 1);
    assert.equal(fill.filled.priceTicks, 300_000);
    assert.equal(fill.filled.qtyLots, 3);
    assert.equal(fill.filled.makerAccountId, 1);
    assert.equal(fill.filled.takerAccountId, 2);
    assert.equal(fill.filled.fillType, FillType.Limit);
    assert.equal(fill.inputSource, 'risk-0');
    assert.equal(fill.inputSeq, 2);
  });

  it('marks fills of liquidation orders as LIQUIDATION with their liquidation id', () => {
    const { events, place } = setup();
    place({ orderId: 1, accountId: 1, side: WireSide.SIDE_BUY, priceTicks: 299_000, qtyLots: 5 });
    place({ orderId: 2, accountId: 9, side: WireSide.SIDE_SELL, priceTicks: 298_000, qtyLots: 5, timeInForce: TimeInForce.ImmediateOrCancel, liquidationId: 77 });
    const fill = events.find((e) => e.event === 'filled');
    assert.equal(fill?.filled?.fillType, FillType.Liquidation);
    assert.equal(fill?.filled?.liquidationId, 77);
  });

  it('rejects an unknown market, an undefined side and a duplicate open client order id without touching the book', () => {
    const { engine, events, place } = setup();
    place({ orderId: 1, clientOrderId: 'a' });
    const hash = engine.stateHash();
    place({ orderId: 2 }, 'DOGEUSDT');
    place({ orderId: 3, side: 0 });
    place({ orderId: 4, clientOrderId: 'a' });
    const codes = events.filter((e) => e.event === 'rejected').map((e) => e.rejected?.code);
    assert.deepEqual(codes, ['MATCHING_UNKNOWN_MARKET', 'MATCHING_INVALID_SIDE', 'MATCHING_DUPLICATE_CLIENT_ORDER_ID']);
    assert.equal(engine.stateHash(), hash.replace(/BTCUSDT:\d+/, `BTCUSDT:${engine.stream('BTCUSDT')?.seq}`));
    assert.equal(engine.book('BTCUSDT')?.restingOrderCount(), 1);
  });

  it('frees a client order id once its order has left the book', () => {
    const { events, place, send } = setup();
    place({ orderId: 1, clientOrderId: 'a' });
    send({ command: 'cancel', cancel: { orderId: 1, accountId: 1 } as perpcore.matching.v1.CancelOrderV1 });
    place({ orderId: 2, clientOrderId: 'a' });
    assert.equal(events.filter((e) => e.event === 'rejected').length, 0);
  });

  it('passes the book reject codes through for bad numbers', () => {
    const { events, place } = setup();
    place({ orderId: 1, priceTicks: 0 });
    place({ orderId: 2, qtyLots: -1 });
    place({ orderId: 3, qtyLots: 2_000_000 });
    const codes = events.filter((e) => e.event === 'rejected').map((e) => e.rejected?.code);
    assert.deepEqual(codes, ['MATCHING_INVALID_PRICE', 'MATCHING_INVALID_QTY', 'MATCHING_INVALID_QTY']);
  });

  it('drops a command whose (source, seq) was already applied', () => {
    const { engine, events } = setup();
    const cmd = {
      schemaMajor: SCHEMA_MAJOR_V1, market: 'BTCUSDT', seq: 5, tsNs: 1, source: 'risk-0', command: 'place',
      place: { orderId: 1, accountId: 1, side: WireSide.SIDE_BUY, type: OrderType.Limit, timeInForce: TimeInForce.GoodTillCancel, priceTicks: 1, qtyLots: 1, triggerPriceTicks: 0, triggerSource: 0, selfTradePrevention: 0, reduceOnly: false, clientOrderId: '', liquidationId: 0 },
    } as MatchingCommandV1;
    engine.handle(cmd);
    const count = events.length;
    engine.handle(cmd);
    assert.equal(events.length, count);
    assert.equal(engine.duplicatesDropped, 1);
  });
});

describe('market halt', () => {
  it('refuses places and amends while halted, keeps the book, still cancels, and resumes', () => {
    const { engine, events, send, place } = setup();
    const last = () => events[events.length - 1] as MatchingEventV1;
    place({ orderId: 1, accountId: 1, side: WireSide.SIDE_SELL, priceTicks: 300_010, qtyLots: 5 });
    place({ orderId: 2, accountId: 2, side: WireSide.SIDE_BUY, priceTicks: 299_990, qtyLots: 5 });
    const open = engine.stateHash();
    send({ command: 'haltMarket', haltMarket: { reason: 'maintenance' } });
    assert.equal(last().event, 'marketHalted');
    assert.equal(last().marketHalted?.reason, 'maintenance');
    assert.notEqual(engine.stateHash(), open, 'the halt is part of the state hash');
    const halted = engine.stateHash();
    place({ orderId: 3, accountId: 3, side: WireSide.SIDE_BUY, priceTicks: 300_010, qtyLots: 5 });
    assert.equal(last().rejected?.code, MatchingServiceReject.MarketHalted);
    assert.equal(last().rejected?.orderId, 3);
    send({ command: 'amend', amend: { orderId: 2, accountId: 2, priceTicks: 300_000, qtyLots: 5 } });
    assert.equal(last().rejected?.code, MatchingServiceReject.MarketHalted);
    send({ command: 'haltMarket', haltMarket: { reason: 'again' } });
    assert.equal(last().rejected?.code, MatchingServiceReject.MarketAlreadyHalted);
    // nothing but the event count moved: the book is the one before the refusals
    assert.equal(engine.book('BTCUSDT')?.stateHash(), halted.split(':').slice(3, -1).join(':'));
    assert.equal(engine.setMarkPrice('BTCUSDT', 310_000, 5_000), true);
    send({ command: 'cancel', cancel: { orderId: 2, accountId: 2 } });
    assert.ok(events.some((e) => e.event === 'canceled' && e.canceled?.orderId === 2));
    send({ command: 'resumeMarket', resumeMarket: {} });
    assert.equal(last().event, 'marketResumed');
    send({ command: 'resumeMarket', resumeMarket: {} });
    assert.equal(last().rejected?.code, MatchingServiceReject.MarketNotHalted);
    place({ orderId: 4, accountId: 3, side: WireSide.SIDE_BUY, priceTicks: 300_010, qtyLots: 5 });
    assert.ok(events.some((e) => e.event === 'filled' && e.filled?.takerOrderId === 4), 'trading again after resume');
  });

  it('same command log, same state hash (a halt replays)', () => {
    const run = () => {
      const { engine, send, place } = setup();
      place({ orderId: 1, side: WireSide.SIDE_SELL, priceTicks: 300_010 });
      send({ command: 'haltMarket', haltMarket: { reason: 'x' } });
      place({ orderId: 2, side: WireSide.SIDE_BUY, priceTicks: 300_010 });
      return engine.stateHash();
    };
    assert.equal(run(), run());
  });
});
