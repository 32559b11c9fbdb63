/**
 * Every fill settled exactly once per side: during a replay, counts the trades
 * matching produced (per market, by trade seq) and the legs risk settled for
 * each. A fill lost (no legs), applied twice (more than two legs) or a trade seq
 * gap shows up in `problems`.
 */
import { Topics } from '@perpcore/bus';
import type { Pipeline } from '../pipeline.js';

export class FillAccounting {
  /** Per market: legs settled per trade seq (index = trade seq). */
  private readonly legs = new Map<string, number[]>();
  /** Per market: the last trade seq matching produced. */
  private readonly trades = new Map<string, number>();
  private readonly gaps: string[] = [];
  fills = 0;

  async attach(pipeline: Pipeline): Promise<void> {
    const options = { groupId: 'fill-accounting', fromBeginning: true };
    await pipeline.bus.subscribe(Topics.matchingEvents, options, ({ value }) => {
      if (value.event !== 'filled' || value.filled == null) return;
      this.fills++;
      const last = this.trades.get(value.market) ?? 0;
      this.trades.set(value.market, Math.max(last, value.filled.tradeSeq));
      if (value.filled.tradeSeq !== last + 1) this.gaps.push(`${value.market}: trade seq ${value.filled.tradeSeq} after ${last}`);
    });
    await pipeline.bus.subscribe(Topics.riskAccountEvents, options, ({ value }) => {
      if (value.event !== 'positionSettled' || value.positionSettled == null) return;
      const s = value.positionSettled;
      let row = this.legs.get(s.market);
      if (row === undefined) this.legs.set(s.market, (row = []));
      row[s.tradeSeq] = (row[s.tradeSeq] ?? 0) + 1;
    });
  }

  /** What is wrong (empty when every trade has exactly two settled legs). */
  problems(): string[] {
    const out = [...this.gaps];
    for (const [market, lastTrade] of this.trades) {
      const row = this.legs.get(market) ?? [];
      for (let t = 1; t <= lastTrade; t++) {
        const n = row[t] ?? 0;
        if (n !== 2) out.push(`${market} trade ${t}: ${n} legs settled (want 2)`);
        if (out.length > 20) return out;
      }
      if (row.length > lastTrade + 1) out.push(`${market}: legs settled for trade ${row.length - 1}, which matching never produced`);
    }
    return out;
  }
}
