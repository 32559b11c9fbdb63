/**
 * Funding payment of one position at a funding time (RISK-SPEC §5.6):
 * `payment = Q × P_f × F`, positive when the position pays (F > 0: longs pay).
 *
 * Terms: Q signed lots, P_f the mark (or index when `fundingPrice = INDEX`) in
 * subticks at that instant, F the applied rate (E8), result settle units.
 *
 * Rounding (§0): the credit is floored, i.e. the payment rounds toward +∞: a payer
 * pays the ceiling, a receiver gets the floor. This is the same amount as settling
 * one index increment (funding-index.ts) with the EXACT index rounding.
 *
 * Numbers: `Q × P × lotTickUnits × F` can pass 2^53, so the product goes through the
 * exact kernel in two steps (units per tick first, then × P and × F).
 *
 * Example: long 1 BTC (1,000 lots, lotTickUnits 10) at mark 30,000.00
 * (300,000,000 subticks), F = 0.01%: 30,000 × 0.0001 = 3 USDT = 3,000,000 units paid;
 * the short of the same size receives 3,000,000.
 */
import { Rounding, divRoundBig, requireSafeInteger } from '@perpcore/domain';
import type { MarketRiskParams } from './market-risk-params.js';
import { requirePrice, requireQtyLots, requireSafeResult, requireUnitsPerTick } from './input-guards.js';
import { E8 } from './tier-table.js';

export function fundingPaymentUnits(params: MarketRiskParams, qtyLots: number, fundingPriceSubticks: number, rateE8: number): number {
  const q = requireQtyLots('qtyLots', qtyLots);
  const price = requirePrice('fundingPriceSubticks', fundingPriceSubticks);
  const rate = requireSafeInteger('rateE8', rateE8);
  const unitsPerTick = BigInt(requireUnitsPerTick(params, Math.abs(q))) * BigInt(Math.sign(q));
  const payment = divRoundBig(unitsPerTick * BigInt(price) * BigInt(rate), BigInt(params.markSubticksPerTick) * BigInt(E8), Rounding.Ceil);
  return requireSafeResult('fundingPaymentUnits', Number(payment));
}
