/**
 * @perpcore/margin: the pure margin mathematics of RISK-SPEC.md. No I/O, no clock,
 * no state beyond the arguments. Money in integer settle units, rates in 1e-8,
 * prices in ticks (mark in subticks). See each module's doc block for formula,
 * rounding and a worked example.
 *
 * Numbers (which representation where, and why):
 * | value | type | why |
 * |---|---|---|
 * | lots, ticks, subticks, leverage, rates E8 | number | bounded by the market spec / param checks |
 * | money results (MM, IM, UPnL, E, fees, PF, amounts) | number, checked safe | a money value past 2^53 throws `DOMAIN_OUT_OF_RANGE` |
 * | products `q·ltu·M`, `N·mmr`, `C·(q−Δ)`, `E·1e8` | exact float kernel (wide-arithmetic.ts) | pass 2^53 routinely; the kernel stays exact without allocating |
 * | funding index G, snapshots | bigint | grows without bound |
 * | solved prices, ADL scores, mark components, premium | bigint rationals | products of several 1e8-scaled terms; off the hot path |
 * | bankruptcy amount and limit of a close (`bankruptcyAmountUnits`, `bankruptcyClose`), fill splits | exact float kernel, bigint beyond 2^51 | an ADL cascade prices every holder and every leg |
 * The readable functions return plain numbers (a call boundary may box them); the
 * hot path `evaluateCrossAccount` allocates nothing.
 */
export * from './risk-error-codes.js';

// parameters
export { E8, type TierInput, type TierTable, createTierTable, tierIndexFor, tierIndexForUnits } from './tier-table.js';
export * from './market-risk-params.js';

// margin of positions and orders
export { notionalAtMarkCeilUnits, notionalAtMarkUnits, notionalAtTicksUnits } from './notional.js';
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
export { type PositionCost, type Fill, type FillOutcome, applyFill, reducedCostUnits } from './fill-accounting.js';

// scopes
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
export { availableForOrdersUnits, withdrawableUnits, isolatedRemovableUnits } from './availability.js';
export {
  type CrossPositionSlot,
  type CrossAccount,
  type CrossEvaluation,
  createCrossEvaluation,
  evaluateCrossAccount,
} from './cross-account-evaluation.js';

// collateral
export {
  type HaircutBand,
  type HaircutSchedule,
  type CollateralPrice,
  type CollateralBalance,
  createHaircutSchedule,
  settleAssetHaircut,
  acceptedValueUnits,
  acceptedCollateralUnits,
  marginalHaircutRatioE8,
} from './collateral.js';
export { type ConversionStep, type DeficitConversion, planDeficitConversion } from './deficit-conversion.js';

// derived prices and liquidation
export { type Ratio, compareRatios } from './exact-ratio.js';
export { type DerivedPrice } from './derived-price.js';
export {
  type LiquidationPriceInput,
  type EntryBasedInput,
  type IsolatedLiquidationPriceInput,
  liquidationPrice,
  isolatedLiquidationPrice,
  liquidationPriceOverTiers,
  marginCallPrice,
  priceAtLevel,
  priceAtLevelOverTiers,
  entryBasedLiquidationPrice,
} from './liquidation-price.js';
export { type BankruptcyInput, type Bankruptcy, type BankruptcyClose, type IsolatedBankruptcyInput, bankruptcy, bankruptcyAmountUnits, bankruptcyClose, isolatedBankruptcy, isolatedBankruptcyAmountUnits, isolatedBankruptcyClose } from './bankruptcy-price.js';
export { type BankruptcyFill, type BankruptcyFillSlice, bankruptcyFillPriceTicks, planBankruptcyFill } from './bankruptcy-fill.js';
export { type FillablePriceInput, type FillablePrice, fillablePrice } from './fillable-price.js';
export { type LiquidationCandidate, liquidationStepLots, clearanceFeeUnits, compareLiquidationPriority } from './liquidation-step.js';
export { bandedLimitTicks, surplusUnits } from './liquidation-fill-pricing.js';
export {
  type AdlScore,
  type AdlCandidate,
  type PnlTimesLeverageInput,
  type LeveragePnlInput,
  type PnlTimesLeverageFigures,
  adlScorePnlTimesLeverage,
  adlScorePnlTimesLeverageWithFigures,
  adlScoreLeveragePnl,
  compareAdlScores,
  compareAdlCandidates,
} from './adl-score.js';
export { type AdlQuantileFigures, adlBucketsByQuantity, adlBucketsByCount, adlQuantileFigures } from './adl-indicator.js';

// mark and funding
export { type MarkPriceInput, type MarkPrice, computeMarkPrice, markBasisSampleHalfSubticks } from './mark-price.js';
export { type ImpactPriceWalker, impactNotionalUnits, createImpactPriceWalker, impactPriceFromLevels } from './impact-price.js';
export { type PremiumIndexFigures, premiumIndexE8, premiumIndexWithFigures } from './premium-index.js';
export { averagePremiumE8 } from './average-premium.js';
export { type FundingRate, fundingRate, fundingCapE8 } from './funding-rate.js';
export { fundingPaymentUnits } from './funding-payment.js';
export {
  type FundingSettlement,
  fundingIndexScale,
  fundingIndexIncrement,
  pendingFundingUnits,
  settleFunding,
} from './funding-index.js';

// selectable risk models (risk-model.ts selects them per market)
export {
  ContractKind,
  InitialMarginMode,
  MaintenanceMarginMode,
  type ImfRamp,
  type RiskModel,
  type RiskModelInput,
  LINEAR_MODEL,
  createRiskModel,
  hyperliquidMmrE8,
} from './risk-model.js';
export {
  type InversePriceInput,
  type InverseBankruptcy,
  inverseValue,
  inverseFillCostUnits,
  inversePnlUnits,
  inverseUnrealizedPnlUnits,
  inverseInitialMarginUnits,
  inverseMaintenanceMarginUnits,
  inverseFundingPaymentUnits,
  inverseLiquidationPrice,
  inverseBankruptcyPrice,
} from './inverse-contract.js';
export {
  type ImfRampFigures,
  openNotionalUnits,
  imfRampE8,
  imfRampFigures,
  imfRampInitialMarginUnits,
  fractionOfUnitsCeil,
  imfMmfFundingCapE8,
} from './imf-ramp.js';
export { type HyperliquidBand, hyperliquidMaintenanceMarginUnits, hyperliquidTierInputs } from './hyperliquid-margin.js';
export { heldMaintenanceLiquidationPrice } from './cross-liquidation-held-mm.js';
// lending pool (RISK-SPEC §10, DeFi-style liquidation by external liquidators)
export {
  type PoolCollateralLeg,
  type PoolDebtLeg,
  type HealthFactorReport,
  poolValueExact,
  weightedCollateralExact,
  debtValueExact,
  healthFactorExact,
  isHealthFactorBelowOne,
  compareHealthFactorE8,
  healthFactorE8,
  healthFactorReport,
  collateralPriceAtHealthFactorOne,
} from './health-factor.js';
export { DefiRejectCode, type DefiLiquidationParams, type LiquidationQuoteInput, type LiquidationQuote, validateDefiLiquidationParams, closeFactorE8, quoteLiquidation } from './defi-liquidation-quote.js';

// borrow interest (spot margin, loans, DeFi lending)
export {
  type InterestSettlement,
  INTEREST_INDEX_SCALE,
  NS_PER_HOUR,
  requireInterestIndex,
  accrueIndex,
  debtUnits,
  interestDueUnits,
  settleInterest,
} from './borrow-interest.js';

// spot margin (Kraken-style: level = equity / used margin)
export {
  type SpotBorrowTermsInput,
  type SpotBorrowTerms,
  type SpotMarginParamsInput,
  type SpotMarginParams,
  KRAKEN_MARGIN_CALL_LEVEL_E8,
  KRAKEN_LIQUIDATION_LEVEL_E8,
  KRAKEN_OPEN_LEVEL_E8,
  createSpotMarginParams,
} from './spot-margin/spot-margin-params.js';
export { SpotMarginErrorCode, SpotStageErrorCode } from './spot-margin/spot-margin-error-codes.js';
export { spotUsedMarginUnits } from './spot-margin/spot-used-margin.js';
export {
  type SpotHolding,
  type SpotAssetFigures,
  type SpotEvaluation,
  spotDebtValueUnits,
  spotLeverageOf,
  spotAssetFigures,
  evaluateSpotAccount,
} from './spot-margin/spot-account-evaluation.js';
export { spotPriceAtLevel } from './spot-margin/spot-level-price.js';
export { holdingsAfterBorrow, checkSpotBorrow } from './spot-margin/spot-borrow-check.js';
export { maxSpotBorrow, type SpotMaxBorrow } from './spot-margin/spot-max-borrow.js';
export { spotLiquidationFeeUnits } from './spot-margin/spot-liquidation-fee.js';
// crypto-backed loans (Binance Loans form)
export { type LoanCollateralParamsInput, type LoanLiquidationTerms, type LoanCollateralParams, createLoanCollateralParams } from './loan-params.js';
export {
  LoanLtvState,
  type LoanLevels,
  type LoanPriceGrid,
  loanDebtValueUnits,
  loanAcceptedCollateralUnits,
  loanLtvE8,
  loanLtvReaches,
  loanLtvState,
  loanDistanceToLevelUnits,
  loanMaxBorrowValueUnits,
  loanLeastCollateralUnits,
  loanAcceptedNeededUnits,
  loanTriggerSubticks,
} from './loan-ltv.js';
export {
  type LoanLiquidationInput,
  type LoanLiquidationPlan,
  loanSaleProceedsUnits,
  loanRepaidByProceedsUnits,
  loanLiquidationFeeUnits,
  planLoanLiquidation,
} from './loan-liquidation.js';
export {
  type LoanInterestAccrual,
  type LoanRepaymentSplit,
  hourOf,
  advanceHourlyIndex,
  interestIndexAt,
  accrueLoanInterest,
  splitLoanRepayment,
} from './loan-interest.js';
export { INTEREST_INDEX_SCALE as LOAN_INTEREST_INDEX_SCALE } from './borrow-interest.js';
