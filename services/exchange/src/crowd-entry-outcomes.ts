/**
 * The leveraged crowd's entry orders followed to their settled outcome, from the
 * topics the simulated gateway reads. It is the cluster scenario's causal "the crowd
 * is in" signal: the launcher arms the oracle's price shock only once every entry
 * placed so far is settled, so the shock can never overtake a late settlement (a
 * loaded machine makes risk seconds late; a wall-clock schedule then shocks a crowd
 * that holds no positions yet).
 *
 * An entry (one IOC order per crowd account) is settled when
 * - risk refused it (`OrderRejectedV1` of risk for its order id), or
 * - matching refused it, or
 * - matching ended it (a fill left it 0 lots, or the IOC remainder was cancelled)
 *   AND risk settled every fill of it (a `PositionSettledV1` of its account for each
 *   of its trade seqs).
 * The matching and risk topics are read by separate consumers, so a settlement may be
 * seen before the fill it settles: both are kept until they meet. Delivery is
 * at-least-once; redeliveries change nothing (sets, and an entry settles once).
 */
import type { MatchingEventV1, RiskEventV1 } from '@perpcore/proto';

interface Entry {
  readonly accountId: number;
  readonly market: string;
  /** Trade seqs of this order's fills (from matching). */
  readonly fills: Set<number>;
  /** Trade seqs risk settled for this account in this market (from risk). */
  readonly settledSeqs: Set<number>;
  ended: boolean;
  settled: boolean;
}

export class CrowdEntryOutcomes {
  private readonly byOrder = new Map<number, Entry>();
  private readonly byAccount = new Map<number, Entry>();
  private settledCount = 0;

  /** Entries placed so far. */
  get placed(): number {
    return this.byOrder.size;
  }

  /** Entries whose outcome risk has settled. */
  get settled(): number {
    return this.settledCount;
  }

  /** Placed entries not settled yet. */
  get pending(): number {
    return this.byOrder.size - this.settledCount;
  }

  /** Called as the entry is published (before any answer to it can arrive). */
  onPlaced(orderId: number, accountId: number, market: string): void {
    if (this.byOrder.has(orderId)) throw new Error(`crowd entry ${orderId} placed twice`);
    if (this.byAccount.has(accountId)) throw new Error(`crowd account ${accountId} places a second entry (${orderId})`);
    const entry: Entry = { accountId, market, fills: new Set(), settledSeqs: new Set(), ended: false, settled: false };
    this.byOrder.set(orderId, entry);
    this.byAccount.set(accountId, entry);
  }

  onMatchingEvent(event: MatchingEventV1): void {
    switch (event.event) {
      case 'filled': {
        const f = event.filled;
        const entry = f == null ? undefined : this.byOrder.get(f.takerOrderId);
        if (f == null || entry === undefined) return;
        entry.fills.add(f.tradeSeq);
        if (f.takerRemainingLots === 0) entry.ended = true;
        this.check(entry);
        return;
      }
      case 'canceled':
        return this.end(event.canceled?.orderId, false);
      case 'rejected':
        return this.end(event.rejected?.orderId, true);
      default:
    }
  }

  onRiskEvent(event: RiskEventV1): void {
    if (event.event === 'positionSettled') {
      const p = event.positionSettled;
      const entry = this.byAccount.get(event.accountId);
      if (p == null || entry === undefined || p.market !== entry.market || p.tradeSeq === 0) return;
      entry.settledSeqs.add(p.tradeSeq);
      this.check(entry);
    } else if (event.event === 'orderRejected') {
      this.end(event.orderRejected?.orderId, true);
    }
  }

  /** Matching ended the order; `refused`: nothing of it was ever filled (refused by risk or matching). */
  private end(orderId: number | undefined, refused: boolean): void {
    const entry = orderId === undefined ? undefined : this.byOrder.get(orderId);
    if (entry === undefined) return;
    entry.ended = true;
    if (refused) entry.fills.clear();
    this.check(entry);
  }

  private check(entry: Entry): void {
    if (entry.settled || !entry.ended) return;
    for (const seq of entry.fills) if (!entry.settledSeqs.has(seq)) return;
    entry.settled = true;
    this.settledCount++;
  }
}
