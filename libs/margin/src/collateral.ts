/**
 * Accepted collateral value (RISK-SPEC §7).
 *
 * - Each asset balance is valued in the settle asset at its index price, given as a
 *   rational `settleUnits` per `perAssetUnits` (e.g. BTC at 30,000.5 USDT, 8 and 6
 *   decimals: 30_000_500_000 micro-USDT per 100_000_000 satoshi).
 * - A positive balance counts after a tiered haircut: bands `(upToValueUnits,
 *   ratioE8)` on the value, applied like a tax bracket (each band's slice × its
 *   ratio); `upToValueUnits: null` is an open last band; value above a bounded last
 *   band counts 0. A flat haircut is a single open band. Ratios must not increase
 *   from band to band and lie in [0, 1e8].
 * - Negative balances count at full value.
 * - The settle asset has ratio 1 unless configured (use `settleAssetHaircut`).
 *
 * Rounding: the exact value is rounded once, toward −∞: positive value (after
 * haircut) down, negative balances' debt up in magnitude.
 *
 * Example: 2 BTC at 30,000 USDT with bands (≤ 50,000 at 95%, above at 90%):
 * value 60,000 → 50,000 × 0.95 + 10,000 × 0.90 = 56,500 USDT accepted.
 */
import { DomainError, Rounding, divRoundBig, toSafeNumber } from '@perpcore/domain';
import { requirePrice, requireUnits } from './input-guards.js';
import { RiskErrorCode } from './risk-error-codes.js';
import { E8 } from './tier-table.js';

export interface HaircutBand {
  /** Upper bound of the band on value (settle units), null = open. */
  readonly upToValueUnits: number | null;
  readonly ratioE8: number;
}

/** Validated bands (frozen). */
export interface HaircutSchedule {
  readonly asset: string;
  readonly bands: readonly HaircutBand[];
}

/** Index price of an asset: `settleUnits` settle units per `perAssetUnits` asset units. */
export interface CollateralPrice {
  readonly settleUnits: number;
  readonly perAssetUnits: number;
}

function reject(key: string, why: string): never {
  throw new DomainError(RiskErrorCode.InvalidMarketParams, `${key} ${why}`);
}

export function createHaircutSchedule(asset: string, bands: readonly HaircutBand[]): HaircutSchedule {
  if (!Array.isArray(bands) || bands.length === 0) reject(`${asset}.haircut`, 'must be a non-empty array of bands');
  let previousUpTo = 0;
  let previousRatio = E8;
  const out: HaircutBand[] = [];
  for (let i = 0; i < bands.length; i++) {
    const key = `${asset}.haircut[${i}]`;
    const { upToValueUnits, ratioE8 } = bands[i];
    if (!Number.isSafeInteger(ratioE8) || ratioE8 < 0 || ratioE8 > E8) reject(`${key}.ratioE8`, `must be an integer in [0, 1e8], got ${String(ratioE8)}`);
    if (ratioE8 > previousRatio) reject(`${key}.ratioE8`, `must not exceed the previous band's ${previousRatio}, got ${ratioE8}`);
    if (upToValueUnits === null) {
      if (i !== bands.length - 1) reject(`${key}.upToValueUnits`, 'only the last band may be open (null)');
    } else if (!Number.isSafeInteger(upToValueUnits) || upToValueUnits <= previousUpTo) {
      reject(`${key}.upToValueUnits`, `must be a safe integer above ${previousUpTo}, got ${String(upToValueUnits)}`);
    } else {
      previousUpTo = upToValueUnits;
    }
    previousRatio = ratioE8;
    out.push(Object.freeze({ upToValueUnits, ratioE8 }));
  }
  return Object.freeze({ asset, bands: Object.freeze(out) });
}

/** The settle asset at ratio 1 (one open band at 100%). */
export function settleAssetHaircut(asset: string): HaircutSchedule {
  return createHaircutSchedule(asset, [{ upToValueUnits: null, ratioE8: E8 }]);
}

/** Exact value of a balance in settle units, as num/den (den > 0). */
function valueOf(balanceUnits: number, price: CollateralPrice): { num: bigint; den: bigint } {
  const bal = requireUnits('balanceUnits', balanceUnits);
  requireUnits('price.settleUnits', price.settleUnits);
  if (price.settleUnits < 0) throw new DomainError('DOMAIN_NEGATIVE', `price.settleUnits must be >= 0, got ${price.settleUnits}`);
  requirePrice('price.perAssetUnits', price.perAssetUnits);
  return { num: BigInt(bal) * BigInt(price.settleUnits), den: BigInt(price.perAssetUnits) };
}

/** Accepted value of one asset balance in settle units (rounded toward −∞). */
export function acceptedValueUnits(schedule: HaircutSchedule, balanceUnits: number, price: CollateralPrice): number {
  const v = valueOf(balanceUnits, price);
  if (v.num <= 0n) return toSafeNumber('acceptedValueUnits', divRoundBig(v.num, v.den, Rounding.Floor)); // debt: full value, magnitude up
  // Σ over bands of slice × ratio, exact: slice boundaries scaled by den
  let acceptedNum = 0n; // × den × 1e8
  let lower = 0n;
  for (const band of schedule.bands) {
    const upper = band.upToValueUnits === null ? v.num : BigInt(band.upToValueUnits) * v.den;
    const top = upper < v.num ? upper : v.num;
    if (top > lower) acceptedNum += (top - lower) * BigInt(band.ratioE8);
    if (top >= v.num) break;
    lower = upper;
  }
  return toSafeNumber('acceptedValueUnits', divRoundBig(acceptedNum, v.den * BigInt(E8), Rounding.Floor));
}

export interface CollateralBalance {
  readonly schedule: HaircutSchedule;
  readonly balanceUnits: number;
  readonly price: CollateralPrice;
}

/** Σ accepted values in settle units (the cross scope's collateral term of E). */
export function acceptedCollateralUnits(balances: readonly CollateralBalance[]): number {
  let total = 0;
  for (const b of balances) {
    total += acceptedValueUnits(b.schedule, b.balanceUnits, b.price);
    if (!Number.isSafeInteger(total)) throw new DomainError('DOMAIN_OUT_OF_RANGE', 'accepted collateral exceeds the safe-integer range');
  }
  return total;
}

/** The ratio of the band holding the value of `balanceUnits` (the marginal ratio). */
export function marginalHaircutRatioE8(schedule: HaircutSchedule, balanceUnits: number, price: CollateralPrice): number {
  const v = valueOf(balanceUnits, price);
  for (const band of schedule.bands) {
    if (band.upToValueUnits === null || v.num <= BigInt(band.upToValueUnits) * v.den) return band.ratioE8;
  }
  return 0;
}
