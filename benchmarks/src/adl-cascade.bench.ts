/**
 * Mass ADL at crash speed: a −15% index gap over a crowd of 15–20× leveraged
 * accounts with an empty insurance fund, so every breached position the book does
 * not absorb is deleveraged against the opposite side, all within the one oracle
 * tick (the cascade of liquidation-cascade.bench.ts, fund 0).
 *
 * Two runs of the same cascade at the size the old path can still do (10,000
 * accounts): the kept ranking (adl-rankings.ts) and the per-run full recomputation
 * (`fullRecomputationAdl`, the path before it), in the same process, for the ratio.
 * Then the goal's size, 100,000 accounts, with the kept ranking: `BENCH_ADL_SAMPLES`
 * cascades (default 5, each from a fresh exchange: a cascade consumes its state),
 * median and p99 of the tick's wall time and of the process CPU time it took (p99 of
 * a handful of samples is their max), with the 1-minute load average at each sample:
 * the machine is shared, and wall time above CPU time is time the tick waited for a core.
 *
 * `BENCH_ADL_BEFORE=<path>`: another run's adl-cascade.json (of an earlier commit, on the
 * same machine, just before this one) is embedded as `before`, with the ratios.
 *
 * Prints the figures; writes benchmarks/results/adl-cascade.json.
 * `BENCH_QUICK=1` (or --quick): 2,000 accounts for the pair, 20,000 for the goal, 3 samples.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { type CascadeFigures, runCascade } from './liquidation-cascade.bench.js';
import { isQuick, writeResults } from './support/results-file.js';
import { median } from './support/latency-stats.js';

const EMPTY_FUND_USDT = 0;

function line(label: string, f: CascadeFigures): string {
  return (
    `${label}: ${f.accounts.toLocaleString('en-US')} accounts, ${f.breached.toLocaleString('en-US')} breached, ${f.deleveragedLegs.toLocaleString('en-US')} ADL legs, ` +
    `${f.takeovers} takeovers, ${f.closed.toLocaleString('en-US')} closed; mark tick → all closed ${f.cascadeMs.toFixed(1)} ms wall, ${f.cascadeCpuMs.toFixed(1)} ms CPU; conservation ${f.conservationOk ? 'ok' : 'BROKEN'}`
  );
}

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

export async function run(): Promise<void> {
  const quick = isQuick() || process.argv.includes('--quick');
  const pairAccounts = quick ? 2_000 : 10_000;
  const goalAccounts = quick ? 20_000 : 100_000;
  const samples = Number(process.env.BENCH_ADL_SAMPLES ?? (quick ? 3 : 5));

  const kept = await runCascade(pairAccounts, EMPTY_FUND_USDT);
  process.stdout.write(`${line('kept ranking', kept)}\n`);
  const recomputed = await runCascade(pairAccounts, EMPTY_FUND_USDT, { fullRecomputationAdl: true });
  process.stdout.write(`${line('full recomputation per run (old path)', recomputed)}\n`);
  const ratio = recomputed.cascadeMs / kept.cascadeMs;
  process.stdout.write(`  same cascade, same run: old path / kept ranking = ${ratio.toFixed(1)}×\n`);

  const goal: (CascadeFigures & { loadAverage1m: number })[] = [];
  for (let i = 0; i < samples; i++) {
    const f = await runCascade(goalAccounts, EMPTY_FUND_USDT);
    const load = Number(loadavg()[0].toFixed(2));
    goal.push({ ...f, loadAverage1m: load });
    process.stdout.write(`${line(`goal sample ${i + 1}/${samples}`, f)} (load ${load.toFixed(1)})\n`);
  }
  const summary = goalSummary(goal);
  process.stdout.write(
    `−15% over ${goalAccounts.toLocaleString('en-US')} accounts, empty fund, ${samples} cascades (goal ≤ 1,000 ms): ` +
      `wall median ${summary.medianMs.toFixed(1)} ms, p99 ${summary.p99Ms.toFixed(1)} ms; CPU median ${summary.medianCpuMs.toFixed(1)} ms, p99 ${summary.p99CpuMs.toFixed(1)} ms; ` +
      `load ${summary.loadAverage1m.min.toFixed(1)}–${summary.loadAverage1m.max.toFixed(1)}\n`,
  );
  const before = beforeRun(goalAccounts);
  if (before !== undefined) {
    process.stdout.write(
      `  before (${before.path}): wall median ${before.medianMs.toFixed(1)} ms, CPU median ${before.medianCpuMs.toFixed(1)} ms → ` +
        `${(before.medianMs / summary.medianMs).toFixed(2)}× wall, ${(before.medianCpuMs / summary.medianCpuMs).toFixed(2)}× CPU\n`,
    );
  }
  writeResults('adl-cascade', {
    pair: { kept, recomputed, oldOverKept: ratio },
    goal: { accounts: goalAccounts, samples: goal, ...summary },
    ...(before === undefined ? {} : { before, beforeOverAfter: { wallMedian: before.medianMs / summary.medianMs, cpuMedian: before.medianCpuMs / summary.medianCpuMs } }),
  });
}

interface GoalSummary {
  medianMs: number;
  p99Ms: number;
  medianCpuMs: number;
  p99CpuMs: number;
  loadAverage1m: { min: number; max: number };
}

function goalSummary(goal: readonly (CascadeFigures & { loadAverage1m: number })[]): GoalSummary {
  const wall = goal.map((f) => f.cascadeMs);
  const cpu = goal.map((f) => f.cascadeCpuMs);
  const load = goal.map((f) => f.loadAverage1m);
  return { medianMs: median(wall), p99Ms: quantile(wall, 0.99), medianCpuMs: median(cpu), p99CpuMs: quantile(cpu, 0.99), loadAverage1m: { min: Math.min(...load), max: Math.max(...load) } };
}

/** The goal figures of `BENCH_ADL_BEFORE`'s run, recomputed from its samples (it may predate the CPU summary). */
function beforeRun(goalAccounts: number): (GoalSummary & { path: string; samples: number }) | undefined {
  const path = process.env.BENCH_ADL_BEFORE;
  if (path === undefined || path === '') return undefined;
  const file = JSON.parse(readFileSync(path, 'utf8')) as { figures?: { goal?: { accounts?: number; samples?: (CascadeFigures & { loadAverage1m?: number })[] } } };
  const samples = file.figures?.goal?.samples;
  if (samples === undefined || samples.length === 0) throw new Error(`BENCH_ADL_BEFORE ${path}: no goal samples`);
  if (file.figures?.goal?.accounts !== goalAccounts) throw new Error(`BENCH_ADL_BEFORE ${path}: ${file.figures?.goal?.accounts} accounts, this run ${goalAccounts}`);
  return { path, samples: samples.length, ...goalSummary(samples.map((f) => ({ ...f, loadAverage1m: f.loadAverage1m ?? Number.NaN }))) };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await run();
