#!/usr/bin/env node
/**
 * The cluster's spot-margin process: the spot stage (cluster-spot/spot-stage.ts) on
 * Kafka. It reads `gateway.spot-commands.v1` and `oracle.index-prices.v1`, answers
 * commands and spot queries on `gateway.query-replies.v1`, and publishes its events
 * (RiskEventV1, source PERPCORE_SPOT_SOURCE) on `risk.account-events.v1` /
 * `risk.market-events.v1`, where gateways fold them like risk's.
 *
 * Recovery as the risk process's (libs/snapshot stage-recovery.ts): with
 * PERPCORE_SNAPSHOT_DIR the stage restores its newest snapshot and consumes its two
 * topics from the offsets it includes, in the order the previous life applied them;
 * committed offsets without a usable snapshot refuse the start (exit 1, one line).
 *
 * Halt: an internal error halts the stage (spot-stage.ts); the process stays up for
 * inspection, its stats line says `halted`, and SIGTERM then exits 1.
 *
 * Environment (validated at start; a bad value names the variable):
 *   PERPCORE_KAFKA_*         see libs/bus kafka-config.ts (PERPCORE_KAFKA_BROKERS required)
 *   PERPCORE_SPOT_SOURCE     stage name: event source and consumer group (default spot-0)
 *   PERPCORE_SPOT_MARKETS    the venue's markets (default: every default market; BTCUSDT must be among them)
 *   PERPCORE_SNAPSHOT_*      snapshot directory and policy (libs/snapshot snapshot-config.ts)
 *   PERPCORE_LOG_LEVEL, PERPCORE_SHUTDOWN_TIMEOUT_MS, PERPCORE_STATS_INTERVAL_MS (libs/runtime)
 */
import { KafkaBus, kafkaBusOptions, kafkaConfigSchema } from '@perpcore/bus';
import { listField, stringField } from '@perpcore/config';
import { defaultMarketSpecs, selectMarkets } from '@perpcore/markets';
import { runServiceProcess, wallClockNs } from '@perpcore/runtime';
import { openConfiguredStageRecovery, type Recovery, snapshotConfigSchema } from '@perpcore/snapshot';
import { serveSpotQueries } from './cluster-spot/spot-query-answers.js';
import { SPOT_STAGE_TOPICS, SpotStage, spotStageFingerprint } from './cluster-spot/spot-stage.js';

const NAME = /^[a-z0-9-]{1,64}$/;

runServiceProcess({
  name: 'spot',
  schema: {
    ...kafkaConfigSchema,
    source: stringField('PERPCORE_SPOT_SOURCE', { fallback: 'spot-0', pattern: NAME }),
    markets: listField('PERPCORE_SPOT_MARKETS', { fallback: defaultMarketSpecs.map((s) => s.symbol), itemPattern: /^[A-Z0-9-]{2,32}$/ }),
    ...snapshotConfigSchema,
  },
  async start({ config, logger }) {
    const stageConfig = { source: config.source, specs: selectMarkets(config.markets) };
    const kafka = await KafkaBus.connect(kafkaBusOptions(config, config.source, logger));
    let recovery: Recovery | null;
    try {
      recovery = await openConfiguredStageRecovery(
        config,
        { stage: 'spot', venueFingerprint: spotStageFingerprint(stageConfig), topics: SPOT_STAGE_TOPICS, committedOffsets: (topic) => kafka.committedOffsets(config.source, topic) },
        logger,
      );
    } catch (error) {
      await kafka.close().catch(() => undefined);
      throw error;
    }
    const bus = recovery === null ? kafka : recovery.bus(kafka);
    const stage = new SpotStage(bus, stageConfig, logger.child({ stage: 'spot' }));
    try {
      recovery?.restore(stage);
      await stage.start();
      const stopSnapshots = recovery?.startPeriodic() ?? (() => undefined);
      const finalRecovery = recovery;
      // gateways' read-only questions, on the Kafka bus directly: they are no input of the stage
      const queries = await serveSpotQueries(kafka, config.source, stage, wallClockNs);
      return {
        stats() {
          const audit = stage.engine.audit();
          return {
            ...stage.counters,
            eventsPublished: stage.eventSeq,
            auditOk: audit.ok,
            auditProblems: audit.problems.slice(0, 5),
            halted: stage.halted === '' ? false : stage.halted,
            sendIdle: kafka.sendIdle,
            kafkaSent: kafka.traffic(),
          };
        },
        async close() {
          await queries.close();
          stopSnapshots();
          await stage.close();
          if (stage.halted === '') await finalRecovery?.snapshotNow(); // a halted stage's state is for inspection, not to resume from
          await bus.close();
          const audit = stage.engine.audit();
          if (audit.ok) logger.info({ stateHash: stage.stateHash() }, 'spot conservation audit ok at shutdown');
          else logger.error({ problems: audit.problems }, 'spot conservation audit failed at shutdown');
          if (stage.halted !== '') throw new Error(stage.halted);
        },
      };
    } catch (error) {
      await bus.close().catch(() => undefined);
      throw error;
    }
  },
});
