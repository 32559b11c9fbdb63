/**
 * Lending-pool benchmarks (issue 13.3): what the pool adds to an index tick, and one
 * liquidation quote.
 *
 * - `index tick, N pool borrowers`: one BTCUSDT `IndexPriceV1` through
 *   `RiskEngine.handleOracleEvent` with N accounts each holding BTC collateral and
 *   USDT debt in the pool: every position's HF is re-evaluated exactly (bigint
 *   rationals) for its HealthFactorBelowOne / Recovered transition. Peer, same run:
 *   the same engine and ticks with no pool position (the perps-only tick), so the
 *   ratio is the pool's cost per tick.
 * - `quoteLiquidation`: the Aave v3 worked example (libs/margin), batch means of 200 calls.
 * Prices alternate ±0.01% so no position changes state (the steady case).
 *
 * Run: `npx tsc -b benchmarks && node benchmarks/dist/defi-pool.bench.js` (`--quick`: N = 100).
 */
import { pathToFileURL } from 'node:url';
import { createAssetSpec, createMarketSpec } from '@perpcore/domain';
import { createHaircutSchedule, createMarketRiskParams, healthFactorExact, quoteLiquidation } from '@perpcore/margin';
import { SCHEMA_MAJOR_V1, type AccountCommandV1, type OracleEventV1 } from '@perpcore/proto';
import { RiskEngine } from '@perpcore/risk';
import { Bench } from 'tinybench';
import { isQuick, writeResults } from './support/results-file.js';

const USDT = 1_000_000;
const T0 = 1_700_000_000_000_000_000;
const PRICE_SUBTICKS = 30_000_000; // 30,000.0 USDT (100 subticks per 0.1 tick)
const spec = createMarketSpec({ symbol: 'BTCUSDT', baseAsset: 'BTC', settleAsset: 'USDT', settleDecimals: 6, tickSize: '0.1', lotSize: '0.001', maxPriceTicks: 10_000_000, maxQtyLots: 1_000_000, priceBandE8: 5_000_000 });
const risk = createMarketRiskParams(spec, { tiers: [{ floorUnits: 0, capUnits: 50_000_000_000, maxLeverage: 125, mmrE8: 400_000 }], clearanceFeeRateE8: 1_250_000 });

function engineWith(borrowers: number): { engine: RiskEngine; tick: () => void } {
  const engine = new RiskEngine({
    config: {
      source: 'risk-0',
      settleAsset: createAssetSpec('USDT', 6),
      markets: [{ spec, risk, makerFeeRateE8: 0, takerFeeRateE8: 0 }],
      collateral: [{ asset: createAssetSpec('BTC', 8), haircut: createHaircutSchedule('BTC', [{ upToValueUnits: null, ratioE8: 90_000_000 }]), indexMarket: 'BTCUSDT' }],
      feeAccountId: 4_000_000_001,
      insuranceFunds: [{ fundId: 'shared', accountId: 4_000_000_002 }],
      lendingPool: {
        assets: [
          { asset: 'USDT', ltvE8: 80_000_000, liquidationThresholdE8: 85_000_000, liquidationBonusE8: 4_000_000, protocolFeeShareE8: 10_000_000, hourlyRateE8: 1_000, borrowable: true },
          { asset: 'BTC', ltvE8: 75_000_000, liquidationThresholdE8: 80_000_000, liquidationBonusE8: 5_000_000, protocolFeeShareE8: 10_000_000, hourlyRateE8: 0, borrowable: false },
        ],
      },
    },
    ports: { publish: () => {}, toMatching: () => {} },
  });
  let seq = 0;
  let ts = T0;
  const cmd = (accountId: number, command: string, body: object) => engine.handleAccountCommand({ schemaMajor: SCHEMA_MAJOR_V1, accountId, seq: ++seq, tsNs: ts, source: 'bench', commandId: seq, command, [command]: body } as unknown as AccountCommandV1);
  const index = (priceSubticks: number) => {
    ts += 1_000_000;
    engine.handleOracleEvent({ schemaMajor: SCHEMA_MAJOR_V1, seq: ++seq, tsNs: ts, source: 'oracle', symbol: 'BTCUSDT', event: 'indexPrice', indexPrice: { priceSubticks, sources: [] } } as unknown as OracleEventV1);
  };
  index(PRICE_SUBTICKS);
  cmd(1, 'deposit', { asset: 'USDT', amountUnits: 1_000_000_000 * USDT });
  cmd(1, 'poolSupply', { asset: 'USDT', amountUnits: 1_000_000_000 * USDT });
  for (let id = 2; id < 2 + borrowers; id++) {
    cmd(id, 'deposit', { asset: 'BTC', amountUnits: 100_000_000 });
    cmd(id, 'poolSupply', { asset: 'BTC', amountUnits: 100_000_000 });
    cmd(id, 'poolBorrow', { asset: 'USDT', amountUnits: 15_000 * USDT }); // HF 1.6
  }
  let up = false;
  return { engine, tick: () => index((up = !up) ? PRICE_SUBTICKS + 3_000 : PRICE_SUBTICKS) };
}

interface Row {
  name: string;
  medianUs: number;
  p99Us: number;
}

export async function runDefiPoolBenchmarks(quick: boolean): Promise<{ rows: Row[]; ratio: number }> {
  const n = quick ? 100 : 1_000;
  const withPool = engineWith(n);
  const perpsOnly = engineWith(0);
  const example = { healthFactor: healthFactorExact([{ amountUnits: 1_000_000_000, price: { settleUnits: 2_000_000_000, perAssetUnits: 100_000_000 }, liquidationThresholdE8: 80_000_000 }], [{ amountUnits: 16_500_000_000, price: { settleUnits: 1, perAssetUnits: 1 } }]), debtUnits: 16_500_000_000, debtPrice: { settleUnits: 1, perAssetUnits: 1 }, collateralUnits: 1_000_000_000, collateralPrice: { settleUnits: 2_000_000_000, perAssetUnits: 100_000_000 }, bonusE8: 5_000_000, protocolFeeShareE8: 10_000_000, requestedDebtUnits: 8_250_000_000 };
  const params = { closeFactorE8: 50_000_000, fullCloseHealthFactorE8: 95_000_000, fullCloseBelowValueUnits: 2_000 * USDT, minLeftoverValueUnits: 1_000 * USDT };
  const bench = new Bench({ time: quick ? 200 : 1_500, warmupTime: 200 });
  bench.add(`index tick, ${n} pool borrowers`, () => withPool.tick());
  bench.add('index tick, no pool position (peer)', () => perpsOnly.tick());
  bench.add('quoteLiquidation (Aave example, 200 calls)', () => {
    for (let i = 0; i < 200; i++) quoteLiquidation(params, example);
  });
  await bench.run();
  const rows = bench.tasks.map((t) => {
    const r = t.result;
    if (r.state !== 'completed') throw new Error(`${t.name}: ${r.state}`);
    const per = t.name.startsWith('quote') ? 200 : 1;
    return { name: t.name, medianUs: (r.latency.p50 * 1e3) / per, p99Us: (r.latency.p99 * 1e3) / per };
  });
  if (withPool.engine.audit().problems.length > 0) throw new Error(withPool.engine.audit().problems.join('; '));
  return { rows, ratio: rows[0].medianUs / rows[1].medianUs };
}

function print(r: { rows: Row[]; ratio: number }): void {
  console.log('defi pool benchmarks (µs per tick / per quote; median and p99)');
  for (const row of r.rows) console.log(`  ${row.name.padEnd(46)} median ${row.medianUs.toFixed(2).padStart(9)} µs   p99 ${row.p99Us.toFixed(2).padStart(9)} µs`);
  console.log(`  pool tick / peer tick (median): ${r.ratio.toFixed(1)}x`);
}

export async function run(): Promise<void> {
  const r = await runDefiPoolBenchmarks(isQuick());
  print(r);
  writeResults('defi-pool', r);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  print(await runDefiPoolBenchmarks(process.argv.includes('--quick')));
}
