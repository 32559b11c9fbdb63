/**
 * A blank `PlaceOrderCommand` for callers that keep one command struct and refill it
 * per order (the book never keeps a reference to it). One literal here means every
 * such struct has the same shape, so the book's reads of it stay monomorphic.
 */
import { OrderType, SelfTradePrevention, Side, TimeInForce, TriggerSource } from '@perpcore/domain';
import type { PlaceOrderCommand } from './order-book.js';

export function createPlaceOrderCommand(): PlaceOrderCommand {
  return {
    orderId: 0,
    accountId: 0,
    side: Side.Buy,
    type: OrderType.Limit,
    timeInForce: TimeInForce.GoodTillCancel,
    priceTicks: 0,
    qtyLots: 0,
    triggerPriceTicks: 0,
    triggerSource: TriggerSource.LastTrade,
    selfTradePrevention: SelfTradePrevention.None,
    reduceOnly: false,
  };
}
