/**
 * Health factor of a lending-pool position (RISK-SPEC §10, the Aave form).
 *
 * - `HF = Σ collateralValue × LT / Σ debtValue`, every value in settle units at
 *   the oracle (index) price of its asset, `LT` the asset's liquidation threshold
 *   (E8). A position without debt has no health factor (`null`): it can never be
 *   liquidated.
 * - Liquidatable iff `HF < 1`, decided exactly by cross-multiplication
 *   (`weighted < debt` on the exact rationals), never on a rounded figure.
 * - Reported figures, each rounded once against the borrower (the venue's side):
 *   `healthFactorE8` down, accepted (threshold-weighted) collateral down, debt
 *   value up, the distance to HF = 1 (`weighted − debt`) down, and the collateral
 *   price at which HF reaches 1 up (the trigger is reported no lower than it is).
 *
 * Invariants: values are exact rationals until the final rounding; a leg's price
 * is `settleUnits` per `perAssetUnits` of the asset (`CollateralPrice`).
 *
 * Example (aave.com/docs/developers/liquidations): $10,000 of ETH at LT 80%
 * against $6,000 of debt → HF = 8,000 / 6,000 = 1.3333 (133_333_333 E8).
 */
import { DomainError, Rounding, divRoundBig } from '@perpcore/domain';
import type { CollateralPrice } from './collateral.js';
import { type Ratio, compareRatios, ratio } from './exact-ratio.js';
import { RiskErrorCode } from './risk-error-codes.js';
import { E8 } from './tier-table.js';

export interface PoolCollateralLeg {
  readonly amountUnits: number;
  readonly price: CollateralPrice;
  readonly liquidationThresholdE8: number;
}

export interface PoolDebtLeg {
  readonly amountUnits: number;
  readonly price: CollateralPrice;
}

const E8N = BigInt(E8);

function requireLegUnits(name: string, value: number): bigint {
  if (!Number.isSafeInteger(value) || value < 0) throw new DomainError(RiskErrorCode.InvalidArgument, `${name} must be a non-negative safe integer, got ${String(value)}`);
  return BigInt(value);
}

function requirePoolPrice(name: string, price: CollateralPrice): void {
  if (!Number.isSafeInteger(price.settleUnits) || price.settleUnits < 0 || !Number.isSafeInteger(price.perAssetUnits) || price.perAssetUnits <= 0) {
    throw new DomainError(RiskErrorCode.InvalidArgument, `${name} must be settleUnits ≥ 0 per perAssetUnits > 0, got ${price.settleUnits}/${price.perAssetUnits}`);
  }
}

/** Exact settle value of `amountUnits` of an asset: amount × settleUnits / perAssetUnits. */
export function poolValueExact(amountUnits: number, price: CollateralPrice): Ratio {
  requirePoolPrice('price', price);
  return ratio(requireLegUnits('amountUnits', amountUnits) * BigInt(price.settleUnits), BigInt(price.perAssetUnits));
}

function addRatios(a: Ratio, b: Ratio): Ratio {
  return a.den === b.den ? { num: a.num + b.num, den: a.den } : { num: a.num * b.den + b.num * a.den, den: a.den * b.den };
}

/** Σ value × LT, exact (settle units). */
export function weightedCollateralExact(collateral: readonly PoolCollateralLeg[]): Ratio {
  let sum: Ratio = { num: 0n, den: 1n };
  for (const c of collateral) {
    const lt = c.liquidationThresholdE8;
    if (!Number.isSafeInteger(lt) || lt < 0 || lt > E8) throw new DomainError(RiskErrorCode.InvalidArgument, `liquidationThresholdE8 must be in [0, 1e8], got ${String(lt)}`);
    const v = poolValueExact(c.amountUnits, c.price);
    sum = addRatios(sum, { num: v.num * BigInt(lt), den: v.den * E8N });
  }
  return sum;
}

/** Σ debt value, exact (settle units). */
export function debtValueExact(debt: readonly PoolDebtLeg[]): Ratio {
  let sum: Ratio = { num: 0n, den: 1n };
  for (const d of debt) sum = addRatios(sum, poolValueExact(d.amountUnits, d.price));
  return sum;
}

/** HF as an exact rational, or null without debt (no health factor: never liquidatable). */
export function healthFactorExact(collateral: readonly PoolCollateralLeg[], debt: readonly PoolDebtLeg[]): Ratio | null {
  const d = debtValueExact(debt);
  if (d.num === 0n) return null;
  const w = weightedCollateralExact(collateral);
  return ratio(w.num * d.den, w.den * d.num);
}

/** HF < 1, decided exactly (weighted × debtDen < debtNum × weightedDen). */
export function isHealthFactorBelowOne(hf: Ratio | null): boolean {
  return hf !== null && hf.num < hf.den;
}

/** HF compared with a threshold in E8 (e.g. 95_000_000): sign of HF − threshold. */
export function compareHealthFactorE8(hf: Ratio, thresholdE8: number): number {
  return compareRatios(hf, { num: BigInt(thresholdE8), den: E8N });
}

/** HF in E8, rounded down (never reported healthier than it is); null without debt. */
export function healthFactorE8(hf: Ratio | null): bigint | null {
  return hf === null ? null : divRoundBig(hf.num * E8N, hf.den, Rounding.Floor);
}

export interface HealthFactorReport {
  /** Σ value × LT, rounded down. */
  readonly acceptedCollateralUnits: bigint;
  /** Σ debt value, rounded up. */
  readonly debtValueUnits: bigint;
  readonly healthFactorE8: bigint | null;
  readonly liquidatable: boolean;
  /** weighted − debt, rounded down: how much debt value (or weighted collateral loss) reaches HF = 1. */
  readonly distanceToLiquidationUnits: bigint;
}

export function healthFactorReport(collateral: readonly PoolCollateralLeg[], debt: readonly PoolDebtLeg[]): HealthFactorReport {
  const w = weightedCollateralExact(collateral);
  const d = debtValueExact(debt);
  const hf = d.num === 0n ? null : ratio(w.num * d.den, w.den * d.num);
  const gap = { num: w.num * d.den - d.num * w.den, den: w.den * d.den };
  return {
    acceptedCollateralUnits: divRoundBig(w.num, w.den, Rounding.Floor),
    debtValueUnits: divRoundBig(d.num, d.den, Rounding.Ceil),
    healthFactorE8: healthFactorE8(hf),
    liquidatable: isHealthFactorBelowOne(hf),
    distanceToLiquidationUnits: divRoundBig(gap.num, gap.den, Rounding.Floor),
  };
}

/**
 * The price of collateral leg `index` (settle units per its `perAssetUnits`) at which
 * HF reaches 1, every other price fixed: `P* = (D − W_others) / (amount × LT)`.
 * Rounded up: the reported trigger is never below the real one. null when the leg
 * cannot reach it (no debt, no amount or LT 0), 0n when even a zero price keeps HF ≥ 1.
 */
export function collateralPriceAtHealthFactorOne(collateral: readonly PoolCollateralLeg[], debt: readonly PoolDebtLeg[], index: number): bigint | null {
  const leg = collateral[index];
  const d = debtValueExact(debt);
  if (leg === undefined || d.num === 0n || leg.amountUnits === 0 || leg.liquidationThresholdE8 === 0) return null;
  const others = weightedCollateralExact(collateral.filter((_, i) => i !== index));
  const need = { num: d.num * others.den - others.num * d.den, den: d.den * others.den };
  if (need.num <= 0n) return 0n;
  // P* × amount × LT / (perAssetUnits × 1e8) = need  →  P* = need × perAssetUnits × 1e8 / (amount × LT)
  const per = BigInt(leg.price.perAssetUnits);
  return divRoundBig(need.num * per * E8N, need.den * BigInt(leg.amountUnits) * BigInt(leg.liquidationThresholdE8), Rounding.Ceil);
}
