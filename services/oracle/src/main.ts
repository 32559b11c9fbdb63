#!/usr/bin/env node
/**
 * The oracle service as its own process (cluster mode): a seeded simulated index, with an optional scheduled gap,
 * for every listed market, published on `oracle.index-prices.v1` every
 * PERPCORE_ORACLE_PUBLISH_INTERVAL_MS, stamped with the wall clock (the composition
 * root owns the clock; the stage takes time as an argument). The index starts where
 * the simulated order flow starts (libs/markets simulated-market.ts).
 *
 * Environment (validated at start; a bad value names the variable):
 *   PERPCORE_KAFKA_*                    see libs/bus kafka-config.ts (PERPCORE_KAFKA_BROKERS required)
 *   PERPCORE_ORACLE_MARKETS             symbols to price (default: every default market)
 *   PERPCORE_ORACLE_SOURCE              producing instance, e.g. oracle-0 (default)
 *   PERPCORE_ORACLE_SEED                random walk seed (default 42 ^ 0x5eed, the index npm start uses for seed 42)
 *   PERPCORE_ORACLE_PUBLISH_INTERVAL_MS how often every index is published (default 1000)
 *   PERPCORE_ORACLE_STEP_MS             random-walk step (default 1000)
 *   PERPCORE_ORACLE_VOLATILITY_E8       std-dev of one step's return (default 20000 = 0.02%)
 *   PERPCORE_ORACLE_JUMP_CHANCE_E8      chance of a jump per step (default 10000 = 0.01%, as npm start)
 *   PERPCORE_ORACLE_JUMP_SIZE_E8        largest jump (default 1000000 = 1%, as npm start)
 *   PERPCORE_ORACLE_SHOCK_AT_S          a scheduled gap this many seconds after start; 0 = none (default)
 *   PERPCORE_ORACLE_SHOCK_E8            its relative size in 1e-8 (default −12000000 = −12%, npm start's)
 *   PERPCORE_ORACLE_SHOCK_TRIGGER       time (default): the gap lands PERPCORE_ORACLE_SHOCK_AT_S after start;
 *                                       parent: it lands at that time or when the parent process
 *                                       sends `{ type: 'arm-shock' }`, whichever is later (the cluster
 *                                       launcher arms it once risk has settled the crowd's entries, so
 *                                       the scenario's order is causal, not a race against the clock)
 *   PERPCORE_LOG_LEVEL, PERPCORE_SHUTDOWN_TIMEOUT_MS, PERPCORE_STATS_INTERVAL_MS (libs/runtime)
 */
import { KafkaBus, kafkaBusOptions, kafkaConfigSchema } from '@perpcore/bus';
import { enumField, integerField, listField, stringField } from '@perpcore/config';
import { defaultMarketSpecs, defaultVenueMarkets, selectMarkets, simulatedIndexStarts, simulatedOrderFlowConfig } from '@perpcore/markets';
import { runServiceProcess, wallClockNs } from '@perpcore/runtime';
import { createOracleService } from './create-oracle-service.js';
import { ScheduledShockFeed } from './scheduled-shock-feed.js';
import { SimulatedIndexFeed } from './simulated-index-feed.js';

const E8 = 100_000_000;

runServiceProcess({
  name: 'oracle',
  schema: {
    ...kafkaConfigSchema,
    markets: listField('PERPCORE_ORACLE_MARKETS', { fallback: defaultMarketSpecs.map((s) => s.symbol), itemPattern: /^[A-Z0-9-]{2,32}$/ }),
    source: stringField('PERPCORE_ORACLE_SOURCE', { fallback: 'oracle-0', pattern: /^[a-z0-9-]{1,64}$/ }),
    seed: integerField('PERPCORE_ORACLE_SEED', { min: 0, max: 0xffff_ffff, fallback: 42 ^ 0x5eed }),
    publishIntervalMs: integerField('PERPCORE_ORACLE_PUBLISH_INTERVAL_MS', { min: 10, max: 3_600_000, fallback: 1_000 }),
    stepMs: integerField('PERPCORE_ORACLE_STEP_MS', { min: 1, max: 3_600_000, fallback: 1_000 }),
    volatilityE8: integerField('PERPCORE_ORACLE_VOLATILITY_E8', { min: 0, max: E8 / 10, fallback: 20_000 }),
    jumpChanceE8: integerField('PERPCORE_ORACLE_JUMP_CHANCE_E8', { min: 0, max: E8, fallback: 10_000 }),
    jumpSizeE8: integerField('PERPCORE_ORACLE_JUMP_SIZE_E8', { min: 0, max: E8 / 2, fallback: 1_000_000 }),
    shockAtS: integerField('PERPCORE_ORACLE_SHOCK_AT_S', { min: 0, max: 30 * 86_400, fallback: 0 }),
    shockE8: integerField('PERPCORE_ORACLE_SHOCK_E8', { min: -(E8 - 1), max: E8 - 1, fallback: -12_000_000 }),
    shockTrigger: enumField('PERPCORE_ORACLE_SHOCK_TRIGGER', ['time', 'parent'] as const, 'time'),
  },
  async start({ config, logger }) {
    const markets = selectMarkets(config.markets);
    const subticks = new Map(defaultVenueMarkets(markets).map((m) => [m.spec.symbol, m.risk.markSubticksPerTick]));
    const starts = simulatedIndexStarts(simulatedOrderFlowConfig(config.seed, markets), (symbol) => subticks.get(symbol) ?? 100);
    const startTsNs = wallClockNs();
    const walk = new SimulatedIndexFeed({
      seed: config.seed,
      startTsNs,
      stepNs: config.stepMs * 1_000_000,
      symbols: starts.map((s) => ({
        symbol: s.symbol,
        startPriceSubticks: s.startPriceSubticks,
        volatilityE8: config.volatilityE8,
        jumpChanceE8: config.jumpChanceE8,
        jumpSizeE8: config.jumpSizeE8,
      })),
    });
    // a scheduled gap deep enough liquidates the simulated gateway's leveraged crowd, as in npm start
    const scheduledAtTsNs = config.shockAtS > 0 ? startTsNs + config.shockAtS * 1e9 : 0;
    const feed = new ScheduledShockFeed(walk, []);
    let shockAtTsNs = 0; // 0 until the shock is scheduled
    const scheduleShock = (atTsNs: number): void => {
      shockAtTsNs = atTsNs;
      for (const m of markets) feed.add({ symbol: m.symbol, atTsNs, shockE8: config.shockE8 });
      logger.info({ atS: (atTsNs - startTsNs) / 1e9, shockE8: config.shockE8, trigger: config.shockTrigger }, 'price shock scheduled');
    };
    if (scheduledAtTsNs > 0 && config.shockTrigger === 'time') scheduleShock(scheduledAtTsNs);
    else if (scheduledAtTsNs > 0) logger.info({ notBeforeS: config.shockAtS, shockE8: config.shockE8 }, 'price shock waits for the parent to arm it');
    const bus = await KafkaBus.connect(kafkaBusOptions(config, config.source, logger));
    const oracle = createOracleService({ bus, feed, logger, source: config.source });
    let published = 0;
    let shockPublished = false;
    const lastIndexSubticks: Record<string, number> = {};
    const tick = (): void => {
      const tsNs = wallClockNs();
      published += oracle.publishAt(tsNs);
      if (shockAtTsNs > 0 && tsNs >= shockAtTsNs) shockPublished = true;
      for (const symbol of feed.symbols) lastIndexSubticks[symbol] = feed.quoteAt(symbol, tsNs)?.priceSubticks ?? 0;
    };
    tick(); // the first index at once: risk cannot margin anything before it
    const timer = setInterval(tick, config.publishIntervalMs);
    return {
      // shockAtTsNs: when the gap applies (0: not scheduled); shocked: an index at or after it was published
      stats: () => ({ published, indexSubticks: lastIndexSubticks, shockAtTsNs, shocked: shockPublished }),
      onParentMessage(message) {
        if (message.type !== 'arm-shock') {
          logger.warn({ type: message.type }, 'unknown message from the parent process ignored');
          return;
        }
        if (config.shockTrigger !== 'parent' || scheduledAtTsNs === 0 || shockAtTsNs > 0) return; // nothing to arm, or armed already
        const nowNs = wallClockNs();
        scheduleShock(Math.max(scheduledAtTsNs, nowNs));
        if (shockAtTsNs === nowNs) tick(); // due now: publish it at once rather than up to an interval later
      },
      async close() {
        clearInterval(timer);
        await bus.close();
      },
    };
  },
});
