/**
 * The rows the market-data read model keeps and hands to REST and streams, in core
 * units (ticks, lots, ms). Formatting to Binance decimals happens at the edge.
 */
/** Rows in the trade rings are reused when a ring is full: a listener must not keep one past its call. */
export interface TradeRow {
  /** The matching stage's per-market trade sequence (Binance `id` / `t`). */
  id: number;
  priceTicks: number;
  qtyLots: number;
  tsMs: number;
  /** True when the taker sold (the buyer was the maker): Binance `m` / `isBuyerMaker`. */
  buyerMaker: boolean;
}

/** Consecutive fills of one taker order at one price. */
export interface AggTradeRow {
  id: number;
  priceTicks: number;
  qtyLots: number;
  firstTradeId: number;
  lastTradeId: number;
  tsMs: number;
  buyerMaker: boolean;
  takerOrderId: number;
}

export type ForceOrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'EXPIRED';

/** A liquidation order the engine placed in the book (Binance `forceOrder`). */
export interface ForceOrderRow {
  readonly orderId: number;
  readonly sideBuy: boolean;
  readonly qtyLots: number;
  readonly priceTicks: number;
  filledLots: number;
  /** Σ price × lots of the fills, for the average price. */
  filledPriceLots: number;
  lastFillLots: number;
  lastFillTicks: number;
  status: ForceOrderStatus;
  tsMs: number;
}

export interface FundingRow {
  readonly fundingTimeMs: number;
  readonly rateE8: number;
  /** The mark when funding settled (0 if none yet). */
  readonly markSubticks: number;
}
