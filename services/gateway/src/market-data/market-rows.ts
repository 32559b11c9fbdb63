/**
 * The rows the market-data read model keeps and hands to REST and streams, in core
 * units (ticks, lots, ms). Formatting to Binance decimals happens at the edge.
 */
export interface TradeRow {
  /** The matching stage's per-market trade sequence (Binance `id` / `t`). */
  readonly id: number;
  readonly priceTicks: number;
  readonly qtyLots: number;
  readonly tsMs: number;
  /** True when the taker sold (the buyer was the maker): Binance `m` / `isBuyerMaker`. */
  readonly buyerMaker: boolean;
}

/** Consecutive fills of one taker order at one price. */
export interface AggTradeRow {
  readonly id: number;
  readonly priceTicks: number;
  qtyLots: number;
  readonly firstTradeId: number;
  lastTradeId: number;
  readonly tsMs: number;
  readonly buyerMaker: boolean;
  readonly takerOrderId: number;
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
