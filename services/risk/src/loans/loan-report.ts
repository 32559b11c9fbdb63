/**
 * The loans section of the account query (account-query.ts): per open loan of the
 * account, the three questions (loan-status.ts) as plain JSON. Interest is as of
 * the loan's last settlement (the query carries no time; every loan event settles
 * it, and the next command or tick brings it up to date).
 */
import { perpcore } from '@perpcore/proto';
import type { RiskState } from '../risk-state.js';
import { loanStatus } from './loan-status.js';

export interface LoanReport {
  readonly loanId: number;
  readonly loanAsset: string;
  readonly collateralAsset: string;
  readonly principalUnits: number;
  readonly interestUnits: number;
  readonly collateralUnits: number;
  readonly state: string;
  /** 1. accepted collateral after the haircut, and the debt value it backs (settle units). */
  readonly acceptedCollateralUnits: number;
  readonly debtValueUnits: number;
  /** 2. the index that controls the trigger. */
  readonly priceMarket: string;
  readonly indexSubticks: number;
  /** 3. LTV now and at each line, the value that can be lost before each, and the collateral index at which each is reached. */
  readonly ltvE8: number;
  readonly initialLtvE8: number;
  readonly marginCallLtvE8: number;
  readonly liquidationLtvE8: number;
  readonly distanceToCallUnits: number;
  readonly distanceToLiquidationUnits: number;
  readonly callPriceSubticks: number;
  readonly liquidationPriceSubticks: number;
}

export function loanReports(s: RiskState, accountId: number): LoanReport[] {
  if (s.loans === null) return [];
  return s.loans.loansOf(accountId).map((loan) => {
    const st = loanStatus(s, loan);
    return {
      loanId: st.loanId,
      loanAsset: st.loanAsset,
      collateralAsset: st.collateralAsset,
      principalUnits: st.principalUnits,
      interestUnits: st.interestUnits,
      collateralUnits: st.collateralUnits,
      state: perpcore.risk.v1.LoanLtvState[st.state].replace('LOAN_LTV_STATE_', ''),
      acceptedCollateralUnits: st.acceptedCollateralUnits,
      debtValueUnits: st.debtValueUnits,
      priceMarket: st.priceMarket,
      indexSubticks: st.indexSubticks,
      ltvE8: st.ltvE8,
      initialLtvE8: st.initialLtvE8,
      marginCallLtvE8: st.marginCallLtvE8,
      liquidationLtvE8: st.liquidationLtvE8,
      distanceToCallUnits: st.distanceToCallUnits,
      distanceToLiquidationUnits: st.distanceToLiquidationUnits,
      callPriceSubticks: st.callPriceSubticks,
      liquidationPriceSubticks: st.liquidationPriceSubticks,
    };
  });
}
