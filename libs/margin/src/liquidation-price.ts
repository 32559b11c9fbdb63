/**
 * Liquidation price and margin-call price (RISK-SPEC §4): the price X of this
 * position's market at which the scope's equity meets `λ × MM` (λ = 1 for the
 * liquidation price, the call level for the margin-call price), the scope's other
 * positions held at their marks.
 *
 * Formula (one-way; s = sign of Q, q = |Q|, C the signed cost, prices in ticks, ltu
 * the lotTickUnits, mmr and λ as fractions):
 * ```
 * LP = (W − λ·TMM₁ + UPNL₁ + λ·cum − C) / (ltu × (λ·q·mmr − Q))
 * ```
 * With λ = 1 this is the spec's `(W − TMM₁ + UPNL₁ + cum − s·q·EP) / (q·mmr − s·q)`.
 * - Cross: W = accepted collateral − Σ PF of the scope; TMM₁, UPNL₁ = MM and UPnL of
 *   the scope's other positions (as the level test computes them).
 * - Isolated: W = isolatedMargin − PF, TMM₁ = UPNL₁ = 0.
 *
 * Tier re-selection: mmr and cum come from the tier that holds the notional at the
 * answer `q × LP`. `liquidationPrice` starts at the tier at mark and re-solves until
 * the tier is stable (≤ T rounds: for a long each re-solve strictly raises LP, for
 * a short strictly lowers it, so no tier repeats). By convexity of MM the same value
 * is `max_k LP_k` (long) or `min_k LP_k` (short); `liquidationPriceOverTiers`
 * computes that form and the tests hold them equal.
 *
 * Reporting: exact rational in ticks; reported rounded long up, short down, to
 * `priceDecimals`. A long with LP ≤ 0 returns null (price alone cannot liquidate
 * it); a short with LP ≤ 0 is liquidatable at any price and is returned as is.
 * LP is informational: the trigger is the exact level test.
 *
 * Numbers: bigint (off the hot path; the product `(…) × 1e16` outgrows 2^53).
 *
 * Example (RISK-SPEC §11.2): WB 500, long 0.02 BTC at 50,000, MMR 0.40%, cum 0:
 * LP = (500 − 1,000) / (0.02 × 0.004 − 0.02) = 25,100.4016… → "25100.41" reported
 * (long rounds up; the venue shows 25,100.40).
 *
 * Alternative (`entryBasedLiquidationPrice`, Bybit's published isolated form, for
 * compatibility only): `LP = EP × (1 − s/L + s·mmr)`, mmr of the tier at entry.
 */
import { DomainError } from '@perpcore/domain';
import { type DerivedPrice, derivedPrice } from './derived-price.js';
import { type Ratio, compareRatios } from './exact-ratio.js';
import type { MarketRiskParams } from './market-risk-params.js';
import { requireLeverage, requirePrice, requireQtyLots, requireUnits } from './input-guards.js';
import { loadNotionalAtMark, notionalFraction } from './notional.js';
import { RiskErrorCode } from './risk-error-codes.js';
import { E8, tierIndexFor, tierIndexForUnits } from './tier-table.js';

export interface LiquidationPriceInput {
  /** Signed Q, ≠ 0. */
  readonly qtyLots: number;
  /** Signed cost basis C. */
  readonly costUnits: number;
  /** Current mark: the first tier tried is the one at mark. */
  readonly markSubticks: number;
  /** W: cross = accepted collateral − Σ PF of the scope; isolated = isolatedMargin − PF. */
  readonly walletUnits: number;
  /** TMM₁: MM of the scope's other positions (0 when isolated). */
  readonly otherMaintenanceUnits: number;
  /** UPNL₁: UPnL of the scope's other positions (0 when isolated). */
  readonly otherUpnlUnits: number;
}

const E16 = 10n ** 16n;

interface Solve {
  readonly params: MarketRiskParams;
  readonly q: bigint;
  readonly signedQ: bigint;
  readonly ltu: bigint;
  /** (W + UPNL₁ − C) × 1e16 */
  readonly base: bigint;
  readonly levelE8: bigint;
  readonly otherMm: bigint;
}

function prepare(params: MarketRiskParams, input: LiquidationPriceInput, levelE8: number): Solve {
  const q = requireQtyLots('qtyLots', input.qtyLots);
  if (q === 0) throw new DomainError(RiskErrorCode.InvalidArgument, 'qtyLots must not be 0 for a liquidation price');
  const cost = requireUnits('costUnits', input.costUnits);
  requirePrice('markSubticks', input.markSubticks);
  const w = requireUnits('walletUnits', input.walletUnits);
  const tmm = requireUnits('otherMaintenanceUnits', input.otherMaintenanceUnits);
  const upnl = requireUnits('otherUpnlUnits', input.otherUpnlUnits);
  if (tmm < 0) throw new DomainError('DOMAIN_NEGATIVE', `otherMaintenanceUnits must be >= 0, got ${tmm}`);
  const level = requirePrice('levelE8', levelE8);
  for (let k = 0; k < params.tiers.count; k++) {
    if (BigInt(level) * BigInt(params.tiers.mmrE8[k]) >= E16) {
      throw new DomainError(RiskErrorCode.InvalidArgument, `levelE8 ${level} × tier ${k + 1} mmr reaches 1: no price solves the equation`);
    }
  }
  return {
    params,
    q: BigInt(Math.abs(q)),
    signedQ: BigInt(q),
    ltu: BigInt(params.lotTickUnits),
    base: (BigInt(w) + BigInt(upnl) - BigInt(cost)) * E16,
    levelE8: BigInt(level),
    otherMm: BigInt(tmm),
  };
}

/** The line solution for tier k, in ticks (den > 0). */
function solveTier(s: Solve, k: number): Ratio {
  const tiers = s.params.tiers;
  const num = s.base + s.levelE8 * (BigInt(tiers.cumUnits[k]) - s.otherMm) * BigInt(E8);
  const den = s.ltu * (s.levelE8 * s.q * BigInt(tiers.mmrE8[k]) - s.signedQ * E16);
  return den < 0n ? { num: -num, den: -den } : { num, den };
}

/** Tier holding the notional q × X × ltu (X ≤ 0 → tier 0). */
function tierAt(s: Solve, x: Ratio): number {
  if (x.num <= 0n) return 0;
  const tiers = s.params.tiers;
  const notionalNum = s.q * s.ltu * x.num; // notional = notionalNum / x.den
  const last = tiers.count - 1;
  for (let k = 0; k < last; k++) if (notionalNum <= BigInt(tiers.capUnits[k]) * x.den) return k;
  return last;
}

function report(s: Solve, x: Ratio, k: number): DerivedPrice | null {
  const long = s.signedQ > 0n;
  if (long && x.num <= 0n) return null;
  return derivedPrice(s.params, x, k, long);
}

function startTier(params: MarketRiskParams, input: LiquidationPriceInput): number {
  const whole = loadNotionalAtMark(params, Math.abs(input.qtyLots), input.markSubticks);
  return tierIndexFor(params.tiers, whole, notionalFraction() > 0);
}

/** Price at which E = levelE8 × MM, by tier re-selection from the tier at mark. */
export function priceAtLevel(params: MarketRiskParams, input: LiquidationPriceInput, levelE8: number): DerivedPrice | null {
  const s = prepare(params, input, levelE8);
  let k = startTier(params, input);
  let x = solveTier(s, k);
  for (let round = 0; round < params.tiers.count; round++) {
    const next = tierAt(s, x);
    if (next === k) break;
    k = next;
    x = solveTier(s, k);
  }
  return report(s, x, k);
}

/** The same price as `max_k` (long) / `min_k` (short) of the per-tier solutions. */
export function priceAtLevelOverTiers(params: MarketRiskParams, input: LiquidationPriceInput, levelE8: number): DerivedPrice | null {
  const s = prepare(params, input, levelE8);
  const long = s.signedQ > 0n;
  let best = solveTier(s, 0);
  let bestK = 0;
  for (let k = 1; k < params.tiers.count; k++) {
    const x = solveTier(s, k);
    const c = compareRatios(x, best);
    if (long ? c > 0 : c < 0) {
      best = x;
      bestK = k;
    }
  }
  return report(s, best, bestK);
}

/** Liquidation price (E = MM), tier re-selection form. */
export function liquidationPrice(params: MarketRiskParams, input: LiquidationPriceInput): DerivedPrice | null {
  return priceAtLevel(params, input, E8);
}

/** Liquidation price (E = MM), max/min-over-tiers form. */
export function liquidationPriceOverTiers(params: MarketRiskParams, input: LiquidationPriceInput): DerivedPrice | null {
  return priceAtLevelOverTiers(params, input, E8);
}

/** Margin-call price: E = marginCallLevel × MM (TMM₁, cum and mmr scaled by the level). */
export function marginCallPrice(params: MarketRiskParams, input: LiquidationPriceInput): DerivedPrice | null {
  return priceAtLevel(params, input, params.marginCallLevelE8);
}

export interface IsolatedLiquidationPriceInput {
  readonly qtyLots: number;
  readonly costUnits: number;
  readonly markSubticks: number;
  readonly isolatedMarginUnits: number;
  readonly pendingFundingUnits: number;
}

/** Isolated liquidation price: W = isolatedMargin − PF, TMM₁ = UPNL₁ = 0. */
export function isolatedLiquidationPrice(params: MarketRiskParams, input: IsolatedLiquidationPriceInput): DerivedPrice | null {
  const bucket = requireUnits('isolatedMarginUnits', input.isolatedMarginUnits);
  const pf = requireUnits('pendingFundingUnits', input.pendingFundingUnits);
  const walletUnits = bucket - pf;
  if (!Number.isSafeInteger(walletUnits)) throw new DomainError('DOMAIN_OUT_OF_RANGE', 'isolatedMarginUnits − pendingFundingUnits exceeds the safe-integer range');
  return liquidationPrice(params, {
    qtyLots: input.qtyLots,
    costUnits: input.costUnits,
    markSubticks: input.markSubticks,
    walletUnits,
    otherMaintenanceUnits: 0,
    otherUpnlUnits: 0,
  });
}

export interface EntryBasedInput {
  readonly qtyLots: number;
  readonly costUnits: number;
  readonly leverage: number;
}

/** Bybit-compatible isolated form `EP × (1 − s/L + s·mmr)`, mmr of the tier at entry notional |C|. */
export function entryBasedLiquidationPrice(params: MarketRiskParams, input: EntryBasedInput): DerivedPrice | null {
  const q = requireQtyLots('qtyLots', input.qtyLots);
  if (q === 0) throw new DomainError(RiskErrorCode.InvalidArgument, 'qtyLots must not be 0 for a liquidation price');
  const cost = requireUnits('costUnits', input.costUnits);
  const lev = requireLeverage(params, input.leverage);
  if (Math.sign(cost) !== Math.sign(q)) throw new DomainError(RiskErrorCode.InvalidArgument, 'costUnits must have the sign of qtyLots');
  const k = tierIndexForUnits(params.tiers, Math.abs(cost));
  const s = BigInt(Math.sign(q));
  const L = BigInt(lev);
  const mmr = BigInt(params.tiers.mmrE8[k]);
  // EP = C / (Q × ltu) ticks; factor = (L·1e8 − s·1e8 + s·mmr·L) / (L·1e8)
  const num = BigInt(cost) * (L * BigInt(E8) - s * BigInt(E8) + s * mmr * L);
  const den = BigInt(q) * BigInt(params.lotTickUnits) * L * BigInt(E8);
  const x: Ratio = den < 0n ? { num: -num, den: -den } : { num, den };
  if (q > 0 && x.num <= 0n) return null;
  return derivedPrice(params, x, k, q > 0);
}
