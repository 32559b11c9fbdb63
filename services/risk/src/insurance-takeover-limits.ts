/**
 * May the insurance fund take over a position at its bankruptcy price (RISK-SPEC
 * §8.7)? The position fills at `fillPriceTicks` = max(BP, 1 tick); `fundDeltaUnits`
 * is what the close moves to the fund: the tick difference, less the shortfall the
 * fund will cover in §8.9 when BP is below one tick (so a takeover is judged on its
 * whole cost). Only if, after the takeover,
 * 1. the fund's wallet plus `fundDeltaUnits` is > 0, and its equity at mark is ≥ 0
 *    (that wallet plus the UPnL of everything it holds, the new position included,
 *    valued at mark against a cost of Q × fill price), and
 * 2. its net notional in the market, at mark, is ≤ `ifMaxNetNotionalE8` × that
 *    wallet (cross-multiplied, no division).
 * Returns null when it may, or the reason it may not (the ladder then goes to ADL).
 */
import { mulDivBig, Rounding } from '@perpcore/domain';
import { notionalAtMarkUnits, notionalAtTicksUnits, unrealizedPnlUnits } from '@perpcore/margin';
import type { RiskState } from './risk-state.js';

export function insuranceTakeoverRefusal(s: RiskState, m: number, qtyLots: number, fillPriceTicks: number, fundDeltaUnits: number): string | null {
  const market = s.markets[m];
  const params = market.params;
  const fundSlot = market.fundSlot;
  const mark = s.evaluator.marks[m];
  const fundWallet = s.accounts.balances[0][fundSlot] + fundDeltaUnits;
  if (fundWallet <= 0) return `fund wallet would be ${fundWallet} units`;
  const before = s.evaluator.evaluateCross(fundSlot);
  const newCost = (qtyLots > 0 ? 1 : -1) * notionalAtTicksUnits(params, Math.abs(qtyLots), fillPriceTicks);
  const newUpnl = unrealizedPnlUnits(params, qtyLots, newCost, mark);
  const equityAfter = before.equityUnits + fundDeltaUnits + newUpnl;
  if (equityAfter < 0) return `fund equity at mark would be ${equityAfter} units`;
  const row = s.ledger.rowOf(s.accounts.firstRow[fundSlot], m);
  const held = row < 0 ? 0 : s.ledger.qtyLots[row];
  const netLots = Math.abs(held + qtyLots);
  const netNotional = BigInt(notionalAtMarkUnits(params, netLots, mark));
  const limit = mulDivBig(BigInt(params.ifMaxNetNotionalE8), BigInt(fundWallet), 100_000_000n, Rounding.Floor);
  if (netNotional > limit) return `fund net notional ${netNotional} units would exceed its limit ${limit}`;
  return null;
}
