/**
 * A place or amend as the pre-trade check sees it: a caller-owned struct, filled in
 * place from a `PlaceOrderV1` (or by an in-process caller) and reused, so checking
 * an order allocates nothing. Side is the domain's signed side (+1 buy, −1 sell).
 */
import { OrderType } from '@perpcore/domain';

export interface OrderIntent {
  market: number;
  orderId: number;
  accountId: number;
  side: number;
  type: number;
  timeInForce: number;
  /** Limit price; 0 for market and stop-market orders. */
  priceTicks: number;
  qtyLots: number;
  triggerPriceTicks: number;
  reduceOnly: boolean;
}

export function createOrderIntent(): OrderIntent {
  return { market: 0, orderId: 0, accountId: 0, side: 1, type: OrderType.Limit, timeInForce: 1, priceTicks: 0, qtyLots: 0, triggerPriceTicks: 0, reduceOnly: false };
}

/** True for order types that carry a limit price. */
export function hasLimitPrice(type: number): boolean {
  return type === OrderType.Limit || type === OrderType.StopLimit || type === OrderType.TakeProfitLimit;
}

export function isKnownOrderType(type: number): boolean {
  return type >= OrderType.Limit && type <= OrderType.TakeProfitLimit;
}
