/**
 * Property tests over random trading, funding and mark moves (RISK-SPEC §9):
 * after every input, per market Σ long = Σ short, settle money is conserved to the
 * unit, funding nets to zero up to the residue kept in the funding pool, every
 * scope's stored margin state equals an exact full re-evaluation (the breach index
 * never misses a crossing), and the same input log gives the same state hash.
 * Liquidating scopes are resolved through the ledger (fund takeover, deficit cover,
 * release) so the liquidation path is exercised under the same invariants.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MarginMode } from '@perpcore/domain';
import { MarginStateCode, marginStateCode } from './margin-watch/margin-state-code.js';
import { type Action, START, action, apply, liquidate, setUp } from './random-risk-actions.test-support.js';
import type { RiskHarness } from './risk-harness.test-support.js';

function checkInvariants(h: RiskHarness, step: number): void {
  const report = h.engine.audit();
  assert.ok(report.ok, `after step ${step}: ${report.problems.join('; ')}`);
  const s = h.engine.state;
  for (let slot = 0; slot < s.accounts.count; slot++) {
    if (!s.isTrader(slot)) continue;
    const stored = s.accounts.crossState[slot];
    const exact = marginStateCode(s.evaluator.evaluateCross(slot).state);
    if (stored !== MarginStateCode.Liquidating) assert.equal(stored, exact, `after step ${step}: account ${s.accounts.ids[slot]} cross state ${stored} but exact ${exact}`);
    for (let r = s.accounts.firstRow[slot]; r >= 0; r = s.ledger.nextOfAccount[r]) {
      if (s.ledger.mode[r] !== MarginMode.Isolated || s.ledger.qtyLots[r] === 0) continue;
      const iso = marginStateCode(s.evaluator.evaluateIsolated(r).state);
      if (s.ledger.isolatedState[r] !== MarginStateCode.Liquidating) assert.equal(s.ledger.isolatedState[r], iso, `after step ${step}: isolated row ${r} state`);
    }
  }
}

function run(actions: Action[], check: boolean, markMethod: 'INDEX' | 'MEDIAN3' = 'INDEX'): RiskHarness {
  const h = setUp(markMethod);
  const index = [...START];
  actions.forEach((a, i) => {
    apply(h, a, index);
    if (check) checkInvariants(h, i);
    liquidate(h);
    if (check) checkInvariants(h, i);
  });
  return h;
}

describe('risk engine over random trading, funding and mark moves', () => {
  it('keeps open interest balanced, money conserved to the unit, funding residue in the pool, and states exact', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(fc.array(action, { minLength: 60, maxLength: 200, size: 'max' }), (actions) => {
        const h = run(actions, true);
        for (const e of h.events) seen.set(e.event, (seen.get(e.event) ?? 0) + 1);
        seen.set('takeover', (seen.get('takeover') ?? 0) + h.events.filter((e) => e.event === 'positionSettled' && e.positionSettled?.fillType === 2).length);
      }),
      { seed: 2024, numRuns: 150 },
    );
    // MEDIAN3 marks (index, book basis, last trade) under the same checks
    fc.assert(fc.property(fc.array(action, { minLength: 60, maxLength: 200, size: 'max' }), (actions) => void run(actions, true, 'MEDIAN3')), { seed: 99, numRuns: 40 });
    // the runs must have exercised what the invariants are about
    for (const kind of ['positionSettled', 'fundingSettled', 'marginCall', 'liquidationTriggered', 'marginCallCleared', 'ledgerTransfer', 'orderRejected', 'takeover']) {
      assert.ok((seen.get(kind) ?? 0) > 0, `no ${kind} in any run: ${JSON.stringify([...seen])}`);
    }
  });

  it('is deterministic: the same input log gives the same events and state hash', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 40, maxLength: 120, size: 'max' }), (actions) => {
        const a = run(actions, false, 'MEDIAN3');
        const b = run(actions, false, 'MEDIAN3');
        assert.equal(a.engine.stateHash(), b.engine.stateHash());
        assert.equal(a.events.length, b.events.length);
        assert.deepEqual(a.events.map((e) => `${e.accountId}/${e.market}/${e.seq}/${e.event}`), b.events.map((e) => `${e.accountId}/${e.market}/${e.seq}/${e.event}`));
      }),
      { seed: 7, numRuns: 20 },
    );
  });
});
