#!/usr/bin/env node
/**
 * The engine fuzz, long: `npm run fuzz -- --runs N --seed S [--max-inputs M] [--shrink] [--skip "item 1,item 3"]`.
 *
 * Runs the same driver and checks as the CI property (services/exchange
 * engine-fuzz.test.ts) for as many runs as asked, with a progress line on stderr and a
 * final summary: inputs applied / refused / dropped / halted per kind, invariant checks
 * made, and every failure grouped by its likely issue-9 item with its first input.
 *
 * Modes
 * - default: every run goes to the end (a failing run stops at its first failure and
 *   is tallied), so one long run counts every kind of failure it meets;
 * - `--shrink`: fast-check stops at the first failure not skipped and shrinks it to a
 *   minimal counterexample, printed with fast-check's replay path;
 * - `--skip`: failures of these classes (as `classifyFailure` names them) are tallied
 *   but neither end their run nor fail it, to dig past known defects while they are
 *   being fixed; never used by the CI suite;
 * - `--only REGEX`: likewise for every failure whose description does not match (to
 *   shrink one particular failure).
 *
 * Exit code: 0 when no failure was found (skipped ones aside), 1 otherwise.
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { runEngineFuzz } from '../services/exchange/dist/engine-fuzz-run.test-support.js';
import { fuzzScript } from '../services/exchange/dist/fuzz-inputs.test-support.js';
import { FuzzTally, classifyFailure, describeFailure, fuzzJson } from '../services/exchange/dist/fuzz-tally.test-support.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
    'max-inputs': { type: 'string', default: '200' },
    shrink: { type: 'boolean', default: false },
    skip: { type: 'string', default: '' },
    only: { type: 'string' },
    path: { type: 'string' },
  },
});

const positive = (name, text) => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) {
    process.stderr.write(`--${name} must be a positive integer, got ${JSON.stringify(text)}\n`);
    process.exit(2);
  }
  return n;
};
const runs = positive('runs', values.runs);
const seed = Number(values.seed);
if (!Number.isSafeInteger(seed)) {
  process.stderr.write(`--seed must be an integer, got ${JSON.stringify(values.seed)}\n`);
  process.exit(2);
}
const maxInputs = positive('max-inputs', values['max-inputs']);
const skip = new Set(values.skip.split(',').map((s) => s.trim()).filter((s) => s !== ''));
const only = values.only === undefined ? null : new RegExp(values.only);
/** A failure skipped (by class) or outside `--only` is tallied and the run goes on. */
const tolerated = (failure) => skip.has(classifyFailure(failure)) || (only !== null && !only.test(describeFailure(failure)));

const total = new FuzzTally();
const started = Date.now();
let done = 0;
let lastLine = 0;
/** In --shrink mode, once the first failure is thrown the runs that follow are fast-check's shrink attempts: not counted. */
let shrinking = false;
const progress = (force = false) => {
  const now = Date.now();
  if (!force && now - lastLine < 1_000) return;
  lastLine = now;
  const failed = [...total.failures.values()].reduce((n, f) => n + f.count, 0);
  process.stderr.write(`\rfuzz: run ${done}/${runs} · inputs ${total.inputs} · failures ${failed} · ${((now - started) / 1000).toFixed(0)} s   `);
};

const property = fc.asyncProperty(fuzzScript(maxInputs), async (script) => {
  const { tally, failure } = await runEngineFuzz(script, tolerated);
  if (!shrinking) {
    done++;
    total.merge(tally);
    progress();
  }
  if (failure === null) return true;
  if (values.shrink) {
    shrinking = true;
    throw new Error(describeFailure(failure));
  }
  return true;
});

const details = await fc.check(property, { seed, numRuns: runs, endOnFailure: false, ...(values.path === undefined ? {} : { path: values.path }) });
progress(true);
const elapsedS = (Date.now() - started) / 1000;
process.stdout.write(`\nengine fuzz · seed ${seed} · runs ${runs} · max inputs ${maxInputs} · ${elapsedS.toFixed(1)} s\n${total.summary()}\n`);
if (details.failed) {
  process.stdout.write(`\nshrunk counterexample (replay: --seed ${seed} --path ${details.counterexamplePath} --shrink):\n${fuzzJson(details.counterexample)}\n${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}\n`);
}
const unskipped = [...total.failures.values()].filter((f) => !tolerated(f.first));
process.exit(details.failed || unskipped.length > 0 ? 1 : 0);
