/** Reject codes of spot-margin commands (they reach the trader as reject reasons). */
export const SpotMarginErrorCode = {
  /** The asset is not borrowable on this venue (or unknown). */
  AssetNotBorrowable: 'RISK_SPOT_ASSET_NOT_BORROWABLE',
  /** The account's debt in the asset would pass the asset's per-account borrow limit. */
  BorrowLimit: 'RISK_SPOT_BORROW_LIMIT',
  /** The account's total debt value would pass the per-account limit. */
  AccountDebtLimit: 'RISK_SPOT_ACCOUNT_DEBT_LIMIT',
  /** The borrow would leave the margin level below the opening level. */
  InsufficientMargin: 'RISK_SPOT_INSUFFICIENT_MARGIN',
  /** A repay larger than what is owed (interest included). */
  RepayExceedsDebt: 'RISK_SPOT_REPAY_EXCEEDS_DEBT',
  /** A repay larger than the account holds of the asset. */
  InsufficientBalance: 'RISK_SPOT_INSUFFICIENT_BALANCE',
  /** The account is being liquidated: it cannot borrow or withdraw. */
  Liquidating: 'RISK_SPOT_LIQUIDATING',
} as const;
export type SpotMarginErrorCode = (typeof SpotMarginErrorCode)[keyof typeof SpotMarginErrorCode];

/** Reject codes of the spot-margin stage's own inputs (identifiers the stage does not know). */
export const SpotStageErrorCode = {
  UnknownAccount: 'RISK_SPOT_UNKNOWN_ACCOUNT',
  UnknownAsset: 'RISK_SPOT_UNKNOWN_ASSET',
  UnknownPair: 'RISK_SPOT_UNKNOWN_PAIR',
  UnknownOrder: 'RISK_SPOT_UNKNOWN_ORDER',
  NotOrderOwner: 'RISK_SPOT_NOT_ORDER_OWNER',
  NoIndexPrice: 'RISK_SPOT_NO_INDEX_PRICE',
  TimeWentBack: 'RISK_SPOT_TIME_WENT_BACK',
  /** A client order id that is not 1 to 36 of `[.A-Z:/a-z0-9_-]`. */
  BadClientOrderId: 'RISK_SPOT_BAD_CLIENT_ORDER_ID',
  /** The order could not be accepted by the book (its code follows in the message). */
  OrderRejected: 'RISK_SPOT_ORDER_REJECTED',
} as const;
export type SpotStageErrorCode = (typeof SpotStageErrorCode)[keyof typeof SpotStageErrorCode];
