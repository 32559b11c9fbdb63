/**
 * The ADL queues of every market side, incrementally ranked (RISK-SPEC §8.8), so a
 * cascade that deleverages thousands of positions scores each counterparty once per
 * change instead of every holder per run.
 *
 * What a score depends on, and how each input is followed exactly:
 * - the prices: every mark, every collateral index and every cumulative funding
 *   index (a cross scope's BP, and so its PNL_X_LEVERAGE score, depends on all of its
 *   markets and collateral). They are compared with the values the side was built
 *   at; any difference starts a new price epoch, and a side read in a new epoch is
 *   rebuilt: every holder rescored (O(n)) and heapified (O(n)). A cascade runs at
 *   one mark, so that one-time cost is shared by all of its ADL legs.
 * - the scope itself (position, cost, wallet or bucket, collateral, pending
 *   funding, state): every change to one is followed by its re-evaluation in
 *   margin-watch.ts (the breach triggers rely on that too), which reports the slot
 *   here (`changed`). The slots go into a change log; a side read later rescores
 *   the log's slots that hold a row in its market (O(log n) each), and a scope that
 *   is LIQUIDATING or unrankable leaves the queue until its next change.
 * The order is then the one `adlQueueRecomputed` (the former per-run full
 * recomputation) gives; the property test in adl-rankings.test.ts holds them equal
 * over random states, marks and both score kinds.
 *
 * The log is bounded: once it holds more entries than the ledger has rows,
 * rescoring them would cost more than a rebuild, so every side is marked for one
 * and the log is emptied; nothing is logged while no side is built (the trading
 * path pays one branch). The log is emptied whenever every built side has read it.
 *
 * State: derived from positions, balances and prices only, so it is not snapshot
 * data: `exportState` gives null and `importState` drops every side, which is
 * rebuilt at its first read. The state hash does not include it.
 *
 * `fullRecomputation` (off by default) makes every read rank the side from scratch
 * with the former per-run path: the benchmark's reference, measured in the same run.
 */
import { MarginMode } from '@perpcore/domain';
import { type AdlScore, AdlRanking, adlScoreLeveragePnl, adlScorePnlTimesLeverage } from '@perpcore/margin';
import { AccountKind } from '../accounts/account-book.js';
import { AdlRankedSide } from './adl-ranked-side.js';
import { MarginStateCode } from '../margin-watch/margin-state-code.js';
import type { RiskState } from '../risk-state.js';

/** BPamount (units, rounded as `bankruptcy` rounds it) of closing `closeLots` of row r, in the row's own scope (cross: slot's; isolated: the row). */
export type RowBankruptcy = (slot: number, isolatedRow: number, r: number, closeLots: number) => number;

const NOT_BUILT = -1;

export class AdlRankings {
  /** Reference mode: rank from scratch at every read (the pre-incremental cost). */
  fullRecomputation = false;
  /** Sides rebuilt since the start (for the benchmark). */
  rebuilds = 0;
  private readonly sides: AdlRankedSide[] = [];
  private readonly builtEpoch: number[] = [];
  private readonly cursor: number[] = [];
  private log = new Int32Array(1024);
  private logLength = 0;
  private anyBuilt = false;
  private epoch = 0;
  private readonly marksAt: Float64Array;
  private readonly collateralAt: Float64Array;
  private readonly fundingAt: bigint[];

  constructor(private readonly s: RiskState) {
    for (let k = 0; k < 2 * s.markets.length; k++) {
      this.sides.push(new AdlRankedSide());
      this.builtEpoch.push(NOT_BUILT);
      this.cursor.push(0);
    }
    this.marksAt = new Float64Array(s.markets.length);
    this.collateralAt = new Float64Array(s.setup.collateral.length);
    this.fundingAt = s.markets.map((m) => m.fundingIndex);
  }

  /** The account in `slot` was re-evaluated: something its scores depend on may have changed. */
  changed(slot: number): void {
    if (!this.anyBuilt) return;
    if (this.logLength > 0 && this.log[this.logLength - 1] === slot) return;
    if (this.logLength === this.log.length) {
      if (this.logLength >= Math.max(1024, this.s.ledger.count)) {
        this.dropAll();
        return;
      }
      const bigger = new Int32Array(this.log.length * 2);
      bigger.set(this.log);
      this.log = bigger;
    }
    this.log[this.logLength++] = slot;
  }

  /** The side of market m holding positions of sign `sideSign`, ranked for the current state. */
  side(m: number, sideSign: number, bankruptcyOfRow: RowBankruptcy): AdlRankedSide {
    const k = 2 * m + (sideSign > 0 ? 0 : 1);
    const side = this.sides[k];
    this.followPrices();
    if (this.fullRecomputation || this.builtEpoch[k] !== this.epoch) {
      this.rebuild(side, m, sideSign, bankruptcyOfRow);
      this.builtEpoch[k] = this.epoch;
      this.rebuilds++;
    } else {
      for (let i = this.cursor[k]; i < this.logLength; i++) this.rescore(side, m, sideSign, this.log[i], bankruptcyOfRow);
      side.tidy();
    }
    this.cursor[k] = this.logLength;
    this.anyBuilt = true;
    this.trimLog();
    return side;
  }

  /** Snapshot form: none (derived state, rebuilt on first read). */
  exportState(): null {
    return null;
  }

  importState(): void {
    this.dropAll();
  }

  private rebuild(side: AdlRankedSide, m: number, sideSign: number, bankruptcyOfRow: RowBankruptcy): void {
    side.clear();
    const s = this.s;
    side.reserveRows(s.ledger.count);
    for (const r of s.ledger.rowsOfMarket[m]) {
      const score = rankableScore(s, r, sideSign, bankruptcyOfRow);
      if (score !== null) side.append(r, s.accounts.ids[s.ledger.account[r]], score);
    }
    side.heapify();
  }

  private rescore(side: AdlRankedSide, m: number, sideSign: number, slot: number, bankruptcyOfRow: RowBankruptcy): void {
    const s = this.s;
    const r = s.ledger.rowOf(s.accounts.firstRow[slot], m);
    if (r < 0) return;
    side.invalidate(r);
    const score = rankableScore(s, r, sideSign, bankruptcyOfRow);
    if (score !== null) side.push(r, s.accounts.ids[slot], score);
  }

  /** A new price epoch when any mark, collateral index or funding index moved since the last read. */
  private followPrices(): void {
    const s = this.s;
    let moved = false;
    const marks = s.evaluator.marks;
    for (let m = 0; m < marks.length; m++) {
      if (this.marksAt[m] !== marks[m]) moved = true;
      this.marksAt[m] = marks[m];
      const g = s.markets[m].fundingIndex;
      if (this.fundingAt[m] !== g) moved = true;
      this.fundingAt[m] = g;
    }
    const collateral = s.setup.collateral;
    for (let c = 0; c < collateral.length; c++) {
      if (this.collateralAt[c] !== collateral[c].indexSubticks) moved = true;
      this.collateralAt[c] = collateral[c].indexSubticks;
    }
    if (moved) this.epoch++;
  }

  private trimLog(): void {
    for (let k = 0; k < this.sides.length; k++) if (this.builtEpoch[k] !== NOT_BUILT && this.cursor[k] !== this.logLength) return;
    this.logLength = 0;
    this.cursor.fill(0);
  }

  private dropAll(): void {
    this.builtEpoch.fill(NOT_BUILT);
    this.cursor.fill(0);
    this.logLength = 0;
    this.anyBuilt = false;
  }
}

/**
 * Row r's ADL score if it belongs in the ranked queue of side `sideSign`: a trader's
 * position of that sign whose scope is not being liquidated (PNL_X_LEVERAGE: with a
 * non-zero cost basis); null otherwise.
 * - PNL_X_LEVERAGE: `adlScorePnlTimesLeverage` with the scope's whole-position BV.
 * - LEVERAGE_PNL: `adlScoreLeveragePnl` with the scope's wallet (or bucket), UPnL, MM.
 */
export function rankableScore(s: RiskState, r: number, sideSign: number, bankruptcyOfRow: RowBankruptcy): AdlScore | null {
  const led = s.ledger;
  const q = led.qtyLots[r];
  if (q === 0 || Math.sign(q) !== sideSign) return null;
  const slot = led.account[r];
  if (s.accounts.kind[slot] !== AccountKind.Trader) return null;
  const isolated = led.mode[r] === MarginMode.Isolated;
  const state = isolated ? led.isolatedState[r] : s.accounts.crossState[slot];
  if (state === MarginStateCode.Liquidating) return null;
  const params = s.markets[led.market[r]].params;
  if (params.adlRanking === AdlRanking.LeveragePnl) {
    const ev = isolated ? s.evaluator.evaluateIsolated(r) : s.evaluator.evaluateCross(slot);
    return adlScoreLeveragePnl(params, { upnlUnits: ev.upnlUnits, walletUnits: isolated ? led.isolatedUnits[r] : s.accounts.balances[0][slot], maintenanceUnits: ev.maintenanceUnits });
  }
  if (led.costUnits[r] === 0) return null;
  const bvUnits = bankruptcyOfRow(slot, isolated ? r : -1, r, Math.abs(q));
  return adlScorePnlTimesLeverage(params, { qtyLots: q, costUnits: led.costUnits[r], markSubticks: s.evaluator.marks[led.market[r]], bankruptcyValueUnits: bvUnits });
}
