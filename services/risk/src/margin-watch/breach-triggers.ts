/**
 * Trigger prices for the breach index (float screen; the exact test decides).
 *
 * After a scope is evaluated exactly, its distance to the next line is split into a
 * budget per price dimension, proportional to the value exposed in it (position
 * notional at mark; collateral value at index), and each budget becomes the price
 * at which that dimension alone would have consumed it:
 *
 *   slack    = E − level × basis − safety                         (units)
 *   d_i      = slack × w_i / (unitsPerSubtick_i × rate_i)          (subticks)
 *   long: DOWN at M − d_i        short: UP at M + d_i
 *
 * `unitsPerSubtick = |Q| × lotTickUnits / spt`. `rate` bounds how fast the slack
 * shrinks per unit of adverse move: equity moves 1:1 and the basis moves by mmr
 * (MM basis) or 1/L (IM basis), times the level: `1 + level × mmr`. For a short the
 * mmr is taken at the tier of the trigger's notional (re-solved until stable, MM is
 * convex); for a long the current tier's is an over-estimate (the basis shrinks as
 * the price falls). If no dimension crossed its trigger, Σ consumed < Σ budgets =
 * slack, so the scope has not crossed its line: firing can only be early, never
 * late. `safety = 2 × (dimensions + 1)` units absorbs the unit roundings of UPnL,
 * MM and collateral, and d is shrunk by a relative 1e-9 against float error.
 *
 * Lines by state: HEALTHY watches the call line (adverse). CALLED watches the
 * liquidation line (adverse) and the call line (favourable, to clear: the deficit
 * minus the safety, over the same rates, fires early too). LIQUIDATING watches
 * nothing: the liquidation engine owns the scope until it releases it.
 *
 * Refs: market dimensions use the position row (version `ledger.version[row]`),
 * collateral dimensions the account slot (version `accounts.crossVersion[slot]`).
 * Replacing a scope's entries bumps the versions and marks the old entries stale.
 */
import { TriggerDirection, type BreachIndex } from './breach-index.js';
import type { AccountBook } from '../accounts/account-book.js';
import { MarginStateCode } from './margin-state-code.js';
import type { PositionLedger } from '../accounts/position-ledger.js';
import type { CollateralSetup } from '../risk-config.js';
import type { RiskMarket } from '../risk-market.js';
import type { ScopeEvaluator } from './scope-evaluator.js';
import { LevelBasis } from '@perpcore/margin';

const E8 = 100_000_000;
const SHRINK = 1 - 1e-9;
const DOWN_BIT = 1 << TriggerDirection.Down;
const UP_BIT = 1 << TriggerDirection.Up;

export class BreachTriggers {
  /** Per account slot: bits (asset − 1) × 2 + direction of live collateral entries. */
  private readonly collateralMask: number[] = [];
  private readonly notional: Float64Array;
  private readonly collateralValue: Float64Array;
  entriesPushed = 0;

  constructor(
    private readonly index: BreachIndex,
    private readonly markets: readonly RiskMarket[],
    private readonly collateral: readonly CollateralSetup[],
    private readonly accounts: AccountBook,
    private readonly ledger: PositionLedger,
  ) {
    this.notional = new Float64Array(markets.length);
    this.collateralValue = new Float64Array(collateral.length);
  }

  /** Liveness of an entry (the breach index's callback). */
  readonly isLive = (dim: number, ref: number, version: number): boolean =>
    dim < this.markets.length ? this.ledger.version[ref] === version : this.accounts.crossVersion[ref] === version;

  /** A popped entry no longer sits in its heap. */
  consumed(dim: number, ref: number, direction: TriggerDirection): void {
    const bit = 1 << direction;
    if (dim < this.markets.length) this.ledger.entryMask[ref] &= ~bit;
    else this.collateralMask[ref] &= ~(bit << ((dim - this.markets.length) * 2));
  }

  /** Drops the entries of an account's cross scope (every cross row and its collateral). */
  clearCross(slot: number): void {
    const led = this.ledger;
    for (let r = this.accounts.firstRow[slot]; r >= 0; r = led.nextOfAccount[r]) if (!led.isIsolated(r)) this.clearRow(r);
    const mask = this.collateralMask[slot] ?? 0;
    if (mask !== 0) {
      for (let i = 0; i < this.collateral.length; i++) {
        const bits = (mask >> (i * 2)) & 3;
        if (bits & DOWN_BIT) this.index.markStale(this.markets.length + i, TriggerDirection.Down);
        if (bits & UP_BIT) this.index.markStale(this.markets.length + i, TriggerDirection.Up);
      }
      this.collateralMask[slot] = 0;
    }
    this.accounts.crossVersion[slot]++;
  }

  clearRow(r: number): void {
    const mask = this.ledger.entryMask[r];
    if (mask !== 0) {
      const m = this.ledger.market[r];
      if (mask & DOWN_BIT) this.index.markStale(m, TriggerDirection.Down);
      if (mask & UP_BIT) this.index.markStale(m, TriggerDirection.Up);
      this.ledger.entryMask[r] = 0;
    }
    this.ledger.version[r]++;
  }

  /**
   * Pushes fresh entries for the scope just evaluated by `ev` (cross when `slot ≥ 0`,
   * else the isolated row `ev.rows[0]`), in state `state`. Old entries must have
   * been cleared first.
   */
  place(ev: ScopeEvaluator, slot: number, state: number): void {
    if (state === MarginStateCode.Liquidating) return;
    const res = ev.result;
    if (res.basisUnits <= 0 || ev.rowCount === 0) return;
    const levels = ev.levels;
    const callLevel = levels.marginCallLevelE8 / E8;
    const adverseLevel = state === MarginStateCode.Called ? levels.liquidationLevelE8 / E8 : callLevel;
    const basisIsMm = levels.levelBasis === LevelBasis.MM;
    const led = this.ledger;
    let total = 0;
    for (let i = 0; i < ev.rowCount; i++) {
      const r = ev.rows[i];
      const m = led.market[r];
      const p = this.markets[m].params;
      const q = Math.abs(led.qtyLots[r]);
      const n = (q * p.lotTickUnits * ev.marks[m]) / p.markSubticksPerTick;
      this.notional[i] = n;
      total += n;
    }
    let dims = ev.rowCount;
    const collateralMask = slot >= 0 ? this.accounts.nonSettleMask[slot] : 0;
    if (collateralMask !== 0) {
      for (let c = 0; c < this.collateral.length; c++) {
        const cs = this.collateral[c];
        let v = 0;
        if ((collateralMask & (1 << (cs.assetIndex - 1))) !== 0 && cs.price !== null) {
          v = (Math.abs(this.accounts.balances[cs.assetIndex][slot]) * cs.price.settleUnits) / cs.price.perAssetUnits;
          dims++;
        }
        this.collateralValue[c] = v;
        total += v;
      }
    }
    if (!(total > 0)) return;
    const safety = 2 * (dims + 1);
    const adverseSlack = Math.max(0, res.equityUnits - adverseLevel * res.basisUnits - safety);
    const favourableGap = state === MarginStateCode.Called ? Math.max(0, callLevel * res.basisUnits - res.equityUnits - safety) : -1;

    for (let i = 0; i < ev.rowCount; i++) {
      const r = ev.rows[i];
      const Q = led.qtyLots[r];
      if (Q === 0) continue;
      const m = led.market[r];
      const p = this.markets[m].params;
      const mark = ev.marks[m];
      const w = this.notional[i] / total;
      const unitsPerSubtick = (Math.abs(Q) * p.lotTickUnits) / p.markSubticksPerTick;
      const basisRate = basisIsMm ? p.tiers.mmrE8[this.tierOf(p.tiers.capUnits, this.notional[i])] / E8 : 1 / led.leverage[r];
      let d = (adverseSlack * w) / (unitsPerSubtick * (1 + adverseLevel * basisRate));
      if (Q < 0 && basisIsMm) d = this.shortDistance(p.tiers.capUnits, p.tiers.mmrE8, adverseSlack * w, unitsPerSubtick, adverseLevel, mark, basisRate, d);
      d *= SHRINK;
      if (Q > 0) this.pushRow(r, m, TriggerDirection.Down, mark - d);
      else this.pushRow(r, m, TriggerDirection.Up, mark + d);
      if (favourableGap >= 0) {
        const f = ((favourableGap * w) / (unitsPerSubtick * (1 + callLevel * basisRate))) * SHRINK;
        if (Q > 0) this.pushRow(r, m, TriggerDirection.Up, mark + f);
        else this.pushRow(r, m, TriggerDirection.Down, mark - f);
      }
    }
    if (collateralMask === 0) return;
    for (let c = 0; c < this.collateral.length; c++) {
      const v = this.collateralValue[c];
      if (v <= 0) continue;
      const cs = this.collateral[c];
      const bal = this.accounts.balances[cs.assetIndex][slot];
      const x = cs.indexSubticks;
      const w = v / total;
      const unitsPerSubtick = (Math.abs(bal) * cs.settleUnitsPerSubtick) / cs.perAssetUnits;
      const d = ((adverseSlack * w) / unitsPerSubtick) * SHRINK;
      this.pushCollateral(slot, c, bal > 0 ? TriggerDirection.Down : TriggerDirection.Up, bal > 0 ? x - d : x + d);
      if (favourableGap >= 0) {
        const f = ((favourableGap * w) / unitsPerSubtick) * SHRINK;
        this.pushCollateral(slot, c, bal > 0 ? TriggerDirection.Up : TriggerDirection.Down, bal > 0 ? x + f : x - f);
      }
    }
  }

  /** d for a short: re-solve with the mmr of the tier at M + d until it stops rising. */
  private shortDistance(caps: readonly number[], mmrs: readonly number[], budget: number, unitsPerSubtick: number, level: number, mark: number, mmr: number, d: number): number {
    for (let k = 0; k < caps.length; k++) {
      const tierMmr = mmrs[this.tierOf(caps, unitsPerSubtick * (mark + d))] / E8;
      if (tierMmr <= mmr) break;
      mmr = tierMmr;
      d = budget / (unitsPerSubtick * (1 + level * mmr));
    }
    return d;
  }

  private tierOf(caps: readonly number[], notionalUnits: number): number {
    const last = caps.length - 1;
    for (let k = 0; k < last; k++) if (notionalUnits <= caps[k]) return k;
    return last;
  }

  private pushRow(r: number, m: number, direction: TriggerDirection, trigger: number): void {
    if (!Number.isFinite(trigger) || trigger <= 0) return;
    this.index.push(m, direction, trigger, r, this.ledger.version[r]);
    this.ledger.entryMask[r] |= 1 << direction;
    this.entriesPushed++;
  }

  private pushCollateral(slot: number, c: number, direction: TriggerDirection, trigger: number): void {
    if (!Number.isFinite(trigger) || trigger <= 0) return;
    this.index.push(this.markets.length + c, direction, trigger, slot, this.accounts.crossVersion[slot]);
    while (this.collateralMask.length <= slot) this.collateralMask.push(0);
    this.collateralMask[slot] |= 1 << (c * 2 + direction);
    this.entriesPushed++;
  }
}
