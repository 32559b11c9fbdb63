/**
 * What matching reports back about orders, applied to the risk stage's state:
 * accepted (the hold becomes live), rejected (a pending place is dropped, a pending
 * amend undone), filled (both legs settled), cancelled (the hold is released),
 * amended (confirmed at matching's values).
 *
 * Isolated money follows the order's tracked hold (isolated-margin.ts):
 * - rejected: a refused place returns its whole hold, a refused amend the part it
 *   moved in, and the order's price and lots are restored, so the state is the one
 *   before the command (the hash pins it). A rejection is matched to its order by
 *   owner as well as id (a cancel of someone else's order id is refused too), and
 *   a rejection while the order is still PENDING is the place's: matching answers a
 *   place before any amend of it;
 * - cancelled: the order's hold leaves it, returned as far as the scope can spare;
 * - amended: a shrink accepted by risk returns its part once matching confirms it
 *   (until then matching may still fill the old size, so the hold stays).
 *
 * After each fill leg:
 * - reduce-only orders that no longer fit the position (wrong side, or more lots
 *   than |Q|) are cancelled, least aggressive first (a fill already matched is
 *   final; risk only stops the rest from over-reducing);
 * - an isolated row left flat with no orders returns its bucket;
 * - maker re-check at fill time, as venues do: the resting side's margin may have
 *   worsened since placement. The fill stands (it matched; it is final), but if the
 *   maker's scope now has negative available margin (`E − Σ IM < 0`), risk cancels
 *   the maker's remaining opening (non-reduce-only) orders in that market, and the
 *   scope is evaluated like any other: it may be called or liquidated;
 * - the account's scopes are re-evaluated (transition events, fresh triggers).
 */
import { FillType, Liquidity, MarginMode } from '@perpcore/domain';
import type { FillSettlement, LegPlan } from '../accounts/fill-settlement.js';
import type { IsolatedMargin } from '../margin-watch/isolated-margin.js';
import type { MarginWatch } from '../margin-watch/margin-watch.js';
import { OrderState } from './open-orders.js';
import { AccountKind } from '../accounts/account-book.js';
import type { RiskState } from '../risk-state.js';

export class OrderLifecycle {
  makerRechecksFailed = 0;
  riskCancelsSent = 0;

  constructor(
    private readonly s: RiskState,
    private readonly settlement: FillSettlement,
    private readonly isolated: IsolatedMargin,
    private readonly watch: MarginWatch,
  ) {}

  accepted(m: number, orderId: number): void {
    const o = this.s.orders.find(m, orderId);
    if (o >= 0 && this.s.orders.state[o] === OrderState.Pending) this.s.orders.state[o] = OrderState.Live;
  }

  /** Matching refused a command of `accountId` about this order: drop a pending place, or undo a pending amend. */
  rejected(m: number, orderId: number, accountId: number, tsNs: number): void {
    const s = this.s;
    const orders = s.orders;
    const o = orders.find(m, orderId);
    if (o < 0) return;
    const r = orders.row[o];
    if (s.accounts.ids[s.ledger.account[r]] !== accountId) return;
    if (orders.state[o] === OrderState.Pending) {
      const hold = orders.holdUnits[o];
      orders.remove(m, o);
      if (hold > 0) this.afterReturn(r, m, this.isolated.refund(r, hold, tsNs), tsNs);
      return;
    }
    if (orders.amendPrevLots[o] < 0) return;
    orders.reprice(o, orders.amendPrevPriceTicks[o], orders.amendPrevLots[o]);
    orders.amendPrevPriceTicks[o] = -1;
    orders.amendPrevLots[o] = -1;
    const part = orders.amendHoldUnits[o];
    orders.amendHoldUnits[o] = 0;
    if (part > 0) {
      orders.holdUnits[o] -= part;
      this.afterReturn(r, m, this.isolated.refund(r, part, tsNs), tsNs);
    }
  }

  canceled(m: number, orderId: number, tsNs: number): void {
    const o = this.s.orders.find(m, orderId);
    if (o >= 0) this.removeOrder(m, o, tsNs);
  }

  amended(m: number, orderId: number, priceTicks: number, qtyLots: number, tsNs: number): void {
    const orders = this.s.orders;
    const o = orders.find(m, orderId);
    if (o < 0) return;
    orders.reprice(o, priceTicks, qtyLots);
    orders.amendPrevPriceTicks[o] = -1;
    orders.amendPrevLots[o] = -1;
    const part = orders.amendHoldUnits[o];
    orders.amendHoldUnits[o] = 0;
    if (part < 0) {
      const given = Math.min(-part, orders.holdUnits[o]);
      orders.holdUnits[o] -= given;
      const r = orders.row[o];
      this.afterReturn(r, m, this.isolated.release(r, given, tsNs), tsNs);
    }
  }

  /**
   * One leg of a fill for `accountId` (opened with a zero balance if unknown: a
   * matched fill must settle). `side` is this account's side. `plan`: the leg as
   * `FillSettlement.planPair` worked it out (null: planned here, right before it
   * is written).
   */
  fillLeg(m: number, accountId: number, orderId: number, side: number, priceTicks: number, lots: number, remainingLots: number, liquidity: number, fillType: number, tradeSeq: number, tsNs: number, plan: LegPlan | null = null): void {
    const s = this.s;
    let slot = s.accounts.slotOf(accountId);
    if (slot < 0) slot = s.accounts.open(accountId, AccountKind.Trader);
    const market = s.markets[m];
    if (market.markSubticks <= 0) {
      // no index yet: value positions at the first fill until the oracle speaks
      market.markSubticks = priceTicks * market.params.markSubticksPerTick;
      s.evaluator.marks[m] = market.markSubticks;
    }
    const r = plan !== null ? this.settlement.applyLeg(plan, orderId, remainingLots, tradeSeq, tsNs) : this.settlement.settleLeg(m, slot, orderId, side, priceTicks, lots, remainingLots, liquidity, fillType, tradeSeq, tsNs);
    this.trimReduceOnly(m, r, tsNs);
    this.isolated.sweepIfFlat(r, tsNs);
    this.watch.reevaluateAccount(slot, m, tsNs);
    if (liquidity === Liquidity.Maker && fillType === FillType.Limit && s.isTrader(slot)) this.recheckMaker(m, slot, r, tsNs);
  }

  /** Cancels every open order of a row (ADL counterparty, §8.8). */
  cancelOpenOrders(m: number, r: number, tsNs: number): void {
    if (r < 0) return;
    const s = this.s;
    for (let side = -1; side <= 1; side += 2) {
      const list = s.orders.list(r, side);
      for (let i = 0, n = s.orders.size(r, side); i < n; i++) this.requestCancel(m, list[i], tsNs);
    }
  }

  private removeOrder(m: number, o: number, tsNs: number): void {
    const s = this.s;
    const r = s.orders.row[o];
    const hold = s.orders.holdUnits[o];
    s.orders.remove(m, o);
    if (hold <= 0 && s.ledger.mode[r] !== MarginMode.Isolated) return;
    const bucket = s.ledger.isolatedUnits[r];
    const returned = this.isolated.sweepIfFlat(r, tsNs) ? bucket : this.isolated.release(r, hold, tsNs);
    this.afterReturn(r, m, returned, tsNs);
  }

  /** Money went back from the row's bucket to the wallet: both scopes of the account changed (states, triggers). */
  private afterReturn(r: number, m: number, returnedUnits: number, tsNs: number): void {
    if (returnedUnits > 0) this.watch.reevaluateAccount(this.s.ledger.account[r], m, tsNs);
  }

  private recheckMaker(m: number, slot: number, r: number, tsNs: number): void {
    const s = this.s;
    const led = s.ledger;
    if (led.openOrders[r] === 0) return;
    let available: number;
    if (led.mode[r] === MarginMode.Isolated) {
      const iso = s.evaluator.evaluateIsolated(r);
      available = iso.equityUnits - s.evaluator.initialUnits;
    } else {
      available = this.watch.lastCrossAvailableUnits; // the cross scope was just evaluated by reevaluateAccount
    }
    if (available >= 0) return;
    this.makerRechecksFailed++;
    for (let side = -1; side <= 1; side += 2) {
      const list = s.orders.list(r, side);
      for (let i = 0, n = s.orders.size(r, side); i < n; i++) if (!s.orders.reduceOnly[list[i]]) this.requestCancel(m, list[i], tsNs);
    }
  }

  /** Cancels reduce-only orders that no longer fit the position, least aggressive first. */
  private trimReduceOnly(m: number, r: number, tsNs: number): void {
    const s = this.s;
    const led = s.ledger;
    if (led.reduceOnlyBuyLots[r] === 0 && led.reduceOnlySellLots[r] === 0) return;
    const q = led.qtyLots[r];
    for (let side = -1; side <= 1; side += 2) {
      const held = side > 0 ? led.reduceOnlyBuyLots[r] : led.reduceOnlySellLots[r];
      const allowed = q !== 0 && Math.sign(q) !== side ? Math.abs(q) : 0;
      if (held <= allowed) continue;
      let kept = 0;
      const list = s.orders.list(r, side);
      for (let i = 0, n = s.orders.size(r, side); i < n; i++) {
        const o = list[i];
        if (!s.orders.reduceOnly[o]) continue;
        kept += s.orders.remainingLots[o];
        if (kept > allowed) this.requestCancel(m, o, tsNs);
      }
    }
  }

  private requestCancel(m: number, o: number, tsNs: number): void {
    const s = this.s;
    if (s.orders.state[o] === OrderState.CancelRequested) return;
    s.orders.state[o] = OrderState.CancelRequested;
    this.riskCancelsSent++;
    s.events.cancel(s.markets[m], tsNs, s.accounts.ids[s.ledger.account[s.orders.row[o]]], s.orders.orderId[o]);
  }
}
