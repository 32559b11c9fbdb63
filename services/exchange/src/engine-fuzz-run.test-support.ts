/**
 * One engine fuzz run as a function, shared by the CI property (`engine-fuzz.test.ts`)
 * and the long-run script (`scripts/fuzz-engine.mjs`): open the pipeline with the
 * run's setup, apply the inputs in order until a check fails, close. Returns the
 * run's tally and its failure (null: every check held after every input and event).
 */
import { EngineFuzzDriver } from './fuzz-driver.test-support.js';
import type { FuzzInput, FuzzSetup } from './fuzz-inputs.test-support.js';
import type { FuzzFailure, FuzzTally } from './fuzz-tally.test-support.js';

export interface FuzzRunResult {
  readonly tally: FuzzTally;
  readonly failure: FuzzFailure | null;
}

/** `tolerate`: failures tallied without ending the run (local digging only; see `EngineFuzzDriver.open`). */
export async function runEngineFuzz(script: { setup: FuzzSetup; inputs: readonly FuzzInput[] }, tolerate: (failure: FuzzFailure) => boolean = () => false): Promise<FuzzRunResult> {
  const driver = await EngineFuzzDriver.open(script.setup, tolerate);
  try {
    script.inputs.every((input, i) => driver.apply(input, i));
  } finally {
    await driver.close();
  }
  return { tally: driver.tally, failure: driver.failure };
}
