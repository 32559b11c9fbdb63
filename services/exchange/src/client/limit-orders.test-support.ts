/** Test orders: a BTCUSDT GTC limit with fresh ids from `firstOrderId` on, overridable per field. */
import { OrderType, type Side, TimeInForce } from '@perpcore/domain';
import type { PlaceOrderRequest } from './exchange-client.js';

export function limitOrders(firstOrderId: number): (accountId: number, side: Side, priceTicks: number, qtyLots: number, extra?: Partial<PlaceOrderRequest>) => PlaceOrderRequest {
  let nextOrderId = firstOrderId;
  return (accountId, side, priceTicks, qtyLots, extra = {}) => ({
    orderId: nextOrderId++,
    accountId,
    market: 'BTCUSDT',
    side,
    type: OrderType.Limit,
    timeInForce: TimeInForce.GoodTillCancel,
    priceTicks,
    qtyLots,
    ...extra,
  });
}
