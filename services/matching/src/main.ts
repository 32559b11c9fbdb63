#!/usr/bin/env node
/**
 * The matching service as its own process (cluster mode): order commands from
 * `matching.commands.v1` (risk's accepted orders, liquidation steps), mark prices from
 * `risk.market-events.v1`; fills and order state out on `matching.events.v1` (what
 * risk and the ladder read), book deltas conflated on `matching.market-data.v1`
 * (the gateway's market data). The per-account copy on `matching.account-events.v1`
 * is written only with PERPCORE_MATCHING_ACCOUNT_EVENTS=true (account-sharded
 * risk); the cluster's risk shard reads the per-market stream, so by default nothing
 * writes a topic nobody reads. Wired only by Kafka.
 *
 * Environment (validated at start; a bad value names the variable):
 *   PERPCORE_KAFKA_*               see libs/bus kafka-config.ts (PERPCORE_KAFKA_BROKERS required)
 *   PERPCORE_MATCHING_MARKETS      symbols listed (default: every default market); the instance books
 *                                  its shard's share of them
 *   PERPCORE_MATCHING_SHARD        i/M: this process is matching shard i of M and books the listed
 *                                  markets at positions ≡ i (mod M); the other shards' commands are
 *                                  skipped (matching-shard.ts; default 0/1: every listed market)
 *   PERPCORE_MATCHING_BOOK         fast | reference (default fast)
 *   PERPCORE_MATCHING_INSTANCE     client id, e.g. matching-0 (default matching-0)
 *   PERPCORE_MATCHING_GROUP_ID     consumer group (default matching)
 *   PERPCORE_MATCHING_ACCOUNT_EVENTS  true: also write matching.account-events.v1 (default false)
 *   PERPCORE_MATCHING_CONFLATE_MS  market-data conflation window (default 20)
 *   PERPCORE_MATCHING_SAMPLE_LEVELS  levels per side in each BookSampleV1 (default 50; 0 = no samples).
 *                                  Samples go out at every multiple of the market's shorter
 *                                  of markBasisSampleS and premiumSampleS (command time), so
 *                                  the cluster's risk shard has the book its mark price and
 *                                  premium index sample
 *   PERPCORE_SNAPSHOT_*            snapshot directory and policy (libs/snapshot snapshot-config.ts): with a
 *                                  directory the process restores its newest snapshot and consumes from its
 *                                  offsets, applying the inputs after it in the order it first applied them
 *                                  (the input-order log); committed offsets without a usable snapshot refuse
 *                                  the start. At SIGTERM it logs its final state hash ("matching stopped")
 *   PERPCORE_LOG_LEVEL, PERPCORE_SHUTDOWN_TIMEOUT_MS, PERPCORE_STATS_INTERVAL_MS (libs/runtime)
 */
import { KafkaBus, kafkaBusOptions, kafkaConfigSchema } from '@perpcore/bus';
import { enumField, integerField, listField, stringField } from '@perpcore/config';
import { defaultMarketSpecs } from '@perpcore/markets';
import { runServiceProcess } from '@perpcore/runtime';
import { openConfiguredStageRecovery, type Recovery, snapshotConfigSchema } from '@perpcore/snapshot';
import { createMatchingService } from './create-matching-service.js';
import { DEFAULT_BOOK_SAMPLE_LEVELS } from './book-sample-schedule.js';
import { MATCHING_TOPICS, matchingServiceOptions } from './matching-process-options.js';

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

runServiceProcess({
  name: 'matching',
  schema: {
    ...kafkaConfigSchema,
    markets: listField('PERPCORE_MATCHING_MARKETS', { fallback: defaultMarketSpecs.map((s) => s.symbol), itemPattern: /^[A-Z0-9-]{2,32}$/ }),
    shard: stringField('PERPCORE_MATCHING_SHARD', { fallback: '0/1', pattern: /^\d{1,2}\/\d{1,2}$/ }),
    book: enumField('PERPCORE_MATCHING_BOOK', ['fast', 'reference'] as const, 'fast'),
    instance: stringField('PERPCORE_MATCHING_INSTANCE', { fallback: 'matching-0', pattern: NAME }),
    groupId: stringField('PERPCORE_MATCHING_GROUP_ID', { fallback: 'matching', pattern: NAME }),
    accountEvents: enumField('PERPCORE_MATCHING_ACCOUNT_EVENTS', ['true', 'false'] as const, 'false'),
    conflateMs: integerField('PERPCORE_MATCHING_CONFLATE_MS', { min: 1, max: 10_000, fallback: 20 }),
    sampleLevels: integerField('PERPCORE_MATCHING_SAMPLE_LEVELS', { min: 0, max: 10_000, fallback: DEFAULT_BOOK_SAMPLE_LEVELS }),
    ...snapshotConfigSchema,
  },
  async start({ config, logger }) {
    const options = matchingServiceOptions(config);
    const kafka = await KafkaBus.connect(kafkaBusOptions(config, config.instance, logger));
    const bus = kafka;
    let recovery: Recovery | null = null;
    let service;
    try {
      recovery = await openConfiguredStageRecovery(
        config,
        { stage: 'matching', venueFingerprint: options.fingerprint, topics: MATCHING_TOPICS, committedOffsets: (topic) => kafka.committedOffsets(config.groupId, topic) },
        logger,
      );
      const rec = recovery;
      service = await createMatchingService({
        ...options,
        bus: rec === null ? bus : rec.bus(bus),
        beforeConsume: (engine) => rec?.restore(engine),
        logger,
      });
    } catch (error) {
      await bus.close().catch(() => undefined);
      throw error;
    }
    const engine = service.engine;
    const stopSnapshots = recovery?.startPeriodic() ?? (() => undefined);
    const finalRecovery = recovery;
    return {
      stats() {
        const fillsByMarket: Record<string, number> = {};
        let resting = 0;
        for (const symbol of engine.markets()) {
          const stream = engine.stream(symbol);
          if (stream === undefined) continue;
          fillsByMarket[symbol] = stream.fills;
          resting += stream.book.restingOrderCount();
        }
        // sendIdle: nothing published is still on its way to the broker (the launcher's drain needs it)
        return { commandsApplied: engine.commandsApplied, otherShardCommands: service.otherShardCommands, duplicatesDropped: engine.duplicatesDropped, fillsByMarket, restingOrders: resting, sendIdle: bus.sendIdle, kafkaSent: bus.traffic(), produceRoundTrips: bus.sendRoundTrips() };
      },
      async close() {
        stopSnapshots();
        await service.close();
        await finalRecovery?.snapshotNow(); // nothing consumes any more: a snapshot at the last applied offsets
        await bus.close();
        logger.info({ stateHash: engine.stateHash(), commandsApplied: engine.commandsApplied }, 'matching stopped');
      },
    };
  },
});
