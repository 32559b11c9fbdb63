/**
 * Pre-trade check (RISK-SPEC §2–§3.2): every place and amend passes here before
 * matching sees it. Accepted orders enter the risk stage's open orders at once, so
 * their initial margin is held from that moment (the hold is the increase in the
 * market's IM). Checks, first failure wins, nothing changed on a reject:
 *
 * 1. account known and a trader; order fields priceable (side, type, lots and price
 *    within the market's bounds); the market has a mark; order id not already open;
 * 2. the scope is not being liquidated (reduce-only orders still pass);
 * 3. reduce-only: the order must shrink the position: opposite side, and the side's
 *    reduce-only lots including this one ≤ |Q| (RISK_REDUCE_ONLY_WOULD_INCREASE);
 * 4. when the order raises IM (hold > 0; reduce-only orders are exempt so a trader
 *    can always close): the leverage tier holding `q × M + openingNotional` must
 *    allow the row's leverage and that notional must stay within the last tier
 *    (`checkLeverageForOrders`), then
 *    - cross: available margin `E − Σ IM` (the new order included) ≥ 0;
 *    - isolated: the cross scope's withdrawable amount covers the hold, and the
 *      bucket plus the hold covers the isolated IM; the hold then moves from the
 *      wallet into the bucket (LedgerTransferV1) and is recorded on the order
 *      (`OpenOrders.holdUnits`; an amend's increase also as its part in flight,
 *      `amendHoldUnits`), so that matching's refusal returns exactly it;
 * 5. an isolated amend that lowers the IM records the decrease, at most the order's
 *    hold, as a negative part to return when matching confirms (isolated-margin.ts).
 *
 * A reject leaves the state as it was: the order added (or repriced) to measure its
 * IM is taken out (or put back) on every failure, including an open-order notional
 * the kernel cannot represent (RISK_NOTIONAL_ABOVE_MAX_TIER: past the safe range is
 * past every tier's cap), and the transfer is the last step of an accept.
 *
 * Market and stop-market orders are held at the worst price the band lets them
 * trade: the mark (or the stop's trigger, if beyond it) moved by `priceBandE8`,
 * rounded away from the reference (buy up, sell down: the hold is never short).
 *
 * Hot path: one scope evaluation and two order-IM walks of the order's row; no
 * allocation on accept (a reject allocates its message).
 */
import { DomainError, OrderType, Rounding, mulDiv } from '@perpcore/domain';
import { type MarketRiskParams, checkLeverageForOrders, withdrawableUnits } from '@perpcore/margin';
import type { IsolatedMargin } from '../margin-watch/isolated-margin.js';
import { MarginStateCode } from '../margin-watch/margin-state-code.js';
import { type OrderIntent, hasLimitPrice, isKnownOrderType } from './order-intent.js';
import { RiskReject } from '../risk-reject-codes.js';
import type { RiskMarket } from '../risk-market.js';
import type { RiskState } from '../risk-state.js';

const E8 = 100_000_000;

export class PreTradeCheck {
  /** Message of the last reject. */
  rejectMessage = '';
  accepted = 0;
  rejected = 0;
  /** Why the kernel could not size the last order (set before a NOTIONAL_ABOVE_MAX_TIER reject). */
  private kernelMessage = '';
  /** Reused input of the tier check (no allocation per order). */
  private readonly tierInput = { qtyLots: 0, markSubticks: 0, openingNotionalUnits: 0 };

  constructor(
    private readonly s: RiskState,
    private readonly isolated: IsolatedMargin,
  ) {}

  /** '' when accepted (the order now holds margin in risk), else the reject code (see `rejectMessage`). */
  checkPlace(o: OrderIntent, tsNs: number): string {
    const s = this.s;
    const market = s.markets[o.market];
    const slot = s.accounts.slotOf(o.accountId);
    if (slot < 0) return this.reject(RiskReject.UnknownAccount, `account ${o.accountId} does not exist`);
    if (!s.isTrader(slot)) return this.reject(RiskReject.SystemAccount, `account ${o.accountId} is a system account`);
    if (s.killSwitched.size !== 0 && s.killSwitched.has(o.accountId)) return this.reject(RiskReject.KillSwitchEngaged, `account ${o.accountId}'s kill switch is engaged`);
    const bad = this.badFields(market, o);
    if (bad !== '') return this.reject(RiskReject.InvalidOrder, bad);
    if (market.markSubticks <= 0) return this.reject(RiskReject.NoMarkPrice, `${market.symbol} has no mark price yet`);
    if (s.orders.find(o.market, o.orderId) >= 0) return this.reject(RiskReject.DuplicateOrderId, `order ${o.orderId} is already open in ${market.symbol}`);
    const led = s.ledger;
    const r = s.rowFor(slot, o.market);
    const q = led.qtyLots[r];
    const code = this.scopeAndReduceOnly(slot, r, o.side, o.qtyLots, 0, o.reduceOnly);
    if (code !== '') return code;
    const price = hasLimitPrice(o.type) ? o.priceTicks : this.holdPriceTicks(market, o.side, o.triggerPriceTicks);
    const params = market.params;
    const mark = market.markSubticks;
    const lev = led.leverage[r];
    const imf = market.initialFractionE8();
    const before = s.kernel.orderIm(params, r, q, lev, mark, imf);
    const added = s.orders.add(o.market, o.orderId, r, o.side, price, o.qtyLots, o.reduceOnly);
    const after = this.orderImOrNaN(params, r, q, lev, mark, imf);
    if (Number.isNaN(after)) {
      s.orders.remove(o.market, added);
      return this.reject(RiskReject.NotionalAboveMaxTier, this.kernelMessage);
    }
    const hold = after - before;
    if (hold > 0 && !o.reduceOnly) {
      const failed = this.holdMargin(slot, r, market, hold, s.kernel.openingNotionalUnits, tsNs);
      if (failed !== '') {
        s.orders.remove(o.market, added);
        return failed;
      }
      if (led.isIsolated(r)) s.orders.holdUnits[added] = hold;
    }
    this.accepted++;
    return '';
  }

  /** Amend to a new price and remaining size; '' when accepted (applied, undone if matching refuses it). */
  checkAmend(m: number, orderId: number, accountId: number, priceTicks: number, qtyLots: number, tsNs: number): string {
    const s = this.s;
    const market = s.markets[m];
    const slot = s.accounts.slotOf(accountId);
    if (slot < 0) return this.reject(RiskReject.UnknownAccount, `account ${accountId} does not exist`);
    if (s.killSwitched.size !== 0 && s.killSwitched.has(accountId)) return this.reject(RiskReject.KillSwitchEngaged, `account ${accountId}'s kill switch is engaged`);
    const o = s.orders.find(m, orderId);
    const r = o >= 0 ? s.orders.row[o] : -1;
    if (o < 0 || s.ledger.account[r] !== slot) return this.reject(RiskReject.UnknownOrder, `order ${orderId} of account ${accountId} is not open in ${market.symbol}`);
    if (s.orders.amendPrevLots[o] >= 0) return this.reject(RiskReject.InvalidCommand, `order ${orderId} already has an amend in flight`);
    if (!this.inRange(priceTicks, market.spec.maxPriceTicks) || !this.inRange(qtyLots, market.spec.maxQtyLots)) {
      return this.reject(RiskReject.InvalidOrder, `amend price ${priceTicks} / lots ${qtyLots} outside the bounds of ${market.symbol}`);
    }
    const side = s.orders.side[o];
    const oldPrice = s.orders.priceTicks[o];
    const oldLots = s.orders.remainingLots[o];
    const reduceOnly = s.orders.reduceOnly[o];
    const code = this.scopeAndReduceOnly(slot, r, side, qtyLots, oldLots, reduceOnly);
    if (code !== '') return code;
    const led = s.ledger;
    const mark = market.markSubticks;
    const imf = market.initialFractionE8();
    const before = s.kernel.orderIm(market.params, r, led.qtyLots[r], led.leverage[r], mark, imf);
    s.orders.reprice(o, priceTicks, qtyLots);
    const after = this.orderImOrNaN(market.params, r, led.qtyLots[r], led.leverage[r], mark, imf);
    if (Number.isNaN(after)) {
      s.orders.reprice(o, oldPrice, oldLots);
      return this.reject(RiskReject.NotionalAboveMaxTier, this.kernelMessage);
    }
    const hold = after - before;
    let part = 0;
    if (hold > 0 && !reduceOnly) {
      const failed = this.holdMargin(slot, r, market, hold, s.kernel.openingNotionalUnits, tsNs);
      if (failed !== '') {
        s.orders.reprice(o, oldPrice, oldLots);
        return failed;
      }
      if (led.isIsolated(r)) part = hold;
    } else if (hold < 0 && led.isIsolated(r)) {
      const returned = Math.min(-hold, s.orders.holdUnits[o]);
      if (returned > 0) part = -returned;
    }
    s.orders.holdUnits[o] += part > 0 ? part : 0;
    s.orders.amendHoldUnits[o] = part;
    s.orders.amendPrevPriceTicks[o] = oldPrice;
    s.orders.amendPrevLots[o] = oldLots;
    this.accepted++;
    return '';
  }

  /** The price a market / stop-market order is held at (see the module doc). */
  holdPriceTicks(market: RiskMarket, side: number, triggerPriceTicks: number): number {
    const band = market.spec.priceBandE8;
    const spt = market.params.markSubticksPerTick;
    if (side > 0) {
      const ref = Math.max(mulDiv(market.markSubticks, 1, spt, Rounding.Ceil), triggerPriceTicks);
      return Math.min(market.spec.maxPriceTicks, mulDiv(ref, E8 + band, E8, Rounding.Ceil));
    }
    const markTicks = mulDiv(market.markSubticks, 1, spt, Rounding.Floor);
    const ref = triggerPriceTicks > 0 ? Math.min(markTicks, triggerPriceTicks) : markTicks;
    return Math.max(1, mulDiv(ref, E8 - band, E8, Rounding.Floor));
  }

  private scopeAndReduceOnly(slot: number, r: number, side: number, lots: number, replacedLots: number, reduceOnly: boolean): string {
    const s = this.s;
    const led = s.ledger;
    const state = led.isIsolated(r) ? led.isolatedState[r] : s.accounts.crossState[slot];
    if (state === MarginStateCode.Liquidating && !reduceOnly) return this.reject(RiskReject.AccountLiquidating, `account ${s.accounts.ids[slot]} is being liquidated: reduce-only orders only`);
    if (!reduceOnly) return '';
    const q = led.qtyLots[r];
    const held = side > 0 ? led.reduceOnlyBuyLots[r] : led.reduceOnlySellLots[r];
    if (q === 0 || Math.sign(q) === side || held - replacedLots + lots > Math.abs(q)) {
      return this.reject(RiskReject.ReduceOnlyWouldIncrease, `reduce-only ${side > 0 ? 'buy' : 'sell'} of ${lots} lots (${held - replacedLots} already resting) would not shrink a position of ${q} lots`);
    }
    return '';
  }

  /** Tier and margin checks of a hold; on success moves an isolated hold into the bucket. */
  private holdMargin(slot: number, r: number, market: RiskMarket, hold: number, openingNotionalUnits: number, tsNs: number): string {
    const s = this.s;
    const led = s.ledger;
    try {
      const t = this.tierInput;
      t.qtyLots = led.qtyLots[r];
      t.markSubticks = market.markSubticks;
      t.openingNotionalUnits = openingNotionalUnits;
      checkLeverageForOrders(market.params, t, led.leverage[r]);
    } catch (error) {
      if (error instanceof DomainError) return this.reject(error.code, error.message);
      throw error;
    }
    const ev = s.evaluator;
    if (!led.isIsolated(r)) {
      const res = ev.evaluateCross(slot);
      const available = res.equityUnits - ev.initialUnits;
      if (available < 0) return this.reject(RiskReject.InsufficientMargin, `order needs ${hold} more initial margin; available would be ${available}`);
      return '';
    }
    const cross = ev.evaluateCross(slot);
    const transferable = withdrawableUnits(s.accounts.balances[0][slot], cross.equityUnits, ev.initialUnits);
    if (transferable < hold) return this.reject(RiskReject.InsufficientMargin, `isolated hold of ${hold} exceeds the ${transferable} cross margin can move`);
    const iso = ev.evaluateIsolated(r);
    if (iso.equityUnits + hold - ev.initialUnits < 0) return this.reject(RiskReject.InsufficientMargin, `isolated equity ${iso.equityUnits} plus the hold ${hold} does not cover the isolated IM ${ev.initialUnits}`);
    this.isolated.transfer(r, hold, tsNs);
    return '';
  }

  /** The row's order IM, or NaN when its notional leaves the safe range (message in `kernelMessage`). */
  private orderImOrNaN(params: MarketRiskParams, r: number, qtyLots: number, leverage: number, markSubticks: number, initialFractionE8: number): number {
    try {
      return this.s.kernel.orderIm(params, r, qtyLots, leverage, markSubticks, initialFractionE8);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.kernelMessage = error.message;
      return Number.NaN;
    }
  }

  private badFields(market: RiskMarket, o: OrderIntent): string {
    if (o.side !== 1 && o.side !== -1) return `side ${o.side} is not buy or sell`;
    if (!isKnownOrderType(o.type)) return `order type ${o.type} is unknown`;
    if (!this.inRange(o.qtyLots, market.spec.maxQtyLots)) return `quantity ${o.qtyLots} lots outside 1..${market.spec.maxQtyLots}`;
    if (hasLimitPrice(o.type) && !this.inRange(o.priceTicks, market.spec.maxPriceTicks)) return `price ${o.priceTicks} ticks outside 1..${market.spec.maxPriceTicks}`;
    const stop = o.type !== OrderType.Limit && o.type !== OrderType.Market;
    if (stop && !this.inRange(o.triggerPriceTicks, market.spec.maxPriceTicks)) return `trigger price ${o.triggerPriceTicks} ticks outside 1..${market.spec.maxPriceTicks}`;
    if (!Number.isSafeInteger(o.orderId) || o.orderId < 1) return `order id ${o.orderId} is not a positive safe integer`;
    return '';
  }

  private inRange(value: number, max: number): boolean {
    return Number.isSafeInteger(value) && value >= 1 && value <= max;
  }

  private reject(code: string, message: string): string {
    this.rejectMessage = message;
    this.rejected++;
    return code;
  }
}

