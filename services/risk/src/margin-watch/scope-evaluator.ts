/**
 * Exact evaluation of a margin scope (RISK-SPEC §3.4–§3.5, §6): the cross scope of
 * an account (its collateral plus every cross position) or one isolated position
 * with its bucket. Every formula is @perpcore/margin's `evaluateCrossAccount` (E,
 * UPnL, MM, IMpos, basis, state by cross-multiplication) on a scratch account this
 * module refills from the ledger's columns, plus the open-order IM of the private
 * kernel (order-margin-kernel.ts). Nothing is allocated per evaluation.
 *
 * - Cross collateral: `WB + Σ acceptedValueUnits(asset)` over the non-settle assets
 *   the account holds (haircut at index, §7); an asset without an index yet counts 0.
 * - Isolated: the bucket plays the collateral (`E_iso = bucket + UPnL − PF`), the
 *   levels are the market's own.
 * - Cross levels: the strictest over the scope's markets (`crossScopeLevels`),
 *   cached per set of markets.
 * - Rows included: cross rows with a position or open orders (isolated: the row).
 * - IMF_RAMP markets: each row's IMpos and opening order IM are floored by the
 *   market's current open-interest fraction (`RiskMarket.initialFractionE8`, imf-ramp.ts).
 *
 * After a call the fields below describe the scope until the next call.
 */
import { type CrossAccount, type CrossEvaluation, type CrossPositionSlot, type ScopeLevels, acceptedValueUnits, createCrossEvaluation, crossScopeLevels, evaluateCrossAccount } from '@perpcore/margin';
import type { AccountBook } from '../accounts/account-book.js';
import type { OpenOrders } from '../orders/open-orders.js';
import type { OrderMarginKernel } from '../orders/order-margin-kernel.js';
import type { PositionLedger } from '../accounts/position-ledger.js';
import type { CollateralSetup } from '../risk-config.js';
import type { RiskMarket } from '../risk-market.js';

export class ScopeEvaluator {
  /** Mark per market (subticks); the engine writes it on every mark change. */
  readonly marks: Float64Array;
  readonly result: CrossEvaluation;
  /** Rows evaluated, parallel to `result.position…Units`. */
  readonly rows: Int32Array;
  rowCount = 0;
  /** Accepted collateral (cross) or the bucket (isolated). */
  collateralUnits = 0;
  /** Σ open-order IM over the scope's rows. */
  orderImUnits = 0;
  /** Σ market IM (positions and orders): `result.initialUnits + orderImUnits`. */
  initialUnits = 0;
  /** Σ PF of the scope's rows (for W in the liquidation price). */
  pendingFundingUnits = 0;
  levels: ScopeLevels;
  private readonly scratch: CrossAccount;
  private readonly levelsByMask = new Map<number, ScopeLevels>();

  constructor(
    private readonly markets: readonly RiskMarket[],
    private readonly collateral: readonly CollateralSetup[],
    private readonly accounts: AccountBook,
    private readonly ledger: PositionLedger,
    private readonly orders: OpenOrders,
    private readonly kernel: OrderMarginKernel,
  ) {
    const n = markets.length;
    this.marks = new Float64Array(n);
    this.result = createCrossEvaluation(n);
    this.rows = new Int32Array(n);
    const slots: CrossPositionSlot[] = [];
    for (let i = 0; i < n; i++) {
      slots.push({ params: markets[0].params, marketIndex: 0, qtyLots: 0, costUnits: 0, leverage: 1, pendingFundingUnits: 0, orders: null, initialFractionE8: 0 });
    }
    this.scratch = { acceptedCollateralUnits: 0, positions: slots, positionCount: 0 };
    this.levels = markets[0].isolatedLevels;
  }

  /** Accepted collateral of an account's cross scope, in settle units (rounded down per asset). */
  acceptedCollateralUnits(slot: number): number {
    let total = this.accounts.balances[0][slot];
    const mask = this.accounts.nonSettleMask[slot];
    if (mask === 0) return total;
    for (let i = 0; i < this.collateral.length; i++) {
      const c = this.collateral[i];
      if ((mask & (1 << (c.assetIndex - 1))) === 0 || c.price === null) continue;
      total += acceptedValueUnits(c.haircut, this.accounts.balances[c.assetIndex][slot], c.price);
    }
    return total;
  }

  evaluateCross(slot: number): CrossEvaluation {
    const led = this.ledger;
    let n = 0;
    let mask = 0;
    let orderIm = 0;
    let pf = 0;
    for (let r = this.accounts.firstRow[slot]; r >= 0; r = led.nextOfAccount[r]) {
      if (led.isIsolated(r) || (led.qtyLots[r] === 0 && led.openOrders[r] === 0)) continue;
      const m = led.market[r];
      this.load(n, r, m);
      if (led.openOrders[r] > 0) orderIm += this.kernel.orderIm(this.markets[m].params, r, led.qtyLots[r], led.leverage[r], this.marks[m], this.markets[m].initialFractionE8());
      pf += led.pendingFundingUnits[r];
      mask |= 1 << m;
      this.rows[n++] = r;
    }
    this.rowCount = n;
    this.scratch.positionCount = n;
    this.collateralUnits = this.acceptedCollateralUnits(slot);
    this.scratch.acceptedCollateralUnits = this.collateralUnits;
    this.levels = n === 0 ? this.markets[0].isolatedLevels : this.crossLevels(mask);
    evaluateCrossAccount(this.scratch, this.marks, this.levels, this.result);
    this.finish(orderIm, pf);
    return this.result;
  }

  /**
   * The cross scope of `slot` as it would be after one more leg in market m (nothing
   * written): its wallet at `walletAfterUnits`, the row of m at (q1, c1) with pending
   * funding `pf1` (a row the account does not have yet opens at `newRowLeverage`),
   * open-order IM of that row taken at q1. What a backstop takeover judges
   * (backstop-liquidators.ts). Cross rows only: the caller refuses an isolated row.
   * Leaves `leverageOfLeg` and `openingNotionalOfLeg` for the tier check.
   */
  evaluateCrossWithLeg(slot: number, m: number, q1: number, c1: number, pf1: number, walletAfterUnits: number, newRowLeverage: number): CrossEvaluation {
    const led = this.ledger;
    let n = 0;
    let mask = 0;
    let orderIm = 0;
    let pf = 0;
    let seen = false;
    for (let r = this.accounts.firstRow[slot]; r >= 0; r = led.nextOfAccount[r]) {
      if (led.isIsolated(r)) continue;
      const rm = led.market[r];
      const q = rm === m ? q1 : led.qtyLots[r];
      if (q === 0 && led.openOrders[r] === 0) continue;
      this.load(n, r, rm);
      const market = this.markets[rm];
      if (rm === m) {
        seen = true;
        const slotOfLeg = this.scratch.positions[n];
        slotOfLeg.qtyLots = q1;
        slotOfLeg.costUnits = c1;
        slotOfLeg.pendingFundingUnits = pf1;
        this.leverageOfLeg = led.leverage[r];
        this.openingNotionalOfLeg = 0;
        if (led.openOrders[r] > 0) {
          orderIm += this.kernel.orderIm(market.params, r, q1, led.leverage[r], this.marks[rm], market.initialFractionE8());
          this.openingNotionalOfLeg = this.kernel.openingNotionalUnits;
        }
        pf += pf1;
      } else {
        if (led.openOrders[r] > 0) orderIm += this.kernel.orderIm(market.params, r, q, led.leverage[r], this.marks[rm], market.initialFractionE8());
        pf += led.pendingFundingUnits[r];
      }
      mask |= 1 << rm;
      this.rows[n++] = r;
    }
    if (!seen && q1 !== 0) {
      const slotOfLeg = this.scratch.positions[n];
      slotOfLeg.params = this.markets[m].params;
      slotOfLeg.marketIndex = m;
      slotOfLeg.qtyLots = q1;
      slotOfLeg.costUnits = c1;
      slotOfLeg.leverage = newRowLeverage;
      slotOfLeg.pendingFundingUnits = pf1;
      slotOfLeg.initialFractionE8 = this.markets[m].initialFractionE8();
      this.leverageOfLeg = newRowLeverage;
      this.openingNotionalOfLeg = 0;
      pf += pf1;
      mask |= 1 << m;
      this.rows[n++] = -1;
    }
    this.rowCount = n;
    this.scratch.positionCount = n;
    this.collateralUnits = this.acceptedCollateralUnits(slot) - this.accounts.balances[0][slot] + walletAfterUnits;
    this.scratch.acceptedCollateralUnits = this.collateralUnits;
    this.levels = n === 0 ? this.markets[0].isolatedLevels : this.crossLevels(mask);
    evaluateCrossAccount(this.scratch, this.marks, this.levels, this.result);
    this.finish(orderIm, pf);
    return this.result;
  }

  /** Set by `evaluateCrossWithLeg`: the leverage of the leg's row, and its orders' opening notional at q1. */
  leverageOfLeg = 1;
  openingNotionalOfLeg = 0;

  evaluateIsolated(r: number): CrossEvaluation {
    const led = this.ledger;
    const m = led.market[r];
    this.load(0, r, m);
    this.rows[0] = r;
    const hasPosition = led.qtyLots[r] !== 0 || led.openOrders[r] !== 0;
    this.rowCount = hasPosition ? 1 : 0;
    this.scratch.positionCount = this.rowCount;
    this.collateralUnits = led.isolatedUnits[r];
    this.scratch.acceptedCollateralUnits = this.collateralUnits;
    this.levels = this.markets[m].isolatedLevels;
    evaluateCrossAccount(this.scratch, this.marks, this.levels, this.result);
    const orderIm = led.openOrders[r] > 0 ? this.kernel.orderIm(this.markets[m].params, r, led.qtyLots[r], led.leverage[r], this.marks[m], this.markets[m].initialFractionE8()) : 0;
    this.finish(orderIm, hasPosition ? led.pendingFundingUnits[r] : 0);
    return this.result;
  }

  private load(i: number, r: number, m: number): void {
    const led = this.ledger;
    const slot = this.scratch.positions[i];
    slot.params = this.markets[m].params;
    slot.marketIndex = m;
    slot.qtyLots = led.qtyLots[r];
    slot.costUnits = led.costUnits[r];
    slot.leverage = led.leverage[r];
    slot.pendingFundingUnits = led.pendingFundingUnits[r];
    slot.initialFractionE8 = this.markets[m].initialFractionE8();
  }

  private finish(orderIm: number, pf: number): void {
    this.orderImUnits = orderIm;
    this.pendingFundingUnits = pf;
    this.initialUnits = this.result.initialUnits + orderIm;
  }

  private crossLevels(mask: number): ScopeLevels {
    let levels = this.levelsByMask.get(mask);
    if (levels === undefined) {
      const params = this.markets.filter((_, i) => (mask & (1 << i)) !== 0).map((m) => m.params);
      levels = crossScopeLevels(params);
      this.levelsByMask.set(mask, levels);
    }
    return levels;
  }
}
