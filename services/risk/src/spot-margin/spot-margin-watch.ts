/**
 * The three-state watch (RISK-SPEC §6 with basis = used margin): after every input,
 * each account that borrows (or was not HEALTHY) is re-evaluated (the state keeps
 * their ids, so an input costs the borrowers, not every account); a change of state
 * emits `MarginStateChanged` with the figures at that moment and the feed that moved;
 * LIQUIDATING starts the liquidation at once. Accounts are visited in id order.
 */
import { MarginState, evaluateSpotAccount } from '@perpcore/margin';
import type { SpotMarginContext } from './spot-margin-context.js';
import { SpotEventKind } from './spot-margin-events.js';
import type { SpotLiquidation } from './spot-liquidation.js';

export interface SpotWatchCounters {
  calls: number;
  liquidations: number;
}

export class SpotMarginWatch {
  readonly counters: SpotWatchCounters = { calls: 0, liquidations: 0 };

  constructor(
    private readonly c: SpotMarginContext,
    private readonly liquidation: SpotLiquidation,
  ) {}

  reviewAll(tsNs: number, feed: string, priceTicks: number): void {
    const s = this.c.state;
    const ids = s.sortedWatchIds();
    // a liquidation mid-loop only borrows for the account it runs on (already listed), so the ids taken here are every account the loop can change
    const count = ids.length;
    let pruned: number[] | null = null;
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      this.review(id, tsNs, feed, priceTicks);
      if (!s.marginStates.has(id) && !s.borrows(id)) (pruned ??= []).push(id);
    }
    if (pruned !== null) for (const id of pruned) s.forgetBorrower(id);
  }

  review(accountId: number, tsNs: number, feed: string, priceTicks: number): void {
    const s = this.c.state;
    const from = s.marginStates.get(accountId) ?? MarginState.Healthy;
    if (from === MarginState.Healthy && !s.borrows(accountId)) return;
    const to = this.transition(accountId, from, tsNs, feed, priceTicks);
    if (to !== MarginState.Liquidating) return;
    this.counters.liquidations++;
    this.liquidation.run(accountId, tsNs);
    this.transition(accountId, to, tsNs, feed, priceTicks);
  }

  private transition(accountId: number, from: MarginState, tsNs: number, feed: string, priceTicks: number): MarginState {
    const s = this.c.state;
    const h = this.c.holdings(accountId);
    if (h === null) return from; // a held asset without an index yet: nothing to decide on
    const ev = evaluateSpotAccount(this.c.config.params, h);
    const to = s.borrows(accountId) ? ev.state : MarginState.Healthy;
    if (to === from) return to;
    if (to === MarginState.Healthy) s.marginStates.delete(accountId);
    else s.marginStates.set(accountId, to);
    if (to === MarginState.Called) this.counters.calls++;
    const { levels } = this.c.config.params;
    this.c.emit(SpotEventKind.MarginStateChanged, tsNs, accountId, '', 0, to, [], [], [], {
      from,
      to,
      equityUnits: ev.equityUnits,
      usedMarginUnits: ev.usedMarginUnits,
      levelE8: ev.levelE8,
      marginCallLevelE8: levels.marginCallLevelE8,
      liquidationLevelE8: levels.liquidationLevelE8,
      triggerFeed: feed,
      triggerPriceTicks: priceTicks,
    });
    return to;
  }
}
