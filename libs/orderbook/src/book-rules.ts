/**
 * The matching rules both books share: command validation, trigger conditions, and
 * the market-order price band. Pure functions of their arguments, so the reference
 * and the fast book cannot drift apart on them; the contract suite pins each rule.
 *
 * Validation order for a place (first failure wins, nothing changes):
 *   order id → account → side/type/TIF/STP/reduceOnly → limit price → quantity →
 *   trigger price and source → (book) duplicate id → immediate trigger → post-only
 *   cross → market reference price.
 *
 * Price band (market and released stop-market orders), rounding toward the reference
 * so a market order never trades past reference × (1 ± band):
 *   buy limit  = floor(ref × (1e8 + bandE8) / 1e8)
 *   sell limit = ceil (ref × (1e8 − bandE8) / 1e8)
 *   e.g. ref 10_005 ticks, band 1% (1_000_000): buy ≤ floor(10_105.05) = 10_105,
 *   sell ≥ ceil(9_904.95) = 9_905.
 */
import {
  DomainError,
  OrderType,
  Rounding,
  SelfTradePrevention,
  Side,
  TimeInForce,
  TriggerSource,
  mulDiv,
  requirePositiveInteger,
} from '@perpcore/domain';
import { CancelReason, MatchingReject, type OrderBookConfig, type PlaceOrderCommand } from './order-book.js';

const E8 = 100_000_000;
const MAX_ACCOUNT_ID = 0xffff_ffff;

export function isValidOrderId(orderId: unknown): boolean {
  return typeof orderId === 'number' && Number.isSafeInteger(orderId) && orderId >= 1;
}

export function isValidAccountId(accountId: unknown): boolean {
  return typeof accountId === 'number' && Number.isInteger(accountId) && accountId >= 1 && accountId <= MAX_ACCOUNT_ID;
}

/** An integer in 1..max (rejects NaN, fractions, zero, negatives, oversized, non-numbers). */
export function isInRange(value: unknown, max: number): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= max;
}

export function isValidCancelReason(reason: unknown): boolean {
  return typeof reason === 'number' && Number.isInteger(reason) && reason >= CancelReason.UserRequested && reason <= CancelReason.Liquidation;
}

/** Stop and take-profit orders wait off the book until their trigger is crossed. */
export function isConditional(type: OrderType): boolean {
  return type >= OrderType.StopMarket;
}

/** Market, stop-market and take-profit-market orders carry no limit price. */
export function isMarketLike(type: OrderType): boolean {
  return type === OrderType.Market || type === OrderType.StopMarket || type === OrderType.TakeProfitMarket;
}

/**
 * Structural checks of a place command, before the book is consulted.
 * Market-like orders accept GTC and IOC (both mean "never rests") and FOK; post-only is
 * for plain limit orders only. `priceTicks` of market-like orders and the trigger of
 * non-conditional orders are ignored (reported as 0).
 */
export function validatePlace(cmd: PlaceOrderCommand, config: OrderBookConfig): MatchingReject | null {
  if (!isValidOrderId(cmd.orderId)) return MatchingReject.InvalidOrderId;
  if (!isValidAccountId(cmd.accountId)) return MatchingReject.InvalidAccount;
  const { side, type, timeInForce: tif, selfTradePrevention: stp } = cmd;
  if (side !== Side.Buy && side !== Side.Sell) return MatchingReject.InvalidOrderType;
  if (typeof type !== 'number' || !Number.isInteger(type) || type < OrderType.Limit || type > OrderType.TakeProfitLimit) {
    return MatchingReject.InvalidOrderType;
  }
  if (typeof tif !== 'number' || !Number.isInteger(tif) || tif < TimeInForce.GoodTillCancel || tif > TimeInForce.PostOnly) {
    return MatchingReject.InvalidOrderType;
  }
  if (typeof stp !== 'number' || !Number.isInteger(stp) || stp < SelfTradePrevention.None || stp > SelfTradePrevention.CancelBoth) {
    return MatchingReject.InvalidOrderType;
  }
  if (typeof cmd.reduceOnly !== 'boolean') return MatchingReject.InvalidOrderType;
  if (tif === TimeInForce.PostOnly && type !== OrderType.Limit) return MatchingReject.InvalidOrderType;
  if (!isMarketLike(type) && !isInRange(cmd.priceTicks, config.maxPriceTicks)) return MatchingReject.InvalidPrice;
  if (!isInRange(cmd.qtyLots, config.maxQtyLots)) return MatchingReject.InvalidQuantity;
  if (isConditional(type)) {
    if (!isInRange(cmd.triggerPriceTicks, config.maxPriceTicks)) return MatchingReject.InvalidTrigger;
    if (cmd.triggerSource !== TriggerSource.LastTrade && cmd.triggerSource !== TriggerSource.MarkPrice) {
      return MatchingReject.InvalidTrigger;
    }
  }
  return null;
}

/**
 * Whether a conditional order's trigger holds at `priceTicks` (0 = no price yet: never).
 * Stop buy: price ≥ trigger; stop sell: price ≤ trigger; take-profit buy: price ≤ trigger;
 * take-profit sell: price ≥ trigger.
 */
export function triggerHolds(type: OrderType, side: Side, triggerPriceTicks: number, priceTicks: number): boolean {
  if (priceTicks === 0) return false;
  const stop = type === OrderType.StopMarket || type === OrderType.StopLimit;
  const risingTriggers = stop === (side === Side.Buy);
  return risingTriggers ? priceTicks >= triggerPriceTicks : priceTicks <= triggerPriceTicks;
}

/** The worst price a market order of `side` may trade at, around reference `refTicks` (see the module doc). */
export function bandLimitTicks(side: Side, refTicks: number, priceBandE8: number): number {
  return side === Side.Buy
    ? mulDiv(refTicks, E8 + priceBandE8, E8, Rounding.Floor)
    : mulDiv(refTicks, E8 - priceBandE8, E8, Rounding.Ceil);
}

/** Checks a book config at construction; throws a DomainError naming the bad key. */
export function requireBookConfig(config: OrderBookConfig): OrderBookConfig {
  const maxPriceTicks = requirePositiveInteger('OrderBookConfig.maxPriceTicks', config.maxPriceTicks);
  const maxQtyLots = requirePositiveInteger('OrderBookConfig.maxQtyLots', config.maxQtyLots);
  if (BigInt(maxPriceTicks) * BigInt(maxQtyLots) > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new DomainError('DOMAIN_INVALID_MARKET_SPEC', 'OrderBookConfig: maxPriceTicks × maxQtyLots must stay <= 2^53 - 1');
  }
  const priceBandE8 = requirePositiveInteger('OrderBookConfig.priceBandE8', config.priceBandE8);
  if (priceBandE8 >= E8) throw new DomainError('DOMAIN_INVALID_MARKET_SPEC', 'OrderBookConfig.priceBandE8 must be < 1e8');
  return { maxPriceTicks, maxQtyLots, priceBandE8 };
}
