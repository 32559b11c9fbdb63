#!/usr/bin/env node
// `npm run cluster-crash-test -- [--kills 20] [--seed 42] [--kill-seed 1] [--accounts 40] [--commands-per-kill 400]
//   [--rate-per-s 400] [--min-life-ms 300] [--max-life-ms 1500] [--snapshot-interval-ms 500] [--levered 4] [--keep]`:
// the cluster's matching and risk processes on a throw-away broker (or PERPCORE_KAFKA_BROKERS when its
// topics are still empty), SIGKILLed at seeded random moments while a seeded command log goes out, each
// restarted over its snapshot directory; then the checks of services/exchange/src/cluster-crash/cluster-crash-harness.ts.
// `--levered N` (0: none) low-margin longs opened at command 100 and liquidated by a 7% index drop at 30% of the
// commands (crash-command-log.ts), so the liquidation ladder runs across the kills after it.
// Ends with `kills N, recovered N, hash mismatches M`; exit 0 only if every check held.
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { USDT_UNITS_PER_USDT } from '@perpcore/markets';
import { createLogger } from '@perpcore/observability';
import { scriptFlags } from './script-flags.mjs';
import { runClusterCrashTest } from '../services/exchange/dist/cluster-crash/cluster-crash-harness.js';
import { freshBroker } from '../services/exchange/dist/cluster-crash/fresh-broker.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const { flag, int } = scriptFlags('cluster-crash-test', args);
const kills = int('kills', 20, 1);
const options = {
  kills,
  seed: int('seed', 42),
  killSeed: int('kill-seed', 1),
  accounts: int('accounts', 40, 2),
  commands: kills * int('commands-per-kill', 400, 1),
  ratePerS: int('rate-per-s', 400, 1),
  minLifeMs: int('min-life-ms', 300),
  maxLifeMs: int('max-life-ms', 1_500),
  snapshotIntervalMs: int('snapshot-interval-ms', 500, 10),
};
const levered = int('levered', 4);
if (levered > 0 && options.commands > 200) {
  options.levered = { accounts: levered, depositUnits: 1_000 * USDT_UNITS_PER_USDT, lots: 600, opensAtCommand: 100, shockAtCommand: Math.floor(options.commands * 0.3), shockPermille: 70 };
}
if (options.maxLifeMs < options.minLifeMs) {
  process.stderr.write('cluster-crash-test: --max-life-ms must be ≥ --min-life-ms\n');
  process.exit(2);
}
const load = [];
const sampler = setInterval(() => load.push(loadavg()[0]), 5_000);
const broker = await freshBroker(root, (process.env.PERPCORE_KAFKA_BROKERS ?? '').split(',').filter((b) => b !== ''));
let result;
try {
  result = await runClusterCrashTest({
    root,
    brokers: broker.brokers,
    ...options,
    logger: createLogger('cluster-crash-test', 'warn'),
    keepDirs: args.includes('--keep'),
    onLine: (line) => process.stderr.write(`cluster-crash-test: ${line}\n`),
  });
} finally {
  clearInterval(sampler);
  await broker.stop();
}
for (const m of result.hashMismatches) process.stdout.write(`MISMATCH ${m}\n`);
for (const p of result.problems) process.stdout.write(`PROBLEM ${p}\n`);
const oi = Object.entries(result.openInterestLots).map(([m, o]) => `${m} ${o.longLots}/${o.shortLots}`).join(', ');
const loads = load.length === 0 ? loadavg()[0].toFixed(1) : `${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)}`;
process.stdout.write(
  `${result.commandsSent.toLocaleString('en-US')} commands; ${result.liquidationsTriggered} liquidations triggered, ${result.marginCalls} margin calls; ${result.fills.toLocaleString('en-US')} fills, ${result.settledLegs.toLocaleString('en-US')} legs settled (each fill once per side: ${result.problems.some((p) => p.includes('leg')) ? 'NO' : 'yes'}); long/short lots ${oi}; ` +
    `inputs applied: risk ${result.applied.risk.toLocaleString('en-US')}, matching ${result.applied.matching.toLocaleString('en-US')}; kills: risk ${result.killsByStage.risk}, matching ${result.killsByStage.matching}; ` +
    `restarts from a snapshot ${result.restartsFromSnapshot}, inputs replayed in logged order ${result.orderedReplayInputs.toLocaleString('en-US')}, outputs republished ${result.republishedOutputs.toLocaleString('en-US')} (all identical: ${result.problems.some((p) => p.includes('again, different')) ? 'NO' : 'yes'}); ` +
    `final hashes risk ${result.hashes.risk}, matching ${result.hashes.matching}; reconciliation ${result.problems.length === 0 ? 'ok' : 'FAILED'}; ${result.seconds.toFixed(0)} s, load average ${loads}${args.includes('--keep') ? `; snapshot dirs ${result.dirs.risk} ${result.dirs.matching}` : ''}\n`,
);
process.stdout.write(`kills ${result.kills}, recovered ${result.recovered}, hash mismatches ${result.hashMismatches.length}\n`);
process.exit(result.hashMismatches.length === 0 && result.problems.length === 0 && result.recovered === result.kills ? 0 : 1);
