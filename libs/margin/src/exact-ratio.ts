/**
 * Exact rationals `num / den` (bigint, den > 0) for the derived prices and scores
 * that are solved rather than summed (liquidation, bankruptcy and fillable prices,
 * ADL scores). They are compared by cross-multiplication and rounded once, at the
 * end, in a named direction. Off the hot path: allocation is acceptable here.
 *
 * Example: 25_100_401_606n / 1_000_000n compared with 251_004n / 10n is
 * 25_100_401_606 × 10 vs 251_004 × 1_000_000 → greater.
 */
import { DomainError, Rounding, divRoundBig } from '@perpcore/domain';

export interface Ratio {
  readonly num: bigint;
  /** Always > 0. */
  readonly den: bigint;
}

export function ratio(num: bigint, den: bigint): Ratio {
  if (den === 0n) throw new DomainError('DOMAIN_DIVISION_BY_ZERO', 'ratio denominator must not be 0');
  return den < 0n ? { num: -num, den: -den } : { num, den };
}

/** Sign of a − b: −1, 0, 1. */
export function compareRatios(a: Ratio, b: Ratio): number {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** round(a × scale) to an integer in the given direction. */
export function roundRatio(a: Ratio, scale: bigint, rounding: Rounding): bigint {
  return divRoundBig(a.num * scale, a.den, rounding);
}

/** Fixed-point decimal string of `scaled × 10^-decimals`, keeping all `decimals` digits. */
export function formatFixed(scaled: bigint, decimals: number): string {
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const body = decimals > 0 ? `${whole}.${digits.slice(digits.length - decimals)}` : whole;
  return negative ? `-${body}` : body;
}
