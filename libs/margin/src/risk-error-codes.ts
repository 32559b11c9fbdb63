/**
 * Reject codes raised by the margin library. Risk-stage codes (`RISK_…`) reach the
 * trader as reject reasons; argument errors reuse the domain guards
 * (`DOMAIN_NOT_AN_INTEGER`, `DOMAIN_NOT_POSITIVE`, `DOMAIN_NEGATIVE`,
 * `DOMAIN_OUT_OF_RANGE`), whose messages name the parameter.
 */
export const RiskErrorCode = {
  /** A market's risk parameters failed a load-time check; the message names the key. */
  InvalidMarketParams: 'RISK_INVALID_MARKET_PARAMS',
  /** An order would take the leverage-tier notional past the last tier's cap. */
  NotionalAboveMaxTier: 'RISK_NOTIONAL_ABOVE_MAX_TIER',
  /** The chosen leverage exceeds the maximum of the tier that holds the notional. */
  LeverageAboveTierMax: 'RISK_LEVERAGE_ABOVE_TIER_MAX',
  /** An argument is outside what the formula is defined for (named in the message). */
  InvalidArgument: 'RISK_INVALID_ARGUMENT',
} as const;
export type RiskErrorCode = (typeof RiskErrorCode)[keyof typeof RiskErrorCode];
