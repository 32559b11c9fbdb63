/**
 * Backstop liquidators (issue 13.3; risk/v1 backstop-liquidator.proto): trader
 * accounts the operator has signed up to take over a liquidated position at its
 * bankruptcy price when the book could not absorb it, before the insurance fund
 * (RISK-SPEC §8.7). Hyperliquid's liquidator vault is the model: the backstop
 * receives the position and, with it, the margin the position still had (mark −
 * BP per lot), which is its reward for warehousing the risk; the fund gets the
 * tick difference, as on its own takeover. The mechanism is the DeFi one of
 * issue 13.3 (external liquidators take the bad position, first valid one
 * wins), run inside the stage so that it stays deterministic.
 *
 * Who is asked, in which order: the accounts with terms, in the order they were
 * enabled (a change of terms keeps the place; disabling gives it up). Each may
 * take the whole remaining position only if, judged exactly on its cross scope
 * as the settlement would leave it (`evaluateCrossWithLeg`: its wallet after the
 * leg's funding and realized PnL, the market's row at the new size and cost, its
 * open orders' IM at the new size):
 * 1. it is a trader account, not the liquidated one, its kill switch is off and
 *    its cross scope is HEALTHY;
 * 2. the market is in its terms and its row there is cross;
 * 3. |position after| × mark, rounded up, is within its `maxPositionNotionalUnits`;
 * 4. the leverage tier that holds the position after (and its orders' opening
 *    notional) allows the row's leverage (`checkLeverageForOrders`);
 * 5. its available margin `E − Σ IM` after is ≥ 0, the test a taker's order
 *    passes in pre-trade: the takeover never leaves a backstop under-margined.
 * The first that passes takes the position; the ones before it are reported with
 * the reason they could not (`BackstopTakeoverV1.declined`, or
 * `InsuranceTakeoverV1.backstop_declined` when none could).
 */
import { DomainError } from '@perpcore/domain';
import { checkLeverageForOrders, notionalAtMarkCeilUnits } from '@perpcore/margin';
import type { LegPlan } from '../accounts/fill-settlement.js';
import { MarginStateCode, marginStateName } from '../margin-watch/margin-state-code.js';
import type { RiskState } from '../risk-state.js';

/** One backstop's terms (RiskState.backstopLiquidators: account id → terms, in priority order). */
export interface BackstopTerms {
  /** Symbols as the command gave them, sorted; empty = every market. */
  readonly markets: readonly string[];
  /** Market indexes of `markets`; null = every market. */
  readonly marketIndexes: readonly number[] | null;
  readonly maxPositionNotionalUnits: number;
}

export interface BackstopDecline {
  readonly accountId: number;
  readonly reason: string;
}

/**
 * Null when the account in `slot` may take the planned `leg` (its side of the
 * takeover in market m, not applied), else why it may not. Reads only.
 */
export function backstopRefusal(s: RiskState, slot: number, terms: BackstopTerms, leg: LegPlan): string | null {
  const m = leg.m;
  const market = s.markets[m];
  const accountId = s.accounts.ids[slot];
  if (!s.isTrader(slot)) return 'a system account';
  if (s.killSwitched.has(accountId)) return 'its kill switch is engaged';
  if (terms.marketIndexes !== null && !terms.marketIndexes.includes(m)) return `${market.symbol} is not in its terms`;
  if (s.accounts.crossState[slot] !== MarginStateCode.Healthy) return `its cross scope is ${marginStateName(s.accounts.crossState[slot])}`;
  const led = s.ledger;
  const r = led.rowOf(s.accounts.firstRow[slot], m);
  if (r >= 0 && led.isIsolated(r)) return `it holds ${market.symbol} isolated`;
  const mark = s.evaluator.marks[m];
  const notional = notionalAtMarkCeilUnits(market.params, leg.q1, mark);
  if (notional > terms.maxPositionNotionalUnits) return `position notional ${notional} units would exceed its cap ${terms.maxPositionNotionalUnits}`;
  const pendingAfter = (r < 0 ? 0 : led.pendingFundingUnits[r]) - leg.fundingUnits;
  const ev = s.evaluator;
  const res = ev.evaluateCrossWithLeg(slot, m, leg.q1, leg.c1, pendingAfter, leg.scopeAfterUnits, market.defaultLeverage);
  try {
    checkLeverageForOrders(market.params, { qtyLots: leg.q1, markSubticks: mark, openingNotionalUnits: ev.openingNotionalOfLeg }, ev.leverageOfLeg);
  } catch (error) {
    if (error instanceof DomainError) return error.message;
    throw error;
  }
  const available = res.equityUnits - ev.initialUnits;
  if (available < 0) return `available margin would be ${available} units (equity ${res.equityUnits}, initial margin ${ev.initialUnits})`;
  return null;
}
