/**
 * Hyperliquid's maintenance margin (docs: trading/margin-tiers):
 * ```
 * maintenance_margin_rate(n) = 1 / (2 × maxLeverage_n)        half the IM rate at max leverage
 * maintenance_deduction(0)   = 0
 * maintenance_deduction(n)   = maintenance_deduction(n−1) + lower_bound_n × (rate_n − rate_{n−1})
 * maintenance_margin         = N × rate_n − maintenance_deduction_n
 * ```
 * It is the tier schedule of RISK-SPEC §2 with the rate tied to the tier's maximum
 * leverage and `cum` = the deduction. `hyperliquidMaintenanceMarginUnits` computes
 * it with the exact rational rate; `hyperliquidTierInputs` builds the tier rows the
 * engine's tiered path runs (`maintenanceMargin: 'HYPERLIQUID'` in the market's model),
 * with each rate rounded up to 1e-8.
 *
 * Invariants: with L | 5e7 (1, 2, 4, 5, 8, 10, 20, 25, 40, 50 …) the rounded rate is
 * exact and both agree to the unit; otherwise the table's MM is ≥ the exact MM
 * (MM is the integral of the rate over the notional, and every rounded rate is ≥
 * its exact rate), never below. Tests pin both.
 *
 * Rounding: up (the requirement is never understated), once, on the exact value.
 *
 * Example (mainnet BTC: 40× to 150M USDC, 20× above): rates 1.25% and 2.5%,
 * deduction 150M × 1.25% = 1.875M; a 200M USDC position needs
 * 200M × 2.5% − 1.875M = 3.125M USDC maintenance.
 */
import { DomainError, requireNonNegativeInteger } from '@perpcore/domain';
import { RiskErrorCode } from './risk-error-codes.js';
import { hyperliquidMmrE8 } from './risk-model.js';
import type { TierInput } from './tier-table.js';

/** One Hyperliquid margin tier: from `lowerBoundUnits` of notional on, at most `maxLeverage`. */
export interface HyperliquidBand {
  readonly lowerBoundUnits: number;
  readonly maxLeverage: number;
}

function requireBands(bands: readonly HyperliquidBand[]): void {
  if (!Array.isArray(bands) || bands.length === 0) throw new DomainError(RiskErrorCode.InvalidArgument, 'bands must be a non-empty array');
  for (let i = 0; i < bands.length; i++) {
    const b = bands[i];
    const lower = requireNonNegativeInteger(`bands[${i}].lowerBoundUnits`, b.lowerBoundUnits);
    const lev = requireNonNegativeInteger(`bands[${i}].maxLeverage`, b.maxLeverage);
    if (lev < 1) throw new DomainError(RiskErrorCode.InvalidArgument, `bands[${i}].maxLeverage must be >= 1`);
    if (i === 0 && lower !== 0) throw new DomainError(RiskErrorCode.InvalidArgument, 'bands[0].lowerBoundUnits must be 0');
    if (i > 0 && (lower <= bands[i - 1].lowerBoundUnits || lev > bands[i - 1].maxLeverage)) {
      throw new DomainError(RiskErrorCode.InvalidArgument, `bands[${i}] must start above the previous band with a leverage no higher`);
    }
  }
}

/** Exact MM `ceil(N / (2 L_n) − deduction_n)` for an integer notional, n the band holding N (lower < N). */
export function hyperliquidMaintenanceMarginUnits(bands: readonly HyperliquidBand[], notionalUnits: number): number {
  requireBands(bands);
  const n = BigInt(requireNonNegativeInteger('notionalUnits', notionalUnits));
  // rates 1/(2L) over the common denominator D = 2 × Π L (small: a handful of bands)
  let d = 2n;
  for (const b of bands) d *= BigInt(b.maxLeverage);
  const rate = (k: number) => d / (2n * BigInt(bands[k].maxLeverage)); // rate_k × D
  let k = 0;
  let deduction = 0n; // × D
  while (k + 1 < bands.length && n > BigInt(bands[k + 1].lowerBoundUnits)) {
    k += 1;
    deduction += BigInt(bands[k].lowerBoundUnits) * (rate(k) - rate(k - 1));
  }
  const num = n * rate(k) - deduction;
  const mm = num / d + (num % d > 0n ? 1n : 0n);
  return Number(mm);
}

/** Tier rows for the engine: rate `ceil(1e8 / 2L)`, caps at the next band's lower bound, the last at `lastCapUnits`. */
export function hyperliquidTierInputs(bands: readonly HyperliquidBand[], lastCapUnits: number): TierInput[] {
  requireBands(bands);
  const last = bands[bands.length - 1];
  if (requireNonNegativeInteger('lastCapUnits', lastCapUnits) <= last.lowerBoundUnits) {
    throw new DomainError(RiskErrorCode.InvalidArgument, 'lastCapUnits must exceed the last band lower bound');
  }
  return bands.map((b, i) => ({
    floorUnits: b.lowerBoundUnits,
    capUnits: i + 1 < bands.length ? bands[i + 1].lowerBoundUnits : lastCapUnits,
    maxLeverage: b.maxLeverage,
    mmrE8: hyperliquidMmrE8(b.maxLeverage),
  }));
}
