/**
 * The spot-margin history the SAPI margin routes answer from (allOrders, myTrades,
 * interestHistory, and GET order once an order is finished), folded from the spot
 * stage's published events: `spotOrderPlaced`, `spotFilled` (both order ids),
 * `spotOrderCanceled` and `spotInterestSettled`. Nothing here is asked of the stage,
 * so the history is the same in embedded and cluster mode and is rebuilt by folding
 * the events again (a journal replay, a cluster gateway's catch-up), or restored from
 * the gateway's snapshot section, where it is captured as data.
 *
 * Retention per account, like the futures read model (account-orders.ts): every open
 * order; the most recent `closedLimit` finished orders (1,000); the most recent
 * `tradeLimit` trades (1,000) and `interestLimit` interest settlements (1,000). Older
 * rows are forgotten, oldest first.
 *
 * Order state from the events alone: an order is finished when its filled and
 * cancelled lots add up to its quantity; it is FILLED when nothing was cancelled,
 * CANCELED when a GTC order's rest was cancelled and EXPIRED when an IOC order's rest
 * was (Binance's statuses). A fill is published once on each account's stream (the
 * taker's and the maker's): each copy is folded into the account whose stream it is
 * on, so the history does not depend on how the streams' partitions interleave.
 * Redelivered copies are dropped before this fold (the client's redelivery filter).
 */
import { Side } from '@perpcore/domain';
import type { RiskEventV1 } from '@perpcore/proto';

export interface SpotOrderRow {
  readonly orderId: number;
  readonly accountId: number;
  /** The stage's pair name, e.g. "BTC/USDT". */
  readonly pair: string;
  readonly side: Side;
  readonly priceTicks: number;
  readonly origLots: number;
  readonly clientOrderId: string;
  readonly immediateOrCancel: boolean;
  readonly placedTsNs: number;
  filledLots: number;
  filledQuoteUnits: number;
  canceledLots: number;
  updateTsNs: number;
}

export interface SpotTradeRow {
  /** The fill's spot-stage sequence: unique and increasing (Binance's trade id). */
  readonly tradeId: number;
  readonly orderId: number;
  readonly pair: string;
  readonly priceTicks: number;
  readonly qtyLots: number;
  readonly quoteUnits: number;
  readonly isBuyer: boolean;
  readonly isMaker: boolean;
  readonly tsNs: number;
}

export interface SpotInterestRow {
  /** The settlement's spot-stage sequence (Binance's txId). */
  readonly txId: number;
  readonly asset: string;
  readonly interestUnits: number;
  /** The debt the interest accrued on: the principal before it was added to it. */
  readonly principalUnits: number;
  readonly tsNs: number;
}

export type SpotOrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED';

export function spotOrderStatus(o: SpotOrderRow): SpotOrderStatus {
  if (o.filledLots + o.canceledLots < o.origLots) return o.filledLots > 0 ? 'PARTIALLY_FILLED' : 'NEW';
  if (o.canceledLots === 0) return 'FILLED';
  return o.immediateOrCancel ? 'EXPIRED' : 'CANCELED';
}

export interface SpotHistoryLimits {
  readonly closedLimit: number;
  readonly tradeLimit: number;
  readonly interestLimit: number;
}

export const defaultSpotHistoryLimits: SpotHistoryLimits = { closedLimit: 1_000, tradeLimit: 1_000, interestLimit: 1_000 };

/** One account's rows: plain data, so the gateway's snapshot captures and restores it as it is. */
interface AccountSpotRows {
  readonly open: Map<number, SpotOrderRow>;
  /** Insertion order = finish order: the first entry is the oldest. */
  readonly closed: Map<number, SpotOrderRow>;
  readonly trades: SpotTradeRow[];
  readonly interest: SpotInterestRow[];
}

export class SpotHistory {
  private readonly accounts = new Map<number, AccountSpotRows>();

  constructor(
    /** Per pair: quote units per lot per tick (a fill's quote is lots × ticks × this, as the stage computes it). */
    private readonly quoteUnitsPerLotTick: ReadonlyMap<string, number>,
    /** The accounts whose history is kept (the gateway's registry): others' events are not folded. */
    private readonly tracksAccount: (accountId: number) => boolean = () => true,
    private readonly limits: SpotHistoryLimits = defaultSpotHistoryLimits,
  ) {}

  onRiskEvent(e: RiskEventV1): void {
    if (e.accountId === 0 || !this.tracksAccount(e.accountId)) return;
    const ts = Number(e.tsNs);
    if (e.event === 'spotOrderPlaced' && e.spotOrderPlaced != null) {
      const p = e.spotOrderPlaced;
      const row: SpotOrderRow = {
        orderId: Number(p.orderId),
        accountId: e.accountId,
        pair: p.pair,
        side: p.side === 1 ? Side.Buy : Side.Sell,
        priceTicks: Number(p.priceTicks),
        origLots: Number(p.qtyLots),
        clientOrderId: p.clientOrderId,
        immediateOrCancel: p.immediateOrCancel,
        placedTsNs: ts,
        filledLots: 0,
        filledQuoteUnits: 0,
        canceledLots: 0,
        updateTsNs: ts,
      };
      this.rowsOf(e.accountId).open.set(row.orderId, row);
    } else if (e.event === 'spotFilled' && e.spotFilled != null) {
      const f = e.spotFilled;
      const seq = Number(f.after?.spotSeq ?? 0);
      const priceTicks = Number(f.priceTicks);
      const qtyLots = Number(f.qtyLots);
      const quoteUnits = qtyLots * priceTicks * (this.quoteUnitsPerLotTick.get(f.pair) ?? 0);
      const takerBuys = f.takerSide === 1;
      if (e.accountId === f.takerAccountId) this.fill(f.takerAccountId, Number(f.takerOrderId), { tradeId: seq, pair: f.pair, priceTicks, qtyLots, quoteUnits, isBuyer: takerBuys, isMaker: false, tsNs: ts });
      if (e.accountId === f.makerAccountId) this.fill(f.makerAccountId, Number(f.makerOrderId), { tradeId: seq, pair: f.pair, priceTicks, qtyLots, quoteUnits, isBuyer: !takerBuys, isMaker: true, tsNs: ts });
    } else if (e.event === 'spotOrderCanceled' && e.spotOrderCanceled != null) {
      const c = e.spotOrderCanceled;
      const rows = this.accounts.get(e.accountId);
      const order = rows?.open.get(Number(c.orderId));
      if (rows === undefined || order === undefined) return;
      order.canceledLots += Number(c.canceledLots);
      order.updateTsNs = ts;
      this.closeIfFinished(rows, order);
    } else if (e.event === 'spotInterestSettled' && e.spotInterestSettled != null) {
      const i = e.spotInterestSettled;
      const interestUnits = Number(i.interestUnits);
      const after = i.after?.rows?.find((r) => r.accountId === e.accountId && r.asset === i.asset);
      const principalAfter = after?.principalUnits === undefined || after.principalUnits === null ? interestUnits : Number(after.principalUnits);
      const rows = this.rowsOf(e.accountId);
      rows.interest.push({ txId: Number(i.after?.spotSeq ?? 0), asset: i.asset, interestUnits, principalUnits: principalAfter - interestUnits, tsNs: ts });
      trim(rows.interest, this.limits.interestLimit);
    }
  }

  /** An account's order by id, open or retained; undefined when unknown or forgotten. */
  order(accountId: number, orderId: number): SpotOrderRow | undefined {
    const rows = this.accounts.get(accountId);
    return rows?.open.get(orderId) ?? rows?.closed.get(orderId);
  }

  /** An account's open and retained orders on a pair, by order id (oldest first). */
  orders(accountId: number, pair: string): SpotOrderRow[] {
    const rows = this.accounts.get(accountId);
    if (rows === undefined) return [];
    const out: SpotOrderRow[] = [];
    for (const o of rows.closed.values()) if (o.pair === pair) out.push(o);
    for (const o of rows.open.values()) if (o.pair === pair) out.push(o);
    return out.sort((a, b) => a.orderId - b.orderId);
  }

  /** An account's retained trades on a pair (oldest first). */
  trades(accountId: number, pair: string): SpotTradeRow[] {
    return (this.accounts.get(accountId)?.trades ?? []).slice(-this.limits.tradeLimit).filter((t) => t.pair === pair);
  }

  /** An account's retained interest settlements (oldest first). */
  interest(accountId: number): readonly SpotInterestRow[] {
    return (this.accounts.get(accountId)?.interest ?? []).slice(-this.limits.interestLimit);
  }

  private fill(accountId: number, orderId: number, trade: Omit<SpotTradeRow, 'orderId'>): void {
    const rows = this.rowsOf(accountId);
    rows.trades.push({ ...trade, orderId });
    trim(rows.trades, this.limits.tradeLimit);
    const order = rows.open.get(orderId);
    if (order === undefined) return;
    order.filledLots += trade.qtyLots;
    order.filledQuoteUnits += trade.quoteUnits;
    order.updateTsNs = trade.tsNs;
    this.closeIfFinished(rows, order);
  }

  private closeIfFinished(rows: AccountSpotRows, order: SpotOrderRow): void {
    if (order.filledLots + order.canceledLots < order.origLots) return;
    rows.open.delete(order.orderId);
    rows.closed.set(order.orderId, order);
    while (rows.closed.size > this.limits.closedLimit) rows.closed.delete(rows.closed.keys().next().value as number);
  }

  private rowsOf(accountId: number): AccountSpotRows {
    let rows = this.accounts.get(accountId);
    if (rows === undefined) {
      rows = { open: new Map(), closed: new Map(), trades: [], interest: [] };
      this.accounts.set(accountId, rows);
    }
    return rows;
  }
}

/** Drops the oldest rows past `limit` (in batches, so a full list does not shift on every row). */
function trim<T>(rows: T[], limit: number): void {
  if (rows.length > limit + Math.max(1, limit >> 3)) rows.splice(0, rows.length - limit);
}
