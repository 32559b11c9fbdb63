/**
 * A price derived by solving a margin equation (liquidation, margin-call,
 * bankruptcy, fillable price): the exact rational in ticks plus the reported value.
 *
 * Reporting (RISK-SPEC §0 table): to `priceDecimals` digits of the settle asset per
 * base unit, rounded in the direction that never flatters the trader: a long's
 * liquidation price up, a short's down. Book prices (limits) round to the tick
 * instead, see bankruptcy-price.ts.
 *
 * Example: 25,100.4016064… USDT for a long → reported "25100.41"; for a short the
 * same value → "25100.40".
 */
import { Rounding } from '@perpcore/domain';
import type { MarketRiskParams } from './market-risk-params.js';
import { type Ratio, formatFixed, roundRatio } from './exact-ratio.js';

export interface DerivedPrice {
  /** Exact price in ticks. */
  readonly ticks: Ratio;
  /** The tier (0-based) whose rate and maintenance amount produced it, when tiered. */
  readonly tierIndex: number;
  /** price × 10^priceDecimals, rounded per the position's side. */
  readonly reportedScaled: bigint;
  /** Decimal string with exactly `priceDecimals` digits. */
  readonly reported: string;
}

/** Builds the report: `up` for longs (round up), else down. */
export function derivedPrice(params: MarketRiskParams, ticks: Ratio, tierIndex: number, up: boolean): DerivedPrice {
  // price = ticks × tick.mantissa / 10^tick.scale; scaled to priceDecimals
  const pd = params.priceDecimals;
  const shift = pd - params.tick.scale;
  const num = ticks.num * params.tick.mantissa * (shift >= 0 ? 10n ** BigInt(shift) : 1n);
  const den = ticks.den * (shift < 0 ? 10n ** BigInt(-shift) : 1n);
  const scaled = roundRatio({ num, den }, 1n, up ? Rounding.Ceil : Rounding.Floor);
  return Object.freeze({ ticks, tierIndex, reportedScaled: scaled, reported: formatFixed(scaled, pd) });
}
