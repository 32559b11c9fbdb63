/**
 * One order as the gateway's read model knows it, folded from the matching stream,
 * and one fill leg of one account. Integer units only; the Binance JSON is built
 * from these at the edge (trading/order-json.ts).
 *
 * Invariants
 * - `executedLots ≤ origQtyLots`; `cumTickLots = Σ priceTicks × qtyLots` over the
 *   order's fills, exact (it is bounded by maxPriceTicks × maxQtyLots ≤ 2^53).
 * - A fill leg names only its own account's order: the counterparty's account and
 *   order never enter a `FillRecord` (privacy).
 */
import type { OrderType, Side, TimeInForce, TriggerSource } from '@perpcore/domain';

export type BinanceOrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'REJECTED';

export interface OrderRecord {
  readonly orderId: number;
  readonly accountId: number;
  readonly market: string;
  clientOrderId: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  priceTicks: number;
  origQtyLots: number;
  readonly triggerPriceTicks: number;
  triggerSource: TriggerSource | 0;
  readonly reduceOnly: boolean;
  /** Non-zero for a step of a liquidation. */
  readonly liquidationId: number;
  status: BinanceOrderStatus;
  executedLots: number;
  cumTickLots: number;
  /** A stop / take-profit whose trigger was crossed (it is now in the book). */
  triggered: boolean;
  readonly timeNs: number;
  updateNs: number;
}

export interface FillRecord {
  readonly market: string;
  readonly tradeSeq: number;
  readonly accountId: number;
  readonly orderId: number;
  readonly side: Side;
  readonly priceTicks: number;
  readonly qtyLots: number;
  readonly maker: boolean;
  readonly tsNs: number;
  /** From risk's PositionSettledV1; null until it arrives. */
  feeUnits: number | null;
  realizedPnlUnits: number | null;
}

export function isConditional(type: OrderType): boolean {
  return type >= 3;
}
