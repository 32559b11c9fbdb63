/**
 * Initial margin of open orders (RISK-SPEC §3.2) and the market IM.
 *
 * For each side d (buy +1, sell −1), orders most aggressive first (buys by price
 * descending, sells ascending; equal prices keep input order):
 * - the first `R_d` lots reduce the position and need no IM (`R_d = q` when d is
 *   opposite the position, else 0); the rest are opening lots and
 *   `openingNotional_d = Σ openingLots × price × lotTickUnits` (units, exact);
 * - `openLoss_d = Σ over all d-orders of lots × max(0, d × (price − M))`, the
 *   immediate loss of a buy above mark or a sell below mark (reducing lots included);
 * - `IMord_d = ceil(openingNotional_d / L) + openLoss_d`;
 * - market `IM = IMpos + max(IMord_buy, IMord_sell)`; the leverage tier uses the
 *   opening notional of that larger side (ties: the larger opening notional).
 *
 * Rounding: `ceil` for the opening part and, once per side, for the open loss (its
 * exact value has denominator spt because M is in subticks).
 *
 * Split for the hot path: `buildOrderExposure` does everything that does not depend
 * on the mark (sorting, reducing lots, opening IM) when orders, position or leverage
 * change; `orderMarginAtMark` adds the open loss at a mark, walking each ladder only
 * while orders are beyond the mark (usually none), allocation-free.
 *
 * Example: long 10 lots, L = 10, lotTickUnits 100, mark 1,000.00 ticks (spt 100);
 * sells 4 @ 1,010 and 8 @ 1,020 reduce the 10 lots first (4 + 6) and open 2 @ 1,020:
 * openingNotional_sell = 2 × 1,020 × 100 = 204,000, IMord_sell = 20,400; a buy
 * 3 @ 1,005 (above mark) has open loss 3 × 5 × 100 = 1,500 and opens 3 × 1,005 × 100
 * = 301,500 → IMord_buy = 30,150 + 1,500 = 31,650; IMord = 31,650.
 */
import { DomainError, Side } from '@perpcore/domain';
import type { MarketRiskParams } from './market-risk-params.js';
import { initialFromNotional } from './initial-margin.js';
import { requireLeverage, requirePrice, requireQtyLots } from './input-guards.js';
import { loadNotionalAtMark, notionalFraction } from './notional.js';
import { mulDivFloorWide, wideRemainder } from './wide-arithmetic.js';

export interface RestingOrder {
  readonly side: Side;
  readonly priceTicks: number;
  /** Remaining (unfilled) lots, > 0. */
  readonly qtyLots: number;
}

/** Mark-independent order margin of one market for one account (caller-owned, rebuilt on change). */
export interface OrderExposure {
  readonly buyOpeningLots: number;
  readonly buyOpeningNotionalUnits: number;
  /** ceil(buyOpeningNotionalUnits / L). */
  readonly buyOpeningImUnits: number;
  readonly sellOpeningLots: number;
  readonly sellOpeningNotionalUnits: number;
  readonly sellOpeningImUnits: number;
  /** Buy ladder, price descending (most aggressive first). */
  readonly buyPriceTicks: readonly number[];
  readonly buyQtyLots: readonly number[];
  /** Sell ladder, price ascending. */
  readonly sellPriceTicks: readonly number[];
  readonly sellQtyLots: readonly number[];
}

export interface SideOrderMargin {
  readonly openingLots: number;
  readonly openingNotionalUnits: number;
  readonly openLossUnits: number;
  /** ceil(openingNotional / L) + openLoss. */
  readonly imUnits: number;
}

export interface OrderMargin {
  readonly buy: SideOrderMargin;
  readonly sell: SideOrderMargin;
  /** max(buy.imUnits, sell.imUnits). */
  readonly imUnits: number;
  /** Opening notional of the side with the larger IM: the leverage tier's `openingNotional`. */
  readonly openingNotionalUnits: number;
}

export interface MarketMarginInput {
  /** Signed position size Q. */
  readonly qtyLots: number;
  readonly leverage: number;
  readonly markSubticks: number;
  readonly orders: readonly RestingOrder[];
}

export interface MarketMargin {
  readonly positionImUnits: number;
  readonly orders: OrderMargin;
  /** IMpos + max(IMord_buy, IMord_sell). */
  readonly imUnits: number;
}

interface Ladder {
  prices: number[];
  lots: number[];
  openingLots: number;
  openingNotionalUnits: number;
}

function buildLadder(params: MarketRiskParams, orders: readonly RestingOrder[], side: Side, reducingLots: number): Ladder {
  const picked: RestingOrder[] = [];
  for (const order of orders) if (order.side === side) picked.push(order);
  // stable sort: equal prices keep their queue order
  picked.sort((a, b) => (side === Side.Buy ? b.priceTicks - a.priceTicks : a.priceTicks - b.priceTicks));
  let free = reducingLots;
  let openingLots = 0;
  let openingLotTicks = 0;
  const prices: number[] = [];
  const lots: number[] = [];
  for (const order of picked) {
    prices.push(order.priceTicks);
    lots.push(order.qtyLots);
    const reducing = Math.min(free, order.qtyLots);
    free -= reducing;
    const opening = order.qtyLots - reducing;
    openingLots += opening;
    openingLotTicks += opening * order.priceTicks;
    if (!Number.isSafeInteger(openingLotTicks) || !Number.isSafeInteger(openingLots)) {
      throw new DomainError('DOMAIN_OUT_OF_RANGE', `${params.symbol}: opening order notional exceeds the safe-integer range`);
    }
  }
  return { prices, lots, openingLots, openingNotionalUnits: mulDivFloorWide(openingLotTicks, params.lotTickUnits, 1) };
}

function checkOrders(params: MarketRiskParams, orders: readonly RestingOrder[]): void {
  if (!Array.isArray(orders)) throw new DomainError('DOMAIN_NOT_AN_INTEGER', 'orders must be an array');
  for (let i = 0; i < orders.length; i++) {
    const o = orders[i];
    if (o.side !== Side.Buy && o.side !== Side.Sell) {
      throw new DomainError('RISK_INVALID_ARGUMENT', `orders[${i}].side must be +1 or -1, got ${String(o.side)}`);
    }
    requirePrice(`orders[${i}].priceTicks`, o.priceTicks);
    if (o.priceTicks * params.markSubticksPerTick > Number.MAX_SAFE_INTEGER) {
      throw new DomainError('DOMAIN_OUT_OF_RANGE', `orders[${i}].priceTicks × markSubticksPerTick exceeds the safe-integer range`);
    }
    requirePrice(`orders[${i}].qtyLots`, o.qtyLots);
  }
}

/** Mark-independent part of the order margin (see the module doc). */
export function buildOrderExposure(params: MarketRiskParams, qtyLots: number, leverage: number, orders: readonly RestingOrder[]): OrderExposure {
  const q = requireQtyLots('qtyLots', qtyLots);
  const lev = requireLeverage(params, leverage);
  checkOrders(params, orders);
  const buy = buildLadder(params, orders, Side.Buy, q < 0 ? -q : 0);
  const sell = buildLadder(params, orders, Side.Sell, q > 0 ? q : 0);
  return Object.freeze({
    buyOpeningLots: buy.openingLots,
    buyOpeningNotionalUnits: buy.openingNotionalUnits,
    buyOpeningImUnits: initialFromNotional(buy.openingNotionalUnits, 0, 1, lev),
    sellOpeningLots: sell.openingLots,
    sellOpeningNotionalUnits: sell.openingNotionalUnits,
    sellOpeningImUnits: initialFromNotional(sell.openingNotionalUnits, 0, 1, lev),
    buyPriceTicks: Object.freeze(buy.prices),
    buyQtyLots: Object.freeze(buy.lots),
    sellPriceTicks: Object.freeze(sell.prices),
    sellQtyLots: Object.freeze(sell.lots),
  });
}

/**
 * Internal kernel: open loss (units, rounded up) of a ladder at the mark
 * `marks[markIndex]`; `side` is +1 for the buy ladder, −1 for the sell ladder. Walks
 * only the orders beyond the mark. The mark is passed as (array, index), not as a
 * number, so that a call the optimiser does not inline boxes nothing.
 */
export function openLossAt(params: MarketRiskParams, prices: readonly number[], lots: readonly number[], side: number, marks: ArrayLike<number>, markIndex: number): number {
  const markSubticks = marks[markIndex];
  const spt = params.markSubticksPerTick;
  let lotTicks = 0; // Σ lots × whole ticks beyond the mark
  let lotSubticks = 0; // Σ lots × leftover subticks (< spt each)
  for (let i = 0; i < prices.length; i++) {
    const beyond = side * (prices[i] * spt - markSubticks);
    if (beyond <= 0) break; // sorted most aggressive first: the rest are not beyond
    const wholeTicks = Math.floor(beyond / spt);
    lotTicks += lots[i] * wholeTicks;
    lotSubticks += lots[i] * (beyond - wholeTicks * spt);
  }
  if (lotTicks === 0 && lotSubticks === 0) return 0;
  if (!Number.isSafeInteger(lotTicks) || !Number.isSafeInteger(lotSubticks)) {
    throw new DomainError('DOMAIN_OUT_OF_RANGE', `${params.symbol}: open loss exceeds the safe-integer range`);
  }
  const whole = mulDivFloorWide(lotTicks, params.lotTickUnits, 1);
  const part = mulDivFloorWide(lotSubticks, params.lotTickUnits, spt);
  const loss = whole + part + (wideRemainder() > 0 ? 1 : 0);
  if (!Number.isSafeInteger(loss)) throw new DomainError('DOMAIN_OUT_OF_RANGE', `${params.symbol}: open loss exceeds the safe-integer range`);
  return loss;
}

const markScratch = new Float64Array(1);
/** Internal (hot path): `loadOrderMarginAt` writes IMord to element 0; read it directly, not through a call. */
export const orderMarginSlot = new Float64Array(1);

/** Internal (hot path): IMord at `marks[markIndex]` into `orderMarginSlot[0]`; objects and indexes only cross the call. */
export function loadOrderMarginAt(params: MarketRiskParams, exposure: OrderExposure, marks: ArrayLike<number>, markIndex: number): void {
  const buy = exposure.buyOpeningImUnits + openLossAt(params, exposure.buyPriceTicks, exposure.buyQtyLots, 1, marks, markIndex);
  const sell = exposure.sellOpeningImUnits + openLossAt(params, exposure.sellPriceTicks, exposure.sellQtyLots, -1, marks, markIndex);
  orderMarginSlot[0] = buy > sell ? buy : sell;
}

/** IMord = max over sides of (opening IM + open loss at mark). */
export function orderMarginAtMark(params: MarketRiskParams, exposure: OrderExposure, markSubticks: number): number {
  markScratch[0] = requirePrice('markSubticks', markSubticks);
  loadOrderMarginAt(params, exposure, markScratch, 0);
  return orderMarginSlot[0];
}

/** Full order-margin breakdown of one market at a mark. */
export function orderInitialMargin(params: MarketRiskParams, input: MarketMarginInput): OrderMargin {
  requirePrice('markSubticks', input.markSubticks);
  const exposure = buildOrderExposure(params, input.qtyLots, input.leverage, input.orders);
  markScratch[0] = input.markSubticks;
  const buyLoss = openLossAt(params, exposure.buyPriceTicks, exposure.buyQtyLots, 1, markScratch, 0);
  const sellLoss = openLossAt(params, exposure.sellPriceTicks, exposure.sellQtyLots, -1, markScratch, 0);
  const buy: SideOrderMargin = Object.freeze({
    openingLots: exposure.buyOpeningLots,
    openingNotionalUnits: exposure.buyOpeningNotionalUnits,
    openLossUnits: buyLoss,
    imUnits: exposure.buyOpeningImUnits + buyLoss,
  });
  const sell: SideOrderMargin = Object.freeze({
    openingLots: exposure.sellOpeningLots,
    openingNotionalUnits: exposure.sellOpeningNotionalUnits,
    openLossUnits: sellLoss,
    imUnits: exposure.sellOpeningImUnits + sellLoss,
  });
  const buyWins = buy.imUnits > sell.imUnits || (buy.imUnits === sell.imUnits && buy.openingNotionalUnits >= sell.openingNotionalUnits);
  return Object.freeze({
    buy,
    sell,
    imUnits: buyWins ? buy.imUnits : sell.imUnits,
    openingNotionalUnits: buyWins ? buy.openingNotionalUnits : sell.openingNotionalUnits,
  });
}

/** Market IM = IMpos + max(IMord_buy, IMord_sell), with its parts. */
export function marketInitialMargin(params: MarketRiskParams, input: MarketMarginInput): MarketMargin {
  const orders = orderInitialMargin(params, input);
  const q = Math.abs(input.qtyLots);
  const whole = loadNotionalAtMark(params, q, input.markSubticks);
  const positionImUnits = initialFromNotional(whole, notionalFraction(), params.markSubticksPerTick, input.leverage);
  const imUnits = positionImUnits + orders.imUnits;
  if (!Number.isSafeInteger(imUnits)) throw new DomainError('DOMAIN_OUT_OF_RANGE', `${params.symbol}: market IM exceeds the safe-integer range`);
  return Object.freeze({ positionImUnits, orders, imUnits });
}
