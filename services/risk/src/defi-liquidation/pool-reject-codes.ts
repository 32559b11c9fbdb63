/**
 * Reject codes of the lending pool's commands (besides the shared RISK_* codes for
 * unknown accounts, assets and invalid amounts, and the RISK_DEFI_* refusals of
 * the liquidation quote, `DefiRejectCode` of @perpcore/margin).
 */
export const DefiReject = {
  WithdrawAboveSupplied: 'RISK_DEFI_WITHDRAW_ABOVE_SUPPLIED',
  InsufficientLiquidity: 'RISK_DEFI_INSUFFICIENT_LIQUIDITY',
  NotBorrowable: 'RISK_DEFI_NOT_BORROWABLE',
  BorrowAboveLtv: 'RISK_DEFI_BORROW_ABOVE_LTV',
  RepayAboveDebt: 'RISK_DEFI_REPAY_ABOVE_DEBT',
  NoPrice: 'RISK_DEFI_NO_PRICE',
  UnknownPosition: 'RISK_DEFI_UNKNOWN_POSITION',
  PositionChanged: 'RISK_DEFI_POSITION_CHANGED',
  SelfLiquidation: 'RISK_DEFI_SELF_LIQUIDATION',
} as const;
