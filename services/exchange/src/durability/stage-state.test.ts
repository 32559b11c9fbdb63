/**
 * Per-stage export / import (matching, risk, liquidation), property-tested on the
 * engine fuzz's adversarial streams: record a run's inputs, replay a random prefix
 * into a fresh pipeline, export each stage, import into a second fresh pipeline:
 * the same `stateHash()` per stage and the same export bytes; then both get the same
 * remaining inputs and must publish identical events on every output topic and keep
 * identical hashes after every input. The stages' exports are canonical: the same
 * state exports the same bytes. A stage refuses bytes of another stage or of another
 * configuration, and bytes it cannot decode, without changing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { defaultMarketSpecs, defaultVenueMarkets } from '@perpcore/markets';
import { EngineFuzzDriver, fuzzPipelineOptions } from '../fuzz-driver.test-support.js';
import { fuzzScript, type FuzzSetup } from '../fuzz-inputs.test-support.js';
import { describeFailure } from '../fuzz-tally.test-support.js';
import { createPipeline, type Pipeline } from '../pipeline.js';
import { applyInput, type LoggedInput, OutputLog, recordInputs } from './input-log.test-support.js';

/** Records a fuzz run's input log, its final hashes, and the log positions at which a liquidation ladder was in flight. */
async function recordFuzzRun(script: { setup: FuzzSetup; inputs: readonly unknown[] }): Promise<{ log: LoggedInput[]; finalHash: string; ladderCuts: number[] }> {
  let log: LoggedInput[] = [];
  let pipeline: Pipeline | undefined;
  const driver = await EngineFuzzDriver.open(script.setup, () => false, async (p) => {
    pipeline = p;
    log = await recordInputs(p);
  });
  try {
    const ladderCuts: number[] = [];
    script.inputs.every((input, i) => {
      const ok = driver.apply(input as never, i);
      if ((pipeline as Pipeline).liquidation.engine.activeCount() > 0) ladderCuts.push(log.length);
      return ok;
    });
    if (driver.failure !== null) assert.fail(describeFailure(driver.failure));
    return { log, finalHash: hashes(pipeline as Pipeline).join(' '), ladderCuts };
  } finally {
    await driver.close();
  }
}

function hashes(p: Pipeline): string[] {
  return [p.matching.engine.stateHash(), p.risk.engine.stateHash()];
}

interface StageBytes {
  matching: Uint8Array;
  risk: Uint8Array;
  liquidation: Uint8Array;
}

function exportStages(p: Pipeline): StageBytes {
  return { matching: p.matching.engine.exportState(), risk: p.risk.engine.exportState(), liquidation: p.liquidation.engine.exportState() };
}

function importStages(p: Pipeline, s: StageBytes): void {
  p.matching.engine.importState(s.matching);
  p.risk.engine.importState(s.risk);
  p.liquidation.engine.importState(s.liquidation);
}

async function cutExportImportContinue(setup: FuzzSetup, log: readonly LoggedInput[], cut: number, finalHash: string): Promise<void> {
  const a = await createPipeline(fuzzPipelineOptions(setup));
  const b = await createPipeline(fuzzPipelineOptions(setup));
  try {
    const outA = await OutputLog.attach(a);
    const outB = await OutputLog.attach(b);
    for (const input of log.slice(0, cut)) applyInput(a, input);
    outA.take();
    const exported = exportStages(a);
    importStages(b, exported);
    assert.deepEqual(hashes(b), hashes(a), `hashes after import at input ${cut}`);
    const again = exportStages(b);
    assert.deepEqual(again, exported, 'the imported stages export the same bytes');
    assert.deepEqual(outB.take(), [], 'an import publishes nothing');
    for (let i = cut; i < log.length; i++) {
      applyInput(a, log[i] as LoggedInput);
      applyInput(b, log[i] as LoggedInput);
      assert.deepEqual(outB.take(), outA.take(), `events differ at input ${i} (${log[i]?.kind}) after a cut at ${cut}`);
      assert.deepEqual(hashes(b), hashes(a), `hashes differ after input ${i}`);
    }
    assert.equal(hashes(a).join(' '), finalHash, 'the replayed log reaches the recorded run’s final state');
    assert.equal(b.liquidation.engine.activeCount(), a.liquidation.engine.activeCount());
  } finally {
    await a.close();
    await b.close();
  }
}

describe('stage state export / import (property, engine fuzz streams)', () => {
  it('a stage imported at any point continues exactly as the original', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fuzzScript(120), fc.double({ min: 0, max: 1, noNaN: true }), async (script, where) => {
        const { log, finalHash, ladderCuts } = await recordFuzzRun(script);
        // half the cuts, where there are any, while a ladder is in flight: the hardest state to carry over
        const cut = ladderCuts.length > 0 && where < 0.5 ? (ladderCuts[Math.floor(where * 2 * ladderCuts.length)] as number) : Math.floor(where * log.length);
        await cutExportImportContinue(script.setup, log, cut, finalHash);
        runs++;
      }),
      { seed: 20261211, numRuns: 25 },
    );
    // the fuzz's ladders finish within the input that triggers them (small positions, synchronous bus): cuts with
    // a ladder in flight between inputs are the embedded exchange test's (exchange-state.test.ts, after the gap)
    assert.equal(runs, 25);
  });

  it('refuses another stage’s bytes, another configuration’s and garbage, changing nothing', async () => {
    const setup: FuzzSetup = { traderDepositsUsdt: [1000, 1000, 1000, 1000, 1000, 1000], traderLeverage: [10, 10, 10, 10, 10, 10], fundSeedUsdt: 500, isolatedTraders: [false, true, false, false, false, false], markMethod: 'MEDIAN3' };
    const a = await createPipeline(fuzzPipelineOptions(setup));
    const b = await createPipeline(fuzzPipelineOptions(setup));
    const oneMarket = await createPipeline({ ...fuzzPipelineOptions(setup), venue: defaultVenueMarkets(defaultMarketSpecs.slice(0, 1)) });
    try {
      const s = exportStages(a);
      const before = hashes(b);
      assert.throws(() => b.risk.engine.importState(s.matching), /snapshot does not fit this stage/);
      assert.throws(() => b.matching.engine.importState(s.risk), /snapshot does not fit this stage/);
      assert.throws(() => b.matching.engine.importState(new Uint8Array([13, 1, 2, 3])), /state bytes/);
      assert.throws(() => oneMarket.matching.engine.importState(s.matching), /snapshot does not fit this stage/);
      assert.throws(() => oneMarket.risk.engine.importState(s.risk), /snapshot does not fit this stage/);
      assert.deepEqual(hashes(b), before);
    } finally {
      await a.close();
      await b.close();
      await oneMarket.close();
    }
  });
});
