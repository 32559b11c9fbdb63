/**
 * The liquidation engine's port into the risk stage (RISK-SPEC §7–§8). The risk
 * engine stays the one place that owns balances: every money movement of the
 * liquidation ladder happens here, each emits events on the account's stream, and
 * §9's invariants hold after each call.
 *
 * Reads
 * - `readScope(scope)`: the scope's exact state (equity, MM, IM, basis, level,
 *   state, liquidation id, per-position size, cost, mark, MM, UPnL, PF).
 * - `bankruptcyOf(scope, market, closeLots)`: BPamount and BP (`bankruptcy` /
 *   `isolatedBankruptcy` of @perpcore/margin) for closing part or all of a position.
 * - `heldLiquidations()`: every scope held LIQUIDATING, with its liquidation id.
 *
 * Mutations (each validates first and changes nothing when it refuses, throwing a
 * `RiskRejection` with a RISK_* code)
 * - `applyInsuranceTakeover`: the fund takes the scope's whole position in a market
 *   at BP (§8.7). Fill type LIQUIDATION, no trading fee.
 * - `applyDeleverage`: one ADL run (§8.8), atomic: BP is computed once for the
 *   whole remaining position, the opposite positions are planned and every slice
 *   validated before the first leg moves; then each counterparty closes
 *   `min(remaining, its size)`, both legs DELEVERAGED, no fee, its open orders in
 *   that market cancelled. Counterparties come in tiers (adl-queue.ts): the ranked
 *   traders, then the fund's own opposite position, then opposite scopes that are
 *   themselves liquidating (those whose own step IOC is out, last); each leg
 *   says which (`kind`). Long = short, so the run
 *   always closes the whole position: one that cannot is an internal error (the
 *   halt guard stops the stage), not a reject.
 *   Both closes price every leg at the one fill price `max(BP ticks, 1)` and split
 *   the whole BPamount across slices exactly (`planBankruptcyFill` of
 *   @perpcore/margin): each slice's tick difference `value − share ≥ 0` moves from
 *   the account to the fund, so the account nets exactly BPamount and the parts
 *   add up to the whole, to the unit.
 *   Bankruptcy price below one tick (a short whose scope's negative equity exceeds
 *   its notional: BP = M + E·share/q < 1 tick; a long only when the liquidation
 *   line sits above its notional): the legs fill at the minimum price, 1 tick. A
 *   long then pays the fund a larger tick difference. A short pays 1 tick per lot
 *   instead of receiving |BP|; that shortfall stays in the scope as a deficit, so
 *   the remaining positions' BP carries it, or, once flat, §8.9 covers it
 *   (conversion, then the fund, and what the fund cannot cover stays on the
 *   account as recorded bad debt). The takeover test counts the shortfall as the
 *   fund's cost.
 * - `chargeClearanceFee`: scope → fund (§8.5; the engine computes it with
 *   `clearanceFeeUnits`, at most the surplus).
 * - `sweepResidue`: a scope without positions sends its positive settle balance
 *   (the rounding residue) to the fund (§8.9).
 * - `convertCollateralOnDeficit`: a negative cross wallet is covered by selling
 *   other collateral to the fund at index, highest haircut ratio first
 *   (`planDeficitConversion`, §7).
 * - `coverDeficit`: the fund covers what is still negative, never going below 0
 *   itself (§9.6); returns what it covered.
 * - `releaseLiquidation`: ends the scope's LIQUIDATING state with
 *   `LiquidationReleasedV1`; the scope is re-evaluated from HEALTHY and emits the
 *   transition it is in (a new liquidation if it is still at or below the line).
 * Transfers are `LedgerTransferV1`; position legs are `PositionSettledV1`.
 */
import { FillType, MarginMode } from '@perpcore/domain';
import {
  type Bankruptcy,
  type BankruptcyClose,
  type BankruptcyFill,
  type BankruptcyInput,
  type CrossEvaluation,
  type IsolatedBankruptcyInput,
  type MarketRiskParams,
  bankruptcy,
  bankruptcyAmountUnits,
  bankruptcyClose,
  isolatedBankruptcy,
  isolatedBankruptcyAmountUnits,
  isolatedBankruptcyClose,
  planBankruptcyFill,
  planDeficitConversion,
} from '@perpcore/margin';
import { perpcore } from '@perpcore/proto';
import { type AdlIndicatorEntry, type AdlQueueEntry, type RowBankruptcy, adlIndicator, adlQueue, adlSlices } from '../adl/adl-queue.js';
import { type FundAfterTakeover, insuranceTakeoverRefusal, projectFundAfterTakeover } from './insurance-takeover-limits.js';
import { type FillSettlement, LegPlan } from '../accounts/fill-settlement.js';
import type { MarginWatch } from '../margin-watch/margin-watch.js';
import { MarginStateCode, marginStateName } from '../margin-watch/margin-state-code.js';
import type { OrderLifecycle } from '../orders/order-lifecycle.js';
import { RiskReject, RiskRejection } from '../risk-reject-codes.js';
import type { RiskState } from '../risk-state.js';
import type { ScopeRef, LedgerPosition, LedgerScopeLevel, LedgerScopeState, CloseResult, TakeoverResult, DeleverageLegResult, DeleverageResult, HeldLiquidation, LedgerCallContext, AdlCounterparty, BackstopTakeoverResult } from './ledger-results.js';
import { type BackstopDecline, backstopRefusal } from './backstop-liquidators.js';

import TransferReason = perpcore.risk.v1.TransferReason;

export type { ScopeRef, LedgerPosition, LedgerScopeLevel, LedgerScopeState, CloseResult, TakeoverResult, DeleverageLegResult, DeleverageResult, HeldLiquidation, LedgerCallContext, AdlCounterparty, BackstopTakeoverResult } from './ledger-results.js';

export class RiskLedger {
  /** The fund's leg of a takeover being judged (planned, never applied). */
  private readonly takeoverLeg = new LegPlan();
  /** BPamount of a row's close, for the ADL ranking (one closure for every run; it scores every holder after a mark move). */
  private readonly amountOfRow: RowBankruptcy = (slot, row, r, closeLots) => this.bankruptcyAmountOfRow(slot, row, r, closeLots);

  constructor(
    private readonly s: RiskState,
    private readonly settlement: FillSettlement,
    private readonly lifecycle: OrderLifecycle,
    private readonly watch: MarginWatch,
  ) {}

  readScope(scope: ScopeRef): LedgerScopeState {
    const { slot, row } = this.resolve(scope);
    const res = this.evaluate(slot, row);
    return { ...this.levelOf(scope, slot, row, res), positions: this.positionsOf(res) };
  }

  /** `readScope` without the positions: the ladder's re-checks read it at every step. */
  readScopeLevel(scope: ScopeRef): LedgerScopeLevel {
    const { slot, row } = this.resolve(scope);
    return this.levelOf(scope, slot, row, this.evaluate(slot, row));
  }

  /** `readScope(scope).settleBalanceUnits`, without evaluating the scope. */
  settleBalanceUnits(scope: ScopeRef): number {
    const { slot, row } = this.resolve(scope);
    return this.settleUnitsOf(slot, row);
  }

  /** WB (cross) or the bucket (isolated row). */
  private settleUnitsOf(slot: number, row: number): number {
    return row >= 0 ? this.s.ledger.isolatedUnits[row] : this.s.accounts.balances[0][slot];
  }

  /** The scope just evaluated (`res`): its level and balances. */
  private levelOf(scope: ScopeRef, slot: number, row: number, res: CrossEvaluation): LedgerScopeLevel {
    const led = this.s.ledger;
    const ev = this.s.evaluator;
    return {
      accountId: scope.accountId,
      isolatedMarket: scope.isolatedMarket ?? '',
      state: marginStateName(row >= 0 ? led.isolatedState[row] : this.s.accounts.crossState[slot]),
      liquidationId: row >= 0 ? led.isolatedLiquidationId[row] : this.s.accounts.crossLiquidationId[slot],
      equityUnits: res.equityUnits,
      maintenanceUnits: res.maintenanceUnits,
      basisUnits: res.basisUnits,
      initialUnits: ev.initialUnits,
      atOrBelowTakeover: res.atOrBelowTakeover,
      marginCallLevelE8: ev.levels.marginCallLevelE8,
      liquidationLevelE8: ev.levels.liquidationLevelE8,
      settleBalanceUnits: this.settleUnitsOf(slot, row),
    };
  }

  /** The open positions of the scope just evaluated (`res`). */
  private positionsOf(res: CrossEvaluation): LedgerPosition[] {
    const ev = this.s.evaluator;
    const led = this.s.ledger;
    const positions: LedgerPosition[] = [];
    for (let i = 0; i < ev.rowCount; i++) {
      const r = ev.rows[i];
      if (led.qtyLots[r] === 0) continue;
      const m = led.market[r];
      positions.push({
        market: this.s.markets[m].symbol,
        qtyLots: led.qtyLots[r],
        costUnits: led.costUnits[r],
        markSubticks: ev.marks[m],
        maintenanceUnits: res.positionMaintenanceUnits[i],
        upnlUnits: res.positionUpnlUnits[i],
        pendingFundingUnits: led.pendingFundingUnits[r],
        leverage: led.leverage[r],
      });
    }
    return positions;
  }

  bankruptcyOf(scope: ScopeRef, market: string, closeLots: number): Bankruptcy {
    const { slot, row } = this.resolve(scope);
    const r = this.positionRow(slot, row, market);
    return this.bankruptcyOfRow(slot, row, r, closeLots);
  }

  applyInsuranceTakeover(scope: ScopeRef, market: string, ctx: LedgerCallContext): TakeoverResult {
    const s = this.s;
    const { slot, row, r, q, m } = this.liquidatingPosition(scope, market);
    const fill = this.wholeFill(slot, row, r);
    this.takeOver(slot, r, s.markets[m].fundSlot, fill, ctx);
    this.watch.reevaluateAccount(slot, m, ctx.tsNs);
    return closeResult(q, fill);
  }

  /** A liquidating scope's position row in `market` (throws if the scope is not liquidating or holds none), with its size and market index. */
  private liquidatingPosition(scope: ScopeRef, market: string): { slot: number; row: number; r: number; q: number; m: number } {
    const { slot, row } = this.resolve(scope);
    this.requireLiquidating(slot, row);
    const r = this.positionRow(slot, row, market);
    return { slot, row, r, q: this.s.ledger.qtyLots[r], m: this.s.ledger.market[r] };
  }

  /** Row r's whole position to `toSlot` at the fill's price (max(BP, 1 tick)), fill type LIQUIDATION, no fee; the tick difference to the market's fund. */
  private takeOver(slot: number, r: number, toSlot: number, fill: BankruptcyFill, ctx: LedgerCallContext): void {
    const s = this.s;
    const q = s.ledger.qtyLots[r];
    const m = s.ledger.market[r];
    const price = fill.fillPriceTicks;
    // both legs planned before either is written (fill-settlement.ts: all or nothing)
    this.settlement.planPair(m, s.accounts.ids[slot], s.accounts.ids[toSlot], -Math.sign(q), price, Math.abs(q), 0, 0, FillType.Liquidation);
    this.settlement.settleLeg(m, slot, 0, -Math.sign(q), price, Math.abs(q), 0, 0, FillType.Liquidation, 0, ctx.tsNs);
    this.settlement.settleLeg(m, toSlot, 0, Math.sign(q), price, Math.abs(q), 0, 0, FillType.Liquidation, 0, ctx.tsNs);
    this.transfer(r, slot, s.markets[m].fundSlot, fill.tickDifferenceUnits, TransferReason.TRANSFER_REASON_TICK_DIFFERENCE, ctx);
  }

  /**
   * The scope's whole position in `market` offered to the backstop liquidators in
   * their order (backstop-liquidators.ts); the first that may takes it at BP, as a
   * fund takeover settles (both legs at max(BP, 1 tick), fill type LIQUIDATION, no
   * fee, the tick difference from the scope to the market's fund). `taken` is null,
   * and nothing changed, when none may.
   */
  applyBackstopTakeover(scope: ScopeRef, market: string, ctx: LedgerCallContext): BackstopTakeoverResult {
    const s = this.s;
    const { slot, row, r, q, m } = this.liquidatingPosition(scope, market);
    const declined: BackstopDecline[] = [];
    if (s.backstopLiquidators.size === 0) return { taken: null, declined };
    const fill = this.wholeFill(slot, row, r);
    const price = fill.fillPriceTicks;
    for (const [accountId, terms] of s.backstopLiquidators) {
      const bSlot = s.accounts.slotOf(accountId);
      let reason: string | null;
      if (accountId === scope.accountId) reason = 'it is the liquidated account';
      else if (bSlot < 0) reason = 'it has no account';
      else {
        try {
          const leg = this.settlement.planLeg(this.takeoverLeg, m, accountId, Math.sign(q), price, Math.abs(q), 0, FillType.Liquidation);
          reason = backstopRefusal(s, bSlot, terms, leg);
        } catch (error) {
          if (!(error instanceof RangeError)) throw error;
          reason = error.message;
        }
      }
      if (reason !== null) {
        declined.push({ accountId, reason });
        continue;
      }
      this.takeOver(slot, r, bSlot, fill, ctx);
      this.watch.reevaluateAccount(bSlot, m, ctx.tsNs);
      this.watch.reevaluateAccount(slot, m, ctx.tsNs);
      const after = s.ledger.qtyLots[s.ledger.rowOf(s.accounts.firstRow[bSlot], m)];
      return { taken: { ...closeResult(q, fill), liquidatorAccountId: accountId, liquidatorPositionAfterLots: after }, declined };
    }
    return { taken: null, declined };
  }

  /**
   * `takeLast`: liquidating scopes to take after every other (their own step IOC in the market is still
   * out); a function is asked only if the run reaches the liquidating tier.
   */
  applyDeleverage(scope: ScopeRef, market: string, ctx: LedgerCallContext, takeLast: readonly ScopeRef[] | (() => readonly ScopeRef[]) = []): DeleverageResult {
    const s = this.s;
    const led = s.ledger;
    const { slot, row, r, q, m } = this.liquidatingPosition(scope, market);
    // plan: the queue's slices and one BP for the whole position; nothing moves until all of it holds
    // one row per account and market: the account names the scope in m
    const lastSlots = () => (typeof takeLast === 'function' ? takeLast() : takeLast).map((t) => s.accounts.slotOf(t.accountId));
    const { rows, slots, lots, kinds, remainingLots: remaining } = adlSlices(s, m, q, slot, this.amountOfRow, lastSlots);
    // long = short: the tiers always hold the whole position; anything else is corrupt state
    if (remaining !== 0) throw new Error(`ADL in ${market}: the opposite side holds ${Math.abs(q) - remaining} of ${Math.abs(q)} lots (open interest not conserved)`);
    const fill = planBankruptcyFill(s.markets[m].params, q, this.closeOfRow(slot, row, r, Math.abs(q)), lots);
    const fundSlot = s.markets[m].fundSlot;
    // every leg planned before the first is written (fill-settlement.ts: all or nothing): the
    // liquidated side for all it closes, then each counterparty's slice
    const st = this.settlement;
    st.planLeg(st.first, m, s.accounts.ids[slot], -Math.sign(q), fill.fillPriceTicks, Math.abs(q), 0, FillType.Deleveraged);
    for (let i = 0; i < lots.length; i++) st.planLeg(st.second, m, s.accounts.ids[slots[i]], Math.sign(q), fill.fillPriceTicks, lots[i], 0, FillType.Deleveraged);
    const legs: DeleverageLegResult[] = [];
    for (let i = 0; i < lots.length; i++) {
      const n = lots[i];
      const kq = led.qtyLots[rows[i]];
      const slice = fill.slices[i];
      this.settlement.settleLeg(m, slot, 0, -Math.sign(q), fill.fillPriceTicks, n, 0, 0, FillType.Deleveraged, 0, ctx.tsNs);
      this.settlement.settleLeg(m, slots[i], 0, Math.sign(q), fill.fillPriceTicks, n, 0, 0, FillType.Deleveraged, 0, ctx.tsNs);
      this.transfer(r, slot, fundSlot, slice.tickDifferenceUnits, TransferReason.TRANSFER_REASON_TICK_DIFFERENCE, ctx);
      this.lifecycle.cancelOpenOrders(m, rows[i], ctx.tsNs);
      legs.push({
        counterpartyAccountId: s.accounts.ids[slots[i]],
        kind: kinds[i],
        qtyLots: n,
        counterpartyPositionLots: kq,
        counterpartyRemainingLots: led.qtyLots[rows[i]],
        bankruptcyAmountUnits: slice.bankruptcyAmountUnits,
        tickDifferenceUnits: slice.tickDifferenceUnits,
        shortfallUnits: slice.shortfallUnits,
      });
    }
    // re-evaluate only after every leg moved: a transition event never shows a half-done run
    for (const kSlot of slots) this.watch.reevaluateAccount(kSlot, m, ctx.tsNs);
    this.watch.reevaluateAccount(slot, m, ctx.tsNs);
    return { ...closeResult(q, fill), legs };
  }

  chargeClearanceFee(scope: ScopeRef, market: string, amountUnits: number, ctx: LedgerCallContext): void {
    const { slot, row } = this.resolve(scope);
    this.requireLiquidating(slot, row);
    if (!Number.isSafeInteger(amountUnits) || amountUnits < 0) throw new RiskRejection(RiskReject.InvalidAmount, `clearance fee must be a non-negative safe integer, got ${amountUnits}`);
    // the fill that earned the fee may have closed the position already: charge the scope, not the row
    const m = this.s.setup.marketIndex.get(market);
    if (m === undefined) throw new RiskRejection(RiskReject.UnknownMarket, `market ${market} is not listed`);
    this.transferFrom(slot, row, this.s.markets[m].fundSlot, amountUnits, TransferReason.TRANSFER_REASON_CLEARANCE_FEE, ctx);
  }

  /** Sends the leftover positive settle balance of a scope without positions to the fund; returns it. */
  sweepResidue(scope: ScopeRef, ctx: LedgerCallContext, fundId = 'shared'): number {
    const s = this.s;
    const { slot, row } = this.resolve(scope);
    this.requireLiquidating(slot, row);
    this.requireFlat(slot, row);
    const fundSlot = this.fundSlot(row, fundId);
    const amount = row >= 0 ? s.ledger.isolatedUnits[row] : s.accounts.balances[0][slot];
    if (amount <= 0) return 0;
    this.transferFrom(slot, row, fundSlot, amount, TransferReason.TRANSFER_REASON_RESIDUE_SWEEP, ctx);
    return amount;
  }

  /** §7 conversion of other collateral into the negative cross wallet; returns the settle units credited. */
  convertCollateralOnDeficit(accountId: number, ctx: LedgerCallContext, fundId = 'shared'): number {
    const s = this.s;
    const { slot } = this.resolve({ accountId });
    this.requireLiquidating(slot, -1);
    const deficit = -s.accounts.balances[0][slot];
    if (deficit <= 0) return 0;
    const fundSlot = this.fundSlot(-1, fundId);
    const balances = s.setup.collateral.filter((c) => c.price !== null).map((c) => ({ schedule: c.haircut, balanceUnits: s.accounts.balances[c.assetIndex][slot], price: c.price! }));
    const plan = planDeficitConversion(deficit, balances);
    let credited = 0;
    for (const step of plan.steps) {
      const asset = s.setup.assetIndex.get(step.asset) as number;
      s.accounts.addBalance(slot, asset, -step.takenAssetUnits);
      s.accounts.addBalance(fundSlot, asset, step.takenAssetUnits);
      this.emitTransfer(slot, '', fundSlot, '', asset, step.takenAssetUnits, TransferReason.TRANSFER_REASON_COLLATERAL_CONVERSION, ctx);
      this.transferFrom(fundSlot, -1, slot, step.creditedSettleUnits, TransferReason.TRANSFER_REASON_COLLATERAL_CONVERSION, ctx);
      credited += step.creditedSettleUnits;
    }
    return credited;
  }

  /** The fund covers a negative settle balance of a flat scope, as far as its own balance goes; returns the amount. */
  coverDeficit(scope: ScopeRef, ctx: LedgerCallContext, fundId = 'shared'): number {
    const s = this.s;
    const { slot, row } = this.resolve(scope);
    this.requireLiquidating(slot, row);
    this.requireFlat(slot, row);
    const fundSlot = this.fundSlot(row, fundId);
    const balance = row >= 0 ? s.ledger.isolatedUnits[row] : s.accounts.balances[0][slot];
    const covered = Math.min(-balance, Math.max(0, s.accounts.balances[0][fundSlot]));
    if (covered <= 0) return 0;
    if (row >= 0) {
      s.accounts.addBalance(fundSlot, 0, -covered);
      s.ledger.isolatedUnits[row] += covered;
      this.emitTransfer(fundSlot, '', slot, s.markets[s.ledger.market[row]].symbol, 0, covered, TransferReason.TRANSFER_REASON_DEFICIT_COVERED, ctx);
    } else {
      this.transferFrom(fundSlot, -1, slot, covered, TransferReason.TRANSFER_REASON_DEFICIT_COVERED, ctx);
    }
    return covered;
  }

  /**
   * The scopes held LIQUIDATING (each waits for the ladder to release it), with their
   * liquidation ids, in account-slot then row order. For operators and the cluster's
   * reconciliation: once the ladder is idle, every one of them is a liquidation no
   * ladder will end. O(accounts + rows).
   */
  heldLiquidations(): HeldLiquidation[] {
    const s = this.s;
    const out: HeldLiquidation[] = [];
    for (let slot = 0; slot < s.accounts.count; slot++) {
      if (s.accounts.crossState[slot] === MarginStateCode.Liquidating) out.push({ accountId: s.accounts.ids[slot], isolatedMarket: '', liquidationId: s.accounts.crossLiquidationId[slot] });
    }
    for (let r = 0; r < s.ledger.count; r++) {
      if (s.ledger.isolatedState[r] !== MarginStateCode.Liquidating) continue;
      out.push({ accountId: s.accounts.ids[s.ledger.account[r]], isolatedMarket: s.markets[s.ledger.market[r]].symbol, liquidationId: s.ledger.isolatedLiquidationId[r] });
    }
    return out;
  }

  releaseLiquidation(scope: ScopeRef, tsNs: number): string {
    const s = this.s;
    const { slot, row } = this.resolve(scope);
    this.requireLiquidating(slot, row);
    const m = row >= 0 ? s.ledger.market[row] : this.firstMarket(slot);
    this.watch.release(slot, row, m, tsNs);
    return marginStateName(row >= 0 ? s.ledger.isolatedState[row] : s.accounts.crossState[slot]);
  }

  /**
   * Null when the market's insurance fund may take over the scope's whole position
   * in `market` at BP (§8.7: equity at mark ≥ 0 and net notional within its limit
   * afterwards); otherwise the reason, and the ladder goes to ADL.
   */
  insuranceTakeoverRefusal(scope: ScopeRef, market: string): string | null {
    const { m, leg, deltaUnits } = this.planTakeoverLeg(scope, market);
    return insuranceTakeoverRefusal(this.s, m, leg, deltaUnits);
  }

  /** The fund's state right after taking over the scope's position in `market` (what §8.7 judges), exactly. */
  fundAfterTakeover(scope: ScopeRef, market: string): FundAfterTakeover {
    const { m, leg, deltaUnits } = this.planTakeoverLeg(scope, market);
    return projectFundAfterTakeover(this.s, m, leg, deltaUnits);
  }

  /** The ADL queue against the scope's position in `market`: opposite positions, best-ranked first (§8.8). */
  adlQueue(scope: ScopeRef, market: string): AdlQueueEntry[] {
    const s = this.s;
    const { slot, row } = this.resolve(scope);
    const r = this.positionRow(slot, row, market);
    return adlQueue(s, s.ledger.market[r], -Math.sign(s.ledger.qtyLots[r]), slot, this.amountOfRow);
  }

  /**
   * What-if (reads only, no risk state changes): the counterparties an ADL run would
   * take now to close a liquidated position of signed `qtyLots` in `market` (lots > 0:
   * a long, closed against shorts), in run order, with the lots each would close and
   * its tier, exactly as `applyDeleverage` would plan it; `excludeAccountId` is the
   * liquidated account (left out of every tier). Fewer lots than asked when the
   * opposite side holds less (a hypothetical size).
   */
  adlCounterparties(market: string, qtyLots: number, excludeAccountId = -1): AdlCounterparty[] {
    const s = this.s;
    const m = s.setup.marketIndex.get(market);
    if (m === undefined) throw new RiskRejection(RiskReject.UnknownMarket, `market ${market} is not listed`);
    if (!Number.isSafeInteger(qtyLots) || qtyLots === 0) throw new RiskRejection(RiskReject.InvalidAmount, `qtyLots must be a non-zero safe integer, got ${qtyLots}`);
    const excludeSlot = excludeAccountId < 0 ? -1 : s.accounts.slotOf(excludeAccountId);
    if (excludeAccountId >= 0 && excludeSlot < 0) throw new RiskRejection(RiskReject.UnknownAccount, `account ${excludeAccountId} does not exist`);
    const plan = adlSlices(s, m, qtyLots, excludeSlot, this.amountOfRow);
    return plan.rows.map((r, i) => ({
      accountId: s.accounts.ids[plan.slots[i]],
      isolatedMarket: s.ledger.mode[r] === MarginMode.Isolated ? market : '',
      kind: plan.kinds[i],
      qtyLots: plan.lots[i],
      positionLots: s.ledger.qtyLots[r],
    }));
  }

  /** The 1–5 ADL indicator of every trader position in `market` (advisory; refreshed on a timer by the caller). */
  adlIndicator(market: string): AdlIndicatorEntry[] {
    const m = this.s.setup.marketIndex.get(market);
    if (m === undefined) throw new RiskRejection(RiskReject.UnknownMarket, `market ${market} is not listed`);
    return adlIndicator(this.s, m, this.amountOfRow);
  }

  /** Settle balance of an insurance fund. */
  fundBalanceUnits(fundId = 'shared'): number {
    return this.s.accounts.balances[0][this.fundSlot(-1, fundId)];
  }

  // ---- internals -----------------------------------------------------------------

  /** The fund's leg of a takeover, planned as settlement would apply it; the delta is tick difference − shortfall. */
  private planTakeoverLeg(scope: ScopeRef, market: string): { m: number; leg: LegPlan; deltaUnits: number } {
    const s = this.s;
    const { slot, row } = this.resolve(scope);
    const r = this.positionRow(slot, row, market);
    const m = s.ledger.market[r];
    const q = s.ledger.qtyLots[r];
    const fill = this.wholeFill(slot, row, r);
    const fundId = s.accounts.ids[s.markets[m].fundSlot];
    const leg = this.settlement.planLeg(this.takeoverLeg, m, fundId, Math.sign(q), fill.fillPriceTicks, Math.abs(q), 0, FillType.Liquidation);
    return { m, leg, deltaUnits: fill.tickDifferenceUnits - fill.shortfallUnits };
  }

  /** The takeover of row r's whole position: one slice at max(BP, 1 tick). */
  private wholeFill(slot: number, row: number, r: number): BankruptcyFill {
    const q = this.s.ledger.qtyLots[r];
    return planBankruptcyFill(this.s.markets[this.s.ledger.market[r]].params, q, this.closeOfRow(slot, row, r, Math.abs(q)), [Math.abs(q)]);
  }

  private bankruptcyOfRow(slot: number, row: number, r: number, closeLots: number): Bankruptcy {
    return this.priceRowClose(slot, row, r, closeLots, bankruptcy, isolatedBankruptcy);
  }

  /** `bankruptcyOfRow` without the price report: what a takeover or an ADL run settles with. */
  private closeOfRow(slot: number, row: number, r: number, closeLots: number): BankruptcyClose {
    return this.priceRowClose(slot, row, r, closeLots, bankruptcyClose, isolatedBankruptcyClose);
  }

  /** `bankruptcyOfRow(…).amountUnits` (the ADL ranking's BV). */
  private bankruptcyAmountOfRow(slot: number, row: number, r: number, closeLots: number): number {
    return this.priceRowClose(slot, row, r, closeLots, bankruptcyAmountUnits, isolatedBankruptcyAmountUnits);
  }

  /** Closing `closeLots` of row r in its scope: the isolated closed form for a whole isolated position, else the step form at the scope's E and MM. */
  private priceRowClose<T>(slot: number, row: number, r: number, closeLots: number, step: (params: MarketRiskParams, input: BankruptcyInput) => T, wholeIsolated: (params: MarketRiskParams, input: IsolatedBankruptcyInput) => T): T {
    const s = this.s;
    const led = s.ledger;
    const m = led.market[r];
    const params = s.markets[m].params;
    if (row >= 0 && closeLots === Math.abs(led.qtyLots[r])) {
      return wholeIsolated(params, { qtyLots: led.qtyLots[r], costUnits: led.costUnits[r], isolatedMarginUnits: led.isolatedUnits[r], pendingFundingUnits: led.pendingFundingUnits[r] });
    }
    const res = this.evaluate(slot, row);
    return step(params, { qtyLots: led.qtyLots[r], closeLots, markSubticks: s.evaluator.marks[m], scopeEquityUnits: res.equityUnits, scopeMaintenanceUnits: res.maintenanceUnits });
  }

  private evaluate(slot: number, row: number): CrossEvaluation {
    return row >= 0 ? this.s.evaluator.evaluateIsolated(row) : this.s.evaluator.evaluateCross(slot);
  }

  private resolve(scope: ScopeRef): { slot: number; row: number } {
    const s = this.s;
    const slot = s.accounts.slotOf(scope.accountId);
    if (slot < 0) throw new RiskRejection(RiskReject.UnknownAccount, `account ${scope.accountId} does not exist`);
    if (scope.isolatedMarket === undefined || scope.isolatedMarket === '') return { slot, row: -1 };
    const m = s.setup.marketIndex.get(scope.isolatedMarket);
    if (m === undefined) throw new RiskRejection(RiskReject.UnknownMarket, `market ${scope.isolatedMarket} is not listed`);
    const row = s.ledger.rowOf(s.accounts.firstRow[slot], m);
    if (row < 0 || s.ledger.mode[row] !== MarginMode.Isolated) throw new RiskRejection(RiskReject.NotIsolated, `${scope.isolatedMarket} is not isolated for account ${scope.accountId}`);
    return { slot, row };
  }

  private positionRow(slot: number, row: number, market: string): number {
    const s = this.s;
    const m = s.setup.marketIndex.get(market);
    if (m === undefined) throw new RiskRejection(RiskReject.UnknownMarket, `market ${market} is not listed`);
    const r = row >= 0 ? row : s.ledger.rowOf(s.accounts.firstRow[slot], m);
    if (r < 0 || s.ledger.market[r] !== m || s.ledger.qtyLots[r] === 0 || (row < 0 && s.ledger.mode[r] === MarginMode.Isolated)) {
      throw new RiskRejection(RiskReject.InvalidAmount, `the scope has no position in ${market}`);
    }
    return r;
  }

  private requireLiquidating(slot: number, row: number): void {
    const state = row >= 0 ? this.s.ledger.isolatedState[row] : this.s.accounts.crossState[slot];
    if (state !== MarginStateCode.Liquidating) throw new RiskRejection(RiskReject.InvalidCommand, `account ${this.s.accounts.ids[slot]}'s scope is not being liquidated`);
  }

  private requireFlat(slot: number, row: number): void {
    const led = this.s.ledger;
    if (row >= 0) {
      if (led.qtyLots[row] !== 0) throw new RiskRejection(RiskReject.InvalidCommand, 'the isolated scope still holds a position');
      return;
    }
    for (let r = this.s.accounts.firstRow[slot]; r >= 0; r = led.nextOfAccount[r]) {
      if (led.mode[r] !== MarginMode.Isolated && led.qtyLots[r] !== 0) throw new RiskRejection(RiskReject.InvalidCommand, 'the cross scope still holds positions');
    }
  }

  private fundSlot(row: number, fundId: string): number {
    const s = this.s;
    if (row >= 0) return s.markets[s.ledger.market[row]].fundSlot;
    const slot = s.fundSlotById.get(fundId);
    if (slot === undefined) throw new RiskRejection(RiskReject.UnknownAccount, `insurance fund ${fundId} is not configured`);
    return slot;
  }

  private firstMarket(slot: number): number {
    const r = this.s.accounts.firstRow[slot];
    return r >= 0 ? this.s.ledger.market[r] : 0;
  }

  /** Scope of row r (its account's wallet or its bucket) → `toSlot`'s wallet. */
  private transfer(r: number, slot: number, toSlot: number, amountUnits: number, reason: TransferReason, ctx: LedgerCallContext): void {
    this.transferFrom(slot, this.s.ledger.mode[r] === MarginMode.Isolated ? r : -1, toSlot, amountUnits, reason, ctx);
  }

  private transferFrom(slot: number, row: number, toSlot: number, amountUnits: number, reason: TransferReason, ctx: LedgerCallContext): void {
    if (amountUnits === 0) return;
    const s = this.s;
    if (row >= 0) s.ledger.isolatedUnits[row] -= amountUnits;
    else s.accounts.addBalance(slot, 0, -amountUnits);
    s.accounts.addBalance(toSlot, 0, amountUnits);
    this.emitTransfer(slot, row >= 0 ? s.markets[s.ledger.market[row]].symbol : '', toSlot, '', 0, amountUnits, reason, ctx);
  }

  private emitTransfer(fromSlot: number, fromMarket: string, toSlot: number, toMarket: string, asset: number, amountUnits: number, reason: TransferReason, ctx: LedgerCallContext): void {
    const s = this.s;
    const balanceOf = (slot: number, market: string) => {
      if (market === '') return String(s.accounts.balances[asset][slot]);
      return String(s.ledger.isolatedUnits[s.ledger.rowOf(s.accounts.firstRow[slot], s.setup.marketIndex.get(market) as number)]);
    };
    const transfer = {
      reason,
      asset: s.setup.assetCodes[asset],
      amountUnits,
      fromAccountId: s.accounts.ids[fromSlot],
      fromMarket,
      toAccountId: s.accounts.ids[toSlot],
      toMarket,
      fromBalanceAfterUnits: balanceOf(fromSlot, fromMarket),
      toBalanceAfterUnits: balanceOf(toSlot, toMarket),
      liquidationId: ctx.liquidationId,
    } as perpcore.risk.v1.LedgerTransferV1;
    // on both parties' streams: each account's history is complete on its own
    s.events.account(transfer.fromAccountId, fromSlot, fromMarket, ctx.tsNs, { event: 'ledgerTransfer', ledgerTransfer: transfer });
    s.events.account(transfer.toAccountId, toSlot, toMarket, ctx.tsNs, { event: 'ledgerTransfer', ledgerTransfer: { ...transfer } as perpcore.risk.v1.LedgerTransferV1 });
  }
}

function closeResult(qtyLots: number, fill: BankruptcyFill): CloseResult {
  return {
    qtyLots,
    bankruptcyAmountUnits: fill.bankruptcyAmountUnits,
    bankruptcyPriceTicks: fill.bankruptcyPriceTicks,
    fillPriceTicks: fill.fillPriceTicks,
    tickDifferenceUnits: fill.tickDifferenceUnits,
    shortfallUnits: fill.shortfallUnits,
  };
}
