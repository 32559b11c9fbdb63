/**
 * Rounding directions. Every division in the money and margin paths names one;
 * the choice is always the exchange's favour (see RISK-SPEC.md, rounding table).
 *
 * | name       | direction                                    |
 * |------------|----------------------------------------------|
 * | Floor      | toward −∞ (payouts, UPnL, accepted value)    |
 * | Ceil       | toward +∞ (margin requirements, fees owed)   |
 * | TowardZero | truncation (premium, funding rate)           |
 * | HalfEven   | nearest, ties to even (mark price)           |
 */
export const Rounding = {
  Floor: 0,
  Ceil: 1,
  TowardZero: 2,
  HalfEven: 3,
} as const;
export type Rounding = (typeof Rounding)[keyof typeof Rounding];
