/**
 * The small closed vocabularies of orders and fills. Numeric `as const` objects:
 * they cost nothing on hot paths and map one-to-one onto the protobuf enums
 * (`proto/perpcore/...`), where 0 is always UNSPECIFIED.
 *
 * `Side` is signed (+1 buy / −1 sell) because every margin formula multiplies by it.
 */
export const Side = { Buy: 1, Sell: -1 } as const;
export type Side = (typeof Side)[keyof typeof Side];

export const OrderType = {
  Limit: 1,
  Market: 2,
  /** Released as a market order when the trigger price is crossed against the position (buy: price ≥ trigger). */
  StopMarket: 3,
  StopLimit: 4,
  /** Released when the price moves in the order's favour (buy: price ≤ trigger). */
  TakeProfitMarket: 5,
  TakeProfitLimit: 6,
} as const;
export type OrderType = (typeof OrderType)[keyof typeof OrderType];

export const TimeInForce = {
  GoodTillCancel: 1,
  ImmediateOrCancel: 2,
  FillOrKill: 3,
  /** Maker-only: rejected (never repriced) if it would take liquidity on arrival. */
  PostOnly: 4,
} as const;
export type TimeInForce = (typeof TimeInForce)[keyof typeof TimeInForce];

/** Self-trade prevention: what happens when a taker would match its own account's resting order. */
export const SelfTradePrevention = {
  /** No prevention: the account may trade with itself. */
  None: 0,
  CancelTaker: 1,
  CancelMaker: 2,
  CancelBoth: 3,
} as const;
export type SelfTradePrevention = (typeof SelfTradePrevention)[keyof typeof SelfTradePrevention];

export const TriggerSource = { LastTrade: 1, MarkPrice: 2 } as const;
export type TriggerSource = (typeof TriggerSource)[keyof typeof TriggerSource];

/** Why a fill happened. */
export const FillType = { Limit: 1, Liquidation: 2, Deleveraged: 3 } as const;
export type FillType = (typeof FillType)[keyof typeof FillType];

export const Liquidity = { Maker: 1, Taker: 2 } as const;
export type Liquidity = (typeof Liquidity)[keyof typeof Liquidity];

export const MarginMode = { Cross: 1, Isolated: 2 } as const;
export type MarginMode = (typeof MarginMode)[keyof typeof MarginMode];
