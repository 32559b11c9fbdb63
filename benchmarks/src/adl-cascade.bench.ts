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
 * median and p99 of the tick's wall time (p99 of a handful of samples is their max).
 *
 * Prints the figures; writes benchmarks/results/adl-cascade.json.
 * `BENCH_QUICK=1` (or --quick): 2,000 accounts for the pair, 20,000 for the goal, 3 samples.
 */
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

  const goal: CascadeFigures[] = [];
  for (let i = 0; i < samples; i++) {
    const f = await runCascade(goalAccounts, EMPTY_FUND_USDT);
    goal.push(f);
    process.stdout.write(`${line(`goal sample ${i + 1}/${samples}`, f)} (load ${loadavg()[0].toFixed(1)})\n`);
  }
  const times = goal.map((f) => f.cascadeMs);
  const medianMs = median(times);
  const p99Ms = quantile(times, 0.99);
  process.stdout.write(`−15% over ${goalAccounts.toLocaleString('en-US')} accounts, empty fund: median ${medianMs.toFixed(1)} ms, p99 ${p99Ms.toFixed(1)} ms over ${samples} cascades (goal ≤ 1,000 ms)\n`);
  writeResults('adl-cascade', { pair: { kept, recomputed, oldOverKept: ratio }, goal: { accounts: goalAccounts, samples: goal, medianMs, p99Ms } });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await run();
