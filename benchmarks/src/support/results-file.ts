/** Writes a suite's figures to `benchmarks/results/<suite>.json`, with the machine they came from. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'results');

export function writeResults(suite: string, figures: unknown): string {
  mkdirSync(resultsDir, { recursive: true });
  const path = join(resultsDir, `${suite}.json`);
  const body = {
    suite,
    quick: process.env.BENCH_QUICK === '1',
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    /** The machine is shared: its 1-minute load average when the suite finished (2 = both cores busy). */
    loadAverage1m: Number(loadavg()[0].toFixed(2)),
    figures,
  };
  writeFileSync(path, `${JSON.stringify(body, null, 2)}\n`);
  return path;
}

export const isQuick = (): boolean => process.env.BENCH_QUICK === '1';
