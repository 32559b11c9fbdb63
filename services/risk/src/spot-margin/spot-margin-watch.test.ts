/**
 * The watch visits only the accounts that borrowed (spot-margin-state.ts `sortedWatchIds`);
 * these properties hold it to the rule it replaces, "every account, in id order", over
 * random command streams: the same events in the same order and the same state hash,
 * also when the engine is restored from a snapshot part way (the restored list is
 * rebuilt from the rows and margin states).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Side } from '@perpcore/domain';
import { MarginState } from '@perpcore/margin';
import type { SpotMarginEngine } from './spot-margin-engine.js';
import { SpotEventKind } from './spot-margin-events.js';
import { T0, action, actionStepNs, apply, runActions, type Action } from './spot-margin-actions.test-support.js';
import { createRecordedEngine, lots, ticks } from './spot-margin.test-support.js';

/** A levered IOC through the maker's quote (29,000 / 31,000), borrowing what it lacks. */
type Lever = { kind: 'lever'; account: number; side: Side; qty: number };
type WatchAction = Action | Lever;

const watchAction: fc.Arbitrary<WatchAction> = fc.oneof(
  { weight: 2, arbitrary: action },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('lever' as const), account: fc.constantFrom(1, 2, 3), side: fc.constantFrom(Side.Buy, Side.Sell), qty: fc.integer({ min: lots(0.5), max: lots(3) }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('price' as const), moveBp: fc.integer({ min: -1_200, max: 1_200 }) }) },
);

function applyWatchAction(engine: SpotMarginEngine, a: WatchAction, tsNs: number): void {
  if (a.kind !== 'lever') return apply(engine, a, tsNs);
  const priceTicks = a.side === Side.Buy ? ticks(31_500) : ticks(28_500);
  engine.placeOrder({ accountId: a.account, symbol: 'BTC/USDT', side: a.side, priceTicks, qtyLots: a.qty, immediateOrCancel: true, autoBorrow: true }, tsNs);
}

/** The rule before the borrower list: every account the state holds, in id order. */
function watchEveryAccount(engine: SpotMarginEngine): void {
  const watch = engine.watch;
  watch.reviewAll = (tsNs, feed, priceTicks) => {
    for (const id of engine.context.state.sortedAccountIds()) watch.review(id, tsNs, feed, priceTicks);
  };
}

describe('spot margin watch: borrowers only, as every account', () => {
  it('emits the same events and reaches the same hash as a watch over every account', (t) => {
    let stateChanges = 0;
    let liquidations = 0;
    fc.assert(
      fc.property(fc.array(watchAction, { minLength: 5, maxLength: 80 }), (actions) => {
        const listed = createRecordedEngine();
        runActions(listed, actions, applyWatchAction);
        const every = createRecordedEngine();
        watchEveryAccount(every.engine);
        runActions(every, actions, applyWatchAction);
        assert.deepEqual(listed.events, every.events);
        assert.equal(listed.engine.stateHash(), every.engine.stateHash());
        for (const e of listed.events) {
          if (e.kind !== SpotEventKind.MarginStateChanged) continue;
          stateChanges++;
          if (e.transition?.to === MarginState.Liquidating) liquidations++;
        }
      }),
      { numRuns: 150 },
    );
    // the streams reach calls and liquidations, so what the watch visits decides something
    t.diagnostic(`${stateChanges} margin state changes, ${liquidations} liquidations`);
    assert.ok(stateChanges > 50 && liquidations > 10, `${stateChanges} margin state changes, ${liquidations} liquidations over the runs`);
  });

  it('after a restore part way, continues with the same events as the uninterrupted engine', () => {
    fc.assert(
      fc.property(fc.array(watchAction, { minLength: 10, maxLength: 80 }), fc.integer({ min: 1, max: 9 }), (actions, tenths) => {
        const split = Math.floor((actions.length * tenths) / 10);
        const whole = createRecordedEngine();
        watchEveryAccount(whole.engine);
        runActions(whole, actions, applyWatchAction);

        const first = createRecordedEngine();
        runActions(first, actions.slice(0, split), applyWatchAction);
        const restored = createRecordedEngine();
        restored.engine.restoreState(first.engine.captureState());
        let ts = T0;
        for (const a of actions.slice(0, split)) ts += actionStepNs(a);
        for (const a of actions.slice(split)) {
          ts += actionStepNs(a);
          applyWatchAction(restored.engine, a, ts);
        }
        assert.deepEqual(restored.events, whole.events.slice(first.events.length));
        assert.equal(restored.engine.stateHash(), whole.engine.stateHash());
      }),
      { numRuns: 100 },
    );
  });
});
