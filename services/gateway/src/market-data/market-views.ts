/**
 * Binance JSON for the public REST routes, from one market's read-model state. Field
 * names and shapes are Binance's (BINANCE-COMPAT §3); every number that is money, a
 * price or a quantity is an exact decimal string.
 */
import { Side } from '@perpcore/domain';
import { toBinanceSymbol } from '../binance/symbols.js';
import type { AggTradeRow, FundingRow, TradeRow } from './market-rows.js';
import type { MarketState } from './market-state.js';
import { percentChangeText, priceText, qtyText, quoteText, ratioPriceText, rateE8Text, subticksText } from './wire-format.js';

export type LevelJson = [string, string];

export function levelsJson(m: MarketState, side: Side, limit: number): LevelJson[] {
  return m.book.levels(side, limit).map(([p, q]) => [priceText(m.spec, p), qtyText(m.spec, q)]);
}

export function depthJson(m: MarketState, limit: number, nowMs: number): object {
  return { lastUpdateId: m.lastUpdateId, E: nowMs, T: m.lastEventMs, bids: levelsJson(m, Side.Buy, limit), asks: levelsJson(m, Side.Sell, limit) };
}

export function tradeJson(m: MarketState, t: TradeRow): object {
  return { id: t.id, price: priceText(m.spec, t.priceTicks), qty: qtyText(m.spec, t.qtyLots), quoteQty: quoteText(m.spec, t.priceTicks * t.qtyLots), time: t.tsMs, isBuyerMaker: t.buyerMaker };
}

/** REST aggTrades row. No `M` / `isMaker`: ccxt would read the row as spot (BINANCE-COMPAT §3). */
export function aggTradeJson(m: MarketState, a: AggTradeRow): object {
  return { a: a.id, p: priceText(m.spec, a.priceTicks), q: qtyText(m.spec, a.qtyLots), f: a.firstTradeId, l: a.lastTradeId, T: a.tsMs, m: a.buyerMaker };
}

export function ticker24hJson(m: MarketState): object {
  const s = m.ticker.stats(m.lastEventMs);
  const spec = m.spec;
  return {
    symbol: toBinanceSymbol(spec.symbol),
    priceChange: priceText(spec, s.lastTicks - s.openTicks),
    priceChangePercent: percentChangeText(s.openTicks, s.lastTicks),
    weightedAvgPrice: ratioPriceText(spec, s.priceLotsSum, BigInt(s.volumeLots)),
    lastPrice: priceText(spec, m.ticker.lastPriceTicks),
    lastQty: qtyText(spec, m.ticker.lastQtyLots),
    openPrice: priceText(spec, s.openTicks),
    highPrice: priceText(spec, s.highTicks),
    lowPrice: priceText(spec, s.lowTicks),
    volume: qtyText(spec, s.volumeLots),
    quoteVolume: quoteText(spec, s.priceLotsSum),
    openTime: s.openTimeMs,
    closeTime: s.closeTimeMs,
    firstId: s.count === 0 ? -1 : s.firstTradeId,
    lastId: s.count === 0 ? -1 : s.lastTradeId,
    count: s.count,
  };
}

export function priceTickerJson(m: MarketState): object {
  return { symbol: toBinanceSymbol(m.spec.symbol), price: priceText(m.spec, m.ticker.lastPriceTicks), time: m.lastEventMs };
}

export function bookTickerJson(m: MarketState): object {
  const bid = m.book.bestTicks(Side.Buy);
  const ask = m.book.bestTicks(Side.Sell);
  return {
    symbol: toBinanceSymbol(m.spec.symbol),
    bidPrice: priceText(m.spec, bid),
    bidQty: qtyText(m.spec, m.book.qtyAt(Side.Buy, bid)),
    askPrice: priceText(m.spec, ask),
    askQty: qtyText(m.spec, m.book.qtyAt(Side.Sell, ask)),
    time: m.lastEventMs,
    lastUpdateId: m.lastUpdateId,
  };
}

export function markText(m: MarketState): string {
  return subticksText(m.spec, m.markSubticks, m.subticksPerTick);
}

export function indexText(m: MarketState): string {
  return subticksText(m.spec, m.indexSubticks, m.subticksPerTick);
}

export function premiumIndexJson(m: MarketState): object {
  const mark = markText(m);
  return {
    symbol: toBinanceSymbol(m.spec.symbol),
    markPrice: mark,
    indexPrice: indexText(m),
    estimatedSettlePrice: mark,
    lastFundingRate: rateE8Text(m.fundingRateE8),
    interestRate: rateE8Text(m.venue.risk.interestRateE8),
    nextFundingTime: m.nextFundingTimeMs,
    time: Math.max(m.markTimeMs, m.lastEventMs),
    // whole hours only (Binance's field is an integer); a test venue's short interval leaves it out
    ...(m.venue.risk.fundingIntervalS % 3_600 === 0 ? { fundingIntervalHours: m.venue.risk.fundingIntervalS / 3_600 } : {}),
  };
}

export function fundingRowJson(m: MarketState, r: FundingRow): object {
  return { symbol: toBinanceSymbol(m.spec.symbol), fundingRate: rateE8Text(r.rateE8), fundingTime: r.fundingTimeMs, markPrice: subticksText(m.spec, r.markSubticks, m.subticksPerTick) };
}
