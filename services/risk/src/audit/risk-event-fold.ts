/**
 * The fold of the risk stage's events: a consumer's copy of every account (balances
 * per asset; per market the position, cost basis, leverage, margin mode, isolated
 * bucket and isolated scope state; the cross scope's state) and of each market's
 * funding pool, rebuilt from `RiskEventV1` envelopes alone. It serves account views
 * and replays, and proves the events tell the whole story: folded over a run, it
 * equals the engine's state field by field (`riskSnapshot`, account-snapshot.ts).
 *
 * Rules (each event names values after the change, so nothing is re-derived):
 * - `AccountCommandAcceptedV1`: `asset` set → that balance := balance_after;
 *   leverage > 0 → the row's leverage; margin_mode > 0 (a set-margin-mode only) →
 *   the row's mode, and the isolated scope back to HEALTHY (as the engine does).
 * - `PositionSettledV1`: position and C := the values after; the scope's money
 *   (WB, or the bucket of an isolated row) := wallet_balance_after; the fee
 *   account += fee_units; the market's funding pool += funding_settled_units.
 * - `PositionFundingSettledV1`: scope money := wallet_balance_after; pool += amount.
 * - `LedgerTransferV1`: only the side that is the envelope's account is applied
 *   (the transfer is on both parties' streams; an isolated move has both sides on
 *   one): that wallet balance or bucket := its balance_after.
 * - Loan events: loans/loan-event-fold.ts (the open loans and the balances they move).
 * - Lending pool (defi-liquidation/): a pool command's wallet move is its
 *   `AccountCommandAcceptedV1`; `PoolLiquidationFilledV1` sets the liquidator's two
 *   balances after, `PoolProtocolFeeV1` the fund's (the pool legs fold in
 *   defi-liquidation/pool-event-fold.ts).
 * - `MarginCallV1` → CALLED, `MarginCallClearedV1` → HEALTHY,
 *   `LiquidationTriggeredV1` → LIQUIDATING with its liquidation id,
 *   `LiquidationReleasedV1` → HEALTHY (the id stays: the scope's latest).
 *
 * Order: every rule reads and writes one account's stream only, except the two
 * deltas (fee account, funding pool), which commute. So streams may interleave in
 * any order (Kafka partitions), as long as each stream is in order.
 *
 * Streams and sequence numbers: account events are numbered per (source, account),
 * market events (mark, funding rate, funding time) per (source, market). A
 * redelivery (seq ≤ last) is dropped and counted; a gap (seq > last + 1) is an
 * error (`RiskFoldGapError`, the fold unchanged): a fold that missed an event is not
 * a copy. Account-id-0 events (rejects of unnamed accounts) carry no state.
 */
import { MarginMode } from '@perpcore/domain';
import type { RiskEventV1 } from '@perpcore/proto';
import type { RiskState } from '../risk-state.js';
import { type AccountSnapshot, type PositionSnapshot, type RiskSnapshot, backstopTermsText, isDefaultPosition, isEmptyAccount } from '../accounts/account-snapshot.js';
import { type FoldedLoan, type LoanFoldPorts, foldLoanEvent } from '../loans/loan-event-fold.js';

export interface RiskEventFoldConfig {
  /** The settle asset's code (the asset of positions, fees, funding and buckets). */
  readonly settleAsset: string;
  /** A market's default leverage: the leverage of a row no set-leverage has touched. */
  readonly defaultLeverage: (market: string) => number;
  /**
   * Balances the stage starts with before its first event: the insurance funds'
   * configured seed capital (`insuranceFunds[].seedUnits`), which is configuration,
   * not a command, so no event carries it.
   */
  readonly openingBalances?: readonly { readonly accountId: number; readonly asset: string; readonly units: bigint }[];
}

export class RiskFoldGapError extends Error {
  constructor(
    readonly stream: string,
    readonly expectedSeq: number,
    readonly gotSeq: number,
  ) {
    super(`risk event stream ${stream}: expected seq ${expectedSeq}, got ${gotSeq} (an event is missing)`);
    this.name = 'RiskFoldGapError';
  }
}

const HEALTHY = 'HEALTHY';
const CALLED = 'CALLED';
const LIQUIDATING = 'LIQUIDATING';
const MARKET_EVENTS = new Set<RiskEventV1['event']>(['markPrice', 'fundingRate', 'fundingSettled']);

export class RiskEventFold {
  eventsApplied = 0;
  duplicatesDropped = 0;
  private readonly accountsById = new Map<number, AccountSnapshot>();
  private readonly pools = new Map<string, bigint>();
  private readonly lastSeq = new Map<string, number>();
  /** Backstop liquidators in the order they were enabled (a Set keeps insertion order, as the stage's Map does). */
  private readonly backstopOrder = new Set<number>();
  /** Open loans by id (loans/loan-event-fold.ts). */
  readonly loans = new Map<number, FoldedLoan>();
  private readonly loanPorts: LoanFoldPorts = {
    loans: this.loans,
    setBalance: (id, asset, units) => void this.account(id).balances.set(asset, units),
    addSettleUnits: (id, delta) => this.addUnits(id, delta),
  };

  constructor(private readonly config: RiskEventFoldConfig) {
    for (const b of config.openingBalances ?? []) this.account(b.accountId).balances.set(b.asset, b.units);
  }

  /** Applies one envelope; false when it was a redelivery (dropped). Throws `RiskFoldGapError` on a gap. */
  apply(e: RiskEventV1): boolean {
    const marketStream = MARKET_EVENTS.has(e.event);
    if (!marketStream && e.accountId === 0) return true;
    const stream = marketStream ? `${e.source}/market/${e.market}` : `${e.source}/account/${e.accountId}`;
    const last = this.lastSeq.get(stream) ?? 0;
    if (e.seq <= last) {
      this.duplicatesDropped++;
      return false;
    }
    if (e.seq !== last + 1) throw new RiskFoldGapError(stream, last + 1, e.seq);
    this.lastSeq.set(stream, e.seq);
    this.eventsApplied++;
    if (!marketStream) this.applyAccountEvent(e);
    return true;
  }

  /** The folded state in normal form (account-snapshot.ts). */
  snapshot(): RiskSnapshot {
    const accounts = new Map<number, AccountSnapshot>();
    for (const [id, a] of this.accountsById) {
      const balances = new Map([...a.balances].filter(([, units]) => units !== 0n));
      const positions = new Map([...a.positions].filter(([market, p]) => !isDefaultPosition(p, this.config.defaultLeverage(market))).map(([market, p]) => [market, { ...p }]));
      const copy: AccountSnapshot = { accountId: id, balances, crossState: a.crossState, crossLiquidationId: a.crossLiquidationId, killSwitch: a.killSwitch, backstop: a.backstop, positions };
      if (!isEmptyAccount(copy)) accounts.set(id, copy);
    }
    return { accounts, fundingPoolUnits: new Map([...this.pools].filter(([, units]) => units !== 0n)), backstopOrder: [...this.backstopOrder] };
  }

  private applyAccountEvent(e: RiskEventV1): void {
    const id = e.accountId;
    switch (e.event) {
      case 'commandAccepted': {
        const c = e.commandAccepted!;
        if (c.asset !== '' && c.balanceAfterUnits !== '') this.account(id).balances.set(c.asset, BigInt(c.balanceAfterUnits));
        if (e.market === '' || (c.leverage === 0 && c.marginMode === 0)) return;
        const row = this.row(id, e.market);
        if (c.leverage > 0) row.leverage = c.leverage;
        if (c.marginMode > 0) {
          row.mode = c.marginMode;
          row.state = HEALTHY;
        }
        return;
      }
      case 'positionSettled': {
        const p = e.positionSettled!;
        const row = this.row(id, p.market);
        row.qtyLots = p.positionAfterLots;
        row.costUnits = BigInt(p.costBasisAfterUnits);
        this.setScopeUnits(id, row, BigInt(p.walletBalanceAfterUnits));
        if (p.feeUnits !== 0) this.addUnits(p.feeAccountId, BigInt(p.feeUnits));
        this.addPool(p.market, p.fundingSettledUnits);
        return;
      }
      case 'positionFundingSettled': {
        const f = e.positionFundingSettled!;
        this.setScopeUnits(id, this.row(id, f.market), BigInt(f.walletBalanceAfterUnits));
        this.addPool(f.market, f.fundingSettledUnits);
        return;
      }
      case 'ledgerTransfer': {
        const t = e.ledgerTransfer!;
        if (t.fromAccountId === id) this.setHolding(id, t.fromMarket, t.asset, BigInt(t.fromBalanceAfterUnits));
        if (t.toAccountId === id) this.setHolding(id, t.toMarket, t.asset, BigInt(t.toBalanceAfterUnits));
        return;
      }
      case 'marginCall':
        this.setState(id, e.marginCall?.level?.scope?.market ?? '', CALLED, -1);
        return;
      case 'marginCallCleared':
        this.setState(id, e.marginCallCleared?.level?.scope?.market ?? '', HEALTHY, -1);
        return;
      case 'liquidationTriggered':
        this.setState(id, e.liquidationTriggered?.level?.scope?.market ?? '', LIQUIDATING, e.liquidationTriggered!.liquidationId);
        return;
      case 'poolLiquidationFilled': {
        const f = e.poolLiquidationFilled!;
        this.setHolding(id, '', f.debtAsset, BigInt(f.debtAssetBalanceAfterUnits));
        this.setHolding(id, '', f.collateralAsset, BigInt(f.collateralAssetBalanceAfterUnits));
        return;
      }
      case 'poolProtocolFee':
        this.setHolding(id, '', e.poolProtocolFee!.asset, BigInt(e.poolProtocolFee!.balanceAfterUnits));
        return;
      case 'killSwitchSet':
        this.account(id).killSwitch = e.killSwitchSet?.engaged === true;
        return;
      case 'backstopLiquidatorSet': {
        const b = e.backstopLiquidatorSet!;
        if (b.enabled === true) {
          this.backstopOrder.add(id);
          this.account(id).backstop = backstopTermsText(b.markets ?? [], Number(b.maxPositionNotionalUnits));
        } else {
          this.backstopOrder.delete(id);
          this.account(id).backstop = '';
        }
        return;
      }
      case 'liquidationReleased':
        this.setState(id, e.liquidationReleased?.scope?.market ?? '', HEALTHY, -1);
        return;
      default:
        // loan events (loans/loan-event-fold.ts); rejects, order rejects: nothing changed
        foldLoanEvent(e, this.loanPorts);
        return;
    }
  }

  private account(id: number): AccountSnapshot {
    let a = this.accountsById.get(id);
    if (a === undefined) this.accountsById.set(id, (a = { accountId: id, balances: new Map(), crossState: HEALTHY, crossLiquidationId: 0, killSwitch: false, backstop: '', positions: new Map() }));
    return a;
  }

  private row(id: number, market: string): PositionSnapshot {
    const a = this.account(id);
    let p = a.positions.get(market);
    if (p === undefined) {
      p = { qtyLots: 0, costUnits: 0n, leverage: this.config.defaultLeverage(market), mode: MarginMode.Cross, isolatedUnits: 0n, state: HEALTHY, liquidationId: 0 };
      a.positions.set(market, p);
    }
    return p;
  }

  /** The money of a row's scope: its bucket when isolated, else the account's settle balance. */
  private setScopeUnits(id: number, row: PositionSnapshot, units: bigint): void {
    if (row.mode === MarginMode.Isolated) row.isolatedUnits = units;
    else this.account(id).balances.set(this.config.settleAsset, units);
  }

  /** A transfer side: the wallet balance of `asset` (market '') or the bucket of `market`. */
  private setHolding(id: number, market: string, asset: string, units: bigint): void {
    if (market === '') this.account(id).balances.set(asset, units);
    else this.row(id, market).isolatedUnits = units;
  }

  private setState(id: number, isolatedMarket: string, state: string, liquidationId: number): void {
    if (isolatedMarket === '') {
      const a = this.account(id);
      a.crossState = state;
      if (liquidationId >= 0) a.crossLiquidationId = liquidationId;
      return;
    }
    const row = this.row(id, isolatedMarket);
    row.state = state;
    if (liquidationId >= 0) row.liquidationId = liquidationId;
  }

  private addUnits(id: number, deltaUnits: bigint): void {
    const balances = this.account(id).balances;
    balances.set(this.config.settleAsset, (balances.get(this.config.settleAsset) ?? 0n) + deltaUnits);
  }

  private addPool(market: string, deltaUnits: number): void {
    if (deltaUnits !== 0) this.pools.set(market, (this.pools.get(market) ?? 0n) + BigInt(deltaUnits));
  }
}

/** The fold's configuration from a risk stage's own (settle asset, default leverages, fund seeds). */
export function riskEventFoldConfig(s: RiskState): RiskEventFoldConfig {
  const settleAsset = s.setup.assetCodes[0];
  const leverage = new Map(s.markets.map((m) => [m.symbol, m.defaultLeverage]));
  return {
    settleAsset,
    defaultLeverage: (market) => leverage.get(market) ?? 0,
    openingBalances: [...s.setup.fundSeedUnits].map(([fundId, units]) => ({ accountId: s.accounts.ids[s.fundSlotById.get(fundId) as number], asset: settleAsset, units: BigInt(units) })),
  };
}
