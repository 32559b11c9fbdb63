/**
 * The breach-index screen of the stress query skips nothing that matters:
 * - `forEachCrossed` visits exactly the live entries `popCrossed` would pop, and pops nothing;
 * - on random books (some scopes already CALLED by an earlier move), every scope whose
 *   state the shock changes, or that is not HEALTHY after it, is among the scopes the
 *   screen selects: a brute-force evaluation of every account on the same view agrees.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BreachIndex, TriggerDirection } from '../margin-watch/breach-index.js';
import { AccountKind } from '../accounts/account-book.js';
import { btcSubticks } from '../risk-harness.test-support.js';
import { book, trader } from './stress-books.test-support.js';
import { validateStressRequest } from './stress-request.js';
import { evaluateStressScope, selectStressScopes } from './stress-scopes.js';
import { StressView } from './stress-view.js';

describe('stress screen', () => {
  it('forEachCrossed = the live entries popCrossed pops, without popping', () => {
    const entry = fc.record({ trigger: fc.integer({ min: 1, max: 1_000 }), up: fc.boolean(), ref: fc.integer({ min: 0, max: 40 }) });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 200 }), fc.integer({ min: 0, max: 1_001 }), fc.integer({ min: 0, max: 3 }), (entries, price, staleEvery) => {
        const versions = new Map<number, number>();
        const live = (_d: number, ref: number, version: number) => (versions.get(ref) ?? 0) === version;
        const index = new BreachIndex(1, live);
        entries.forEach((e, i) => index.push(0, e.up ? TriggerDirection.Up : TriggerDirection.Down, e.trigger, e.ref, staleEvery > 0 && i % (staleEvery + 1) === 0 ? 1 : 0));
        const seen: string[] = [];
        index.forEachCrossed(0, price, (ref, direction, trigger) => seen.push(`${ref}/${direction}/${trigger}`));
        const sizes = [index.size(0, TriggerDirection.Down), index.size(0, TriggerDirection.Up)];
        assert.deepEqual(sizes, [entries.filter((e) => !e.up).length, entries.filter((e) => e.up).length], 'nothing popped');
        const popped: string[] = [];
        index.popCrossed(0, price, (ref, direction) => popped.push(`${ref}/${direction}`));
        assert.deepEqual(seen.map((s) => s.split('/').slice(0, 2).join('/')).sort(), popped.sort());
      }),
      { seed: 151, numRuns: 300 },
    );
  });

  it('every scope the shock moves is selected (brute force over every account agrees)', () => {
    let skipped = 0;
    let moved = 0;
    fc.assert(
      fc.property(fc.array(trader, { minLength: 2, maxLength: 9 }), fc.integer({ min: -600, max: 600 }), fc.integer({ min: -2_500, max: 2_500 }), (traders, preBps, shockBps) => {
        const { h } = book(traders, 10_000);
        // an earlier move leaves some scopes CALLED (or liquidating) before the stress
        h.index('BTCUSDT', Math.round((btcSubticks('30000') * (10_000 + preBps)) / 10_000));
        const s = h.engine.state;
        const view = new StressView(s, validateStressRequest(s, { shocks: [{ market: 'BTCUSDT', shockBps }] }));
        const selected = new Set(selectStressScopes(view).keys);
        for (let slot = 0; slot < s.accounts.ids.length; slot++) {
          if (s.accounts.kind[slot] !== AccountKind.Trader) continue;
          const scope = evaluateStressScope(view, slot);
          if (!selected.has(slot)) skipped++;
          if (scope.stateAfter !== scope.stateBefore) moved++;
          if (scope.stateAfter !== scope.stateBefore || scope.stateAfter !== 'HEALTHY') assert.ok(selected.has(slot), `account ${scope.accountId}: ${scope.stateBefore} → ${scope.stateAfter} was skipped`);
        }
      }),
      { seed: 152, numRuns: 80 },
    );
    // the screen did skip accounts, and the shocks did move some: the check compared something
    assert.ok(skipped > 50 && moved > 20, `skipped ${skipped}, moved ${moved}`);
  });
});
