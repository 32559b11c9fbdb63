/**
 * When is an order command finished, seen only from the stages' event streams?
 * (The Kafka client's answer; embedded mode knows it from the publish returning.)
 *
 * - place: refused by risk (`OrderRejectedV1` on the risk stream) or by matching
 *   (`rejected`), canceled (IOC / FOK / market remainder, post-only, self-trade),
 *   fully filled as taker (`taker_remaining_lots` 0), shown resting (a book delta of
 *   the same matching input at its side and price, after its `accepted`), or, for a
 *   conditional order, accepted (it waits untriggered). Cluster matching sends book
 *   deltas to the market-data topic instead, so a placement also counts as resting
 *   once the record that carried its `accepted` has been handled (matching publishes
 *   one input's events into one framed record, and the bus hands a record's envelopes
 *   over before any timer runs: checked on the next macrotask), or once the same
 *   market's stream shows the next matching input.
 * - cancel: the order's `canceled`, or a refusal.
 * - amend: the order's `amended`, or a refusal.
 * - cancel-all: every order of the account in that market that was live when it was
 *   sent (as this fold saw them) is gone, or a refusal.
 *
 * Live orders are tracked per market (order id → account) from `accepted` to their
 * cancel or last fill, so cancel-all knows what it waits for; the tracking is what
 * the book holds, never more.
 */
import type { MatchingEventV1, RiskEventV1 } from '@perpcore/proto';
import { orderRejection } from './command-answers.js';
import type { CommandRejection } from './exchange-client.js';

export type OrderCommandKind = 'place' | 'cancel' | 'amend';

export interface PendingOrderCommand {
  readonly kind: OrderCommandKind;
  readonly orderId: number;
  readonly matching: MatchingEventV1[];
  readonly risk: RiskEventV1[];
  /** Set once matching accepted the placed order: its input, side and price, to spot it resting. */
  restingInput: { source: string; seq: number; side: number; priceTicks: number } | null;
  finish(rejection: CommandRejection | null): void;
}

export interface PendingCancelAll {
  readonly accountId: number;
  readonly market: string;
  readonly waitingFor: Set<number>;
  readonly matching: MatchingEventV1[];
  finish(rejection: CommandRejection | null): void;
}

export class OrderCompletion {
  private readonly byOrder = new Map<number, PendingOrderCommand>();
  private readonly cancelAlls = new Set<PendingCancelAll>();
  /** market → (order id → account) of the orders resting or waiting untriggered. */
  private readonly live = new Map<string, Map<number, number>>();

  /** The live-order tracking itself (a fold of the matching stream): what a snapshot of the client holds. */
  get liveOrders(): Map<string, Map<number, number>> {
    return this.live;
  }

  add(p: PendingOrderCommand): void {
    this.byOrder.set(p.orderId, p);
  }

  remove(orderId: number): void {
    this.byOrder.delete(orderId);
  }

  /** The account's live orders in the market now, for a cancel-all about to be sent. */
  liveOrdersOf(accountId: number, market: string): Set<number> {
    const out = new Set<number>();
    for (const [orderId, owner] of this.live.get(market) ?? []) if (owner === accountId) out.add(orderId);
    return out;
  }

  addCancelAll(p: PendingCancelAll): void {
    if (p.waitingFor.size === 0) p.finish(null);
    else this.cancelAlls.add(p);
  }

  removeCancelAll(p: PendingCancelAll): void {
    this.cancelAlls.delete(p);
  }

  onMatchingEvent(e: MatchingEventV1): void {
    this.finishEndedInputs(e);
    switch (e.event) {
      case 'accepted': {
        const a = e.accepted;
        if (a == null) return;
        const orderId = Number(a.orderId);
        this.liveIn(e.market).set(orderId, a.accountId);
        const p = this.byOrder.get(orderId);
        if (p === undefined) return;
        p.matching.push(e);
        if (Number(a.triggerPriceTicks) > 0) return this.done(p, null);
        p.restingInput = { source: e.inputSource, seq: Number(e.inputSeq), side: a.side, priceTicks: Number(a.priceTicks) };
        setImmediate(() => {
          if (this.byOrder.get(orderId) === p && p.restingInput !== null) this.done(p, null);
        });
        return;
      }
      case 'rejected': {
        const p = this.byOrder.get(Number(e.rejected?.orderId ?? 0));
        if (p !== undefined) {
          p.matching.push(e);
          this.done(p, orderRejection(p.orderId, p.matching, p.risk));
        }
        for (const c of this.cancelAlls) if (c.market === e.market && e.rejected?.accountId === c.accountId && Number(e.rejected.orderId) === 0) this.doneAll(c, e);
        return;
      }
      case 'canceled': {
        const orderId = Number(e.canceled?.orderId ?? 0);
        this.gone(e, orderId);
        const p = this.byOrder.get(orderId);
        if (p !== undefined) {
          p.matching.push(e);
          this.done(p, null);
        }
        return;
      }
      case 'filled': {
        const f = e.filled;
        if (f == null) return;
        const taker = Number(f.takerOrderId);
        const maker = Number(f.makerOrderId);
        if (Number(f.makerRemainingLots) === 0) this.gone(e, maker);
        if (Number(f.takerRemainingLots) === 0) this.gone(e, taker);
        this.byOrder.get(maker)?.matching.push(e);
        const p = this.byOrder.get(taker);
        if (p === undefined) return;
        p.matching.push(e);
        if (p.kind === 'place' && Number(f.takerRemainingLots) === 0) this.done(p, null);
        return;
      }
      case 'amended': {
        const p = this.byOrder.get(Number(e.amended?.orderId ?? 0));
        if (p !== undefined && p.kind === 'amend') {
          p.matching.push(e);
          this.done(p, null);
        }
        return;
      }
      case 'bookDelta': {
        const d = e.bookDelta;
        if (d == null) return;
        // a resting placement's delta follows its accepted within the same input; few are pending at once
        for (const p of this.byOrder.values()) {
          const r = p.restingInput;
          if (r !== null && r.seq === Number(e.inputSeq) && r.source === e.inputSource && r.side === d.side && r.priceTicks === Number(d.priceTicks)) {
            p.matching.push(e);
            this.done(p, null);
            return;
          }
        }
        return;
      }
      default:
        return;
    }
  }

  /** A placement whose input is over (the market's stream moved on to another input) rests. */
  private finishEndedInputs(e: MatchingEventV1): void {
    if (e.inputSource === '' || this.byOrder.size === 0) return;
    for (const p of this.byOrder.values()) {
      const r = p.restingInput;
      if (r === null || p.matching.length === 0 || p.matching[0]?.market !== e.market) continue;
      if (r.seq !== Number(e.inputSeq) || r.source !== e.inputSource) this.done(p, null);
    }
  }

  onRiskEvent(e: RiskEventV1): void {
    if (e.event !== 'orderRejected' || e.orderRejected == null) return;
    const p = this.byOrder.get(Number(e.orderRejected.orderId));
    if (p !== undefined) {
      p.risk.push(e);
      return this.done(p, orderRejection(p.orderId, p.matching, p.risk));
    }
    // a refused cancel-all names no order: it is the account's pending one in that market
    if (Number(e.orderRejected.orderId) !== 0) return;
    for (const c of this.cancelAlls) {
      if (c.accountId === e.accountId && (e.market === '' || e.market === c.market)) {
        this.cancelAlls.delete(c);
        c.finish({ stage: 'risk', code: e.orderRejected.code, message: e.orderRejected.message });
        return;
      }
    }
  }

  private liveIn(market: string): Map<number, number> {
    let m = this.live.get(market);
    if (m === undefined) this.live.set(market, (m = new Map()));
    return m;
  }

  private gone(e: MatchingEventV1, orderId: number): void {
    this.live.get(e.market)?.delete(orderId);
    for (const c of this.cancelAlls) {
      if (c.market !== e.market || !c.waitingFor.delete(orderId)) continue;
      c.matching.push(e);
      if (c.waitingFor.size === 0) {
        this.cancelAlls.delete(c);
        c.finish(null);
      }
    }
  }

  private doneAll(c: PendingCancelAll, e: MatchingEventV1): void {
    c.matching.push(e);
    this.cancelAlls.delete(c);
    c.finish({ stage: 'matching', code: e.rejected?.code ?? '', message: e.rejected?.message ?? '' });
  }

  private done(p: PendingOrderCommand, rejection: CommandRejection | null): void {
    this.byOrder.delete(p.orderId);
    p.finish(rejection);
  }
}
