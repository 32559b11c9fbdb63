/**
 * The loan events' part of the risk event fold (risk-event-fold.ts): a consumer's
 * copy of every open loan and the balances the loan events move, from the events
 * alone (each names its values after the change).
 *
 * - Opened / collateral added / repaid / closed / call / call cleared: the loan :=
 *   its status (a CLOSED status removes it); the borrower's balances named by the
 *   event := their values after.
 * - Liquidated: on the buyer's (fund's) stream only the buyer's balances; on the
 *   borrower's stream the loan, the borrower's balance and the fee account's delta
 *   (applied once, as the fee of a fill is).
 */
import type { RiskEventV1 } from '@perpcore/proto';
import { perpcore } from '@perpcore/proto';

export interface FoldedLoan {
  readonly accountId: number;
  readonly principalUnits: number;
  readonly interestUnits: number;
  readonly collateralUnits: number;
  readonly state: string;
}

export interface LoanFoldPorts {
  readonly loans: Map<number, FoldedLoan>;
  setBalance(accountId: number, asset: string, units: bigint): void;
  addSettleUnits(accountId: number, deltaUnits: bigint): void;
}

const CLOSED = perpcore.risk.v1.LoanLtvState.LOAN_LTV_STATE_CLOSED;

function setLoan(ports: LoanFoldPorts, accountId: number, st: perpcore.risk.v1.ILoanStatusV1 | null | undefined): void {
  if (st == null) return;
  const id = Number(st.loanId);
  if (st.state === CLOSED) {
    ports.loans.delete(id);
    return;
  }
  ports.loans.set(id, {
    accountId,
    principalUnits: Number(st.principalUnits),
    interestUnits: Number(st.interestUnits),
    collateralUnits: Number(st.collateralUnits),
    state: perpcore.risk.v1.LoanLtvState[st.state ?? 0].replace('LOAN_LTV_STATE_', ''),
  });
}

/** Applies a loan event; false when `e` is not one. */
export function foldLoanEvent(e: RiskEventV1, ports: LoanFoldPorts): boolean {
  const id = e.accountId;
  switch (e.event) {
    case 'loanOpened': {
      const x = e.loanOpened!;
      setLoan(ports, id, x.loan);
      ports.setBalance(id, x.loan!.loanAsset, BigInt(x.loanBalanceAfterUnits));
      ports.setBalance(id, x.loan!.collateralAsset, BigInt(x.collateralBalanceAfterUnits));
      return true;
    }
    case 'loanCollateralAdded': {
      const x = e.loanCollateralAdded!;
      setLoan(ports, id, x.loan);
      ports.setBalance(id, x.loan!.collateralAsset, BigInt(x.collateralBalanceAfterUnits));
      return true;
    }
    case 'loanCollateralRemoved': {
      const x = e.loanCollateralRemoved!;
      setLoan(ports, id, x.loan);
      ports.setBalance(id, x.loan!.collateralAsset, BigInt(x.collateralBalanceAfterUnits));
      return true;
    }
    case 'loanRepaid': {
      const x = e.loanRepaid!;
      setLoan(ports, id, x.loan);
      ports.setBalance(id, x.loan!.loanAsset, BigInt(x.loanBalanceAfterUnits));
      return true;
    }
    case 'loanClosed': {
      const x = e.loanClosed!;
      setLoan(ports, id, x.loan);
      ports.setBalance(id, x.loan!.loanAsset, BigInt(x.loanBalanceAfterUnits));
      ports.setBalance(id, x.loan!.collateralAsset, BigInt(x.collateralBalanceAfterUnits));
      return true;
    }
    case 'loanMarginCall':
      setLoan(ports, id, e.loanMarginCall!.loan);
      return true;
    case 'loanMarginCallCleared':
      setLoan(ports, id, e.loanMarginCallCleared!.loan);
      return true;
    case 'loanLiquidated': {
      const x = e.loanLiquidated!;
      const loan = x.loan!;
      if (id === x.buyerAccountId) {
        ports.setBalance(id, loan.loanAsset, BigInt(x.buyerLoanBalanceAfterUnits));
        ports.setBalance(id, loan.collateralAsset, BigInt(x.buyerCollateralBalanceAfterUnits));
        return true;
      }
      setLoan(ports, id, loan);
      ports.setBalance(id, loan.loanAsset, BigInt(x.borrowerLoanBalanceAfterUnits));
      if (x.feeUnits !== 0) ports.addSettleUnits(x.feeAccountId, BigInt(x.feeUnits));
      return true;
    }
    default:
      return false;
  }
}
