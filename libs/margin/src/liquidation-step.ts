/**
 * Liquidation ladder arithmetic (RISK-SPEC §8): which position goes first, how big
 * a step is, and the clearance fee of a liquidation fill. The ladder itself (orders,
 * events, cooldowns) is the liquidation engine's.
 *
 * - Priority (§8.3): in cross, the largest MMpos first; ties by market symbol.
 * - Step (§8.4): if `N ≤ partial.thresholdUnits` the whole position; otherwise
 *   `step = min(N, max(minStep, stepFraction × N))`, converted to lots at the mark,
 *   rounded down, at least 1 lot. Since `stepFraction × N / M = stepFraction × q`, the
 *   fraction branch is `floor(q × fraction)` exactly; the minimum branch is
 *   `floor(minStep / (M × lotTickUnits))`.
 * - Clearance fee (§8.5): `min(ceil(clearanceFeeRate × fillNotional), surplus)`,
 *   surplus = proceeds − BPamount(filled lots) ≥ 0; fees round up, but never past
 *   the surplus, so a liquidation fill never lowers the scope's E/MM.
 *
 * Example: 200 BTC long at 50,000 (10M notional) above a 50,000 threshold with the
 * default 20% step → 40 BTC per step; a fill of 40 BTC at 49,990 with 1.25% fee rate
 * and a 30,000 USDT surplus pays min(24,995, 30,000) = 24,995 USDT to the fund.
 */
import { DomainError } from '@perpcore/domain';
import type { MarketRiskParams } from './market-risk-params.js';
import { requirePrice, requireQtyLots, requireUnits } from './input-guards.js';
import { loadNotionalAtMark, notionalFraction } from './notional.js';
import { E8 } from './tier-table.js';
import { mulDivCeilWide, mulDivFloorWide } from './wide-arithmetic.js';

/** Lots to close in the next step of a position of `qtyLots` (signed) at the mark. */
export function liquidationStepLots(params: MarketRiskParams, qtyLots: number, markSubticks: number): number {
  const q = Math.abs(requireQtyLots('qtyLots', qtyLots));
  const mark = requirePrice('markSubticks', markSubticks);
  if (q === 0) return 0;
  const whole = loadNotionalAtMark(params, q, mark);
  const { thresholdUnits, stepFractionE8, minStepUnits } = params.partial;
  if (whole < thresholdUnits || (whole === thresholdUnits && notionalFraction() === 0)) return q;
  // fraction × N ≥ minStep  ⇔  q × fraction × M × ltu ≥ minStep × 1e8 × spt (compare on the lot count)
  const byFraction = mulDivFloorWide(q, stepFractionE8, E8);
  const unitsPerLotNumer = mark * params.lotTickUnits; // one lot's notional × spt
  if (!Number.isSafeInteger(unitsPerLotNumer)) throw new DomainError('DOMAIN_OUT_OF_RANGE', `markSubticks × lotTickUnits exceeds the safe-integer range`);
  const byMinimum = mulDivFloorWide(minStepUnits, params.markSubticksPerTick, unitsPerLotNumer);
  const fractionNotional = mulDivFloorWide(whole, stepFractionE8, E8);
  const lots = fractionNotional >= minStepUnits ? byFraction : byMinimum;
  return Math.min(q, Math.max(1, lots));
}

/** Clearance fee of a liquidation fill: min(ceil(rate × notional), surplus), never negative. */
export function clearanceFeeUnits(params: MarketRiskParams, fillNotionalUnits: number, surplusUnits: number): number {
  const notional = requireUnits('fillNotionalUnits', fillNotionalUnits);
  if (notional < 0) throw new DomainError('DOMAIN_NEGATIVE', `fillNotionalUnits must be >= 0, got ${notional}`);
  const surplus = requireUnits('surplusUnits', surplusUnits);
  const fee = mulDivCeilWide(notional, params.clearanceFeeRateE8, E8);
  return Math.max(0, Math.min(fee, surplus));
}

export interface LiquidationCandidate {
  readonly symbol: string;
  readonly maintenanceUnits: number;
}

/** Sort comparator: largest MMpos first, ties by market symbol (code-point order). */
export function compareLiquidationPriority(a: LiquidationCandidate, b: LiquidationCandidate): number {
  if (a.maintenanceUnits !== b.maintenanceUnits) return b.maintenanceUnits - a.maintenanceUnits;
  return a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;
}
