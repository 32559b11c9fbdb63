/**
 * Binance stream payloads (USDⓈ-M market streams) from the market-data read model.
 * Shapes are Binance's; ccxt routes them by `e` (BINANCE-COMPAT §4). `E` is the
 * stream clock's time of sending, `T` the core's event time.
 */
import { formatScaled, Side } from '@perpcore/domain';
import type { RiskEventV1 } from '@perpcore/proto';
import type { AggTradeRow, ForceOrderRow, TradeRow } from '../market-data/market-rows.js';
import type { MarketState } from '../market-data/market-state.js';
import { indexText, levelsJson, markText, type LevelJson } from '../market-data/market-views.js';
import { percentChangeText, priceText, qtyText, quoteText, rateE8Text, ratioPriceText } from '../market-data/wire-format.js';
import { toBinanceSymbol } from '../binance/symbols.js';

const sym = (m: MarketState): string => toBinanceSymbol(m.spec.symbol);

export function depthUpdatePayload(m: MarketState, nowMs: number, firstId: number, lastId: number, prevLastId: number, bids: LevelJson[], asks: LevelJson[]): object {
  return { e: 'depthUpdate', E: nowMs, T: m.lastEventMs, s: sym(m), U: firstId, u: lastId, pu: prevLastId, b: bids, a: asks };
}

/** Partial book depth (depth5/10/20): the top levels, with the same update ids as the diff stream. */
export function partialDepthPayload(m: MarketState, nowMs: number, levels: number, prevLastId: number): object {
  return depthUpdatePayload(m, nowMs, prevLastId + 1, m.lastUpdateId, prevLastId, levelsJson(m, Side.Buy, levels), levelsJson(m, Side.Sell, levels));
}

export function tradePayload(m: MarketState, t: TradeRow, nowMs: number): object {
  return { e: 'trade', E: nowMs, T: t.tsMs, s: sym(m), t: t.id, p: priceText(m.spec, t.priceTicks), q: qtyText(m.spec, t.qtyLots), X: 'MARKET', m: t.buyerMaker };
}

export function aggTradePayload(m: MarketState, a: AggTradeRow, nowMs: number): object {
  return { e: 'aggTrade', E: nowMs, s: sym(m), a: a.id, p: priceText(m.spec, a.priceTicks), q: qtyText(m.spec, a.qtyLots), f: a.firstTradeId, l: a.lastTradeId, T: a.tsMs, m: a.buyerMaker };
}

export interface BestQuote {
  bidTicks: number;
  bidLots: number;
  askTicks: number;
  askLots: number;
}

export function bestQuote(m: MarketState, into: BestQuote): BestQuote {
  into.bidTicks = m.book.bestTicks(Side.Buy);
  into.bidLots = m.book.qtyAt(Side.Buy, into.bidTicks);
  into.askTicks = m.book.bestTicks(Side.Sell);
  into.askLots = m.book.qtyAt(Side.Sell, into.askTicks);
  return into;
}

export function bookTickerPayload(m: MarketState, q: BestQuote, nowMs: number): object {
  return {
    e: 'bookTicker', u: m.lastUpdateId, E: nowMs, T: m.lastEventMs, s: sym(m),
    b: priceText(m.spec, q.bidTicks), B: qtyText(m.spec, q.bidLots), a: priceText(m.spec, q.askTicks), A: qtyText(m.spec, q.askLots),
  };
}

export function forceOrderPayload(m: MarketState, f: ForceOrderRow, nowMs: number): object {
  const avg = f.filledLots === 0 ? '0' : ratioPriceText(m.spec, BigInt(f.filledPriceLots), BigInt(f.filledLots));
  return {
    e: 'forceOrder', E: nowMs,
    o: {
      s: sym(m), S: f.sideBuy ? 'BUY' : 'SELL', o: 'LIMIT', f: 'IOC', q: qtyText(m.spec, f.qtyLots), p: priceText(m.spec, f.priceTicks),
      ap: avg, X: f.status, l: qtyText(m.spec, f.lastFillLots), z: qtyText(m.spec, f.filledLots), T: f.tsMs,
    },
  };
}

export function markPricePayload(m: MarketState, nowMs: number): object {
  const mark = markText(m);
  return { e: 'markPriceUpdate', E: nowMs, s: sym(m), p: mark, i: indexText(m), P: mark, r: rateE8Text(m.fundingRateE8), T: m.nextFundingTimeMs };
}

export function miniTickerPayload(m: MarketState, nowMs: number): object {
  const s = m.ticker.stats(m.lastEventMs);
  return {
    e: '24hrMiniTicker', E: nowMs, s: sym(m), c: priceText(m.spec, m.ticker.lastPriceTicks), o: priceText(m.spec, s.openTicks),
    h: priceText(m.spec, s.highTicks), l: priceText(m.spec, s.lowTicks), v: qtyText(m.spec, s.volumeLots), q: quoteText(m.spec, s.priceLotsSum),
  };
}

export function tickerPayload(m: MarketState, nowMs: number): object {
  const s = m.ticker.stats(m.lastEventMs);
  return {
    ...miniTickerPayload(m, nowMs),
    e: '24hrTicker',
    p: priceText(m.spec, s.lastTicks - s.openTicks),
    P: percentChangeText(s.openTicks, s.lastTicks),
    w: ratioPriceText(m.spec, s.priceLotsSum, BigInt(s.volumeLots)),
    Q: qtyText(m.spec, m.ticker.lastQtyLots),
    O: s.openTimeMs,
    C: s.closeTimeMs,
    F: s.count === 0 ? -1 : s.firstTradeId,
    L: s.count === 0 ? -1 : s.lastTradeId,
    n: s.count,
  };
}

/**
 * A lending-pool health-factor transition for `!lendingHealth@arr` (the project's own
 * stream): `a` the account, `s` the position sequence after it, `h` the health factor
 * (decimal, rounded down; "" without debt), `x` BELOW_ONE or RECOVERED, `i` the index
 * that moved it ("" for a command), `T` the core's event time.
 */
export function lendingHealthPayload(e: RiskEventV1, nowMs: number): object | null {
  const below = e.event === 'healthFactorBelowOne' ? e.healthFactorBelowOne : null;
  const recovered = e.event === 'healthFactorRecovered' ? e.healthFactorRecovered : null;
  const hf = below ?? recovered;
  if (hf == null) return null;
  const e8 = hf.healthFactorE8 ?? '';
  return {
    e: 'lendingHealth', E: nowMs, T: Math.floor(Number(e.tsNs) / 1e6), a: e.accountId, s: Number(hf.positionSeq ?? 0),
    h: e8 === '' ? '' : formatScaled(BigInt(e8), 8), x: below != null ? 'BELOW_ONE' : 'RECOVERED', i: below?.triggerPriceFeed ?? '',
  };
}
