import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Side } from '@perpcore/domain';
import { defaultMarketSpecs, defaultVenueMarkets } from '@perpcore/markets';
import { SCHEMA_MAJOR_V1, type MatchingEventV1, type RiskEventV1 } from '@perpcore/proto';
import { openCoreDriver } from '../test-support/core-driver.test-support.js';
import type { AggTradeRow, ForceOrderRow } from './market-rows.js';
import { MarketDataModel } from './market-data-model.js';
import type { MarketState } from './market-state.js';

const venue = defaultVenueMarkets(defaultMarketSpecs);
const T0 = 1_767_225_600_000_000_000;

function coreLevels(book: { forEachLevel(side: Side, max: number, visit: (p: number, q: number) => void): void }, side: Side): [number, number][] {
  const out: [number, number][] = [];
  book.forEachLevel(side, 100_000, (p, q) => void out.push([p, q]));
  return out;
}

describe('market-data read model', () => {
  it('property: the book folded from deltas equals the core book after every command, trades and tickers add up', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 5, maxLength: 25 }), async (seed, chunks) => {
        const core = await openCoreDriver({ seed });
        try {
          for (const n of chunks) {
            core.exchange.step(n);
            for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
              const book = core.exchange.matching.engine.book(symbol);
              const m = core.model.market(symbol) as MarketState;
              assert.ok(book);
              assert.deepEqual(m.book.levels(Side.Buy, 100_000), coreLevels(book, Side.Buy));
              assert.deepEqual(m.book.levels(Side.Sell, 100_000), coreLevels(book, Side.Sell));
              assert.equal(m.book.bestTicks(Side.Buy), book.bestBidTicks());
              assert.equal(m.book.bestTicks(Side.Sell), book.bestAskTicks());
              assert.equal(m.sequenceGaps, 0);
            }
          }
          const btc = core.model.market('BTCUSDT') as MarketState;
          assert.ok(btc.book.levelCount(Side.Buy) > 0 && btc.book.levelCount(Side.Sell) > 0, 'the simulated makers quote both sides');
          for (const m of core.model.markets()) {
            const trades = m.trades.newest(m.trades.capacity);
            for (let i = 1; i < trades.length; i++) assert.equal(trades[i].id, trades[i - 1].id + 1, 'trade ids are consecutive trade_seq');
            m.closeAggTrade();
            const aggs = m.aggTrades.newest(m.aggTrades.capacity);
            const covered = aggs.filter((a) => a.firstTradeId >= (trades[0]?.id ?? 0));
            const lots = (rows: { qtyLots: number }[]) => rows.reduce((s, r) => s + r.qtyLots, 0);
            assert.equal(lots(covered), lots(trades.filter((t) => t.id >= (covered[0]?.firstTradeId ?? Infinity))));
            const stats = m.ticker.stats(m.lastEventMs);
            if (trades.length < m.trades.capacity) {
              assert.equal(stats.count, trades.length);
              assert.equal(stats.volumeLots, lots(trades));
              assert.equal(stats.lastTicks, trades.at(-1)?.priceTicks ?? 0);
            }
          }
          assert.ok([...core.model.markets()].some((m) => m.trades.size > 0), 'the simulated takers traded');
        } finally {
          await core.close();
        }
      }),
      { numRuns: 4 },
    );
  });

  it('aggregates consecutive fills of one taker at one price, and a new price or taker starts a new aggTrade', () => {
    const model = new MarketDataModel(venue);
    const closed: AggTradeRow[] = [];
    model.addListener({ onBookDelta() {}, onTrade() {}, onAggTrade: (_m, a) => void closed.push({ ...a }), onMarkPrice() {}, onForceOrder() {} });
    let seq = 0;
    let trade = 0;
    const fill = (taker: number, price: number, qty: number, remaining: number) =>
      model.onMatchingEvent({
        schemaMajor: SCHEMA_MAJOR_V1, market: 'BTCUSDT', seq: ++seq, tsNs: T0, inputSource: 't', inputSeq: seq, event: 'filled',
        filled: { tradeSeq: ++trade, makerOrderId: 100 + trade, makerAccountId: 1, takerOrderId: taker, takerAccountId: 2, takerSide: 2, priceTicks: price, qtyLots: qty, makerRemainingLots: 0, takerRemainingLots: remaining, fillType: 1, liquidationId: 0 },
      } as MatchingEventV1);
    fill(7, 1000, 2, 8);
    fill(7, 1000, 3, 5);
    fill(7, 999, 1, 4);
    fill(8, 999, 1, 0);
    assert.deepEqual(
      closed.map((a) => [a.id, a.priceTicks, a.qtyLots, a.firstTradeId, a.lastTradeId, a.buyerMaker]),
      [
        [1, 1000, 5, 1, 2, true],
        [2, 999, 1, 3, 3, true],
        [3, 999, 1, 4, 4, true],
      ],
    );
    const m = model.market('BTCUSDT') as MarketState;
    assert.equal(m.lastUpdateId, 0, "fills do not move the book's version");
    seq--; // the bus redelivers seq 4: dropped
    fill(8, 999, 1, 0);
    assert.equal(m.trades.size, 4);
    assert.equal(m.sequenceGaps, 0);
    seq += 3; // seq 5 and 6 never arrive
    fill(8, 999, 1, 0);
    assert.equal(m.trades.size, 5);
    assert.equal(m.sequenceGaps, 1);
  });

  it('follows forced (liquidation) orders from their accept to FILLED, or EXPIRED for an IOC remainder', () => {
    const model = new MarketDataModel(venue);
    const done: ForceOrderRow[] = [];
    model.addListener({ onBookDelta() {}, onTrade() {}, onAggTrade() {}, onMarkPrice() {}, onForceOrder: (_m, f) => void done.push({ ...f }) });
    let seq = 0;
    let trade = 0;
    const ev = (e: Partial<MatchingEventV1>) => model.onMatchingEvent({ schemaMajor: 1, market: 'BTCUSDT', seq: ++seq, tsNs: T0 + seq * 1e6, inputSource: 'l', inputSeq: seq, ...e } as MatchingEventV1);
    const accept = (orderId: number, liquidationId: number) =>
      ev({ event: 'accepted', accepted: { orderId, accountId: 9, side: 2, type: 1, timeInForce: 2, priceTicks: 290_000, qtyLots: 10, triggerPriceTicks: 0, reduceOnly: true, liquidationId } });
    const fill = (takerOrderId: number, price: number, qty: number, remaining: number) =>
      ev({ event: 'filled', filled: { tradeSeq: ++trade, makerOrderId: 1, makerAccountId: 1, takerOrderId, takerAccountId: 9, takerSide: 2, priceTicks: price, qtyLots: qty, makerRemainingLots: 5, takerRemainingLots: remaining, fillType: 2, liquidationId: 3 } });
    accept(50, 3);
    fill(50, 300_000, 4, 6);
    fill(50, 299_000, 6, 0);
    accept(51, 4);
    fill(51, 299_000, 3, 7);
    ev({ event: 'canceled', canceled: { orderId: 51, accountId: 9, side: 2, priceTicks: 290_000, canceledLots: 7, reason: 1 } });
    accept(52, 0); // an ordinary order: not a forced one
    fill(52, 299_000, 10, 0);
    assert.deepEqual(done.map((f) => [f.orderId, f.status, f.filledLots, f.filledPriceLots, f.lastFillTicks]), [
      [50, 'FILLED', 10, 4 * 300_000 + 6 * 299_000, 299_000],
      [51, 'EXPIRED', 3, 3 * 299_000, 299_000],
    ]);
    assert.equal((model.market('BTCUSDT') as MarketState).forceOrders.size, 2);
  });

  it('keeps mark, index, the funding estimate and a bounded funding history; ignores account events', () => {
    const model = new MarketDataModel(venue, { trades: 4, aggTrades: 4, fundingRows: 2, forceOrders: 2 });
    const risk = (e: Partial<RiskEventV1>) => model.onRiskEvent({ schemaMajor: 1, seq: 1, tsNs: T0, source: 'risk-0', accountId: 0, market: 'BTCUSDT', ...e } as RiskEventV1);
    risk({ event: 'markPrice', markPrice: { markSubticks: 3_000_012, method: 3, indexSubticks: 3_000_000, p1Subticks: 0, p2Subticks: 0, p3Subticks: 0 } });
    risk({ event: 'fundingRate', fundingRate: { rateE8: 10_000, averagePremiumE8: 0, fundingTimeNs: T0 + 8 * 3600e9 } });
    risk({ event: 'markPrice', accountId: 5, markPrice: { markSubticks: 1, method: 3, indexSubticks: 1, p1Subticks: 0, p2Subticks: 0, p3Subticks: 0 } });
    const m = model.market('BTCUSDT') as MarketState;
    assert.equal(m.markSubticks, 3_000_012);
    assert.equal(m.indexSubticks, 3_000_000);
    assert.equal(m.fundingRateE8, 10_000);
    assert.equal(m.nextFundingTimeMs, T0 / 1e6 + 8 * 3600e3);
    for (let h = 1; h <= 3; h++) risk({ event: 'fundingSettled', fundingSettled: { rateE8: h, fundingPriceSubticks: 1, indexDeltaScaledUnits: '0', cumulativeIndexScaledUnits: '0', fundingTimeNs: T0 + h * 8 * 3600e9 } });
    assert.deepEqual(m.fundingHistory.newest(10).map((r) => r.rateE8), [2, 3]);
    assert.equal(m.nextFundingTimeMs, T0 / 1e6 + 4 * 8 * 3600e3);
    model.onMatchingEvent({ schemaMajor: 1, market: 'DOGEUSDT', seq: 1, tsNs: T0, event: 'bookDelta', bookDelta: { side: 1, priceTicks: 1, levelQtyLots: 1 } } as MatchingEventV1);
    assert.equal(model.unknownMarketEvents, 1);
  });

  it('rolls the 24 h ticker by the minute', () => {
    const model = new MarketDataModel(venue);
    const m = model.market('BTCUSDT') as MarketState;
    const ms = T0 / 1e6;
    m.ticker.onTrade(1, 100, 5, ms);
    m.ticker.onTrade(2, 120, 1, ms + 3_600_000);
    m.ticker.onTrade(3, 90, 2, ms + 24 * 3_600_000);
    const s = m.ticker.stats(ms + 24 * 3_600_000);
    assert.deepEqual([s.count, s.openTicks, s.highTicks, s.lowTicks, s.lastTicks, s.volumeLots, s.priceLotsSum, s.firstTradeId], [2, 120, 120, 90, 90, 3, 300n, 2]);
    assert.equal(m.ticker.stats(ms + 48 * 3_600_000 + 60_000).count, 0);
    assert.equal(m.ticker.lastPriceTicks, 90);
  });

  it('full rings reuse their oldest rows and still hold the newest trades and aggTrades exactly', () => {
    const model = new MarketDataModel(venue, { trades: 3, aggTrades: 2, fundingRows: 1, forceOrders: 1 });
    for (let i = 1; i <= 10; i++) {
      model.onMatchingEvent({
        schemaMajor: 1, market: 'BTCUSDT', seq: i, tsNs: T0 + i * 1e6, event: 'filled',
        filled: { tradeSeq: i, makerOrderId: 1, makerAccountId: 1, takerOrderId: 100 + Math.ceil(i / 2), takerAccountId: 2, takerSide: i % 2 === 0 ? 1 : 2, priceTicks: 1_000 + Math.ceil(i / 2), qtyLots: i, makerRemainingLots: 1, takerRemainingLots: 1, fillType: 1, liquidationId: 0 },
      } as MatchingEventV1);
    }
    const m = model.market('BTCUSDT') as MarketState;
    assert.deepEqual(m.trades.newest(10).map((t) => [t.id, t.priceTicks, t.qtyLots, t.buyerMaker]), [[8, 1_004, 8, false], [9, 1_005, 9, true], [10, 1_005, 10, false]]);
    assert.deepEqual(m.aggTrades.newest(10).map((a) => [a.id, a.firstTradeId, a.lastTradeId, a.qtyLots]), [[4, 7, 8, 15], [5, 9, 10, 19]]);
  });

  it('keeps Σ price × lots exact past 2^53 within one minute', () => {
    const m = new MarketDataModel(venue).market('BTCUSDT') as MarketState;
    const ms = T0 / 1e6;
    for (let i = 1; i <= 1_000; i++) m.ticker.onTrade(i, 10_000_000, 1_000_000, ms);
    m.ticker.onTrade(1_001, 3, 1, ms);
    assert.equal(m.ticker.stats(ms).priceLotsSum, 10n ** 16n + 3n);
  });

  it('cluster mode: conflated book deltas arriving after later fills (another topic) are applied, each stream deduplicated by its own seq', () => {
    const model = new MarketDataModel(venue);
    const m = (): MarketState => model.market('BTCUSDT') as MarketState;
    const delta = (seq: number, priceTicks: number, levelQtyLots: number) =>
      model.onMatchingEvent({ schemaMajor: SCHEMA_MAJOR_V1, market: 'BTCUSDT', seq, tsNs: T0, inputSource: 't', inputSeq: seq, event: 'bookDelta', bookDelta: { side: 1, priceTicks, levelQtyLots } } as MatchingEventV1);
    const fill = (seq: number, tradeSeq: number) =>
      model.onMatchingEvent({
        schemaMajor: SCHEMA_MAJOR_V1, market: 'BTCUSDT', seq, tsNs: T0, inputSource: 't', inputSeq: seq, event: 'filled',
        filled: { tradeSeq, makerOrderId: 1, makerAccountId: 1, takerOrderId: 2, takerAccountId: 2, takerSide: 2, priceTicks: 1000, qtyLots: 1, makerRemainingLots: 0, takerRemainingLots: 0, fillType: 1, liquidationId: 0 },
      } as MatchingEventV1);
    // matching: seq 1 delta (level 990 = 5), 2 fill, 3 delta (level 1000 = 0 after the fill), 4 fill, 5 delta (level 995 = 7)
    fill(2, 1); // the events topic is ahead of the conflated market data
    fill(4, 2);
    delta(1, 990, 5);
    delta(3, 1000, 0);
    delta(5, 995, 7);
    assert.deepEqual(m().book.levels(Side.Buy, 10).map(([p, q]) => [p, q]), [[995, 7], [990, 5]], 'every delta is in the book');
    assert.equal(m().trades.size, 2);
    assert.equal(m().lastUpdateId, 5, "the book's version is its last delta");
    delta(3, 1000, 9); // redelivered delta: dropped
    fill(4, 2); // redelivered fill: dropped
    assert.deepEqual(m().book.levels(Side.Buy, 10).map(([p, q]) => [p, q]), [[995, 7], [990, 5]]);
    assert.equal(m().trades.size, 2);
  });
});
