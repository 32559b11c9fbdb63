/**
 * Argument guards shared by the formulas. They throw a `DomainError` naming the
 * parameter (never return NaN, never clamp), so bad input changes nothing.
 * Internal: not exported from the package entry point.
 */
import { DomainError, requirePositiveInteger, requireSafeInteger } from '@perpcore/domain';
import type { MarketRiskParams } from './market-risk-params.js';
import { RiskErrorCode } from './risk-error-codes.js';

/** A signed position or order size in lots (0 allowed). */
export function requireQtyLots(name: string, value: unknown): number {
  return requireSafeInteger(name, value);
}

/** A price in ticks or subticks: a positive safe integer (0 and negatives are refused). */
export function requirePrice(name: string, value: unknown): number {
  return requirePositiveInteger(name, value);
}

/** An amount in settle units (any sign). */
export function requireUnits(name: string, value: unknown): number {
  return requireSafeInteger(name, value);
}

/** The account's leverage for the market: an integer in 1..(tier-1 max leverage). */
export function requireLeverage(params: MarketRiskParams, value: unknown, name = 'leverage'): number {
  const leverage = requirePositiveInteger(name, value);
  if (leverage > params.tiers.maxLeverage[0]) {
    throw new DomainError(
      RiskErrorCode.LeverageAboveTierMax,
      `${name} ${leverage} exceeds ${params.symbol}'s highest tier maximum ${params.tiers.maxLeverage[0]}`,
    );
  }
  return leverage;
}

/** `q × lotTickUnits` (units per tick of price for q lots) must be a safe integer. */
export function requireUnitsPerTick(params: MarketRiskParams, absQtyLots: number): number {
  const unitsPerTick = absQtyLots * params.lotTickUnits;
  if (unitsPerTick > Number.MAX_SAFE_INTEGER) {
    throw new DomainError('DOMAIN_OUT_OF_RANGE', `qtyLots ${absQtyLots} × lotTickUnits ${params.lotTickUnits} exceeds the safe-integer range`);
  }
  return unitsPerTick;
}

export function requireSafeResult(name: string, value: number): number {
  if (!Number.isSafeInteger(value)) throw new DomainError('DOMAIN_OUT_OF_RANGE', `${name} = ${value} is outside the safe-integer range`);
  return value;
}
