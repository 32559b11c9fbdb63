/**
 * Reject codes of the risk stage. Every reject leaves the state unchanged (a test
 * pins the state hash) and reaches the client as `AccountCommandRejectedV1` or
 * `OrderRejectedV1` with the code and a message naming the offending value.
 * Codes raised by `@perpcore/margin` (`RISK_LEVERAGE_ABOVE_TIER_MAX`,
 * `RISK_NOTIONAL_ABOVE_MAX_TIER`) pass through unchanged.
 */
export const RiskReject = {
  UnknownAccount: 'RISK_UNKNOWN_ACCOUNT',
  UnknownAsset: 'RISK_UNKNOWN_ASSET',
  UnknownMarket: 'RISK_UNKNOWN_MARKET',
  /** Zero, negative, fractional, NaN or out-of-range amount. */
  InvalidAmount: 'RISK_INVALID_AMOUNT',
  /** An order field the risk stage cannot price (side, type, price, quantity). */
  InvalidOrder: 'RISK_INVALID_ORDER',
  InvalidCommand: 'RISK_INVALID_COMMAND',
  InsufficientBalance: 'RISK_INSUFFICIENT_BALANCE',
  InsufficientMargin: 'RISK_INSUFFICIENT_MARGIN',
  WithdrawBelowIm: 'RISK_WITHDRAW_BELOW_IM',
  IsolatedBelowIm: 'RISK_ISOLATED_MARGIN_BELOW_IM',
  LeverageAboveTierMax: 'RISK_LEVERAGE_ABOVE_TIER_MAX',
  NotionalAboveMaxTier: 'RISK_NOTIONAL_ABOVE_MAX_TIER',
  ReduceOnlyWouldIncrease: 'RISK_REDUCE_ONLY_WOULD_INCREASE',
  ModeChangeWithPosition: 'RISK_MODE_CHANGE_WITH_POSITION',
  NotIsolated: 'RISK_NOT_ISOLATED',
  /** No mark price yet for the market (no index received): nothing can be margined. */
  NoMarkPrice: 'RISK_NO_MARK_PRICE',
  /** The scope is being liquidated: only reduce-only orders pass, no withdrawals or setting changes. */
  AccountLiquidating: 'RISK_ACCOUNT_LIQUIDATING',
  /** System accounts (fee, insurance fund) do not trade through the gateway. */
  SystemAccount: 'RISK_SYSTEM_ACCOUNT',
  /** The open order the command refers to is not known to risk. */
  UnknownOrder: 'RISK_UNKNOWN_ORDER',
  DuplicateOrderId: 'RISK_DUPLICATE_ORDER_ID',
  /** A deposit would take the account's balance of the asset above its maximum (balance-limits.ts). */
  BalanceAboveMax: 'RISK_BALANCE_ABOVE_MAX',
  /** A deposit would take the asset's deposits − withdrawals above the stage's cap (balance-limits.ts). */
  NetDepositsAboveMax: 'RISK_NET_DEPOSITS_ABOVE_MAX',
  /** The stage halted on an internal error (stage-halt.ts): nothing is applied until it is restarted. */
  StageHalted: 'RISK_STAGE_HALTED',
  /** The operator's kill switch is engaged on the account (kill-switch.proto): no new orders or amends. */
  KillSwitchEngaged: 'RISK_KILL_SWITCH_ENGAGED',
} as const;
export type RiskReject = (typeof RiskReject)[keyof typeof RiskReject];

/** A reject raised inside the engine's checks; turned into an event at the edge. */
export class RiskRejection extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RiskRejection';
  }
}
