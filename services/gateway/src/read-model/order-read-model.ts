/**
 * The gateway's per-account read model of orders and trades, folded from the
 * events the `ExchangeClient` delivers: matching's accepted / filled / canceled /
 * amended / triggered, and risk's PositionSettledV1 for each fill leg's commission
 * and realized PnL. Every order of every account is folded (the simulated market's
 * too), each account bounded by its retention (account-orders.ts).
 *
 * Binance status: accepted → NEW; a fill → PARTIALLY_FILLED, or FILLED when nothing
 * remains; a cancel by the user, cancel-all, STP or liquidation → CANCELED; the
 * unfilled remainder of an IOC / FOK / market order (or beyond the price band) →
 * EXPIRED. Rejected orders never reach the model (the caller gets the refusal).
 *
 * A fill and its settlement can arrive in either order (embedded: risk settles
 * inside matching's publish, so the settlement comes first; over Kafka the topics
 * are independent): whichever comes first waits in a bounded map for the other.
 *
 * `onUpdate` listeners are called after each change of an order (user data
 * streams); they must not throw. A TRADE update waits for its leg's settlement
 * (so it carries the commission), holding a copy of the order as it was at the
 * fill; updates without a fill go out at once.
 */
import { FillType, type OrderType, Side, type TimeInForce } from '@perpcore/domain';
import { type MatchingCommandV1, sideFromWire, type MatchingEventV1, type RiskEventV1 } from '@perpcore/proto';
import { InstanceMap } from '@perpcore/snapshot';
import { AccountOrders, defaultRetention, type RetentionLimits } from './account-orders.js';
import type { FillRecord, OrderRecord } from './order-record.js';

/** Canceled reasons whose order is EXPIRED rather than CANCELED (proto CancelReason). */
const EXPIRING_REASONS = new Set([2, 4]);
const PENDING_LIMIT = 10_000;

export type OrderUpdateKind = 'NEW' | 'TRADE' | 'CANCELED' | 'EXPIRED' | 'AMENDMENT';

export interface OrderUpdate {
  readonly kind: OrderUpdateKind;
  readonly order: OrderRecord;
  /** The fill leg for TRADE updates. */
  readonly fill: FillRecord | null;
  readonly tsNs: number;
}

interface Settlement {
  feeUnits: number;
  realizedPnlUnits: number;
}

/** What the model needs to know of an order before matching accepts it. */
export interface PlacementNote {
  clientOrderId: string;
  triggerSource: number;
}

export class OrderReadModel {
  /** An InstanceMap so a snapshot restore (gateway-snapshot-section.ts) can make the accounts a fresh model lacks. */
  private readonly accounts = new InstanceMap<number, AccountOrders>(() => new AccountOrders(this.retention));
  private readonly noOrders = new AccountOrders(defaultRetention);
  /** Open orders of every account, for the fill and cancel paths. */
  private readonly openById = new Map<number, OrderRecord>();
  private readonly notes = new Map<number, PlacementNote>();
  private readonly fillsAwaitingSettlement = new Map<string, FillRecord>();
  private readonly settlementsAwaitingFill = new Map<string, Settlement>();
  private readonly updatesAwaitingSettlement = new Map<string, OrderUpdate>();
  private readonly listeners: ((u: OrderUpdate) => void)[] = [];

  /**
   * `tracks` limits the fold to accounts the gateway serves (those with API keys):
   * the simulated market's accounts never query, and folding their order flow
   * would cost the embedded run a third of its throughput. Default: every account.
   */
  constructor(
    private readonly retention: RetentionLimits = defaultRetention,
    private readonly tracks: (accountId: number) => boolean = () => true,
  ) {}

  onUpdate(listener: (u: OrderUpdate) => void): void {
    this.listeners.push(listener);
  }

  /** Called by the gateway just before it places an order (what the accepted event does not carry). */
  notePlacement(orderId: number, note: PlacementNote): void {
    this.notes.set(orderId, note);
  }

  forgetPlacement(orderId: number): void {
    this.notes.delete(orderId);
  }

  /** An account's orders and fills, for reading (an account with none gets an empty view: a read never adds state, so a snapshot depends on the events only). */
  account(accountId: number): AccountOrders {
    return this.accounts.get(accountId) ?? this.noOrders;
  }

  /** An account's order by id, or undefined (also for another account's order). */
  order(accountId: number, orderId: number): OrderRecord | undefined {
    return this.accounts.get(accountId)?.get(orderId);
  }

  onMatchingEvent(e: MatchingEventV1): void {
    const tsNs = Number(e.tsNs);
    switch (e.event) {
      case 'accepted':
        return this.accepted(e, tsNs);
      case 'filled':
        return this.filled(e, tsNs);
      case 'canceled': {
        const c = e.canceled;
        const order = c == null ? undefined : this.openById.get(Number(c.orderId));
        if (order === undefined || c == null) return;
        order.status = EXPIRING_REASONS.has(c.reason ?? 0) ? 'EXPIRED' : 'CANCELED';
        this.closeOrder(order, tsNs, order.status === 'EXPIRED' ? 'EXPIRED' : 'CANCELED');
        return;
      }
      case 'amended': {
        const a = e.amended;
        const order = a == null ? undefined : this.openById.get(Number(a.orderId));
        if (order === undefined || a == null) return;
        order.priceTicks = Number(a.priceTicks);
        order.origQtyLots = order.executedLots + Number(a.qtyLots);
        order.updateNs = tsNs;
        this.emit({ kind: 'AMENDMENT', order, fill: null, tsNs });
        return;
      }
      case 'rejected':
        if (e.rejected != null) this.notes.delete(Number(e.rejected.orderId));
        return;
      case 'triggered': {
        const t = e.triggered;
        const order = t == null ? undefined : this.openById.get(Number(t.orderId));
        if (order === undefined) return;
        order.triggered = true;
        order.updateNs = tsNs;
        return;
      }
      default:
    }
  }

  /**
   * A place command of the gateway's own streams, as the core takes it in (embedded:
   * before its accepted event, the bus delivers breadth-first; Kafka: every gateway's,
   * before or after it). On a journal's replay after a
   * restart no request noted the order, and the accepted event carries neither its
   * client order id nor its trigger source: the command does, so it notes them, and
   * a retry of a replayed order is still recognised. Live, the request's own note is
   * already there. A refused order's note goes with its rejection.
   */
  onOrderCommand(cmd: MatchingCommandV1): void {
    const p = cmd.place;
    if (cmd.command !== 'place' || p == null || (p.clientOrderId ?? '') === '' || !this.tracks(p.accountId ?? 0)) return;
    const orderId = Number(p.orderId);
    // over Kafka the command topic and the event topics replay independently: the accepted event may have come first
    const account = this.accounts.get(p.accountId ?? 0);
    const folded = account?.get(orderId);
    if (folded !== undefined) {
      if (folded.clientOrderId === '') account?.name(folded, p.clientOrderId as string, (p.triggerSource ?? 0) as OrderRecord['triggerSource']);
      return;
    }
    if (!this.notes.has(orderId)) boundedSet(this.notes, orderId, { clientOrderId: p.clientOrderId as string, triggerSource: p.triggerSource ?? 0 });
  }

  onRiskEvent(e: RiskEventV1): void {
    if (e.event === 'orderRejected' && e.orderRejected != null) this.notes.delete(Number(e.orderRejected.orderId));
    if (e.event !== 'positionSettled' || e.positionSettled == null || !this.tracks(e.accountId)) return;
    const s = e.positionSettled;
    const key = legKey(e.accountId, s.market ?? e.market, Number(s.tradeSeq), s.liquidity === 1);
    const settlement = { feeUnits: Number(s.feeUnits), realizedPnlUnits: Number(s.realizedPnlUnits) };
    const fill = this.fillsAwaitingSettlement.get(key);
    if (fill !== undefined) {
      this.fillsAwaitingSettlement.delete(key);
      fill.feeUnits = settlement.feeUnits;
      fill.realizedPnlUnits = settlement.realizedPnlUnits;
      const update = this.updatesAwaitingSettlement.get(key);
      if (update !== undefined) {
        this.updatesAwaitingSettlement.delete(key);
        this.emit(update);
      }
      return;
    }
    boundedSet(this.settlementsAwaitingFill, key, settlement);
  }

  private accepted(e: MatchingEventV1, tsNs: number): void {
    const a = e.accepted;
    if (a == null || !this.tracks(a.accountId ?? 0)) return;
    const orderId = Number(a.orderId);
    const note = this.notes.get(orderId);
    this.notes.delete(orderId);
    const order: OrderRecord = {
      orderId,
      accountId: a.accountId ?? 0,
      market: e.market,
      clientOrderId: note?.clientOrderId ?? '',
      side: sideFromWire(a.side ?? 0) ?? Side.Buy,
      type: (a.type ?? 1) as OrderType,
      timeInForce: (a.timeInForce ?? 1) as TimeInForce,
      priceTicks: Number(a.priceTicks),
      origQtyLots: Number(a.qtyLots),
      triggerPriceTicks: Number(a.triggerPriceTicks),
      triggerSource: (note?.triggerSource ?? 0) as OrderRecord['triggerSource'],
      reduceOnly: a.reduceOnly ?? false,
      liquidationId: Number(a.liquidationId),
      status: 'NEW',
      executedLots: 0,
      cumTickLots: 0,
      triggered: false,
      timeNs: tsNs,
      updateNs: tsNs,
    };
    this.openById.set(orderId, order);
    this.accounts.getOrCreate(order.accountId).add(order);
    this.emit({ kind: 'NEW', order, fill: null, tsNs });
  }

  private filled(e: MatchingEventV1, tsNs: number): void {
    const f = e.filled;
    if (f == null) return;
    const priceTicks = Number(f.priceTicks);
    const qtyLots = Number(f.qtyLots);
    const tradeSeq = Number(f.tradeSeq);
    const takerSide = sideFromWire(f.takerSide ?? 0) ?? Side.Buy;
    // a deleveraging fill has no resting maker order: each leg is its own scope's
    const legs: [number, number, boolean, Side, number][] = [
      [Number(f.makerOrderId), f.makerAccountId ?? 0, true, takerSide === Side.Buy ? Side.Sell : Side.Buy, Number(f.makerRemainingLots)],
      [Number(f.takerOrderId), f.takerAccountId ?? 0, false, takerSide, Number(f.takerRemainingLots)],
    ];
    for (const [orderId, accountId, maker, side, remainingLots] of legs) {
      if (accountId === 0 || !this.tracks(accountId)) continue;
      const fill: FillRecord = { market: e.market, tradeSeq, accountId, orderId, side, priceTicks, qtyLots, maker, tsNs, feeUnits: null, realizedPnlUnits: null };
      const key = legKey(accountId, e.market, tradeSeq, maker);
      const settled = this.settlementsAwaitingFill.get(key);
      if (settled !== undefined) {
        this.settlementsAwaitingFill.delete(key);
        fill.feeUnits = settled.feeUnits;
        fill.realizedPnlUnits = settled.realizedPnlUnits;
      } else {
        boundedSet(this.fillsAwaitingSettlement, key, fill);
      }
      const awaiting = settled === undefined ? key : '';
      this.accounts.getOrCreate(accountId).addFill(fill);
      const order = this.openById.get(orderId);
      if (order === undefined || f.fillType === FillType.Deleveraged) continue;
      order.executedLots += qtyLots;
      order.cumTickLots += priceTicks * qtyLots;
      order.updateNs = tsNs;
      if (remainingLots === 0) {
        order.status = 'FILLED';
        this.closeOrder(order, tsNs, 'TRADE', fill, awaiting);
      } else {
        order.status = 'PARTIALLY_FILLED';
        this.emitTrade({ kind: 'TRADE', order, fill, tsNs }, awaiting);
      }
    }
  }

  private closeOrder(order: OrderRecord, tsNs: number, kind: OrderUpdateKind, fill: FillRecord | null = null, awaitingKey = ''): void {
    order.updateNs = tsNs;
    this.openById.delete(order.orderId);
    this.accounts.getOrCreate(order.accountId).close(order);
    this.emitTrade({ kind, order, fill, tsNs }, awaitingKey);
  }

  /** Emits now, or (with the leg's key) once the leg's settlement arrives, with the order as it is now. */
  private emitTrade(update: OrderUpdate, awaitingKey: string): void {
    if (awaitingKey === '' || this.listeners.length === 0) return this.emit(update);
    boundedSet(this.updatesAwaitingSettlement, awaitingKey, { ...update, order: { ...update.order } });
  }

  private emit(update: OrderUpdate): void {
    for (const l of this.listeners) l(update);
  }
}

function legKey(accountId: number, market: string, tradeSeq: number, maker: boolean): string {
  return `${accountId}|${market}|${tradeSeq}|${maker ? 'M' : 'T'}`;
}

/** A pending entry never arrives when its other half was lost: drop the oldest beyond the limit. */
function boundedSet<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.set(key, value);
  if (map.size > PENDING_LIMIT) map.delete(map.keys().next().value as K);
}
