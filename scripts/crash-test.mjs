#!/usr/bin/env node
// `npm run crash-test -- [--kills 100] [--seed 42] [--kill-seed 1] [--rate-per-s 2000] [--fsync batch] [--tear-max-bytes 0] [--keep]`:
// SIGKILLs the embedded exchange (npm start --data-dir) at seeded random moments, restarts it, and
// checks every recovered state against the uninterrupted run at the same journal position
// (services/exchange/src/durability/crash-harness.ts). Ends with `kills N, recovered N, hash mismatches M`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@perpcore/observability';
import { scriptFlags } from './script-flags.mjs';
import { runCrashTest } from '../services/exchange/dist/durability/crash-harness.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const { flag, int } = scriptFlags('crash-test', args);
const dataDir = mkdtempSync(join(tmpdir(), 'perpcore-crash-'));
const startedMs = performance.now();
const result = await runCrashTest({
  mainScript: join(root, 'services', 'gateway', 'dist', 'main.js'),
  dataDir,
  kills: int('kills', 100),
  seed: int('seed', 42),
  killSeed: int('kill-seed', 1),
  ratePerS: int('rate-per-s', 2000),
  minLifeMs: int('min-life-ms', 100),
  maxLifeMs: int('max-life-ms', 700),
  fsync: flag('fsync', 'batch'),
  tearMaxBytes: int('tear-max-bytes', 0),
  snapshotEvery: int('snapshot-every', 0),
  logger: createLogger('crash-test', 'warn'),
  onLine: (line) => process.stderr.write(`crash-test: ${line}\n`),
});
for (const m of result.mismatches) process.stdout.write(`MISMATCH ${m}\n`);
for (const p of result.fillProblems) process.stdout.write(`FILL PROBLEM ${p}\n`);
process.stdout.write(
  `journal ${args.includes('--keep') ? dataDir : '(removed)'}: ${result.finalSeq.toLocaleString('en-US')} inputs, ${result.fills.toLocaleString('en-US')} fills each settled once per side: ${result.fillProblems.length === 0 ? 'yes' : 'NO'}; torn tails cut ${result.tornTailsCut}; restarts from a snapshot ${result.snapshotRestores}; ${((performance.now() - startedMs) / 1000).toFixed(0)} s\n`,
);
process.stdout.write(`kills ${result.kills}, recovered ${result.recovered}, hash mismatches ${result.mismatches.length}\n`);
if (!args.includes('--keep')) rmSync(dataDir, { recursive: true, force: true });
process.exit(result.mismatches.length === 0 && result.fillProblems.length === 0 && result.recovered === result.kills ? 0 : 1);
