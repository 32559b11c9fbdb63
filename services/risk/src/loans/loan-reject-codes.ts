/**
 * Reject codes of the loan commands (issue 13.2). Like every risk reject, each
 * leaves the state unchanged and reaches the client as `AccountCommandRejectedV1`
 * with a message naming the offending value. Unknown accounts and assets and bad
 * amounts reuse the stage's codes (RISK_UNKNOWN_ACCOUNT, RISK_UNKNOWN_ASSET,
 * RISK_INVALID_AMOUNT, RISK_INSUFFICIENT_BALANCE).
 */
export const LoanReject = {
  /** The stage has no loan configuration. */
  LoansDisabled: 'RISK_LOANS_DISABLED',
  /** The asset is known but the venue does not lend it. */
  AssetNotLendable: 'RISK_LOAN_ASSET_NOT_LENDABLE',
  /** The asset is known but not accepted as loan collateral. */
  CollateralNotAccepted: 'RISK_LOAN_COLLATERAL_NOT_ACCEPTED',
  /** No index price yet for the collateral: it cannot be valued. */
  NoIndexPrice: 'RISK_LOAN_NO_INDEX_PRICE',
  /** The LTV after opening would exceed the collateral's initial LTV. */
  LtvAboveInitial: 'RISK_LOAN_LTV_ABOVE_INITIAL',
  /** The venue's cap on the asset's outstanding principal. */
  LendingCapReached: 'RISK_LOAN_LENDING_CAP_REACHED',
  /** No open loan has this id. */
  UnknownLoan: 'RISK_LOAN_UNKNOWN',
  /** The loan belongs to another account. */
  NotOwner: 'RISK_LOAN_NOT_OWNER',
  /** Taking all of a loan's collateral out: that is a close. */
  CollateralAllRemoved: 'RISK_LOAN_COLLATERAL_ALL_REMOVED',
  /** A repayment above principal + interest. */
  RepayAboveDebt: 'RISK_LOAN_REPAY_ABOVE_DEBT',
} as const;
