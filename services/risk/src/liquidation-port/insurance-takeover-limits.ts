/**
 * May the insurance fund take over a position at its bankruptcy price (RISK-SPEC
 * §8.7)? Judged on the fund's whole state after the takeover, exactly as the
 * settlement would leave it (`projectFundAfterTakeover`): the fund's leg is planned
 * like any fill (`FillSettlement.planLeg`), so a position the fund already holds in
 * the market is netted — its pending funding settled, the realized PnL of the part
 * that closes in the wallet, the rest at the cost basis the fill leaves — and
 * `fundDeltaUnits` (the tick difference, less the shortfall the fund will cover in
 * §8.9 when BP is below one tick) is counted as the takeover's cost. Only if, after,
 * 1. the fund's wallet is > 0, and its equity at mark is ≥ 0 (its equity now, with
 *    the market's row replaced by the row after the fill: every other position at
 *    mark as it is), and
 * 2. its net notional in the market, at mark, is ≤ `ifMaxNetNotionalE8` × that
 *    wallet (cross-multiplied, no division).
 * Returns null when it may, or the reason it may not (the ladder then goes to ADL).
 *
 * Why net: a fund short 2 lots that takes over a long of 1 ends short 1, with the
 * closed lot's profit or loss realized in its wallet; judging the new lot on its own
 * ignores that realized PnL, so the limit (a multiple of the wallet) was off by it.
 */
import { mulDivBig, Rounding } from '@perpcore/domain';
import { notionalAtMarkUnits, unrealizedPnlUnits } from '@perpcore/margin';
import type { LegPlan } from '../accounts/fill-settlement.js';
import type { RiskState } from '../risk-state.js';

/** The fund after a takeover, exactly as settlement would leave it (before any §8.9 cover). */
export interface FundAfterTakeover {
  readonly walletUnits: number;
  readonly equityUnits: number;
  /** Lots it would hold in the market (signed). */
  readonly qtyLots: number;
  readonly netNotionalUnits: number;
}

/** `fundLeg`: the fund's leg of the takeover, planned (not applied) in market m. */
export function projectFundAfterTakeover(s: RiskState, m: number, fundLeg: LegPlan, fundDeltaUnits: number): FundAfterTakeover {
  const market = s.markets[m];
  const params = market.params;
  const fundSlot = market.fundSlot;
  const mark = s.evaluator.marks[m];
  const led = s.ledger;
  const walletBefore = s.accounts.balances[0][fundSlot];
  // funding settled, realized PnL of the netted part, no fee (a takeover pays none)
  const walletUnits = fundLeg.scopeAfterUnits + fundDeltaUnits;
  const row = led.rowOf(s.accounts.firstRow[fundSlot], m);
  const pendingBefore = row < 0 ? 0 : led.pendingFundingUnits[row];
  // the evaluator counts a row with a position as UPnL − PF; the fund has no orders
  const rowBefore = fundLeg.q0 === 0 ? 0 : unrealizedPnlUnits(params, fundLeg.q0, led.costUnits[row], mark) - pendingBefore;
  const rowAfter = fundLeg.q1 === 0 ? 0 : unrealizedPnlUnits(params, fundLeg.q1, fundLeg.c1, mark) - (pendingBefore - fundLeg.fundingUnits);
  const equityNow = s.evaluator.evaluateCross(fundSlot).equityUnits;
  const equityUnits = equityNow + (walletUnits - walletBefore) - rowBefore + rowAfter;
  const netNotionalUnits = notionalAtMarkUnits(params, Math.abs(fundLeg.q1), mark);
  return { walletUnits, equityUnits, qtyLots: fundLeg.q1, netNotionalUnits };
}

export function insuranceTakeoverRefusal(s: RiskState, m: number, fundLeg: LegPlan, fundDeltaUnits: number): string | null {
  const after = projectFundAfterTakeover(s, m, fundLeg, fundDeltaUnits);
  if (after.walletUnits <= 0) return `fund wallet would be ${after.walletUnits} units`;
  if (after.equityUnits < 0) return `fund equity at mark would be ${after.equityUnits} units`;
  const limit = mulDivBig(BigInt(s.markets[m].params.ifMaxNetNotionalE8), BigInt(after.walletUnits), 100_000_000n, Rounding.Floor);
  if (BigInt(after.netNotionalUnits) > limit) return `fund net notional ${after.netNotionalUnits} units would exceed its limit ${limit}`;
  return null;
}
