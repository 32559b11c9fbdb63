/**
 * Accounts ranked by margin level for the dashboard, lowest first.
 *
 * Which accounts: every account whose position changed on a settlement
 * (`PositionSettledV1`) or an ADL leg, up to `maxTracked` (beyond that new ones
 * are counted in `untracked`, not followed: memory stays bounded whatever the
 * flow). How: each refresh asks the risk stage for at most `maxQueriesPerRefresh`
 * account reports (round robin over the tracked set, so a large book is covered
 * over several refreshes and one refresh costs a bounded number of queries), keeps
 * the weakest scope of each (the lowest margin level among cross and isolated), and
 * forgets an account that has no position left. The figures are the risk stage's
 * own (account-query.ts): level, the call and liquidation lines, and the distance
 * to each in settle units.
 *
 * Up to `queriesInFlight` reports are asked at once: over Kafka each is a round trip
 * to the risk shard (~0.1–0.2 s on a loaded machine), and one at a time a round of
 * 300 accounts took about a minute, so the panel showed minute-old distances while a
 * price gap liquidated the crowd. A query that fails (the core's timeout) keeps the
 * account's previous row and its place in the next round; it does not end the round.
 */
import { formatScaled } from '@perpcore/domain';
import type { AccountView } from '@perpcore/exchange';
import type { LiquidationEventV1, RiskEventV1 } from '@perpcore/proto';

export interface AccountAtRisk {
  readonly accountId: number;
  /** 'CROSS' or the isolated position's market. */
  readonly scope: string;
  readonly state: string;
  readonly levelE8: number;
  readonly marginCallLevelE8: number;
  readonly liquidationLevelE8: number;
  /** Settle-asset decimals (exact). */
  readonly equity: string;
  readonly maintenance: string;
  readonly distanceToMarginCall: string;
  readonly distanceToLiquidation: string;
  /** distance ÷ equity, for the bars (display only; 0 when at or past the line). */
  readonly callBufferRatio: number;
  readonly liquidationBufferRatio: number;
  readonly positions: readonly { market: string; qty: string; liquidationPrice: string | null; marginCallPrice: string | null }[];
}

export interface AccountsAtRiskOptions {
  readonly account: (accountId: number) => Promise<AccountView | null>;
  readonly settleDecimals: number;
  /** A position size as the market's decimal (signed). */
  readonly qtyText: (market: string, qtyLots: number) => string;
  readonly maxTracked?: number;
  readonly maxQueriesPerRefresh?: number;
  /** Account queries outstanding at once (default 16). */
  readonly queriesInFlight?: number;
}

export class AccountsAtRisk {
  private readonly tracked = new Set<number>();
  private readonly latest = new Map<number, AccountAtRisk>();
  private cursor: number[] = [];
  private readonly maxTracked: number;
  private readonly maxQueries: number;
  private readonly inFlight: number;
  private refreshing = false;
  untracked = 0;
  /** Account queries that failed (kept the previous row). */
  queryFailures = 0;

  constructor(private readonly options: AccountsAtRiskOptions) {
    this.maxTracked = options.maxTracked ?? 10_000;
    this.maxQueries = options.maxQueriesPerRefresh ?? 500;
    this.inFlight = options.queriesInFlight ?? 16;
    if (!Number.isInteger(this.inFlight) || this.inFlight < 1) throw new Error(`queriesInFlight must be a positive integer, got ${this.inFlight}`);
  }

  get trackedCount(): number {
    return this.tracked.size;
  }

  onRiskEvent(e: RiskEventV1): void {
    if (e.event === 'positionSettled' && e.accountId !== 0) this.track(e.accountId);
  }

  onLiquidationEvent(e: LiquidationEventV1): void {
    if (e.event === 'positionDeleveraged' && e.positionDeleveraged != null) this.track(e.positionDeleveraged.counterpartyAccountId);
  }

  private track(accountId: number): void {
    if (this.tracked.has(accountId)) return;
    if (this.tracked.size >= this.maxTracked) {
      this.untracked++;
      return;
    }
    this.tracked.add(accountId);
  }

  /**
   * What a snapshot keeps (gateway-snapshot-section.ts): the accounts followed, which
   * are folded from events. Not the rows: they are the risk stage's answers at the
   * last refresh, and the first refresh after a restart asks again.
   */
  exportState(): { tracked: number[]; untracked: number } {
    return { tracked: [...this.tracked], untracked: this.untracked };
  }

  importState(state: unknown): void {
    const s = state as { tracked?: unknown; untracked?: unknown };
    if (!Array.isArray(s?.tracked) || !s.tracked.every((id) => Number.isSafeInteger(id)) || !Number.isSafeInteger(s.untracked)) {
      throw new RangeError('accounts at risk: the snapshot holds no account list');
    }
    this.tracked.clear();
    for (const id of s.tracked as number[]) this.tracked.add(id);
    this.untracked = s.untracked as number;
    this.latest.clear();
    this.cursor = [];
  }

  /** Queries the next round of accounts; a refresh still running makes this one a no-op. */
  async refresh(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      if (this.cursor.length === 0) this.cursor = [...this.tracked];
      const round = this.cursor.splice(0, this.maxQueries);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < round.length) await this.refreshOne(round[next++] as number);
      };
      await Promise.all(Array.from({ length: Math.min(this.inFlight, round.length) }, worker));
    } finally {
      this.refreshing = false;
    }
  }

  private async refreshOne(accountId: number): Promise<void> {
    let view: AccountView | null;
    try {
      view = await this.options.account(accountId);
    } catch {
      this.queryFailures++;
      return;
    }
    const row = view === null || view.kind !== 'TRADER' ? null : this.weakestScope(view);
    if (row === null) {
      this.tracked.delete(accountId);
      this.latest.delete(accountId);
    } else this.latest.set(accountId, row);
  }

  /** The `limit` accounts with the lowest margin level, lowest first (ties by account id). */
  top(limit: number): AccountAtRisk[] {
    return [...this.latest.values()].sort((a, b) => a.levelE8 - b.levelE8 || a.accountId - b.accountId).slice(0, limit);
  }

  private weakestScope(view: AccountView): AccountAtRisk | null {
    let best: AccountAtRisk | null = null;
    for (const scope of [view.cross, ...view.isolated]) {
      if (scope.levelE8 === null || scope.positions.length === 0) continue;
      if (best !== null && best.levelE8 <= scope.levelE8) continue;
      const d = this.options.settleDecimals;
      const ratio = (distance: number) => (scope.equityUnits > 0 && distance > 0 ? Math.min(1, distance / scope.equityUnits) : 0);
      best = {
        accountId: view.accountId,
        scope: scope.mode === 'CROSS' ? 'CROSS' : scope.market,
        state: scope.state,
        levelE8: scope.levelE8,
        marginCallLevelE8: scope.marginCallLevelE8,
        liquidationLevelE8: scope.liquidationLevelE8,
        equity: formatScaled(scope.equityUnits, d),
        maintenance: formatScaled(scope.maintenanceUnits, d),
        distanceToMarginCall: formatScaled(scope.distanceToMarginCallUnits, d),
        distanceToLiquidation: formatScaled(scope.distanceToLiquidationUnits, d),
        callBufferRatio: ratio(scope.distanceToMarginCallUnits),
        liquidationBufferRatio: ratio(scope.distanceToLiquidationUnits),
        positions: scope.positions.map((p) => ({ market: p.market, qty: this.options.qtyText(p.market, p.qtyLots), liquidationPrice: p.liquidationPrice, marginCallPrice: p.marginCallPrice })),
      };
    }
    return best;
  }
}
