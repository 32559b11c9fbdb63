import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMarketSpec, OrderType, TimeInForce } from '@perpcore/domain';
import { createFastOrderBook } from '@perpcore/orderbook';
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
    createBook: createFastOrderBook,
    publish: (e) => {
      const decoded = matchingEventCodec.decode(matchingEventCodec.encode(e));
      assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.message);
      events.push(e);
    },
  });
  let seq = 0;
  const send = (command: Partial<MatchingCommandV1>) => engine.handle({ schemaMajor: SCHEMA_MAJOR_V1, market: 'BTCUSDT', seq: ++seq, tsNs: 1_000 + seq, source: 'admin', ...command } as MatchingCommandV1);
  const place = (o: Partial<perpcore.matching.v1.PlaceOrderV1>) =>
    send({
      command: 'place',
      place: {
        orderId: 1, accountId: 1, side: WireSide.SIDE_BUY, type: OrderType.Limit, timeInForce: TimeInForce.GoodTillCancel,
        priceTicks: 300_000, qtyLots: 10, triggerPriceTicks: 0, triggerSource: 0, selfTradePrevention: 0, reduceOnly: false,
        clientOrderId: '', liquidationId: 0, ...o,
      } as perpcore.matching.v1.PlaceOrderV1,
    });
  const last = () => events[events.length - 1] as MatchingEventV1;
  return { engine, events, send, place, last };
}

describe('market halt', () => {
  it('refuses places and amends while halted, keeps the book, still cancels, and resumes', () => {
    const { engine, events, send, place, last } = setup();
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
