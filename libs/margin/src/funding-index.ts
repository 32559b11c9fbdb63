/**
 * Cumulative funding index and lazy settlement (RISK-SPEC §5.7, §9.4).
 *
 * - Index: per market, `G` in settle units per lot scaled by `S = 1e8 ×
 *   markSubticksPerTick`. Each funding time adds the exact integer
 *   `ΔG = F_E8 × P_f(subticks) × lotTickUnits`. G grows without bound, so it is a
 *   `bigint`.
 * - Snapshot: each position keeps `G_pos` (a new position starts at `G_pos = G`).
 *   Its pending funding is `PF = ceil((G − G_pos) × Q / S)`, positive when it owes.
 * - Settlement (on every touch): move PF from the wallet (or isolated bucket) to the
 *   market's funding pool and set `G_pos ← G`.
 * - Rounding: an explicit truncation in the exchange's favour: payers pay the
 *   ceiling, receivers get the floor. The pool keeps a residue in [0, 1) unit per
 *   settlement; `pool × S + Σ_open (G − G_pos) × Q` equals that accumulated residue × S.
 * - `fundingIndexRounding = TRUNCATE_INCREMENT` (dYdX): each increment is truncated
 *   toward zero to whole units per lot (`ΔG = trunc(ΔG / S) × S`).
 *
 * Hot path: PF changes only when G does (at funding times), not on mark ticks, so the
 * risk service computes it here once per funding event and feeds the number to the
 * account evaluation.
 *
 * Example: F 0.01% at mark 30,000.00 (3e8 subticks), lotTickUnits 10 (lot 0.001 BTC):
 * ΔG = 10,000 × 300,000,000 × 10 = 3e13, S = 1e10 → 3,000 units (0.003 USDT) per lot;
 * a 1 BTC long (1,000 lots) owes PF = 3,000,000 units (3 USDT).
 */
import { Rounding, divRoundBig, requireSafeInteger } from '@perpcore/domain';
import type { MarketRiskParams } from './market-risk-params.js';
import { FundingIndexRounding } from './market-risk-params.js';
import { requirePrice, requireQtyLots, requireSafeResult } from './input-guards.js';
import { E8 } from './tier-table.js';

/** S = 1e8 × markSubticksPerTick: the index scale (index units per settle unit per lot). */
export function fundingIndexScale(params: MarketRiskParams): bigint {
  return BigInt(E8) * BigInt(params.markSubticksPerTick);
}

/** ΔG for one funding time, per the market's index rounding. */
export function fundingIndexIncrement(params: MarketRiskParams, rateE8: number, fundingPriceSubticks: number): bigint {
  const rate = BigInt(requireSafeInteger('rateE8', rateE8));
  const price = BigInt(requirePrice('fundingPriceSubticks', fundingPriceSubticks));
  const delta = rate * price * BigInt(params.lotTickUnits);
  if (params.fundingIndexRounding === FundingIndexRounding.TruncateIncrement) {
    const s = fundingIndexScale(params);
    return (delta / s) * s; // bigint division truncates toward zero
  }
  return delta;
}

/** PF = ceil((G − G_pos) × Q / S): units the position owes (negative: is owed). */
export function pendingFundingUnits(params: MarketRiskParams, qtyLots: number, indexNow: bigint, snapshot: bigint): number {
  const q = BigInt(requireQtyLots('qtyLots', qtyLots));
  return requireSafeResult('pendingFundingUnits', Number(divRoundBig((indexNow - snapshot) * q, fundingIndexScale(params), Rounding.Ceil)));
}

export interface FundingSettlement {
  /** Moved from the wallet (or bucket) to the funding pool; negative = credited. */
  readonly paidUnits: number;
  /** The position's new snapshot: G. */
  readonly snapshot: bigint;
}

/** Settles a position's pending funding at index `indexNow`. */
export function settleFunding(params: MarketRiskParams, qtyLots: number, indexNow: bigint, snapshot: bigint): FundingSettlement {
  return Object.freeze({ paidUnits: pendingFundingUnits(params, qtyLots, indexNow, snapshot), snapshot: indexNow });
}
