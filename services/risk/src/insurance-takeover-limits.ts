/**
 * May the insurance fund take over a position at its bankruptcy price (RISK-SPEC
 * §8.7)? Only if, after the takeover,
 * 1. the fund's equity at mark is ≥ 0 (its wallet plus the tick difference it
 *    receives, plus the UPnL of everything it holds, the new position included,
 *    valued at mark against a cost of Q × BP), and
 * 2. its net notional in the market, at mark, is ≤ `ifMaxNetNotionalE8` × its
 *    wallet balance (cross-multiplied, no division).
 * Returns null when it may, or the reason it may not (the ladder then goes to ADL).
 */
import { mulDivBig, Rounding } from '@perpcore/domain';
import { type Bankruptcy, notionalAtMarkUnits, notionalAtTicksUnits, unrealizedPnlUnits } from '@perpcore/margin';
import type { RiskState } from './risk-state.js';

export function insuranceTakeoverRefusal(s: RiskState, m: number, qtyLots: number, bankruptcy: Bankruptcy, tickDifferenceUnits: number): string | null {
  const market = s.markets[m];
  const params = market.params;
  const fundSlot = market.fundSlot;
  const mark = s.evaluator.marks[m];
  if (bankruptcy.limitPriceTicks < 1) return `bankruptcy price ${bankruptcy.limitPriceTicks} ticks cannot be a fill price`;
  const fundWallet = s.accounts.balances[0][fundSlot] + tickDifferenceUnits;
  if (fundWallet <= 0) return `fund wallet would be ${fundWallet} units`;
  const before = s.evaluator.evaluateCross(fundSlot);
  const newCost = (qtyLots > 0 ? 1 : -1) * notionalAtTicksUnits(params, Math.abs(qtyLots), bankruptcy.limitPriceTicks);
  const newUpnl = unrealizedPnlUnits(params, qtyLots, newCost, mark);
  const equityAfter = before.equityUnits + tickDifferenceUnits + newUpnl;
  if (equityAfter < 0) return `fund equity at mark would be ${equityAfter} units`;
  const row = s.ledger.rowOf(s.accounts.firstRow[fundSlot], m);
  const held = row < 0 ? 0 : s.ledger.qtyLots[row];
  const netLots = Math.abs(held + qtyLots);
  const netNotional = BigInt(notionalAtMarkUnits(params, netLots, mark));
  const limit = mulDivBig(BigInt(params.ifMaxNetNotionalE8), BigInt(fundWallet), 100_000_000n, Rounding.Floor);
  if (netNotional > limit) return `fund net notional ${netNotional} units would exceed its limit ${limit}`;
  return null;
}
