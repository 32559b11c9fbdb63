/**
 * Liquidation cascade: thousands of leveraged accounts breached by one mark move,
 * with every stage of the embedded exchange in the loop (risk breach detection →
 * liquidation ladder → IOC orders through matching → settlement → fund takeover /
 * ADL). The crowd opens its positions against the simulated market makers; then the
 * index gaps and one oracle tick carries the whole cascade, synchronously, so the
 * wall time of that tick is the time from the mark move to every position closed
 * or taken over.
 *
 * Prints: accounts breached, steps, takeovers, ADL legs, cascade time, per-account
 * cost; writes benchmarks/results/liquidation-cascade.json.
 * `BENCH_QUICK=1` (or --quick) runs 2,000 accounts instead of 10,000.
 */
import { fileURLToPath } from 'node:url';
import { EmbeddedExchange } from '@perpcore/exchange';
import { createLogger } from '@perpcore/observability';
import { isQuick, writeResults } from './support/results-file.js';

export interface CascadeFigures {
  accounts: number;
  breached: number;
  liquidationSteps: number;
  liquidationFills: number;
  takeovers: number;
  deleveragedLegs: number;
  closed: number;
  restored: number;
  cascadeMs: number;
  /** CPU time of the cascade tick (user + system): what the tick cost when the shared machine is loaded. */
  cascadeCpuMs: number;
  perBreachedAccountUs: number;
  setupMs: number;
  conservationOk: boolean;
}

export interface CascadeOptions {
  /** Rank every ADL run's queue from scratch (the path before the kept ranking; the ADL benchmark's reference). */
  readonly fullRecomputationAdl?: boolean;
}

export async function runCascade(accounts: number, fundUsdt: number, options: CascadeOptions = {}): Promise<CascadeFigures> {
  const setupStart = performance.now();
  const stepNs = 20_000_000;
  const entryEndS = 600;
  const shockAtS = 900;
  const exchange = await EmbeddedExchange.create({
    logger: createLogger('bench', 'silent'),
    seed: 2026,
    scenario: {
      // small, highly levered accounts: each position is about one market maker quote, so nearly all open
      crowdAccounts: accounts,
      crowdMinDepositUnits: 50_000_000,
      crowdMaxDepositUnits: 150_000_000,
      crowdMinLeverage: 15,
      crowdMaxLeverage: 20,
      crowdEntryEndS: entryEndS,
      shockAtS,
      shockE8: -15_000_000,
      insuranceFundSeedUnits: fundUsdt * 1_000_000,
      adlRefreshMs: 3_600_000,
    },
  });
  exchange.risk.engine.state.adlRankings.fullRecomputation = options.fullRecomputationAdl ?? false;
  // up to one step before the shock's oracle tick
  const stepsToShock = Math.floor((shockAtS * 1e9) / stepNs) - 1;
  for (let done = 0; done < stepsToShock; done += 5_000) {
    exchange.step(Math.min(5_000, stepsToShock - done));
    if (done % 20_000 === 0) process.stderr.write(`  setting up: ${Math.round(exchange.figures(0).simulatedS)} of ${shockAtS} simulated s\r`);
  }
  process.stderr.write('\n');
  const setupMs = performance.now() - setupStart;
  const before = { ...exchange.counters };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  exchange.step(1); // the shock's index tick: mark moves, the cascade runs to completion
  const cascadeMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const c = exchange.counters;
  const breached = c.liquidationsTriggered - before.liquidationsTriggered;
  const figures: CascadeFigures = {
    accounts,
    breached,
    liquidationSteps: c.liquidationSteps - before.liquidationSteps,
    liquidationFills: c.liquidationFills - before.liquidationFills,
    takeovers: c.insuranceTakeovers - before.insuranceTakeovers,
    deleveragedLegs: c.deleveragedLegs - before.deleveragedLegs,
    closed: c.liquidationsClosed - before.liquidationsClosed,
    restored: c.liquidationsRestored - before.liquidationsRestored,
    cascadeMs,
    cascadeCpuMs: (cpu.user + cpu.system) / 1000,
    perBreachedAccountUs: breached > 0 ? (cascadeMs * 1000) / breached : 0,
    setupMs,
    conservationOk: exchange.risk.engine.audit().ok,
  };
  await exchange.close();
  return figures;
}

export async function run(): Promise<void> {
  const quick = isQuick() || process.argv.includes('--quick');
  const accounts = quick ? 2_000 : 10_000;
  const rows: CascadeFigures[] = [];
  for (const fundUsdt of [50_000_000, 20_000]) {
    const f = await runCascade(accounts, fundUsdt);
    rows.push(f);
    process.stdout.write(
      `cascade, ${accounts} crowd accounts, fund ${fundUsdt.toLocaleString('en-US')} USDT: ${f.breached} breached by one mark move; ` +
        `${f.liquidationSteps} IOC steps, ${f.liquidationFills} book fills, ${f.takeovers} fund takeovers, ${f.deleveragedLegs} ADL legs; ` +
        `mark tick → all closed ${f.cascadeMs.toFixed(1)} ms (${f.perBreachedAccountUs.toFixed(1)} µs per breached account); conservation ${f.conservationOk ? 'ok' : 'BROKEN'}\n`,
    );
  }
  writeResults('liquidation-cascade', rows);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await run();
