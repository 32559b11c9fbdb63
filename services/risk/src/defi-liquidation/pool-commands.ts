/**
 * The lending pool's account commands (AccountCommandV1 30-34): supply, withdraw,
 * borrow, repay, and an external liquidator's `liquidationCall`
 * (pool-liquidation.ts). Each is answered with exactly one
 * `AccountCommandAcceptedV1` (naming the wallet asset that moved and its balance
 * after) or `AccountCommandRejectedV1`; a reject changes nothing.
 *
 * Rules
 * - The account must be an existing trader; the asset a pool asset; the amount a
 *   positive safe integer (RISK_INVALID_AMOUNT).
 * - Every command first accrues the borrow indices to the last whole hour
 *   (borrow-interest.ts: deterministic accrual points) and, on accept, settles the
 *   account's interest into its debt legs (`PoolPositionChangedV1` INTEREST).
 * - Supply: a wallet debit as a withdrawal would allow it (perps margin kept,
 *   `AccountCommands.prepareWalletDebit`). Withdraw: at most the supplied leg, and
 *   the borrowing power after (Σ value × LTV) must still cover the debt
 *   (RISK_DEFI_BORROW_ABOVE_LTV). Borrow: a borrowable asset, within the pool's
 *   cash (RISK_DEFI_INSUFFICIENT_LIQUIDITY) and the borrowing power. Repay: at most
 *   the debt (RISK_DEFI_REPAY_ABOVE_DEBT), a wallet debit. A command that needs a
 *   price the oracle has not given yet is RISK_DEFI_NO_PRICE.
 * - After each change the position's HF is re-evaluated (pool-health-watch.ts) and
 *   the account's perps scopes too (its wallet moved).
 */
import { DomainError } from '@perpcore/domain';
import { accrueIndex, compareRatios, debtValueExact, settleInterest, weightedCollateralExact } from '@perpcore/margin';
import { type AccountCommandV1, perpcore } from '@perpcore/proto';
import type { AccountCommands } from '../accounts/account-commands.js';
import { AccountKind } from '../accounts/account-book.js';
import type { MarginWatch } from '../margin-watch/margin-watch.js';
import { RiskReject, RiskRejection } from '../risk-reject-codes.js';
import type { RiskState } from '../risk-state.js';
import type { LendingPool, PoolPosition } from './lending-pool.js';
import { PoolHealthWatch } from './pool-health-watch.js';
import { PoolLiquidation } from './pool-liquidation.js';
import { DefiReject } from './pool-reject-codes.js';
import { poolAssetOf, poolLegs } from './pool-valuation.js';

import Cmd = perpcore.risk.v1;

const NS_PER_HOUR = 3_600_000_000_000;

/** The oneof members this module answers. */
export function isPoolCommand(cmd: AccountCommandV1): boolean {
  const c = cmd.command;
  return c === 'poolSupply' || c === 'poolWithdraw' || c === 'poolBorrow' || c === 'poolRepay' || c === 'liquidationCall';
}

export class PoolCommands {
  readonly health: PoolHealthWatch;
  readonly liquidation: PoolLiquidation;
  private movedAsset = -1;
  private movedSlot = -1;

  constructor(
    private readonly s: RiskState,
    private readonly accountCommands: AccountCommands,
    private readonly watch: MarginWatch,
  ) {
    this.health = new PoolHealthWatch(s);
    this.liquidation = new PoolLiquidation(s, accountCommands, this.health, (p, tsNs) => this.settleAccountInterest(p, tsNs));
  }

  private get pool(): LendingPool {
    return this.s.lendingPool;
  }

  /** Applies one pool command and publishes its answer; returns the reject code or ''. */
  apply(cmd: AccountCommandV1): string {
    this.movedAsset = -1;
    const firstEventSeq = this.s.accounts.peekEventSeq(cmd.accountId, this.s.accounts.slotOf(cmd.accountId));
    try {
      if (!this.pool.enabled) throw new RiskRejection(RiskReject.InvalidCommand, 'this risk stage has no lending pool configured');
      this.accrue(cmd.tsNs);
      this.run(cmd);
      this.answer(cmd, null, firstEventSeq);
      return '';
    } catch (error) {
      const rejection = error instanceof RiskRejection ? error : error instanceof DomainError ? new RiskRejection(error.code, error.message) : null;
      if (rejection === null) throw error;
      this.answer(cmd, rejection, 0);
      return rejection.code;
    }
  }

  /** Accrues every borrow index to the last whole hour at or before `tsNs` (one simple-interest step). */
  accrue(tsNs: number): void {
    const pool = this.pool;
    if (!pool.enabled) return;
    const hour = Math.floor(tsNs / NS_PER_HOUR) * NS_PER_HOUR;
    if (pool.indexHourNs < 0) {
      pool.indexHourNs = hour;
      return;
    }
    if (hour <= pool.indexHourNs) return;
    const elapsed = hour - pool.indexHourNs;
    for (let k = 0; k < pool.borrowIndex.length; k++) pool.borrowIndex[k] = accrueIndex(pool.borrowIndex[k], pool.setup.assets[k].hourlyRateE8, elapsed);
    pool.indexHourNs = hour;
  }

  private run(cmd: AccountCommandV1): void {
    switch (cmd.command) {
      case 'poolSupply':
        return this.supply(cmd, cmd.poolSupply as Cmd.PoolSupplyV1);
      case 'poolWithdraw':
        return this.withdraw(cmd, cmd.poolWithdraw as Cmd.PoolWithdrawV1);
      case 'poolBorrow':
        return this.borrow(cmd, cmd.poolBorrow as Cmd.PoolBorrowV1);
      case 'poolRepay':
        return this.repay(cmd, cmd.poolRepay as Cmd.PoolRepayV1);
      case 'liquidationCall': {
        const slot = this.trader(cmd.accountId);
        this.liquidation.call(cmd, slot, cmd.liquidationCall as Cmd.LiquidationCallV1);
        return this.reevaluatePerps(slot, cmd.tsNs);
      }
      default:
        throw new RiskRejection(RiskReject.InvalidCommand, 'not a lending pool command');
    }
  }

  private supply(cmd: AccountCommandV1, c: Cmd.PoolSupplyV1): void {
    const slot = this.trader(cmd.accountId);
    const k = poolAssetOf(this.s, c.asset);
    const amount = this.amount(c.amountUnits);
    const asset = this.pool.setup.assets[k].assetIndex;
    this.accountCommands.prepareWalletDebit(slot, asset, amount, cmd.tsNs);
    const p = this.pool.positionFor(cmd.accountId);
    this.settleAccountInterest(p, cmd.tsNs);
    this.s.accounts.addBalance(slot, asset, -amount);
    p.suppliedUnits[k] += amount;
    this.pool.cashUnits[k] += BigInt(amount);
    this.changed(p, slot, k, asset, Cmd.PoolAction.POOL_ACTION_SUPPLY, amount, cmd.tsNs);
  }

  private withdraw(cmd: AccountCommandV1, c: Cmd.PoolWithdrawV1): void {
    const slot = this.trader(cmd.accountId);
    const k = poolAssetOf(this.s, c.asset);
    const amount = this.amount(c.amountUnits);
    const p = this.pool.positions.get(cmd.accountId);
    const supplied = p?.suppliedUnits[k] ?? 0;
    if (p === undefined || amount > supplied) throw new RiskRejection(DefiReject.WithdrawAboveSupplied, `withdrawal ${amount} exceeds the ${supplied} ${c.asset} supplied`);
    if (BigInt(amount) > this.pool.cashUnits[k]) throw new RiskRejection(DefiReject.InsufficientLiquidity, `the pool holds ${this.pool.cashUnits[k]} ${c.asset}: lent out`);
    this.requireBorrowingPower(p, new Map([[k, supplied - amount]]), undefined);
    const asset = this.pool.setup.assets[k].assetIndex;
    this.settleAccountInterest(p, cmd.tsNs);
    p.suppliedUnits[k] -= amount;
    this.pool.cashUnits[k] -= BigInt(amount);
    this.s.accounts.addBalance(slot, asset, amount);
    this.changed(p, slot, k, asset, Cmd.PoolAction.POOL_ACTION_WITHDRAW, amount, cmd.tsNs);
  }

  private borrow(cmd: AccountCommandV1, c: Cmd.PoolBorrowV1): void {
    const slot = this.trader(cmd.accountId);
    const k = poolAssetOf(this.s, c.asset);
    const amount = this.amount(c.amountUnits);
    const cfg = this.pool.setup.assets[k];
    if (!cfg.borrowable) throw new RiskRejection(DefiReject.NotBorrowable, `${c.asset} cannot be borrowed from the pool`);
    if (BigInt(amount) > this.pool.cashUnits[k]) throw new RiskRejection(DefiReject.InsufficientLiquidity, `borrow ${amount} exceeds the pool's ${this.pool.cashUnits[k]} ${c.asset}`);
    const p = this.pool.positions.get(cmd.accountId);
    const debtAfter = (p === undefined ? 0 : this.settledDebt(p, k)) + amount;
    const balance = this.s.accounts.balances[cfg.assetIndex][slot];
    if (!Number.isSafeInteger(debtAfter) || amount > this.s.setup.limits.maxBalanceUnits[cfg.assetIndex] - balance) throw new RiskRejection(RiskReject.BalanceAboveMax, `borrow ${amount} would take the ${c.asset} balance or debt past its maximum`);
    this.requireBorrowingPower(p, undefined, new Map([[k, debtAfter]]));
    const pos = this.pool.positionFor(cmd.accountId);
    this.settleAccountInterest(pos, cmd.tsNs);
    pos.principalUnits[k] += amount;
    this.pool.cashUnits[k] -= BigInt(amount);
    this.s.accounts.addBalance(slot, cfg.assetIndex, amount);
    this.changed(pos, slot, k, cfg.assetIndex, Cmd.PoolAction.POOL_ACTION_BORROW, amount, cmd.tsNs);
  }

  private repay(cmd: AccountCommandV1, c: Cmd.PoolRepayV1): void {
    const slot = this.trader(cmd.accountId);
    const k = poolAssetOf(this.s, c.asset);
    const amount = this.amount(c.amountUnits);
    const p = this.pool.positions.get(cmd.accountId);
    const debt = p === undefined ? 0 : this.settledDebt(p, k);
    if (p === undefined || amount > debt) throw new RiskRejection(DefiReject.RepayAboveDebt, `repayment ${amount} exceeds the ${debt} ${c.asset} owed (interest included)`);
    const asset = this.pool.setup.assets[k].assetIndex;
    this.accountCommands.prepareWalletDebit(slot, asset, amount, cmd.tsNs);
    this.settleAccountInterest(p, cmd.tsNs);
    p.principalUnits[k] -= amount;
    this.pool.cashUnits[k] += BigInt(amount);
    this.s.accounts.addBalance(slot, asset, -amount);
    this.changed(p, slot, k, asset, Cmd.PoolAction.POOL_ACTION_REPAY, amount, cmd.tsNs);
  }

  /** Debt of leg k once its interest is settled (what settleAccountInterest will make it). */
  private settledDebt(p: PoolPosition, k: number): number {
    return p.principalUnits[k] === 0 ? 0 : settleInterest(p.principalUnits[k], p.indexSnapshot[k], this.pool.borrowIndex[k]).principalUnits;
  }

  /** Σ value × LTV ≥ debt value after the change, exactly; a missing price refuses. */
  private requireBorrowingPower(p: PoolPosition | undefined, supplied: Map<number, number> | undefined, debt: Map<number, number> | undefined): void {
    const legs = poolLegs(this.s, this.pool, p, 'ltv', supplied, debt);
    if (legs === null) throw new RiskRejection(DefiReject.NoPrice, 'a pool asset of this position has no oracle price yet');
    const power = weightedCollateralExact(legs.collateral);
    const owed = debtValueExact(legs.debt);
    if (compareRatios(power, owed) < 0) throw new RiskRejection(DefiReject.BorrowAboveLtv, `the position's borrowing power (Σ value × LTV) would be below its debt value`);
  }

  /** Settles every debt leg's interest into its principal (on accept only), one INTEREST event per leg that grew. */
  settleAccountInterest(p: PoolPosition, tsNs: number): void {
    const pool = this.pool;
    const slot = this.s.accounts.slotOf(p.accountId);
    for (let k = 0; k < p.principalUnits.length; k++) {
      const now = pool.borrowIndex[k];
      if (p.indexSnapshot[k] === now) continue;
      const principal = p.principalUnits[k];
      if (principal === 0) {
        p.indexSnapshot[k] = now;
        continue;
      }
      const settled = settleInterest(principal, p.indexSnapshot[k], now);
      p.indexSnapshot[k] = now;
      if (settled.interestUnits === 0) continue;
      p.principalUnits[k] = settled.principalUnits;
      pool.interestSettledUnits[k] += BigInt(settled.interestUnits);
      this.changed(p, slot, k, -1, Cmd.PoolAction.POOL_ACTION_INTEREST, settled.interestUnits, tsNs);
    }
  }

  /** Bumps the version, publishes the leg's values after, re-evaluates HF (and the perps scopes when the wallet moved). */
  private changed(p: PoolPosition, slot: number, k: number, walletAsset: number, action: Cmd.PoolAction, amount: number, tsNs: number): void {
    p.version++;
    const s = this.s;
    const hf = this.health.healthFactorE8(p);
    s.events.account(p.accountId, slot, '', tsNs, {
      event: 'poolPositionChanged',
      poolPositionChanged: {
        action,
        asset: s.setup.assetCodes[this.pool.setup.assets[k].assetIndex],
        amountUnits: String(amount),
        suppliedAfterUnits: String(p.suppliedUnits[k]),
        debtAfterUnits: String(p.principalUnits[k]),
        positionSeq: p.version,
        healthFactorE8: hf === null ? '' : String(hf),
      } as Cmd.PoolPositionChangedV1,
    });
    if (walletAsset < 0) return;
    this.movedAsset = walletAsset;
    this.movedSlot = slot;
    this.health.evaluate(p, '', tsNs);
    this.reevaluatePerps(slot, tsNs);
  }

  /** The account's wallet moved: its perps scopes are re-evaluated (a transfer, for margin-watch.ts). */
  private reevaluatePerps(slot: number, tsNs: number): void {
    const r = this.s.accounts.firstRow[slot];
    this.watch.reevaluateAccount(slot, r >= 0 ? this.s.ledger.market[r] : 0, tsNs);
  }

  private answer(cmd: AccountCommandV1, rejection: RiskRejection | null, firstEventSeq: number): void {
    const s = this.s;
    const slot = s.accounts.slotOf(cmd.accountId);
    if (rejection !== null) {
      s.events.account(cmd.accountId, slot, '', cmd.tsNs, { event: 'commandRejected', commandRejected: { commandId: cmd.commandId, code: rejection.code, message: rejection.message } as Cmd.AccountCommandRejectedV1 });
      return;
    }
    const moved = this.movedAsset >= 0 && this.movedSlot === slot;
    s.events.account(cmd.accountId, slot, '', cmd.tsNs, {
      event: 'commandAccepted',
      commandAccepted: { commandId: cmd.commandId, asset: moved ? s.setup.assetCodes[this.movedAsset] : '', balanceAfterUnits: moved ? String(s.accounts.balances[this.movedAsset][slot]) : '', leverage: 0, marginMode: 0, firstEventSeq } as Cmd.AccountCommandAcceptedV1,
    });
    this.movedAsset = -1;
  }

  private trader(accountId: number): number {
    const slot = this.s.accounts.slotOf(accountId);
    if (slot < 0) throw new RiskRejection(RiskReject.UnknownAccount, `account ${accountId} does not exist`);
    if (this.s.accounts.kind[slot] !== AccountKind.Trader) throw new RiskRejection(RiskReject.SystemAccount, `account ${accountId} is a system account`);
    return slot;
  }

  private amount(value: number): number {
    if (!Number.isSafeInteger(value) || value <= 0) throw new RiskRejection(RiskReject.InvalidAmount, `amount must be a positive safe integer, got ${String(value)}`);
    return value;
  }
}
