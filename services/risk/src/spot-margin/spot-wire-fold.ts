/**
 * A consumer's fold of the spot stage's published events (RiskEventV1 members
 * spot*, decoded from the bus) into a spot ledger: every such event carries what
 * it changed as after-values with the stage's sequence `spotSeq`, and each row
 * (account × asset, venue asset, interest index, an account's margin state, a
 * base asset's index price) takes the values of the highest spotSeq that named it.
 *
 * Why last-writer-by-spotSeq rather than arrival order: the events travel on two
 * topics and many partitions (a fill on both accounts' streams), and a consumer
 * reads partitions in no fixed interleaving; the spotSeq makes the fold's result
 * the same for every interleaving, and a redelivery a no-op.
 *
 * `ledgerHash()` compares with the engine's (SpotMarginEngine.ledgerHash).
 */
import { MarginState } from '@perpcore/margin';
import { type RiskEventV1, perpcore } from '@perpcore/proto';
import { captureSpotLedger, hashOf } from './spot-margin-snapshot.js';
import { SpotMarginState, setVenueFigures } from './spot-margin-state.js';

import W = perpcore.risk.v1;

/** The RiskEventV1 members the spot stage publishes, each carrying `after`. */
export const SPOT_WIRE_MEMBERS = [
  'spotDeposited',
  'spotWithdrawn',
  'spotPoolFunded',
  'spotBorrowed',
  'spotRepaid',
  'spotInterestSettled',
  'spotOrderPlaced',
  'spotOrderCanceled',
  'spotFilled',
  'spotMarginStateChanged',
  'spotLiquidationFeeCharged',
  'spotBadDebtCovered',
  'spotInterestIndex',
  'spotIndexPriceSet',
  'spotRejected',
] as const;
export type SpotWireMember = (typeof SPOT_WIRE_MEMBERS)[number];
const MEMBERS: ReadonlySet<string> = new Set(SPOT_WIRE_MEMBERS);

const STATE_FROM_WIRE: ReadonlyMap<number, MarginState> = new Map([
  [W.SpotMarginStateV1.SPOT_MARGIN_STATE_HEALTHY, MarginState.Healthy],
  [W.SpotMarginStateV1.SPOT_MARGIN_STATE_CALLED, MarginState.Called],
  [W.SpotMarginStateV1.SPOT_MARGIN_STATE_LIQUIDATING, MarginState.Liquidating],
]);

/** The after-values of a spot event; undefined for any other event (or a spot one without them). */
export function spotAfterOf(e: RiskEventV1): W.ISpotLedgerAfterV1 | undefined {
  if (!MEMBERS.has(e.event)) return undefined;
  return (e as unknown as Record<string, { after?: W.ISpotLedgerAfterV1 | null } | undefined>)[e.event]?.after ?? undefined;
}

export interface SpotWireFold {
  readonly state: SpotMarginState;
  /** Applies `e`; false when it is not a spot event. Throws on a spot event without its after-values. */
  apply(e: RiskEventV1): boolean;
  ledgerHash(): string;
}

export function createSpotWireFold(assets: readonly string[]): SpotWireFold {
  const state = new SpotMarginState(assets);
  for (const a of assets) state.indices.set(a, { index: 10n ** 18n, lastAccrualNs: 0, hourlyRateE8: 0 });
  const lastSeq = new Map<string, number>();
  /** True (and `key` claimed) when `spotSeq` is newer than the last write of `key`. */
  const newer = (key: string, spotSeq: number): boolean => {
    if ((lastSeq.get(key) ?? 0) >= spotSeq) return false;
    lastSeq.set(key, spotSeq);
    return true;
  };
  return {
    state,
    apply(e: RiskEventV1): boolean {
      if (!MEMBERS.has(e.event)) return false;
      const after = spotAfterOf(e);
      if (after === undefined || !(Number(after.spotSeq) > 0)) throw new RangeError(`spot event ${e.event} (source ${e.source}, seq ${e.seq}) carries no after-values`);
      const spotSeq = Number(after.spotSeq);
      for (const r of after.rows ?? []) {
        if (!newer(`row:${r.accountId}:${r.asset}`, spotSeq)) continue;
        Object.assign(state.row(Number(r.accountId), String(r.asset)), {
          balanceUnits: Number(r.balanceUnits),
          heldUnits: Number(r.heldUnits),
          principalUnits: Number(r.principalUnits),
          snapshot: BigInt(String(r.snapshotIndexE18)),
          entryUnits: Number(r.entryUnits),
        });
      }
      for (const v of after.venue ?? []) {
        if (!newer(`venue:${v.asset}`, spotSeq)) continue;
        const totals = [v.depositedUnits, v.withdrawnUnits, v.poolFundedUnits, v.borrowedUnits, v.repaidUnits, v.interestUnits, v.liquidationFeeUnits, v.fundCoveredUnits, v.writtenOffUnits];
        setVenueFigures(state.venueOf(String(v.asset)), Number(v.poolUnits), Number(v.fundUnits), totals.map((t) => String(t)));
      }
      for (const ix of after.indices ?? []) {
        if (!newer(`index:${ix.asset}`, spotSeq)) continue;
        const target = state.indices.get(String(ix.asset));
        if (target === undefined) throw new RangeError(`spot event ${e.event}: interest index of unknown asset ${String(ix.asset)}`);
        target.index = BigInt(String(ix.indexE18));
        target.lastAccrualNs = Number(ix.lastAccrualNs);
      }
      if (e.event === 'spotMarginStateChanged' && newer(`state:${e.accountId}`, spotSeq)) {
        const to = STATE_FROM_WIRE.get(e.spotMarginStateChanged!.to ?? 0);
        if (to === undefined) throw new RangeError(`spot margin state ${String(e.spotMarginStateChanged!.to)} is not a state`);
        if (to === MarginState.Healthy) state.marginStates.delete(e.accountId);
        else state.marginStates.set(e.accountId, to);
      }
      if (e.event === 'spotIndexPriceSet') {
        const x = e.spotIndexPriceSet!;
        if (newer(`price:${x.baseAsset}`, spotSeq)) state.indexTicks.set(String(x.baseAsset), Number(x.priceTicks));
      }
      return true;
    },
    ledgerHash: () => hashOf(captureSpotLedger(state)),
  };
}
