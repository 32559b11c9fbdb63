/**
 * Engine fuzz (issue 9), CI size: adversarial command streams through the whole
 * embedded pipeline (fuzz-inputs.test-support.ts draws them, the driver checks them):
 * after every event the audit holds to the unit and long = short per market; after
 * every input no exception escaped a stage, no stage halted, every refused input left
 * the risk state hash unchanged, redeliveries and late envelopes changed nothing, and
 * the model's refusals and index rules held. Seeded, a fixed number of runs; the long
 * run is `npm run fuzz -- --runs N --seed S`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { runEngineFuzz } from './engine-fuzz-run.test-support.js';
import { fuzzScript } from './fuzz-inputs.test-support.js';
import { FuzzTally, describeFailure } from './fuzz-tally.test-support.js';

const SEED = 20261203;
const RUNS = 120;
const MAX_INPUTS = 150;

describe('engine fuzz: adversarial streams through the embedded pipeline (property)', () => {
  it('holds every invariant after every input and every event', async () => {
    const total = new FuzzTally();
    await fc.assert(
      fc.asyncProperty(fuzzScript(MAX_INPUTS), async (script) => {
        const { tally, failure } = await runEngineFuzz(script);
        total.merge(tally);
        if (failure !== null) assert.fail(describeFailure(failure));
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // not vacuous: the streams were applied and refused in every family, and trading and liquidation happened
    const kinds = total.byKind;
    for (const kind of ['deposit', 'withdraw', 'place', 'amend', 'cancel', 'index', 'replay']) {
      const t = kinds.get(kind);
      assert.ok(t !== undefined && t.applied + t.refused + t.dropped > 0, `${kind} never exercised: ${total.summary()}`);
    }
    assert.ok((kinds.get('place')?.refused ?? 0) > 0 && (kinds.get('deposit')?.refused ?? 0) > 0, total.summary());
    assert.ok(total.invariantChecks > total.inputs, total.summary());
    const a = total.activity;
    assert.ok(a.fills > 0 && a.liquidations > 0 && a.takeovers + a.deleveragedLegs > 0, total.summary());
  });
});
