/**
 * Binance's order vocabulary ↔ the core's enums. Conditional types: Binance's STOP
 * and TAKE_PROFIT carry a limit price (the core's StopLimit / TakeProfitLimit);
 * GTX is post-only; workingType CONTRACT_PRICE is the last trade, MARK_PRICE the mark.
 */
import { OrderType, Side, TimeInForce, TriggerSource } from '@perpcore/domain';

export const BINANCE_SIDES = ['BUY', 'SELL'] as const;
export const BINANCE_TIFS = ['GTC', 'IOC', 'FOK', 'GTX'] as const;
export const BINANCE_ORDER_TYPES = ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET'] as const;
export const BINANCE_WORKING_TYPES = ['CONTRACT_PRICE', 'MARK_PRICE'] as const;

export type BinanceSide = (typeof BINANCE_SIDES)[number];
export type BinanceTif = (typeof BINANCE_TIFS)[number];
export type BinanceOrderType = (typeof BINANCE_ORDER_TYPES)[number];
export type BinanceWorkingType = (typeof BINANCE_WORKING_TYPES)[number];

const TYPE_TO_CORE: Record<BinanceOrderType, OrderType> = {
  LIMIT: OrderType.Limit,
  MARKET: OrderType.Market,
  STOP: OrderType.StopLimit,
  STOP_MARKET: OrderType.StopMarket,
  TAKE_PROFIT: OrderType.TakeProfitLimit,
  TAKE_PROFIT_MARKET: OrderType.TakeProfitMarket,
};
const TIF_TO_CORE: Record<BinanceTif, TimeInForce> = {
  GTC: TimeInForce.GoodTillCancel,
  IOC: TimeInForce.ImmediateOrCancel,
  FOK: TimeInForce.FillOrKill,
  GTX: TimeInForce.PostOnly,
};

export const coreOrderType = (t: BinanceOrderType): OrderType => TYPE_TO_CORE[t];
export const coreTif = (t: BinanceTif): TimeInForce => TIF_TO_CORE[t];
export const coreSide = (s: BinanceSide): Side => (s === 'BUY' ? Side.Buy : Side.Sell);
export const coreTriggerSource = (w: BinanceWorkingType | undefined): TriggerSource => (w === 'MARK_PRICE' ? TriggerSource.MarkPrice : TriggerSource.LastTrade);

export const binanceSide = (s: Side): BinanceSide => (s === Side.Buy ? 'BUY' : 'SELL');

export function binanceOrderType(t: OrderType): BinanceOrderType {
  for (const [name, core] of Object.entries(TYPE_TO_CORE)) if (core === t) return name as BinanceOrderType;
  return 'LIMIT';
}

export function binanceTif(t: TimeInForce): BinanceTif {
  for (const [name, core] of Object.entries(TIF_TO_CORE)) if (core === t) return name as BinanceTif;
  return 'GTC';
}

/** Types that need a limit price; the others take none. */
export const needsPrice = (t: BinanceOrderType): boolean => t === 'LIMIT' || t === 'STOP' || t === 'TAKE_PROFIT';
export const isConditionalType = (t: BinanceOrderType): boolean => t !== 'LIMIT' && t !== 'MARKET';
