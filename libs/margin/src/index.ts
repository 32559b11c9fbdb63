/**
 * @perpcore/margin: the pure margin mathematics of RISK-SPEC.md. No I/O, no clock,
 * no state beyond the arguments. Money in integer settle units, rates in 1e-8,
 * prices in ticks (mark in subticks). See each module's doc block for formula,
 * rounding and a worked example.
 */
export * from './risk-error-codes.js';
export { E8, type TierInput, type TierTable, createTierTable, tierIndexFor, tierIndexForUnits } from './tier-table.js';
export * from './market-risk-params.js';
export { notionalAtMarkUnits, notionalAtTicksUnits } from './notional.js';
export { maintenanceMarginUnits, maintenanceTierIndex, maintenanceMarginForNotionalUnits } from './maintenance-margin.js';
export { positionInitialMarginUnits } from './initial-margin.js';
export {
  type RestingOrder,
  type OrderExposure,
  type SideOrderMargin,
  type OrderMargin,
  type MarketMarginInput,
  type MarketMargin,
  buildOrderExposure,
  orderMarginAtMark,
  orderInitialMargin,
  marketInitialMargin,
} from './order-margin.js';
export { type LeverageTierInput, leverageTierIndex, checkLeverageForOrders } from './leverage-tier.js';
export { unrealizedPnlUnits } from './unrealized-pnl.js';
export { type PositionAtMark, crossEquityUnits, isolatedEquityUnits } from './equity.js';
export {
  MarginState,
  type ScopeLevels,
  scopeLevelsOf,
  crossScopeLevels,
  classifyMarginLevel,
  isAtOrBelowTakeoverLevel,
  marginLevelE8,
  distanceToLevelUnits,
} from './margin-level.js';
export { type Ratio, compareRatios } from './exact-ratio.js';
export { type DerivedPrice } from './derived-price.js';
export {
  type LiquidationPriceInput,
  type EntryBasedInput,
  liquidationPrice,
  liquidationPriceOverTiers,
  marginCallPrice,
  priceAtLevel,
  priceAtLevelOverTiers,
  entryBasedLiquidationPrice,
} from './liquidation-price.js';
export { type BankruptcyInput, type Bankruptcy, type IsolatedBankruptcyInput, bankruptcy, isolatedBankruptcy } from './bankruptcy-price.js';
export { type FillablePriceInput, type FillablePrice, fillablePrice } from './fillable-price.js';
export { type LiquidationCandidate, liquidationStepLots, clearanceFeeUnits, compareLiquidationPriority } from './liquidation-step.js';
