/**
 * Account commands of the spot-margin context: deposit, withdraw, borrow, repay,
 * and the operator's pool funding. Each either applies fully (events with the
 * rows it changed) or is refused with a code (one `Rejected` event, nothing changed).
 *
 * - Borrow: interest settled first; `checkSpotBorrow` (limits per asset and account,
 *   opening level); the lending pool must hold the amount.
 * - Repay: interest settled first; the amount must not exceed what is owed (interest
 *   included) nor the available balance. Interest is repaid first in effect: the
 *   entry principal (used margin) shrinks in proportion to the debt repaid, rounded
 *   up, so used margin is never understated; a full repay clears it.
 * - Withdraw: from the available balance (open-order holds excluded); an account that
 *   borrows must keep the opening level afterwards.
 */
import {
  DomainError,
  Rounding,
  mulDiv,
  requirePositiveInteger,
} from '@perpcore/domain';
import { MarginState, SpotMarginErrorCode, SpotStageErrorCode, checkSpotBorrow, compareRatios, evaluateSpotAccount } from '@perpcore/margin';
import type { SpotMarginContext } from './spot-margin-context.js';
import { SpotEventKind } from './spot-margin-events.js';

export type SpotResult = { readonly ok: true } | { readonly ok: false; readonly code: string };
export const OK: SpotResult = Object.freeze({ ok: true });

export class SpotMarginCommands {
  constructor(private readonly c: SpotMarginContext) {}

  /** Validates the common arguments; throws a DomainError (caught by `run`) when bad. */
  private requireArgs(accountId: number, asset: string, amountUnits: number): void {
    requirePositiveInteger('accountId', accountId);
    if (!this.c.isAsset(asset)) throw new DomainError(SpotStageErrorCode.UnknownAsset, `unknown asset ${String(asset)}`);
    requirePositiveInteger('amountUnits', amountUnits);
  }

  /** Runs `body`, turning a DomainError into a rejection (state is untouched: bodies check before they change). */
  run(tsNs: number, accountId: number, asset: string, amountUnits: number, body: () => SpotResult): SpotResult {
    let result: SpotResult;
    try {
      // ns since the epoch pass 2^53: an integer-valued number is all that is asked
      if (!Number.isInteger(tsNs) || tsNs < 0) throw new DomainError('DOMAIN_NOT_AN_INTEGER', `tsNs must be a non-negative integer, got ${String(tsNs)}`);
      if (tsNs < this.c.state.lastTsNs) throw new DomainError(SpotStageErrorCode.TimeWentBack, `tsNs ${tsNs} is before ${this.c.state.lastTsNs}`);
      result = body();
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      result = { ok: false, code: e.code };
    }
    if (!result.ok) this.c.emit(SpotEventKind.Rejected, tsNs, Number.isSafeInteger(accountId) ? accountId : 0, String(asset), Number.isSafeInteger(amountUnits) ? amountUnits : 0, result.code, [], []);
    return result;
  }

  deposit(accountId: number, asset: string, amountUnits: number, tsNs: number): SpotResult {
    return this.run(tsNs, accountId, asset, amountUnits, () => {
      this.requireArgs(accountId, asset, amountUnits);
      this.c.accrueTo(tsNs);
      const row = this.c.state.row(accountId, asset);
      row.balanceUnits += amountUnits;
      this.c.state.venueOf(asset).depositedUnits += BigInt(amountUnits);
      this.c.emit(SpotEventKind.Deposited, tsNs, accountId, asset, amountUnits, '', [[accountId, asset]], [asset]);
      return OK;
    });
  }

  /** The operator lends the venue's own cash into the pool (account 0 in the event). */
  fundPool(asset: string, amountUnits: number, tsNs: number): SpotResult {
    return this.run(tsNs, 0, asset, amountUnits, () => {
      if (!this.c.isAsset(asset)) throw new DomainError(SpotStageErrorCode.UnknownAsset, `unknown asset ${String(asset)}`);
      requirePositiveInteger('amountUnits', amountUnits);
      this.c.accrueTo(tsNs);
      const v = this.c.state.venueOf(asset);
      v.poolUnits += amountUnits;
      v.poolFundedUnits += BigInt(amountUnits);
      this.c.emit(SpotEventKind.Deposited, tsNs, 0, asset, amountUnits, 'POOL', [], [asset]);
      return OK;
    });
  }

  withdraw(accountId: number, asset: string, amountUnits: number, tsNs: number): SpotResult {
    return this.run(tsNs, accountId, asset, amountUnits, () => {
      this.requireArgs(accountId, asset, amountUnits);
      const row = this.c.state.peekRow(accountId, asset);
      if (row === undefined) throw new DomainError(SpotStageErrorCode.UnknownAccount, `account ${accountId} holds no ${asset}`);
      if (row.balanceUnits - row.heldUnits < amountUnits) return { ok: false, code: SpotMarginErrorCode.InsufficientBalance };
      this.c.accrueTo(tsNs);
      if (this.c.state.borrows(accountId)) {
        if (this.c.state.marginStates.get(accountId) === MarginState.Liquidating) return { ok: false, code: SpotMarginErrorCode.Liquidating };
        const h = this.c.holdings(accountId);
        if (h === null) return { ok: false, code: SpotStageErrorCode.NoIndexPrice };
        const after = evaluateSpotAccount(this.c.config.params, h.map((x) => (x.asset === asset ? { ...x, balanceUnits: x.balanceUnits - amountUnits } : x)));
        if (compareRatios({ num: BigInt(after.equityUnits), den: 1n }, { num: BigInt(this.c.config.params.openLevelE8) * BigInt(after.usedMarginUnits), den: 100_000_000n }) < 0) {
          return { ok: false, code: SpotMarginErrorCode.InsufficientMargin };
        }
      }
      row.balanceUnits -= amountUnits;
      this.c.state.venueOf(asset).withdrawnUnits += BigInt(amountUnits);
      this.c.emit(SpotEventKind.Withdrawn, tsNs, accountId, asset, amountUnits, '', [[accountId, asset]], [asset]);
      return OK;
    });
  }

  borrow(accountId: number, asset: string, amountUnits: number, tsNs: number): SpotResult {
    return this.run(tsNs, accountId, asset, amountUnits, () => this.borrowChecked(accountId, asset, amountUnits, tsNs));
  }

  /** The borrow itself (also used by an auto-borrowing order, inside its own `run`). */
  borrowChecked(accountId: number, asset: string, amountUnits: number, tsNs: number): SpotResult {
    this.requireArgs(accountId, asset, amountUnits);
    if (!this.c.config.params.borrowable.has(asset)) return { ok: false, code: SpotMarginErrorCode.AssetNotBorrowable };
    if (this.c.state.marginStates.get(accountId) === MarginState.Liquidating) return { ok: false, code: SpotMarginErrorCode.Liquidating };
    this.c.accrueTo(tsNs);
    const h = this.c.holdings(accountId);
    if (h === null || this.c.priceOf(asset) === null) return { ok: false, code: SpotStageErrorCode.NoIndexPrice };
    const code = checkSpotBorrow(this.c.config.params, h, asset, amountUnits);
    if (code !== null) return { ok: false, code };
    const v = this.c.state.venueOf(asset);
    if (v.poolUnits < amountUnits) return { ok: false, code: SpotMarginErrorCode.BorrowLimit };
    this.c.settleInterest(accountId, asset, tsNs);
    const row = this.c.state.row(accountId, asset);
    row.balanceUnits += amountUnits;
    row.principalUnits += amountUnits;
    row.entryUnits += amountUnits;
    this.c.state.noteBorrower(accountId);
    v.poolUnits -= amountUnits;
    v.borrowedUnits += BigInt(amountUnits);
    this.c.emit(SpotEventKind.Borrowed, tsNs, accountId, asset, amountUnits, '', [[accountId, asset]], [asset]);
    return OK;
  }

  repay(accountId: number, asset: string, amountUnits: number, tsNs: number): SpotResult {
    return this.run(tsNs, accountId, asset, amountUnits, () => {
      this.requireArgs(accountId, asset, amountUnits);
      const row = this.c.state.peekRow(accountId, asset);
      if (row === undefined) throw new DomainError(SpotStageErrorCode.UnknownAccount, `account ${accountId} has no ${asset} row`);
      this.c.accrueTo(tsNs);
      if (amountUnits > this.c.debtNow(accountId, asset)) return { ok: false, code: SpotMarginErrorCode.RepayExceedsDebt };
      if (amountUnits > row.balanceUnits - row.heldUnits) return { ok: false, code: SpotMarginErrorCode.InsufficientBalance };
      this.repayFromBalance(accountId, asset, amountUnits, tsNs, '');
      return OK;
    });
  }

  /** Moves `amountUnits` (≤ debt, ≤ available) from the balance back to the pool. */
  repayFromBalance(accountId: number, asset: string, amountUnits: number, tsNs: number, detail: string): void {
    this.c.settleInterest(accountId, asset, tsNs);
    const row = this.c.state.row(accountId, asset);
    const debt = row.principalUnits;
    row.entryUnits = amountUnits === debt ? 0 : mulDiv(row.entryUnits, debt - amountUnits, debt, Rounding.Ceil);
    row.principalUnits -= amountUnits;
    row.balanceUnits -= amountUnits;
    const v = this.c.state.venueOf(asset);
    v.poolUnits += amountUnits;
    v.repaidUnits += BigInt(amountUnits);
    this.c.emit(SpotEventKind.Repaid, tsNs, accountId, asset, amountUnits, detail, [[accountId, asset]], [asset]);
  }
}
