/**
 * Core units → Binance wire decimals for market data, exact (no floats): prices from
 * ticks, quantities from lots, mark/index from subticks (one tick = markSubticksPerTick
 * subticks), rates from 1e-8, quote amounts from Σ ticks × lots.
 *
 * Rounding: a subtick price whose exact decimal would need more than 8 extra digits
 * (markSubticksPerTick not of the form 2^a·5^b) is cut toward zero at 8 extra digits;
 * averages (weighted price, average fill) are cut toward zero at 8 extra digits. These
 * are informational figures; no money moves on them.
 */
import { formatPrice, formatQty, formatScaled, type MarketSpec } from '@perpcore/domain';

const EXTRA_DIGITS = 8;

export const priceText = (spec: MarketSpec, ticks: number): string => formatPrice(spec, ticks);
export const qtyText = (spec: MarketSpec, lots: number): string => formatQty(spec, lots);

/** `ticks × lots` (bigint or number) in quote (settle) asset units, as a decimal. */
export function quoteText(spec: MarketSpec, priceLots: bigint | number): string {
  return formatScaled(BigInt(priceLots) * BigInt(spec.lotTickUnits), spec.settleDecimals);
}

/** `numerator / denominator` ticks as a price decimal (cut toward zero at 8 extra digits); "0" for 0/0. */
export function ratioPriceText(spec: MarketSpec, numeratorTicks: bigint, denominator: bigint): string {
  if (denominator === 0n) return '0';
  const scaled = (numeratorTicks * spec.tick.mantissa * 10n ** BigInt(EXTRA_DIGITS)) / denominator;
  return formatScaled(scaled, spec.tick.scale + EXTRA_DIGITS);
}

/** A price at mark resolution (subticks) as a decimal. */
export function subticksText(spec: MarketSpec, subticks: number, subticksPerTick: number): string {
  return ratioPriceText(spec, BigInt(subticks), BigInt(subticksPerTick));
}

/** A rate in 1e-8 as a decimal ("0.0001" for 10,000). */
export const rateE8Text = (rateE8: number): string => formatScaled(rateE8, 8);

/** 100 × (last − open) / open with 3 decimals, cut toward zero (Binance's priceChangePercent). */
export function percentChangeText(openTicks: number, lastTicks: number): string {
  if (openTicks === 0) return '0';
  return formatScaled((BigInt(lastTicks - openTicks) * 100_000n) / BigInt(openTicks), 3);
}
