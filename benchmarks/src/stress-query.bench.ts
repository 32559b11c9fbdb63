/**
 * The what-if stress query (`RiskEngine.stress`) over 1M accounts: a −20% shock on
 * BTCUSDT answered on a copy-on-write view of the live state. Goal: ≤ 1 s.
 *
 * Set-up (untimed): N accounts in one market, paired long / short through real
 * fills (`RiskEngine.onFill`: settled, evaluated and indexed in the breach heaps as
 * trading leaves them), 0.1 BTC each at 30,000. A realistic mix by equity /
 * notional: 90% far from liquidation (uniform in [30%, 100%]: a −20% move cannot
 * call them), 10% leveraged (uniform in [0.6%, 30%]: about two thirds of those
 * longs are liquidated by −20%, some called). The fund is large enough to take
 * every position over (the ADL path's cost is issue 15.3's queue). A resting bid
 * ladder of 1,000 levels (0.1 BTC each, every 10.0 from 29,990 down to 20,000) is
 * the book depth the projected ladder walks (the levels above the liquidation
 * limits fill, the rest goes to the fund).
 *
 * Timed: `engine.stress({ shocks: [{ market: 'BTCUSDT', shockBps: -2000 }] })`,
 * repeated (the query is read-only, so every run sees the same state). Reported:
 * median and p99 (µs) and the accounts evaluated vs skipped by the breach-index
 * screen, scopes called / liquidating, the book lots taken, the fund's projected
 * loss. The live `stateHash()` is checked unchanged after the runs.
 *
 * A second series with an empty fund and no book (10k accounts, 3 runs): every liquidated
 * position goes to ADL. The query ranks each side once at the stressed marks with the
 * view's own kept ranking (stress-view.ts) and rescores only the accounts its legs
 * change; its peer in the same run is the same query with the ranking recomputed
 * from scratch at every ADL run (`AdlRankings.fullRecomputation`, which the view
 * follows: O(holders log holders) per run), whose report must be equal.
 *
 * Run: `node --expose-gc --max-old-space-size=8192 benchmarks/dist/stress-query.bench.js`
 * (`BENCH_QUICK=1`: 100k accounts).
 */
import { pathToFileURL } from 'node:url';
import { createAssetSpec, Side } from '@perpcore/domain';
import { SCHEMA_MAJOR_V1, type AccountCommandV1 } from '@perpcore/proto';
import { btcBenchRisk, btcBenchSpec, btcIndexEvent } from './support/btc-bench-market.js';
import { type BookTop, RiskEngine, type StressReport } from '@perpcore/risk';
import { SeededRandom } from '@perpcore/simulation';
import { median } from './support/latency-stats.js';
import { isQuick, writeResults } from './support/results-file.js';

const gc = (globalThis as { gc?: () => void }).gc;
const USDT = 1_000_000;
const u = (n: number) => n * USDT;
const T0 = 1_700_000_000_000_000_000;
const PRICE_TICKS = 300_000; // 30,000.0 at tick 0.1
const LOTS = 100; // 0.1 BTC per account: 3,000 USDT notional
const RUNS = 15;
/** Untimed runs first: the optimizing compiler has seen the query before it is timed. */
const WARMUP = 3;

const spec = btcBenchSpec;
// the fund may hold 1,000× its wallet: it takes every position over
const risk = btcBenchRisk({ ifMaxNetNotionalE8: 100_000_000_000 });
const SPT = risk.markSubticksPerTick;

/** 1,000 bid levels of 0.1 BTC, every 10.0 (100 ticks) below 30,000.0 down to 20,000.0; no asks. */
const bidLadder: BookTop = {
  bestBidTicks: () => PRICE_TICKS - 100,
  bestAskTicks: () => 0,
  forEachLevel(side, maxLevels, visit) {
    if (side !== Side.Buy) return;
    for (let i = 1; i <= Math.min(1_000, maxLevels); i++) visit(PRICE_TICKS - 100 * i, 100);
  },
};

function build(accounts: number, seed: number, fundSeedUnits: number, depth: BookTop | undefined): RiskEngine {
  const engine = new RiskEngine({
    config: {
      source: 'risk-0',
      settleAsset: createAssetSpec('USDT', 6),
      markets: [{ spec, risk, makerFeeRateE8: 0, takerFeeRateE8: 0 }],
      feeAccountId: 4_000_000_001,
      insuranceFunds: [{ fundId: 'shared', accountId: 4_000_000_002, seedUnits: fundSeedUnits }],
    },
    ports: { publish: () => {}, toMatching: () => {} },
    bookTop: () => depth,
  });
  engine.handleOracleEvent(btcIndexEvent(1, PRICE_TICKS * SPT, T0));
  const rng = new SeededRandom(seed);
  const notional = LOTS * PRICE_TICKS * spec.lotTickUnits;
  const deposit = { schemaMajor: SCHEMA_MAJOR_V1, accountId: 0, seq: 1, tsNs: T0, source: 'bench', commandId: 0, command: 'deposit', deposit: { asset: 'USDT', amountUnits: 0 } } as AccountCommandV1;
  for (let id = 1; id <= accounts; id++) {
    deposit.accountId = id;
    deposit.commandId = id;
    const leveraged = rng.nextFloat() < 0.1;
    const ratio = leveraged ? 0.006 + 0.294 * rng.nextFloat() : 0.3 + 0.7 * rng.nextFloat();
    (deposit.deposit as { amountUnits: number }).amountUnits = Math.round(notional * ratio);
    engine.handleAccountCommand(deposit);
  }
  for (let id = 1; id < accounts; id += 2) engine.onFill(0, id, id + 1, 0, id, 0, 1, PRICE_TICKS, LOTS, 0, 0, 1, T0 + id);
  return engine;
}

/** Median and p99 (µs) of `runs` timed queries after the warm-up; the last report. */
function timeQueries(engine: RiskEngine, request: Parameters<RiskEngine['stress']>[0], runs: number): { times: number[]; report: StressReport } {
  const times: number[] = [];
  let report: StressReport | null = null;
  for (let i = 0; i < Math.min(WARMUP, runs); i++) engine.stress(request);
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    report = engine.stress(request);
    times.push(Number(process.hrtime.bigint() - start) / 1_000);
  }
  return { times, report: report as StressReport };
}

const ms = (us: number) => Math.round(us / 100) / 10;

async function runFor(accounts: number, fundSeedUnits = u(1_000_000_000), runs = RUNS, depth: BookTop | null = bidLadder, withRecomputedPeer = false) {
  const t0 = performance.now();
  const engine = build(accounts, 15, fundSeedUnits, depth ?? undefined);
  gc?.();
  const setupS = (performance.now() - t0) / 1000;
  process.stdout.write(`${accounts} accounts (set-up ${setupS.toFixed(1)} s, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB)\n`);
  const hash = engine.stateHash();
  const request = { shocks: [{ market: 'BTCUSDT', shockBps: -2_000 }], maxScopes: 1_000 };
  const { times, report } = timeQueries(engine, request, runs);
  let peer: { median: number; ratio: number } | null = null;
  if (withRecomputedPeer) {
    engine.state.adlRankings.fullRecomputation = true;
    const recomputed = timeQueries(engine, request, runs);
    engine.state.adlRankings.fullRecomputation = false;
    if (JSON.stringify(recomputed.report) !== JSON.stringify(report)) throw new Error('the kept and the recomputed ADL ranking answer differently');
    peer = { median: ms(median(recomputed.times)), ratio: Math.round((median(recomputed.times) / median(times)) * 10) / 10 };
  }
  if (engine.stateHash() !== hash) throw new Error('the stress query changed the live state');
  const t = report.totals;
  const sorted = [...times].sort((a, b) => a - b);
  const p99 = sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))];
  const figures = {
    accounts,
    runs,
    fundSeedUnits,
    setupSeconds: Math.round(setupS * 10) / 10,
    queryMs: { median: ms(median(times)), p99: ms(p99), min: ms(sorted[0]) },
    ...(peer === null ? {} : { recomputedRankingMedianMs: peer.median, recomputedOverKept: peer.ratio }),
    evaluated: t.scopesEvaluated,
    skipped: t.accountsSkipped,
    breachEntriesVisited: t.breachEntriesVisited,
    called: t.calledScopes,
    liquidating: t.liquidatingScopes,
    bookLots: t.bookLots,
    takeoverLots: t.takeoverLots,
    adlLots: t.adlLots,
    adlLegs: t.adlLegs,
    fundLossUnits: t.fundLossUnits,
  };
  process.stdout.write(
    `  −20% shock: median ${figures.queryMs.median} ms, p99 ${figures.queryMs.p99} ms (${runs} runs); evaluated ${t.scopesEvaluated}, skipped ${t.accountsSkipped} of ${t.traderAccounts}; called ${t.calledScopes}, liquidating ${t.liquidatingScopes}; book ${t.bookLots} lots, takeover ${t.takeoverLots} lots, ADL ${t.adlLots} lots in ${t.adlLegs} legs; fund loss ${(t.fundLossUnits / USDT).toFixed(2)} USDT\n`,
  );
  if (peer !== null) process.stdout.write(`  same query, ranking recomputed at every ADL run (same report): median ${peer.median} ms, ${peer.ratio}× the kept ranking's\n`);
  return figures;
}

export async function run(): Promise<void> {
  const quick = isQuick();
  process.stdout.write(`\n== stress query${quick ? ' (quick)' : ''} ==\n`);
  const sizes = quick ? [100_000] : [100_000, 1_000_000];
  const figures = [];
  for (const n of sizes) {
    figures.push(await runFor(n));
    gc?.();
  }
  // an empty fund and an empty book: every liquidated position goes to ADL
  process.stdout.write('empty fund, empty book (every position to ADL):\n');
  figures.push(await runFor(quick ? 2_000 : 10_000, 0, 3, null, true));
  process.stdout.write(`results: ${writeResults('stress-query', figures)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();
