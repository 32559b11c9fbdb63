/**
 * The one enum whose numbering differs between domain and wire: the domain's
 * `Side` is signed (+1 buy / −1 sell, margin formulas multiply by it); the wire's
 * is BUY = 1, SELL = 2 with 0 = UNSPECIFIED. Every other shared enum
 * (OrderType, TimeInForce, SelfTradePrevention, TriggerSource, FillType,
 * Liquidity, MarginMode) has the same numbers on both sides.
 */
import { Side } from '@perpcore/domain';
import { perpcore } from './wire.js';

import WireSide = perpcore.common.v1.Side;

export function sideToWire(side: Side): WireSide {
  return side === Side.Buy ? WireSide.SIDE_BUY : WireSide.SIDE_SELL;
}

/** Undefined for UNSPECIFIED or a value this schema does not define: the caller rejects the message. */
export function sideFromWire(wire: number): Side | undefined {
  if (wire === WireSide.SIDE_BUY) return Side.Buy;
  if (wire === WireSide.SIDE_SELL) return Side.Sell;
  return undefined;
}
