/**
 * Position rows: one per (account, market) the account ever touched, struct of
 * arrays. A row holds the position (one-way mode: signed `qtyLots` Q and signed cost
 * basis `costUnits` C, RISK-SPEC §3.1), the account's settings for the market
 * (leverage L, margin mode), the isolated bucket, the funding snapshot G_pos and
 * the cached pending funding PF, and the running totals of its open orders.
 *
 * Invariants
 * - Rows are never deleted: settings outlive a closed position. A row's
 *   `(account, market)` never changes; `rowOf` finds it by walking the account's
 *   short list (an account holds a handful of markets).
 * - `pendingFundingUnits[r] = pendingFundingUnits(params, Q, G, fundingSnapshot[r])`
 *   at all times: it is recomputed when G moves (a funding time) and zeroed when
 *   the row settles (then G_pos = G). Q changes only right after a settlement.
 * - Isolated rows carry their bucket in `isolatedUnits`; cross rows keep it 0.
 * - `version[r]` identifies the row's live breach-index entries (breach-index.ts);
 *   `entryMask[r]` says which heaps (bit 0 down, bit 1 up) hold one.
 */
import { MarginMode } from '@perpcore/domain';
import { MarginStateCode } from '../margin-watch/margin-state-code.js';

export class PositionLedger {
  readonly account: number[] = [];
  readonly market: number[] = [];
  readonly nextOfAccount: number[] = [];
  readonly qtyLots: number[] = [];
  readonly costUnits: number[] = [];
  readonly leverage: number[] = [];
  readonly mode: number[] = [];
  readonly isolatedUnits: number[] = [];
  readonly fundingSnapshot: bigint[] = [];
  readonly pendingFundingUnits: number[] = [];
  /** Isolated scope state (cross rows stay HEALTHY here; their state is the account's). */
  readonly isolatedState: number[] = [];
  readonly isolatedLiquidationId: number[] = [];
  readonly version: number[] = [];
  readonly entryMask: number[] = [];
  /** Open orders of the row (their lists live in OpenOrders). */
  readonly openOrders: number[] = [];
  /** Σ remaining lots × price (ticks) of the row's orders per side, kept by OpenOrders. */
  readonly buyLotTicks: number[] = [];
  readonly sellLotTicks: number[] = [];
  /** Bumped on every change to the row's orders on that side (the order IM kernel's cache key). */
  readonly buyVersion: number[] = [];
  readonly sellVersion: number[] = [];
  /** Σ remaining lots of the row's reduce-only orders per side. */
  readonly reduceOnlyBuyLots: number[] = [];
  readonly reduceOnlySellLots: number[] = [];
  /** Last applied `MatchingAccountEventV1` seq of this account in this market, per liquidity (0 other, 1 maker, 2 taker). */
  readonly lastAccountEventSeq: number[] = [];
  /** Rows per market, in creation order (funding passes, open interest audits). */
  readonly rowsOfMarket: number[][];

  constructor(marketCount: number) {
    this.rowsOfMarket = Array.from({ length: marketCount }, () => []);
  }

  get count(): number {
    return this.account.length;
  }

  /** The row of (account slot, market) or −1, walking from the account's first row. */
  rowOf(firstRow: number, market: number): number {
    let r = firstRow;
    while (r >= 0) {
      if (this.market[r] === market) return r;
      r = this.nextOfAccount[r];
    }
    return -1;
  }

  /** Creates a row at the head of the account's list; returns it. The caller links `firstRow`. */
  create(accountSlot: number, market: number, nextRow: number, leverage: number, fundingIndex: bigint): number {
    const r = this.account.length;
    this.account.push(accountSlot);
    this.market.push(market);
    this.nextOfAccount.push(nextRow);
    this.qtyLots.push(0);
    this.costUnits.push(0);
    this.leverage.push(leverage);
    this.mode.push(MarginMode.Cross);
    this.isolatedUnits.push(0);
    this.fundingSnapshot.push(fundingIndex);
    this.pendingFundingUnits.push(0);
    this.isolatedState.push(MarginStateCode.Healthy);
    this.isolatedLiquidationId.push(0);
    this.version.push(0);
    this.entryMask.push(0);
    this.openOrders.push(0);
    this.buyLotTicks.push(0);
    this.sellLotTicks.push(0);
    this.buyVersion.push(0);
    this.sellVersion.push(0);
    this.reduceOnlyBuyLots.push(0);
    this.reduceOnlySellLots.push(0);
    this.lastAccountEventSeq.push(0, 0, 0);
    this.rowsOfMarket[market].push(r);
    return r;
  }

  isIsolated(r: number): boolean {
    return this.mode[r] === MarginMode.Isolated;
  }
}
