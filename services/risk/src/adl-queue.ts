/**
 * The auto-deleveraging queue of a market side (RISK-SPEC §8.8): every trader
 * position opposite the liquidated one, except the liquidated account itself,
 * insurance funds and fee accounts, and scopes that are being liquidated, ranked by
 * the market's `adlRanking` score descending, ties by account id.
 *
 * - PNL_X_LEVERAGE (default): `adlScorePnlTimesLeverage` with the candidate's own
 *   whole-position bankruptcy value (BV = Q × BP of its scope).
 * - LEVERAGE_PNL: `adlScoreLeveragePnl` with the candidate scope's wallet (or
 *   bucket), UPnL and MM.
 *
 * Scores are exact rationals compared by cross-multiplication. The queue is built
 * when ADL actually runs (rare), so bigint cost does not matter; the 1–5 indicator
 * uses the same ranking.
 */
import { MarginMode } from '@perpcore/domain';
import { AdlRanking, type AdlScore, type Bankruptcy, adlScoreLeveragePnl, adlScorePnlTimesLeverage, compareAdlCandidates } from '@perpcore/margin';
import { AccountKind } from './account-book.js';
import { MarginStateCode } from './margin-state-code.js';
import type { RiskState } from './risk-state.js';

export interface AdlQueueEntry {
  readonly accountId: number;
  /** Signed position of the candidate. */
  readonly qtyLots: number;
  readonly score: AdlScore;
}

/** Bankruptcy of closing `closeLots` of row r, in the row's own scope (cross: slot's; isolated: the row). */
export type RowBankruptcy = (slot: number, isolatedRow: number, r: number, closeLots: number) => Bankruptcy;

/** Candidates with positions of sign `sideSign` (+1 longs, −1 shorts) in market m, best first. */
export function adlQueue(s: RiskState, m: number, sideSign: number, excludeSlot: number, bankruptcyOfRow: RowBankruptcy): AdlQueueEntry[] {
  const led = s.ledger;
  const market = s.markets[m];
  const params = market.params;
  const out: AdlQueueEntry[] = [];
  for (const r of led.rowsOfMarket[m]) {
    const q = led.qtyLots[r];
    if (q === 0 || Math.sign(q) !== sideSign) continue;
    const slot = led.account[r];
    if (slot === excludeSlot || s.accounts.kind[slot] !== AccountKind.Trader) continue;
    const isolated = led.mode[r] === MarginMode.Isolated;
    const state = isolated ? led.isolatedState[r] : s.accounts.crossState[slot];
    if (state === MarginStateCode.Liquidating) continue;
    let score: AdlScore;
    if (params.adlRanking === AdlRanking.LeveragePnl) {
      const ev = isolated ? s.evaluator.evaluateIsolated(r) : s.evaluator.evaluateCross(slot);
      score = adlScoreLeveragePnl(params, {
        upnlUnits: ev.upnlUnits,
        walletUnits: isolated ? led.isolatedUnits[r] : s.accounts.balances[0][slot],
        maintenanceUnits: ev.maintenanceUnits,
      });
    } else {
      if (led.costUnits[r] === 0) continue;
      const bp = bankruptcyOfRow(slot, isolated ? r : -1, r, Math.abs(q));
      score = adlScorePnlTimesLeverage(params, { qtyLots: q, costUnits: led.costUnits[r], markSubticks: s.evaluator.marks[m], bankruptcyValueUnits: bp.amountUnits });
    }
    out.push({ accountId: s.accounts.ids[slot], qtyLots: q, score });
  }
  return out.sort(compareAdlCandidates);
}
