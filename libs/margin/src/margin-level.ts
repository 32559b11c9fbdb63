/**
 * Margin level and scope state (RISK-SPEC §3.4, §6).
 *
 * `ML = E / basis`, basis = ΣMMpos (`levelBasis = MM`) or ΣIMpos (`IM`). States:
 * `LIQUIDATING` when ML ≤ liquidationLevel, else `CALLED` when ML ≤ marginCallLevel,
 * else `HEALTHY`. A scope with basis 0 cannot breach (HEALTHY). `takeoverLevel`,
 * when set, additionally flags a scope that goes straight to takeover.
 *
 * Exactness: thresholds are decided by cross-multiplication, never by dividing:
 * `ML ≤ level ⇔ E × 1e8 ≤ levelE8 × basis` (basis > 0), compared exactly without
 * allocation (both products may pass 2^53; see wide-arithmetic.ts).
 *
 * Rounding of reported figures: `marginLevelE8` rounds down (the level is never
 * overstated); `distanceToLevelUnits = E − ceil(level × basis)` (the cushion is never
 * overstated).
 *
 * Cross scopes span markets: the levels come from one `ScopeLevels`.
 * `crossScopeLevels` derives it from the markets in the scope, taking the strictest
 * (highest) of each level; markets whose `levelBasis` differ cannot share a scope.
 *
 * Example: E = 1,250, ΣMM = 1,000, call 1.25, liquidation 1.00 → ML = 1.25 → CALLED
 * (1,250 × 1e8 ≤ 125,000,000 × 1,000); E = 1,000 → LIQUIDATING.
 */
import { DomainError } from '@perpcore/domain';
import type { LevelBasis, MarketRiskParams } from './market-risk-params.js';
import { requireUnits } from './input-guards.js';
import { RiskErrorCode } from './risk-error-codes.js';
import { E8 } from './tier-table.js';
import { compareProducts, mulDivFloorWide, wideRemainder } from './wide-arithmetic.js';

export const MarginState = { Healthy: 'HEALTHY', Called: 'CALLED', Liquidating: 'LIQUIDATING' } as const;
export type MarginState = (typeof MarginState)[keyof typeof MarginState];

export interface ScopeLevels {
  readonly levelBasis: LevelBasis;
  readonly marginCallLevelE8: number;
  readonly liquidationLevelE8: number;
  readonly takeoverLevelE8: number | null;
}

/** The levels of an isolated scope: its market's. */
export function scopeLevelsOf(params: MarketRiskParams): ScopeLevels {
  return Object.freeze({
    levelBasis: params.levelBasis,
    marginCallLevelE8: params.marginCallLevelE8,
    liquidationLevelE8: params.liquidationLevelE8,
    takeoverLevelE8: params.takeoverLevelE8,
  });
}

/** The levels of a cross scope over several markets: the strictest of each (see the module doc). */
export function crossScopeLevels(markets: readonly MarketRiskParams[]): ScopeLevels {
  if (markets.length === 0) throw new DomainError(RiskErrorCode.InvalidArgument, 'crossScopeLevels needs at least one market');
  const basis = markets[0].levelBasis;
  let call = 0;
  let liquidation = 0;
  let takeover: number | null = null;
  for (const m of markets) {
    if (m.levelBasis !== basis) {
      throw new DomainError(RiskErrorCode.InvalidMarketParams, `${m.symbol}.levelBasis ${m.levelBasis} differs from ${markets[0].symbol}'s ${basis} in one cross scope`);
    }
    if (m.marginCallLevelE8 > call) call = m.marginCallLevelE8;
    if (m.liquidationLevelE8 > liquidation) liquidation = m.liquidationLevelE8;
    if (m.takeoverLevelE8 !== null && (takeover === null || m.takeoverLevelE8 > takeover)) takeover = m.takeoverLevelE8;
  }
  if (call <= liquidation) {
    throw new DomainError(RiskErrorCode.InvalidMarketParams, `cross scope: strictest marginCallLevelE8 ${call} must exceed strictest liquidationLevelE8 ${liquidation}`);
  }
  if (takeover !== null && takeover >= liquidation) {
    throw new DomainError(RiskErrorCode.InvalidMarketParams, `cross scope: takeoverLevelE8 ${takeover} must be below liquidationLevelE8 ${liquidation}`);
  }
  return Object.freeze({ levelBasis: basis, marginCallLevelE8: call, liquidationLevelE8: liquidation, takeoverLevelE8: takeover });
}

/**
 * E × 1e8 ≤ level × basis, exactly. Float screens, exact decides: the float
 * products carry a relative error below 2^-52 each, so a gap wider than 2^-50 of
 * their size decides the sign; only near-ties pay for the exact comparison.
 */
function atOrBelow(equityUnits: number, levelE8: number, basisUnits: number): boolean {
  const lhs = equityUnits * E8;
  const rhs = levelE8 * basisUnits;
  const gap = lhs - rhs;
  const size = (lhs < 0 ? -lhs : lhs) + rhs;
  if (gap > size * SCREEN_MARGIN) return false;
  if (-gap > size * SCREEN_MARGIN) return true;
  return compareProducts(equityUnits, E8, levelE8, basisUnits) <= 0;
}

const SCREEN_MARGIN = 2 ** -50;

/**
 * Internal (hot path): the state of `values[0]` = E over `values[1]` = basis. Only
 * objects cross the call, so nothing is boxed even when it is not inlined.
 */
export function classifySlots(values: Float64Array, levels: ScopeLevels): MarginState {
  return classifyTrusted(values[0], values[1], levels);
}

/** Internal (hot path): takeover flag of `values[0]` = E over `values[1]` = basis. */
export function belowTakeoverSlots(values: Float64Array, levels: ScopeLevels): boolean {
  return belowTakeoverTrusted(values[0], values[1], levels);
}

/** Internal kernel: state for trusted integers (no allocation). */
export function classifyTrusted(equityUnits: number, basisUnits: number, levels: ScopeLevels): MarginState {
  if (basisUnits <= 0) return MarginState.Healthy;
  if (atOrBelow(equityUnits, levels.liquidationLevelE8, basisUnits)) return MarginState.Liquidating;
  if (atOrBelow(equityUnits, levels.marginCallLevelE8, basisUnits)) return MarginState.Called;
  return MarginState.Healthy;
}

/** Internal kernel: ML ≤ takeoverLevel (false when unset or basis 0). */
export function belowTakeoverTrusted(equityUnits: number, basisUnits: number, levels: ScopeLevels): boolean {
  return levels.takeoverLevelE8 !== null && basisUnits > 0 && atOrBelow(equityUnits, levels.takeoverLevelE8, basisUnits);
}

/** HEALTHY / CALLED / LIQUIDATING of a scope. */
export function classifyMarginLevel(equityUnits: number, basisUnits: number, levels: ScopeLevels): MarginState {
  requireUnits('equityUnits', equityUnits);
  requireBasis(basisUnits);
  return classifyTrusted(equityUnits, basisUnits, levels);
}

/** True when the scope is at or below its takeover level (straight to takeover). */
export function isAtOrBelowTakeoverLevel(equityUnits: number, basisUnits: number, levels: ScopeLevels): boolean {
  requireUnits('equityUnits', equityUnits);
  requireBasis(basisUnits);
  return belowTakeoverTrusted(equityUnits, basisUnits, levels);
}

/** floor(E × 1e8 / basis), or null when basis is 0 (no level). */
export function marginLevelE8(equityUnits: number, basisUnits: number): number | null {
  requireUnits('equityUnits', equityUnits);
  if (requireBasis(basisUnits) === 0) return null;
  return mulDivFloorWide(equityUnits, E8, basisUnits);
}

/** `E − ceil(levelE8 × basis / 1e8)`: units the scope can lose before reaching the level. */
export function distanceToLevelUnits(equityUnits: number, basisUnits: number, levelE8: number): number {
  requireUnits('equityUnits', equityUnits);
  requireBasis(basisUnits);
  const lvl = requireUnits('levelE8', levelE8);
  const q = mulDivFloorWide(lvl, basisUnits, E8);
  const threshold = wideRemainder() > 0 ? q + 1 : q;
  const distance = equityUnits - threshold;
  if (!Number.isSafeInteger(distance)) throw new DomainError('DOMAIN_OUT_OF_RANGE', `distance ${distance} is outside the safe-integer range`);
  return distance;
}

function requireBasis(basisUnits: number): number {
  const b = requireUnits('basisUnits', basisUnits);
  if (b < 0) throw new DomainError('DOMAIN_NEGATIVE', `basisUnits must be >= 0, got ${b}`);
  return b;
}
