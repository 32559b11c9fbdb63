/**
 * Folds the spot-margin event stream into a ledger state: every event carries its
 * changed rows, venue rows and indices as after-values, margin-state transitions and
 * index prices say where they moved. A fold of the whole stream equals the engine's
 * ledger (captureSpotLedger), which the tests check after random sequences: no
 * state change escapes the events.
 */
import { MarginState } from '@perpcore/margin';
import { SpotEventKind, type SpotMarginEvent } from './spot-margin-events.js';
import { SpotMarginState, setVenueFigures } from './spot-margin-state.js';

export function createSpotFold(assets: readonly string[]): { readonly state: SpotMarginState; apply(e: SpotMarginEvent): void } {
  const state = new SpotMarginState(assets);
  for (const a of assets) state.indices.set(a, { index: 10n ** 18n, lastAccrualNs: 0, hourlyRateE8: 0 });
  return {
    state,
    apply(e: SpotMarginEvent): void {
      for (const r of e.rows) {
        Object.assign(state.row(r.accountId, r.asset), {
          balanceUnits: r.balanceUnits,
          heldUnits: r.heldUnits,
          principalUnits: r.principalUnits,
          snapshot: BigInt(r.snapshot),
          entryUnits: r.entryUnits,
        });
      }
      for (const v of e.venue) setVenueFigures(state.venueOf(v.asset), v.poolUnits, v.fundUnits, v.totals);
      for (const ix of e.indices) {
        const target = state.indices.get(ix.asset)!;
        target.index = BigInt(ix.index);
        target.lastAccrualNs = ix.lastAccrualNs;
      }
      if (e.transition !== undefined) {
        if (e.transition.to === MarginState.Healthy) state.marginStates.delete(e.accountId);
        else state.marginStates.set(e.accountId, e.transition.to);
      }
      if (e.kind === SpotEventKind.IndexPriceSet) state.indexTicks.set(e.asset, e.amountUnits);
    },
  };
}
