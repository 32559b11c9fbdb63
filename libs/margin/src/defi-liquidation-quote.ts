/**
 * One external liquidation of a lending-pool position (RISK-SPEC §10, Aave v3
 * `LiquidationLogic`): how much debt a liquidator may repay, and the collateral it
 * receives for it.
 *
 * Rules (aave-dao/aave-v3-origin, src/contracts/protocol/libraries/logic/LiquidationLogic.sol:
 * DEFAULT_LIQUIDATION_CLOSE_FACTOR = 0.5e4, CLOSE_FACTOR_HF_THRESHOLD = 0.95e18,
 * MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD = 2000e8, MIN_LEFTOVER_BASE = 1000e8):
 * 1. Only `HF < 1` is liquidatable (the caller decides it on the oracle price).
 * 2. Close factor: 50% of the debt leg while `HF > 0.95` and both the debt leg
 *    and the collateral leg are worth at least `fullCloseBelowValueUnits`;
 *    otherwise 100%. The cap `debt × closeFactor` rounds down (a partial
 *    liquidation never takes more than the stated share).
 * 3. Collateral for `r` repaid: `base = r × debtPrice / collateralPrice` in
 *    collateral units, `seized = base × (1 + bonus)`, rounded down (the liquidator
 *    never receives a unit more than it paid for).
 * 4. Capped at the collateral leg: when `seized` exceeds it, all of it is seized
 *    and the repaid debt scales down to `ceil(balance × collateralPrice /
 *    (debtPrice × (1 + bonus)))` (rounded up: the liquidator pays at least the
 *    collateral's worth).
 * 5. Protocol fee: `protocolFeeShare` of the bonus part `seized − seized / (1 +
 *    bonus)`, rounded up (the venue's share), paid out of the seized collateral:
 *    the liquidator receives `seized − fee`.
 * 6. Dust: a partial liquidation (some debt and some collateral left in the two
 *    legs) must leave both legs worth at least `minLeftoverValueUnits`, or it is
 *    refused (`RISK_DEFI_DUST_LEFT`, Aave's MustNotLeaveDust).
 *
 * Refusals are `DomainError`s with `RISK_DEFI_*` codes and change nothing.
 * Worked example (defi-liquidation-quote.test.ts): 10 ETH at $2,000, LT 80%, debt
 * 16,500 USDC → HF 0.9697 > 0.95: 50% close factor; repaying 8,250 USDC with a 5%
 * bonus seizes 4.33125 ETH, of which the 10% protocol share of the 0.20625 ETH
 * bonus (0.020625 ETH) goes to the venue.
 */
import { DomainError, Rounding, divRoundBig } from '@perpcore/domain';
import type { CollateralPrice } from './collateral.js';
import { type Ratio, compareRatios } from './exact-ratio.js';
import { compareHealthFactorE8, isHealthFactorBelowOne, poolValueExact } from './health-factor.js';
import { E8 } from './tier-table.js';

export const DefiRejectCode = {
  Healthy: 'RISK_DEFI_POSITION_HEALTHY',
  AboveCloseFactor: 'RISK_DEFI_ABOVE_CLOSE_FACTOR',
  DustLeft: 'RISK_DEFI_DUST_LEFT',
  NothingToLiquidate: 'RISK_DEFI_NOTHING_TO_LIQUIDATE',
  InvalidAmount: 'RISK_DEFI_INVALID_AMOUNT',
} as const;

export interface DefiLiquidationParams {
  /** Share of the debt leg a liquidation may repay while HF > threshold (Aave: 50%). */
  readonly closeFactorE8: number;
  /** At or below this HF the whole debt leg may be repaid (Aave: 0.95). */
  readonly fullCloseHealthFactorE8: number;
  /** A leg worth less than this (settle units) may be closed whole (Aave: 2,000 base units). */
  readonly fullCloseBelowValueUnits: number;
  /** A partial liquidation leaves both legs worth at least this, or clears one (Aave: 1,000). */
  readonly minLeftoverValueUnits: number;
}

export interface LiquidationQuoteInput {
  readonly healthFactor: Ratio | null;
  readonly debtUnits: number;
  readonly debtPrice: CollateralPrice;
  readonly collateralUnits: number;
  readonly collateralPrice: CollateralPrice;
  /** Bonus over the repaid value, E8 (5% = 5_000_000). */
  readonly bonusE8: number;
  /** Venue's share of the bonus part, E8 (10% = 10_000_000). */
  readonly protocolFeeShareE8: number;
  /** What the liquidator offers to repay (debt units). */
  readonly requestedDebtUnits: number;
}

export interface LiquidationQuote {
  readonly closeFactorE8: number;
  readonly maxRepayUnits: number;
  readonly debtRepaidUnits: number;
  /** Leaves the borrower's collateral leg. */
  readonly collateralSeizedUnits: number;
  /** seized − protocol fee: to the liquidator. */
  readonly liquidatorCollateralUnits: number;
  /** To the insurance fund. */
  readonly protocolFeeUnits: number;
  /** seized − seized / (1 + bonus), rounded up. */
  readonly bonusUnits: number;
  /** The collateral leg was smaller than the bonus-inflated repayment: repaid debt scaled down. */
  readonly cappedByCollateral: boolean;
}

const E8N = BigInt(E8);

function refuse(code: string, message: string): never {
  throw new DomainError(code, message);
}

function leg(name: string, value: number): bigint {
  if (!Number.isSafeInteger(value) || value < 0) refuse(DefiRejectCode.InvalidAmount, `${name} must be a non-negative safe integer, got ${String(value)}`);
  return BigInt(value);
}

export function validateDefiLiquidationParams(p: DefiLiquidationParams): DefiLiquidationParams {
  const e8 = (k: keyof DefiLiquidationParams, lo: number) => {
    const v = p[k];
    if (!Number.isSafeInteger(v) || v < lo || v > E8) refuse('RISK_INVALID_CONFIG', `defi.${k} must be an integer in [${lo}, 1e8], got ${String(v)}`);
  };
  e8('closeFactorE8', 1);
  e8('fullCloseHealthFactorE8', 0);
  for (const k of ['fullCloseBelowValueUnits', 'minLeftoverValueUnits'] as const) {
    if (!Number.isSafeInteger(p[k]) || p[k] < 0) refuse('RISK_INVALID_CONFIG', `defi.${k} must be a non-negative safe integer, got ${String(p[k])}`);
  }
  return Object.freeze({ ...p });
}

/** Close factor in E8 for this position: 100% at or below the HF threshold or when a leg is under the floor. */
export function closeFactorE8(params: DefiLiquidationParams, healthFactor: Ratio, debtValue: Ratio, collateralValue: Ratio): number {
  const floor = { num: BigInt(params.fullCloseBelowValueUnits), den: 1n };
  const small = compareRatios(debtValue, floor) < 0 || compareRatios(collateralValue, floor) < 0;
  return !small && compareHealthFactorE8(healthFactor, params.fullCloseHealthFactorE8) > 0 ? params.closeFactorE8 : E8;
}

/** Quotes one liquidation exactly; throws `RISK_DEFI_*` on a refusal (nothing changes). */
export function quoteLiquidation(params: DefiLiquidationParams, q: LiquidationQuoteInput): LiquidationQuote {
  if (!isHealthFactorBelowOne(q.healthFactor)) refuse(DefiRejectCode.Healthy, 'the position is not liquidatable: its health factor is not below 1');
  const hf = q.healthFactor as Ratio;
  const debt = leg('debtUnits', q.debtUnits);
  const coll = leg('collateralUnits', q.collateralUnits);
  const requested = leg('requestedDebtUnits', q.requestedDebtUnits);
  for (const [k, v] of [['bonusE8', q.bonusE8], ['protocolFeeShareE8', q.protocolFeeShareE8]] as const) {
    if (!Number.isSafeInteger(v) || v < 0 || v > E8) refuse(DefiRejectCode.InvalidAmount, `${k} must be in [0, 1e8], got ${String(v)}`);
  }
  if (requested === 0n) refuse(DefiRejectCode.InvalidAmount, 'the debt to cover must be positive');
  if (debt === 0n || coll === 0n) refuse(DefiRejectCode.NothingToLiquidate, 'the position has no debt in this asset or no collateral in that asset');
  const debtValue = poolValueExact(q.debtUnits, q.debtPrice);
  const collValue = poolValueExact(q.collateralUnits, q.collateralPrice);
  const cf = closeFactorE8(params, hf, debtValue, collValue);
  const maxRepay = divRoundBig(debt * BigInt(cf), E8N, Rounding.Floor);
  if (requested > maxRepay) refuse(DefiRejectCode.AboveCloseFactor, `debt to cover ${requested} exceeds the close factor's ${maxRepay} (${cf / 1e6}% of ${debt})`);
  const dp = BigInt(q.debtPrice.settleUnits);
  const dper = BigInt(q.debtPrice.perAssetUnits);
  const cp = BigInt(q.collateralPrice.settleUnits);
  const cper = BigInt(q.collateralPrice.perAssetUnits);
  const bonusFactor = E8N + BigInt(q.bonusE8);
  if (cp === 0n || dp === 0n) refuse(DefiRejectCode.NothingToLiquidate, 'an oracle price is zero');
  // seized = r × (dp/dper) / (cp/cper) × (1 + bonus) = r × dp × cper × bonusFactor / (dper × cp × 1e8)
  let repaid = requested;
  let seized = divRoundBig(repaid * dp * cper * bonusFactor, dper * cp * E8N, Rounding.Floor);
  let capped = false;
  if (seized > coll) {
    capped = true;
    seized = coll;
    repaid = divRoundBig(coll * cp * dper * E8N, cper * dp * bonusFactor, Rounding.Ceil);
    if (repaid > requested) repaid = requested;
  }
  const bonus = seized - divRoundBig(seized * E8N, bonusFactor, Rounding.Floor);
  const fee = divRoundBig(bonus * BigInt(q.protocolFeeShareE8), E8N, Rounding.Ceil);
  const debtLeft = debt - repaid;
  const collLeft = coll - seized;
  if (debtLeft > 0n && collLeft > 0n) {
    const min = { num: BigInt(params.minLeftoverValueUnits), den: 1n };
    const debtLeftValue = { num: debtLeft * dp, den: dper };
    const collLeftValue = { num: collLeft * cp, den: cper };
    if (compareRatios(debtLeftValue, min) < 0 || compareRatios(collLeftValue, min) < 0) {
      refuse(DefiRejectCode.DustLeft, `the liquidation would leave ${debtLeft} debt units and ${collLeft} collateral units, one worth less than ${params.minLeftoverValueUnits}: repay all or leave both above it`);
    }
  }
  return {
    closeFactorE8: cf,
    maxRepayUnits: Number(maxRepay),
    debtRepaidUnits: Number(repaid),
    collateralSeizedUnits: Number(seized),
    liquidatorCollateralUnits: Number(seized - fee),
    protocolFeeUnits: Number(fee),
    bonusUnits: Number(bonus),
    cappedByCollateral: capped,
  };
}
