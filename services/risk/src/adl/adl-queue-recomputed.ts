/**
 * The ADL queue of a market side ranked from scratch (the path every ADL run took
 * before adl-rankings.ts kept the queues ranked): every opposite trader position
 * scored at this moment and sorted, O(holders log holders) per call. Kept as the
 * reference the incremental ranking is held equal to (adl-rankings.test.ts) and as
 * the benchmark's old path (`AdlRankings.fullRecomputation`).
 */
import { compareAdlCandidates } from '@perpcore/margin';
import type { AdlQueueEntry } from './adl-queue.js';
import { type RowBankruptcy, rankableScore } from './adl-rankings.js';
import type { RiskState } from '../risk-state.js';

/** Candidates with positions of sign `sideSign` (+1 longs, −1 shorts) in market m, best first. */
export function adlQueueRecomputed(s: RiskState, m: number, sideSign: number, excludeSlot: number, bankruptcyOfRow: RowBankruptcy): AdlQueueEntry[] {
  const led = s.ledger;
  const out: AdlQueueEntry[] = [];
  for (const r of led.rowsOfMarket[m]) {
    if (led.account[r] === excludeSlot) continue;
    const score = rankableScore(s, r, sideSign, bankruptcyOfRow);
    if (score !== null) out.push({ accountId: s.accounts.ids[led.account[r]], qtyLots: led.qtyLots[r], score });
  }
  return out.sort(compareAdlCandidates);
}
