/**
 * Prices of a liquidation step's IOC, and the surplus of each of its fills (moved
 * here from services/liquidation so the stress query's projected ladder prices its
 * IOCs with the same code as the live ladder).
 *
 * Limit: the step's bankruptcy price rounded against the account (long sells at a
 * limit rounded up, short buys rounded down; `libs/margin/bankruptcy`), tightened —
 * never loosened — to the market's price band around the mark, so one liquidation
 * cannot sweep a thin book far from the mark. A fill at or better than the limit is
 * therefore never worse than BP. The limit is never below the book's minimum price
 * (1 tick): a short whose BP is below one tick bids 1 tick, and a fill there is the
 * minimum-price close of RISK-SPEC §8 (its shortfall stays as the scope's deficit).
 *
 * Surplus of a fill (RISK-SPEC §8.5): `proceeds − BPamount(filled lots)`, where the
 * filled lots' BPamount is the step's exact BPamount pro rata. It is floored (it is
 * what the account keeps; the clearance fee may take up to all of it).
 *
 * Example: a long steps 10 lots with exact BPamount 2,990,000.4 units; 4 lots fill
 * at 7,500 ticks with 100 units per lot-tick: proceeds 3,000,000, BPpart
 * 1,196,000.16 → surplus floor(1,803,999.84) = 1,803,999.
 */
import { Rounding, Side, divRoundBig, type MarketSpec } from '@perpcore/domain';
import type { Bankruptcy } from './bankruptcy-price.js';
import type { MarketRiskParams } from './market-risk-params.js';

const E8 = 100_000_000n;

export function bandedLimitTicks(spec: MarketSpec, params: MarketRiskParams, side: Side, bankruptcyLimitTicks: number, markSubticks: number): number {
  const spt = BigInt(params.markSubticksPerTick);
  const band = BigInt(spec.priceBandE8);
  const mark = BigInt(markSubticks);
  if (side === Side.Sell) {
    const floorTicks = Number(divRoundBig(mark * (E8 - band), spt * E8, Rounding.Ceil));
    return Math.max(bankruptcyLimitTicks, floorTicks, 1);
  }
  const ceilTicks = Number(divRoundBig(mark * (E8 + band), spt * E8, Rounding.Floor));
  return Math.max(1, Math.min(bankruptcyLimitTicks, ceilTicks));
}

export function surplusUnits(
  bankruptcy: Bankruptcy,
  stepLots: number,
  fillLots: number,
  priceTicks: number,
  lotTickUnits: number,
  closingLong: boolean,
): number {
  const value = BigInt(fillLots) * BigInt(priceTicks) * BigInt(lotTickUnits);
  const proceeds = closingLong ? value : -value;
  const { num, den } = bankruptcy.exactAmount;
  const scale = den * BigInt(stepLots);
  return Number(divRoundBig(proceeds * scale - num * BigInt(fillLots), scale, Rounding.Floor));
}
