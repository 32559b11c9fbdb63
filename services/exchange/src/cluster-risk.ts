#!/usr/bin/env node
/**
 * The cluster's risk process: one risk shard with the liquidation engine beside it
 * (ARCHITECTURE: the ladder needs exact, synchronous reads of the scope state after
 * every fill, so it runs where that state lives, as its own package, on its own
 * topic `liquidation.events.v1`). `services/risk/dist/main.js` is the same shard
 * without the ladder; the environment variables are the same (PERPCORE_RISK_*).
 *
 * Order: risk and the ladder share one Kafka subscription per input topic
 * (`ColocatedBus`, group = the shard name): each matching event reaches risk first
 * and the ladder right after, so the ladder's re-checks see the fill settled. Risk
 * therefore reads the per-market stream `matching.events.v1` (both legs of each
 * fill), which suits a single shard; account-sharded risk with a ladder per shard
 * would read its shard's `matching.account-events.v1` the same way.
 *
 * Book for the mark price and the premium index: matching's `BookSampleV1` events
 * on `matching.events.v1` (book-sample-view.ts), registered first on the shared
 * subscription so risk sees a sample before any later event of that market.
 *
 * Bad input: messages for markets the shard does not list are refused before either
 * stage sees them (dead-lettered as RISK_UNKNOWN_MARKET); malformed bytes and
 * unknown schema versions are dead-lettered by the bus. An index the risk engine
 * refuses (stale, invalid price or time) is answered with `IndexPriceRejectedV1`,
 * logged at warn with its reason and counted in the stats (`indexPricesRejected`).
 *
 * Gateway queries (`gateway.queries.v1`): answered read-only from the shard's
 * state on `gateway.query-replies.v1` (account-query-responder.ts).
 *
 * Halt (services/risk stage-halt.ts): an internal error in the stage is logged at
 * fatal with the input's identity (kind, source, seq, market, account), the shard
 * publishes StageHaltedV1 and stops consuming (its subscriptions close; the
 * offsets after the halting input stay uncommitted). The process does not exit:
 * without durability a restart would come back empty and rebuild the shard from
 * the committed offsets onward, i.e. wrong; staying up keeps the halted state for
 * inspection, its stats line reports `halted`, and an operator decides. SIGTERM
 * then ends it with exit code 1 (close reports the halt as a failure), so a
 * supervisor sees an abnormal end.
 *
 * Environment (validated at start; a bad value names the variable):
 *   PERPCORE_KAFKA_*               see libs/bus kafka-config.ts (PERPCORE_KAFKA_BROKERS required)
 *   PERPCORE_RISK_SOURCE           shard name: event source and consumer group (default risk-0)
 *   PERPCORE_RISK_MARKETS          symbols this shard margins (default: every default market)
 *   PERPCORE_RISK_FUND_SEED_UNITS  the insurance fund's starting capital in settle units (default 20,000 USDT, as npm start)
 *   PERPCORE_RISK_TIME_TICK_MS     wall-clock tick for time-only schedules (default 1000)
 *   PERPCORE_LIQUIDATION_SOURCE    the ladder's name on its orders and events (default liquidation-0)
 *   PERPCORE_RISK_LOANS            true: crypto-backed loans on the venue's terms, BTC / ETH collateral priced by
 *                                  the listed markets' index (services/risk venue-loan-terms.ts; default false)
 *   PERPCORE_RISK_LENDING_POOL     true: the DeFi lending pool and its external liquidators, BTC collateral (needs
 *                                  BTCUSDT on the shard; default false). Both are part of the snapshot's fingerprint
 *   PERPCORE_SNAPSHOT_*            snapshot directory and policy (libs/snapshot snapshot-config.ts): with a
 *                                  directory the shard (risk, its ladder and the book samples, one snapshot)
 *                                  restores its newest snapshot and consumes from its offsets before it serves,
 *                                  applying the inputs after it in the order it first applied them (the
 *                                  input-order log, clock ticks included); committed offsets without a usable
 *                                  snapshot refuse the start (exit 1, one line)
 *   PERPCORE_LOG_LEVEL, PERPCORE_SHUTDOWN_TIMEOUT_MS, PERPCORE_STATS_INTERVAL_MS (libs/runtime)
 */
import { KafkaBus, kafkaBusOptions, kafkaConfigSchema } from '@perpcore/bus';
import { enumField, integerField, listField, stringField } from '@perpcore/config';
import { defaultInsuranceFundSeedUnits, defaultMarketSpecs, selectMarkets } from '@perpcore/markets';
import { SETTLE_NET_DEPOSITS_CEILING_UNITS } from '@perpcore/risk';
import { runServiceProcess, wallClockNs } from '@perpcore/runtime';
import { serveAccountQueries } from './account-query-responder.js';
import { createRiskShard, RISK_SHARD_TOPICS, RISK_TIME_TICK_INPUT, riskShardFingerprint } from './cluster-risk-shard.js';
import { openConfiguredStageRecovery, type Recovery, snapshotConfigSchema } from '@perpcore/snapshot';

const NAME = /^[a-z0-9-]{1,64}$/;

runServiceProcess({
  name: 'risk',
  schema: {
    ...kafkaConfigSchema,
    source: stringField('PERPCORE_RISK_SOURCE', { fallback: 'risk-0', pattern: NAME }),
    markets: listField('PERPCORE_RISK_MARKETS', { fallback: defaultMarketSpecs.map((s) => s.symbol), itemPattern: /^[A-Z0-9-]{2,32}$/ }),
    fundSeedUnits: integerField('PERPCORE_RISK_FUND_SEED_UNITS', { min: 0, max: SETTLE_NET_DEPOSITS_CEILING_UNITS, fallback: defaultInsuranceFundSeedUnits }),
    timeTickMs: integerField('PERPCORE_RISK_TIME_TICK_MS', { min: 10, max: 3_600_000, fallback: 1_000 }),
    liquidationSource: stringField('PERPCORE_LIQUIDATION_SOURCE', { fallback: 'liquidation-0', pattern: NAME }),
    loans: enumField('PERPCORE_RISK_LOANS', ['true', 'false'] as const, 'false'),
    lendingPool: enumField('PERPCORE_RISK_LENDING_POOL', ['true', 'false'] as const, 'false'),
    ...snapshotConfigSchema,
  },
  async start({ config, logger }) {
    const specs = selectMarkets(config.markets);
    const lending = { loans: config.loans === 'true', lendingPool: config.lendingPool === 'true' };
    const shardConfig = { source: config.source, specs, fundSeedUnits: config.fundSeedUnits, liquidationSource: config.liquidationSource, lending };
    const kafka = await KafkaBus.connect(kafkaBusOptions(config, config.source, logger));
    let recovery: Recovery | null;
    try {
      recovery = await openConfiguredStageRecovery(
        config,
        { stage: 'risk', venueFingerprint: riskShardFingerprint(shardConfig), topics: RISK_SHARD_TOPICS, committedOffsets: (topic) => kafka.committedOffsets(config.source, topic) },
        logger,
      );
    } catch (error) {
      await kafka.close().catch(() => undefined);
      throw error;
    }
    const shard = await createRiskShard(recovery === null ? kafka : recovery.bus(kafka), shardConfig, logger);
    const bus = shard.bus;
    try {
      const { risk, liquidation } = shard;
      // the shard's clock is an input like the others: with a snapshot directory its ticks are logged and replayed in order
      const tick = (tsNs: number) => risk.advanceTime(tsNs);
      recovery?.onLocal(RISK_TIME_TICK_INPUT, tick);
      const ordered = recovery;
      const advance = ordered === null ? tick : (tsNs: number) => ordered.local(RISK_TIME_TICK_INPUT, tsNs);
      // the shard's state is both stages: restored before the shared subscriptions open, so nothing is consumed first
      recovery?.restore(shard);
      await shard.start(); // every stage has subscribed: open the shared subscriptions
      const stopSnapshots = recovery?.startPeriodic() ?? (() => undefined);
      const finalRecovery = recovery;
      const engine = risk.engine;
      // gateways' read-only questions, on the Kafka bus directly: they are no input of either stage
      const queries = await serveAccountQueries(kafka, config.source, config.source, {
        accountReport: (accountId) => engine.accountReport(accountId),
        stress: (request) => engine.stress(request),
        liquidationCandidates: () => engine.liquidationCandidates(),
        adlBucket: (market, accountId) => liquidation.engine.adlBucket(market, accountId) ?? undefined,
        halted: () => (engine.halted ? engine.halt.describe() : ''),
        nowNs: wallClockNs,
      });
      const timer = setInterval(() => advance(wallClockNs()), config.timeTickMs);
      return {
        stats() {
          const openInterest: Record<string, { longLots: number; shortLots: number }> = {};
          for (const market of engine.state.markets) openInterest[market.symbol] = { longLots: market.longLots, shortLots: market.shortLots };
          const audit = engine.audit(); // O(accounts + positions): fine at one call a second for a shard
          const held = engine.ledger.heldLiquidations();
          return {
            eventsPublished: engine.state.events.eventsPublished,
            // gateway orders passed on to matching: every command risk sent minus the cancels it issued itself
            ordersForwarded: engine.state.events.commandsSent - engine.lifecycle.riskCancelsSent,
            duplicatesDropped: engine.duplicatesDropped,
            indexPricesRejected: { ...engine.indexGate.rejectedByReason }, // stale / invalid / unlisted, each also logged
            openInterest,
            auditOk: audit.ok,
            auditProblems: audit.problems.slice(0, 5),
            halted: engine.halted ? engine.halt.describe() : false,
            inputsRefusedWhileHalted: engine.halt.commandsRefused + engine.halt.eventsDropped,
            liquidationsActive: liquidation.engine.activeCount(),
            // scopes risk holds LIQUIDATING: with the ladder idle, each is a liquidation nobody will end
            liquidationsHeld: held.length,
            liquidationsHeldIds: held.slice(0, 10).map((h) => h.liquidationId),
            // nothing risk or the ladder published is still on its way to the broker (the launcher's drain needs it)
            sendIdle: kafka.sendIdle,
            // what this process wrote per topic and how long its produce requests took (the summary's hop figures)
            kafkaSent: kafka.traffic(),
            produceRoundTrips: kafka.sendRoundTrips(),
          };
        },
        async close() {
          clearInterval(timer);
          await queries.close();
          stopSnapshots();
          await shard.closeStages();
          if (!engine.halted) await finalRecovery?.snapshotNow(); // a halted shard's state is for inspection, not to resume from
          await bus.close();
          const audit = engine.audit();
          if (audit.ok) logger.info({ stateHash: engine.stateHash() }, 'conservation audit ok at shutdown');
          else logger.error({ problems: audit.problems }, 'conservation audit failed at shutdown');
          if (engine.halted) throw new Error(engine.halt.describe()); // exit code 1: the shard ended halted
        },
      };
    } catch (error) {
      await bus.close().catch(() => undefined);
      throw error;
    }
  },
});
