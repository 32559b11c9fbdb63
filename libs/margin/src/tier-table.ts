/**
 * Tier table (RISK-SPEC §2): maintenance-margin brackets and maximum leverage by
 * notional.
 *
 * Row k (0-based here, 1-based in the spec): `floorUnits[k] < N ≤ capUnits[k]`,
 * `maxLeverage[k]` (integer), `mmrE8[k]` (1e-8), `cumUnits[k]` (maintenance amount,
 * settle units).
 *
 * Invariants (checked by `createTierTable`; a failure throws
 * `RISK_INVALID_MARKET_PARAMS` naming `<where>.tiers[k].<key>`):
 * 1. `floor[0] = 0`, `floor[k+1] = cap[k]`, `cap[k] > floor[k]` (no gap, no overlap).
 * 2. MMR non-decreasing, max leverage non-increasing, `0 < mmr < 1/maxLeverage`
 *    (so IM exceeds MM in every tier).
 * 3. `cum[0] = 0`, `cum[k] = cum[k−1] + floor[k] × (mmr[k] − mmr[k−1]) / 1e8`,
 *    exactly in units (computed in bigint; a non-integer product rejects). A table
 *    without `cumUnits` gets them derived; given ones must match exactly.
 * With 1 and 3, `MM(N) = N·mmr_k − cum_k` is continuous; with 2 it is convex:
 * `MM(N) = max over k of (N·mmr_k − cum_k)`.
 *
 * Selection: tier k holds `floor_k < N ≤ cap_k`; N = 0 is tier 0; N above the last
 * cap stays in the last tier (a mark move can push a position there; an order that
 * would do it is rejected elsewhere).
 *
 * Example (RISK-SPEC §11.1, old Binance BTCUSDT, USDT with 6 decimals): floors 0,
 * 50,000, 250,000, 1,000,000 USDT and MMR 0.40%, 0.50%, 1.00%, 2.50% derive
 * cum = 0, 50, 1,300, 16,300 USDT; e.g. cum[2] = 250,000 × 0.5% + 50. A 264,000
 * notional is in tier index 2 (MMR 1%).
 */
import { DomainError, requireSafeInteger } from '@perpcore/domain';
import { RiskErrorCode } from './risk-error-codes.js';

export const E8 = 100_000_000;

export interface TierInput {
  readonly floorUnits: number;
  readonly capUnits: number;
  readonly maxLeverage: number;
  readonly mmrE8: number;
  /** Optional: derived when absent, checked exactly when present. */
  readonly cumUnits?: number;
}

/** Struct-of-arrays, frozen: the hot path reads it by index without allocation. */
export interface TierTable {
  readonly count: number;
  readonly floorUnits: readonly number[];
  readonly capUnits: readonly number[];
  readonly maxLeverage: readonly number[];
  readonly mmrE8: readonly number[];
  readonly cumUnits: readonly number[];
}

const TIER_KEYS = new Set(['floorUnits', 'capUnits', 'maxLeverage', 'mmrE8', 'cumUnits']);

function reject(key: string, why: string): never {
  throw new DomainError(RiskErrorCode.InvalidMarketParams, `${key} ${why}`);
}

function requireTierInteger(key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) reject(key, `must be a safe integer, got ${String(value)}`);
  return value;
}

/** Validates a tier table (see the module doc); `where` prefixes key names in errors (e.g. "BTCUSDT"). */
export function createTierTable(rows: readonly TierInput[], where: string): TierTable {
  if (!Array.isArray(rows) || rows.length === 0) reject(`${where}.tiers`, 'must be a non-empty array');
  const floorUnits: number[] = [];
  const capUnits: number[] = [];
  const maxLeverage: number[] = [];
  const mmrE8: number[] = [];
  const cumUnits: number[] = [];
  let cum = 0n;
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k];
    const key = `${where}.tiers[${k}]`;
    if (row === null || typeof row !== 'object') reject(key, 'must be an object');
    for (const name of Object.keys(row)) if (!TIER_KEYS.has(name)) reject(`${key}.${name}`, 'is not a tier key');
    const floor = requireTierInteger(`${key}.floorUnits`, row.floorUnits);
    const cap = requireTierInteger(`${key}.capUnits`, row.capUnits);
    const lev = requireTierInteger(`${key}.maxLeverage`, row.maxLeverage);
    const mmr = requireTierInteger(`${key}.mmrE8`, row.mmrE8);
    if (k === 0 && floor !== 0) reject(`${key}.floorUnits`, `must be 0 for the first tier, got ${floor}`);
    if (k > 0 && floor !== capUnits[k - 1]) {
      reject(`${key}.floorUnits`, `must equal the previous tier's capUnits ${capUnits[k - 1]} (gap or overlap), got ${floor}`);
    }
    if (cap <= floor) reject(`${key}.capUnits`, `must be > floorUnits ${floor}, got ${cap}`);
    if (lev < 1) reject(`${key}.maxLeverage`, `must be >= 1, got ${lev}`);
    if (k > 0 && lev > maxLeverage[k - 1]) reject(`${key}.maxLeverage`, `must not increase with the tier (${maxLeverage[k - 1]} before), got ${lev}`);
    if (mmr <= 0) reject(`${key}.mmrE8`, `must be > 0, got ${mmr}`);
    if (k > 0 && mmr < mmrE8[k - 1]) reject(`${key}.mmrE8`, `must not decrease with the tier (${mmrE8[k - 1]} before), got ${mmr}`);
    // mmr < 1 / maxLeverage  ⇔  mmr × maxLeverage < 1e8 (exact: both are small integers)
    if (BigInt(mmr) * BigInt(lev) >= BigInt(E8)) {
      reject(`${key}.mmrE8`, `must be < 1/maxLeverage (${lev}×), got ${mmr} (IM would not exceed MM)`);
    }
    if (k > 0) {
      const step = BigInt(floor) * BigInt(mmr - mmrE8[k - 1]);
      if (step % BigInt(E8) !== 0n) {
        reject(`${key}.cumUnits`, `floorUnits × (mmr − previous mmr) = ${step}e-8 is not a whole number of units`);
      }
      cum += step / BigInt(E8);
    }
    if (cum > BigInt(Number.MAX_SAFE_INTEGER)) reject(`${key}.cumUnits`, 'exceeds the safe-integer range');
    if (row.cumUnits !== undefined) {
      const given = requireTierInteger(`${key}.cumUnits`, row.cumUnits);
      if (BigInt(given) !== cum) reject(`${key}.cumUnits`, `must be ${cum} (continuous maintenance amount), got ${given}`);
    }
    floorUnits.push(floor);
    capUnits.push(cap);
    maxLeverage.push(lev);
    mmrE8.push(mmr);
    cumUnits.push(Number(cum));
  }
  return Object.freeze({
    count: rows.length,
    floorUnits: Object.freeze(floorUnits),
    capUnits: Object.freeze(capUnits),
    maxLeverage: Object.freeze(maxLeverage),
    mmrE8: Object.freeze(mmrE8),
    cumUnits: Object.freeze(cumUnits),
  });
}

/**
 * Index of the tier holding N = `wholeUnits + fraction`, where `hasFraction` says
 * whether N has a non-zero fractional part (0 ≤ fraction < 1). With the exact
 * fraction known only by its presence, `N ≤ cap ⇔ whole < cap ∨ (whole = cap ∧ ¬hasFraction)`.
 * N ≤ 0 is tier 0; N above the last cap is the last tier.
 */
export function tierIndexFor(tiers: TierTable, wholeUnits: number, hasFraction: boolean): number {
  const caps = tiers.capUnits;
  const last = tiers.count - 1;
  for (let k = 0; k < last; k++) {
    const cap = caps[k];
    if (wholeUnits < cap || (wholeUnits === cap && !hasFraction)) return k;
  }
  return last;
}

/** Tier of an integer notional in units (see `tierIndexFor`). */
export function tierIndexForUnits(tiers: TierTable, notionalUnits: number): number {
  requireSafeInteger('notionalUnits', notionalUnits);
  return tierIndexFor(tiers, notionalUnits, false);
}
