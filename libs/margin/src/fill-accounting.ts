/**
 * Position accounting of a fill (RISK-SPEC §3.1): size, cost basis and realized PnL.
 *
 * - Opening (same direction or from flat): `Q' = Q + d·f`, `C' = C + d·f·p·ltu`.
 * - Reducing by Δ lots: `C' = floor(C × (q − Δ) / q)` and realized
 *   `PnL = s × Δ × p × ltu − (C − C')`.
 * - Flipping (f > q): close all q (C' = 0), then open `f − q` at the fill price.
 *
 * Terms: d the fill side (+1 buy, −1 sell), f the fill lots, p its price in ticks,
 * ltu lotTickUnits, s the sign of Q, C the signed cost in settle units.
 *
 * Rounding: the cost basis left after a reducing fill rounds down (toward −∞), so
 * realized PnL, and with it the wallet balance, is never overstated; the sub-unit
 * stays in the remaining cost basis. Numbers: `C × (q − Δ)` can pass 2^53, so it goes
 * through the exact kernel.
 *
 * Example: long 3 lots with C = 100 units; sell 1 lot at a price worth 40 units:
 * C' = floor(100 × 2 / 3) = 66, realized = 40 − (100 − 66) = 6 (exact share: 6.67).
 */
import { DomainError, Side } from '@perpcore/domain';
import type { MarketRiskParams } from './market-risk-params.js';
import { requirePrice, requireQtyLots, requireSafeResult, requireUnits } from './input-guards.js';
import { mulDivFloorWide } from './wide-arithmetic.js';

export interface PositionCost {
  /** Signed Q. */
  readonly qtyLots: number;
  /** Signed cost basis C. */
  readonly costUnits: number;
}

export interface Fill {
  readonly side: Side;
  readonly qtyLots: number;
  readonly priceTicks: number;
}

export interface FillOutcome extends PositionCost {
  readonly realizedPnlUnits: number;
}

/** C' = floor(C × (q − Δ) / q): the cost left after reducing |Q| = q by Δ lots. */
export function reducedCostUnits(costUnits: number, qtyLots: number, reduceLots: number): number {
  const cost = requireUnits('costUnits', costUnits);
  const q = Math.abs(requireQtyLots('qtyLots', qtyLots));
  const delta = requireQtyLots('reduceLots', reduceLots);
  if (delta < 0 || delta > q || q === 0) throw new DomainError('RISK_INVALID_ARGUMENT', `reduceLots must be within [0, ${q}] of a non-empty position, got ${delta}`);
  return mulDivFloorWide(cost, q - delta, q);
}

export function applyFill(params: MarketRiskParams, position: PositionCost, fill: Fill): FillOutcome {
  const Q = requireQtyLots('qtyLots', position.qtyLots);
  const C = requireUnits('costUnits', position.costUnits);
  if (fill.side !== Side.Buy && fill.side !== Side.Sell) throw new DomainError('RISK_INVALID_ARGUMENT', `fill.side must be +1 or -1, got ${String(fill.side)}`);
  const f = requirePrice('fill.qtyLots', fill.qtyLots);
  const p = requirePrice('fill.priceTicks', fill.priceTicks);
  const d = fill.side;
  const perLot = requireSafeResult('fill.priceTicks × lotTickUnits', p * params.lotTickUnits);
  if (Q === 0 || Math.sign(Q) === d) {
    const cost = requireSafeResult('costUnits', C + d * mulDivFloorWide(f, perLot, 1));
    return Object.freeze({ qtyLots: requireSafeResult('qtyLots', Q + d * f), costUnits: cost, realizedPnlUnits: 0 });
  }
  const q = Math.abs(Q);
  const s = Math.sign(Q);
  const delta = Math.min(f, q);
  const left = mulDivFloorWide(C, q - delta, q);
  const realized = requireSafeResult('realizedPnlUnits', s * mulDivFloorWide(delta, perLot, 1) - (C - left));
  const opened = f - delta;
  if (opened === 0) return Object.freeze({ qtyLots: Q + d * delta, costUnits: left, realizedPnlUnits: realized });
  return Object.freeze({ qtyLots: d * opened, costUnits: d * mulDivFloorWide(opened, perLot, 1), realizedPnlUnits: realized });
}
