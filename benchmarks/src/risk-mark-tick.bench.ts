/**
 * A mark-price tick over 100k and 1M accounts: time per tick and how many accounts
 * it touched (re-evaluated exactly), for small and big moves.
 *
 * Set-up (untimed): N accounts in one market, paired long / short through real fills
 * (`RiskEngine.onFill`, so every account is settled, evaluated and indexed in the
 * breach heaps the way trading leaves it). Each account's deposit sets its margin
 * level: equity / notional uniform in [0.6%, 20.6%], so the distance to the margin
 * call (1.25 × MM at 0.4% MMR) spreads from ~0.1% to ~20% of the price.
 *
 * Timed: one `IndexPriceV1` per tick through `RiskEngine.handleOracleEvent` (index →
 * schedules → mark (MEDIAN3) → MarkPriceV1 → breach heaps → exact re-evaluation of
 * the popped accounts → transition events → fresh triggers).
 * - small moves: a random walk of ±0.01%..0.05% per tick (100 ticks);
 * - big moves: ±2% and ±5% jumps.
 * Reported per series: median / p99 / max time per tick (µs), and accounts touched
 * per tick (median and max, absolute and as a share of N).
 *
 * Run: `node --expose-gc --max-old-space-size=8192 benchmarks/dist/risk-mark-tick.bench.js`
 * (`BENCH_QUICK=1`: 10k and 100k accounts).
 */
import { pathToFileURL } from 'node:url';
import { createAssetSpec } from '@perpcore/domain';
import { SCHEMA_MAJOR_V1, type AccountCommandV1 } from '@perpcore/proto';
import { btcBenchRisk, btcBenchSpec, btcIndexEvent } from './support/btc-bench-market.js';
import { RiskEngine } from '@perpcore/risk';
import { median } from './support/latency-stats.js';
import { isQuick, writeResults } from './support/results-file.js';
import { SeededRandom } from '@perpcore/simulation';

const gc = (globalThis as { gc?: () => void }).gc;
const USDT = 1_000_000;
const u = (n: number) => n * USDT;
const T0 = 1_700_000_000_000_000_000;
const PRICE_TICKS = 300_000; // 30,000.0 at tick 0.1
const LOTS = 100; // 0.1 BTC per account: 3,000 USDT notional

const spec = btcBenchSpec;
const risk = btcBenchRisk();
const SPT = risk.markSubticksPerTick;

interface Series {
  readonly name: string;
  readonly ticks: number;
  readonly tickUs: { median: number; p99: number; max: number };
  readonly touched: { median: number; max: number; medianShare: number; maxShare: number };
  readonly popped: { median: number; max: number };
}

export function build(accounts: number, seed: number): RiskEngine {
  const engine = new RiskEngine({
    config: {
      source: 'risk-0',
      settleAsset: createAssetSpec('USDT', 6),
      markets: [{ spec, risk, makerFeeRateE8: 0, takerFeeRateE8: 0 }],
      feeAccountId: 4_000_000_001,
      insuranceFunds: [{ fundId: 'shared', accountId: 4_000_000_002 }],
    },
    ports: { publish: () => {}, toMatching: () => {} },
  });
  engine.handleOracleEvent(indexEvent(1, PRICE_TICKS * SPT, T0));
  const rng = new SeededRandom(seed);
  const notional = LOTS * PRICE_TICKS * spec.lotTickUnits;
  const deposit: AccountCommandV1 = { schemaMajor: SCHEMA_MAJOR_V1, accountId: 0, seq: 1, tsNs: T0, source: 'bench', commandId: 0, command: 'deposit', deposit: { asset: 'USDT', amountUnits: 0 } } as AccountCommandV1;
  for (let id = 1; id <= accounts; id++) {
    deposit.accountId = id;
    deposit.commandId = id;
    (deposit.deposit as { amountUnits: number }).amountUnits = Math.round(notional * (0.006 + 0.2 * rng.nextFloat()));
    engine.handleAccountCommand(deposit);
  }
  for (let id = 1; id < accounts; id += 2) {
    // id buys from id + 1: a long and a short
    engine.onFill(0, id, id + 1, 0, id, 0, 1, PRICE_TICKS, LOTS, 0, 0, 1, T0 + id);
  }
  return engine;
}

let oracleSeq = 1;
export const indexEvent = btcIndexEvent;

function series(engine: RiskEngine, accounts: number, name: string, moves: number[], start: { price: number; ts: number }): Series {
  const times: number[] = [];
  const touched: number[] = [];
  const popped: number[] = [];
  for (const moveE8 of moves) {
    start.price = Math.round(start.price * (1 + moveE8 / 1e8));
    start.ts += 1_000_000_000;
    const event = indexEvent(++oracleSeq, start.price, start.ts);
    const t0 = process.hrtime.bigint();
    engine.handleOracleEvent(event);
    times.push(Number(process.hrtime.bigint() - t0) / 1_000);
    touched.push(engine.prices.touchedLastTick);
    popped.push(engine.watch.entriesPoppedLastMove);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const p99 = sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))];
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    name,
    ticks: moves.length,
    tickUs: { median: r(median(times)), p99: r(p99), max: r(sorted[sorted.length - 1]) },
    touched: { median: median(touched), max: Math.max(...touched), medianShare: median(touched) / accounts, maxShare: Math.max(...touched) / accounts },
    popped: { median: median(popped), max: Math.max(...popped) },
  };
}

function report(accounts: number, s: Series): void {
  const pct = (x: number) => `${(x * 100).toFixed(3)}%`;
  process.stdout.write(
    `  ${s.name.padEnd(28)} ${String(s.ticks).padStart(4)} ticks  time/tick median ${s.tickUs.median} µs, p99 ${s.tickUs.p99} µs, max ${s.tickUs.max} µs;  touched median ${s.touched.median} (${pct(s.touched.medianShare)}), max ${s.touched.max} (${pct(s.touched.maxShare)}) of ${accounts}\n`,
  );
}

async function runFor(accounts: number, seed: number) {
  const t0 = performance.now();
  const engine = build(accounts, seed);
  gc?.();
  const setupS = (performance.now() - t0) / 1000;
  process.stdout.write(`${accounts} accounts (set-up ${setupS.toFixed(1)} s, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB)\n`);
  const rng = new SeededRandom(seed + 1);
  const at = { price: PRICE_TICKS * SPT, ts: T0 + 10_000_000_000 };
  const small = Array.from({ length: 200 }, () => (rng.nextFloat() < 0.5 ? -1 : 1) * (10_000 + Math.floor(rng.nextFloat() * 40_000)));
  const results = [
    series(engine, accounts, 'small moves (0.01–0.05%)', small, at),
    series(engine, accounts, 'big moves (±2%)', [-2_000_000, 2_000_000, -2_000_000, 2_000_000], at),
    series(engine, accounts, 'big moves (±5%)', [-5_000_000, 5_000_000], at),
  ];
  for (const s of results) report(accounts, s);
  return { accounts, setupSeconds: Math.round(setupS * 10) / 10, series: results };
}

export async function run(): Promise<void> {
  const quick = isQuick();
  process.stdout.write(`\n== risk mark tick${quick ? ' (quick)' : ''} ==\n`);
  const sizes = quick ? [10_000, 100_000] : [100_000, 1_000_000];
  const figures = [];
  for (const n of sizes) {
    figures.push(await runFor(n, 7));
    gc?.();
  }
  process.stdout.write(`results: ${writeResults('risk-mark-tick', figures)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();
