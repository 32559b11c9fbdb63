/**
 * Margin benchmarks (libs/margin through its package entry point).
 *
 * Run on its own: `npx tsc -b benchmarks && node benchmarks/dist/margin.bench.js`
 * (`--quick` shortens each task). From run-all: `await runMarginBenchmarks()`.
 *
 * Each tinybench iteration times a batch of calls and records the batch mean
 * (`overriddenDuration`), because one call (~100 ns) is below the timer's useful
 * resolution; median and p99 are therefore of batch means, in ns per call. The
 * `minor GCs` column counts young-generation collections during a separate run of
 * 1,000,000 calls: 0 means the path does not allocate (the hot path); bigint paths
 * and readable functions returning boxed numbers show a few.
 */
import { isQuick, writeResults } from './support/results-file.js';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Side, createMarketSpec } from '@perpcore/domain';
import {
  type CrossAccount,
  type CrossPositionSlot,
  type LiquidationPriceInput,
  type MarketRiskParams,
  buildOrderExposure,
  createCrossEvaluation,
  createMarketRiskParams,
  crossScopeLevels,
  evaluateCrossAccount,
  fundingIndexIncrement,
  liquidationPrice,
  maintenanceMarginUnits,
  settleFunding,
} from '@perpcore/margin';
import { Bench } from 'tinybench';

const BATCH = 200;
const USDT = 1_000_000;

/** A Binance-like bracket table (USDT, 6 decimals). */
const tiers = [
  { floorUnits: 0, capUnits: 50_000 * USDT, maxLeverage: 125, mmrE8: 400_000 },
  { floorUnits: 50_000 * USDT, capUnits: 250_000 * USDT, maxLeverage: 100, mmrE8: 500_000 },
  { floorUnits: 250_000 * USDT, capUnits: 1_000_000 * USDT, maxLeverage: 50, mmrE8: 1_000_000 },
  { floorUnits: 1_000_000 * USDT, capUnits: 10_000_000 * USDT, maxLeverage: 20, mmrE8: 2_500_000 },
  { floorUnits: 10_000_000 * USDT, capUnits: 20_000_000 * USDT, maxLeverage: 10, mmrE8: 5_000_000 },
  { floorUnits: 20_000_000 * USDT, capUnits: 50_000_000 * USDT, maxLeverage: 5, mmrE8: 10_000_000 },
  { floorUnits: 50_000_000 * USDT, capUnits: 500_000_000 * USDT, maxLeverage: 4, mmrE8: 12_500_000 },
];

function market(i: number): MarketRiskParams {
  const spec = createMarketSpec({
    symbol: `M${String(i).padStart(2, '0')}USDT`,
    baseAsset: `M${String(i).padStart(2, '0')}`,
    settleAsset: 'USDT',
    settleDecimals: 6,
    tickSize: '0.1',
    lotSize: '0.001',
    maxPriceTicks: 100_000_000,
    maxQtyLots: 90_000_000,
    priceBandE8: 5_000_000,
  });
  return createMarketRiskParams(spec, { tiers, clearanceFeeRateE8: 1_250_000 });
}

const markets = Array.from({ length: 20 }, (_, i) => market(i));
const levels = crossScopeLevels(markets);
// marks in subticks (tick 0.1, 100 subticks per tick): prices from 50,000 down to ~1,000
const marks = new Float64Array(markets.map((_, i) => Math.round(500_000 / (1 + i * 2.5)) * 100 + 37));

function account(positions: number): CrossAccount {
  const slots: CrossPositionSlot[] = [];
  for (let i = 0; i < positions; i++) {
    const markTicks = Math.floor(marks[i] / 100);
    // sizes from a few thousand USDT up to one whale position past 2^53 notional × spt
    const qtyLots = (i % 2 === 0 ? 1 : -1) * (i === 3 ? 2_000_000 : 1_000 * (i + 1));
    slots.push({
      params: markets[i],
      marketIndex: i,
      qtyLots,
      costUnits: qtyLots * Math.round(markTicks * 1.01) * markets[i].lotTickUnits,
      leverage: 4,
      pendingFundingUnits: 1_234,
      orders: null,
      initialFractionE8: 0, // the risk engine's slot shape (scope-evaluator.ts)
    });
  }
  return { acceptedCollateralUnits: 5_000_000 * USDT, positions: slots, positionCount: positions };
}

interface Row {
  name: string;
  medianNs: number;
  p99Ns: number;
  minorGcsPerMillionCalls: number;
}

async function minorGcsPerMillionCalls(fn: () => void): Promise<number> {
  for (let i = 0; i < 10_000; i++) fn();
  await new Promise((resolve) => setTimeout(resolve, 20)); // drain earlier GC entries
  let count = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) count += 1;
  });
  observer.observe({ entryTypes: ['gc'] });
  for (let i = 0; i < 1_000_000; i++) fn();
  await new Promise((resolve) => setTimeout(resolve, 20));
  observer.disconnect();
  return count;
}

export async function runMarginBenchmarks(options: { quick?: boolean } = {}): Promise<Row[]> {
  const bench = new Bench({ name: 'margin', time: options.quick ? 150 : 1_000, warmupTime: options.quick ? 50 : 250 });
  const cases: Array<[string, () => void]> = [];

  /** One evaluation per call, after a one-subtick mark move (so nothing is constant-folded). */
  const onMarkTick = (acct: CrossAccount) => {
    const out = createCrossEvaluation(acct.positionCount);
    let flip = 0;
    return () => {
      flip ^= 1;
      marks[0] += flip === 1 ? 1 : -1;
      evaluateCrossAccount(acct, marks, levels, out);
    };
  };

  for (const n of [1, 5, 20]) cases.push([`cross account MM + equity + IM + state, ${n} position${n > 1 ? 's' : ''}`, onMarkTick(account(n))]);

  // peer of the 5-position row above: every market on the dYdX IMF ramp at 33.5% (IMpos = ceil(N × imf) wins)
  const onRamp = account(5);
  for (const slot of onRamp.positions) slot.initialFractionE8 = 33_500_000;
  cases.push(['cross account, 5 positions, IMF_RAMP floor on each', onMarkTick(onRamp)]);

  // 5 positions, each with a resting order ladder on both sides (one buy above the mark: open loss)
  const withOrders = account(5);
  for (const slot of withOrders.positions) {
    const m = Math.floor(marks[slot.marketIndex] / 100);
    slot.orders = buildOrderExposure(slot.params, slot.qtyLots, slot.leverage, [
      { side: Side.Buy, priceTicks: m + 5, qtyLots: 10 },
      { side: Side.Buy, priceTicks: m - 50, qtyLots: 500 },
      { side: Side.Sell, priceTicks: m + 50, qtyLots: 700 },
      { side: Side.Sell, priceTicks: m + 80, qtyLots: 300 },
    ]);
  }
  cases.push(['cross account, 5 positions with 4 open orders each', onMarkTick(withOrders)]);

  // a long whose mark sits in the 2.5% tier while its liquidation price falls in the 1% tier: one re-selection
  const btc = markets[0];
  const lpInput: LiquidationPriceInput = {
    qtyLots: 30_000, // 30 BTC at 50,000 → 1.5M notional (tier 4)
    costUnits: 30_000 * 500_000 * btc.lotTickUnits,
    markSubticks: 50_000_000,
    walletUnits: 1_000_000 * USDT,
    otherMaintenanceUnits: 0,
    otherUpnlUnits: 0,
  };
  const lp = liquidationPrice(btc, lpInput);
  if (lp === null || lp.tierIndex !== 2) throw new Error('the liquidation-price case must re-select from tier index 3 to 2');
  cases.push(['liquidation price with tier re-selection', () => void liquidationPrice(btc, lpInput)]);

  const g = fundingIndexIncrement(btc, 10_000, 5_000_000_000) * 3n;
  let q = 12_345;
  cases.push([
    'funding settlement per position (bigint index)',
    () => {
      q = -q;
      settleFunding(btc, q, g, 0n);
    },
  ]);
  cases.push(['readable maintenanceMarginUnits, one position', () => void maintenanceMarginUnits(btc, 2_000_000, marks[0])]);

  for (const [name, fn] of cases) {
    bench.add(name, () => {
      const t0 = bench.now();
      for (let i = 0; i < BATCH; i++) fn();
      const elapsed = bench.now() - t0;
      return { overriddenDuration: elapsed / BATCH, overriddenIterationCost: elapsed };
    });
  }
  await bench.run();

  const rows: Row[] = [];
  for (let i = 0; i < bench.tasks.length; i++) {
    const task = bench.tasks[i];
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state}`);
    rows.push({ name: task.name, medianNs: r.latency.p50 * 1e6, p99Ns: r.latency.p99 * 1e6, minorGcsPerMillionCalls: await minorGcsPerMillionCalls(cases[i][1]) });
  }
  return rows;
}

function print(rows: readonly Row[]): void {
  console.log('margin benchmarks (ns per call; median and p99 of batch means of ' + BATCH + ' calls)');
  for (const r of rows) {
    console.log(`  ${r.name.padEnd(60)} median ${r.medianNs.toFixed(0).padStart(6)} ns   p99 ${r.p99Ns.toFixed(0).padStart(6)} ns   minor GCs per 1M calls ${r.minorGcsPerMillionCalls}`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  print(await runMarginBenchmarks({ quick: process.argv.includes('--quick') }));
}

export { print as printMarginBenchmarks };

/** run-all entry: runs, prints and writes benchmarks/results/margin.json. */
export async function run(): Promise<void> {
  const rows = await runMarginBenchmarks({ quick: isQuick() });
  print(rows);
  writeResults('margin', rows);
}
