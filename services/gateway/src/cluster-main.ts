#!/usr/bin/env node
/**
 * The gateway as its own process (cluster mode): the Binance USDⓈ-M /fapi API on
 * an HTTP port, in front of the stages running as their own processes, through
 * `KafkaExchangeClient` (commands on the gateway topics, answers from the stages'
 * event topics, account views from the risk shard's query replies). Several may run
 * at once: each publishes under its own source and reads under its own group.
 *
 * It serves the operator API (/v1/admin) too, with the token from PERPCORE_ADMIN_TOKEN
 * or a generated one printed once on stderr (never to the log). The registry of
 * accounts and API keys is shared by every gateway process through the
 * `gateway.registry.v1` topic (auth/shared-account-registry.ts): a key issued by
 * one works on all of them, and a restarted gateway reads it back before it
 * serves. Its read models (orders, trades, client order ids, settings, the book,
 * tickers) are folds of the event topics, which it reads from their earliest retained
 * record on every start (KafkaExchangeClient): /ready says 503 and the trading routes
 * -1001 until it has handled everything they held when it started, so a restarted or
 * a later gateway answers as the one that took the orders. With PERPCORE_SNAPSHOT_DIR
 * a restart starts from its newest snapshot and replays only the records after it.
 * Each process creates account ids in its own range of 100,000 (instance
 * i: (i + 1) × 100,000 up to the next range, at most 8 instances below the system
 * accounts), so two processes never hand out one id. Every gateway must run with a
 * distinct PERPCORE_GATEWAY_INSTANCE.
 *
 * Environment (validated at start; a bad value names the variable):
 *   PERPCORE_KAFKA_*               see libs/bus kafka-config.ts (PERPCORE_KAFKA_BROKERS required)
 *   PERPCORE_GATEWAY_SOURCE        producer name and consumer group (default gateway-<base36 start ms>-<pid>)
 *   PERPCORE_GATEWAY_HTTP_PORT     port to serve /fapi on (default 8080; 0 = a free port, printed)
 *   PERPCORE_GATEWAY_HOST          address to bind (default 127.0.0.1)
 *   PERPCORE_GATEWAY_MARKETS       symbols served (default: every default market)
 *   PERPCORE_RISK_LOANS, PERPCORE_RISK_LENDING_POOL  as on the risk process (default false): the collateral
 *                                  assets its lending contexts value (BTC, ETH), for operator deposits and the
 *                                  lending routes
 *   PERPCORE_GATEWAY_SPOT          true: the cluster runs the spot-margin process (services/exchange cluster-spot.js), so
 *                                  the margin SAPI (/sapi/v1/margin/...) and the operator's spot custody are served
 *                                  (default false: they answer -1121 / SPOT_NOT_LISTED)
 *   PERPCORE_GATEWAY_INSTANCE      this process's order-id lane, 0..PERPCORE_GATEWAY_INSTANCES-1 (default 0)
 *   PERPCORE_GATEWAY_INSTANCES     gateway processes sharing the order-id range, a power of two ≤ 64 (default 8)
 *   PERPCORE_GATEWAY_TIMEOUT_MS    how long a request waits for the core's answer before -1007 (default 10000)
 *   PERPCORE_SNAPSHOT_DIR          read-model snapshots (cluster-gateway-snapshots.ts), one directory per process; unset: none
 *                                  (every start replays the topics from their earliest retained record)
 *   PERPCORE_SNAPSHOT_INTERVAL_MS, PERPCORE_SNAPSHOT_MIN_MESSAGES, PERPCORE_SNAPSHOT_KEEP   as the stages' (libs/snapshot snapshot-config.ts)
 *   PERPCORE_LOG_LEVEL, PERPCORE_SHUTDOWN_TIMEOUT_MS, PERPCORE_STATS_INTERVAL_MS (libs/runtime)
 */
import { KafkaBus, kafkaBusOptions, kafkaConfigSchema } from '@perpcore/bus';
import { enumField, integerField, listField, stringField } from '@perpcore/config';
import { KafkaExchangeClient, lendingCollateralAssets } from '@perpcore/exchange';
import { runServiceProcess, wallClockNs } from '@perpcore/runtime';
import { configFingerprint, snapshotConfigSchema, snapshotDirOf } from '@perpcore/snapshot';
import { defaultMarketSpecs, defaultSystemAccounts, defaultVenueMarkets, selectMarkets } from '@perpcore/markets';
import { ADMIN_TOKEN_ENV, resolveAdminToken } from './admin/admin-token.js';
import { SharedAccountRegistry } from './auth/shared-account-registry.js';
import { dashboardUrl } from './dashboard/dashboard-routes.js';
import { ClusterGatewaySnapshots } from './cluster-gateway-snapshots.js';
import { createGatewayServer } from './gateway-server.js';
import { MAX_ID_LANES, OrderIdAllocator } from './read-model/order-id-allocator.js';

/** How often a gateway still replaying logs which partitions it is behind on. */
const REPLAY_PROGRESS_MS = 15_000;

runServiceProcess({
  name: 'gateway',
  schema: {
    ...kafkaConfigSchema,
    source: stringField('PERPCORE_GATEWAY_SOURCE', { fallback: `gateway-${Date.now().toString(36)}-${process.pid}`, pattern: /^[a-z0-9-]{1,64}$/ }),
    httpPort: integerField('PERPCORE_GATEWAY_HTTP_PORT', { min: 0, max: 65_535, fallback: 8_080 }),
    host: stringField('PERPCORE_GATEWAY_HOST', { fallback: '127.0.0.1', pattern: /^[0-9a-zA-Z.:-]{1,255}$/ }),
    markets: listField('PERPCORE_GATEWAY_MARKETS', { fallback: defaultMarketSpecs.map((s) => s.symbol), itemPattern: /^[A-Z0-9-]{2,32}$/ }),
    instance: integerField('PERPCORE_GATEWAY_INSTANCE', { min: 0, max: MAX_ID_LANES - 1, fallback: 0 }),
    instances: integerField('PERPCORE_GATEWAY_INSTANCES', { min: 1, max: MAX_ID_LANES, fallback: 8 }),
    spot: enumField('PERPCORE_GATEWAY_SPOT', ['true', 'false'] as const, 'false'),
    timeoutMs: integerField('PERPCORE_GATEWAY_TIMEOUT_MS', { min: 100, max: 600_000, fallback: 10_000 }),
    loans: enumField('PERPCORE_RISK_LOANS', ['true', 'false'] as const, 'false'),
    lendingPool: enumField('PERPCORE_RISK_LENDING_POOL', ['true', 'false'] as const, 'false'),
    snapshotDir: snapshotConfigSchema.snapshotDir,
    snapshotIntervalMs: snapshotConfigSchema.snapshotIntervalMs,
    snapshotMinMessages: snapshotConfigSchema.snapshotMinMessages,
    snapshotKeep: snapshotConfigSchema.snapshotKeep,
  },
  async start({ config, logger }) {
    const venue = defaultVenueMarkets(selectMarkets(config.markets));
    // two gateway processes must never issue one order id: each its own lane (throws, before connecting, on a bad pair)
    const ids = new OrderIdAllocator(Date.now, { index: config.instance, lanes: config.instances });
    const dir = snapshotDirOf(config);
    // refuses another stage's or another venue's (or lane's) directory before connecting
    const snapshots =
      dir === null
        ? null
        : ClusterGatewaySnapshots.open({
            dir,
            venueFingerprint: configFingerprint({ venue, instance: config.instance, instances: config.instances }),
            everyMs: config.snapshotIntervalMs,
            minMessages: config.snapshotMinMessages,
            keepNewest: config.snapshotKeep,
            logger: logger.child({ stage: 'snapshots' }),
          });
    const bus = await KafkaBus.connect(kafkaBusOptions(config, config.source, logger));
    let stopSnapshots = () => undefined as void;
    try {
      // not reading yet: every read model subscribes first, so each folds the whole replay
      // the collateral the risk shard values, so the operator API takes its deposits and the lending routes its amounts
      const collateralAssets = lendingCollateralAssets({ loans: config.loans === 'true', lendingPool: config.lendingPool === 'true' }, venue.map((m) => m.spec));
      const client = KafkaExchangeClient.unconnected({ bus: snapshots?.bus(bus) ?? bus, venue, source: config.source, timeoutMs: config.timeoutMs, nowNs: wallClockNs, collateralAssets, spotStage: config.spot === 'true' });
      const admin = resolveAdminToken(process.env);
      const registry = await SharedAccountRegistry.open({ ...operatorAccountRange(config.instance), bus, source: config.source, logger: logger.child({ stage: 'registry' }), nowNs: wallClockNs });
      const gateway = await createGatewayServer({ client, registry, adminToken: admin.token, logger: logger.child({ stage: 'gateway' }), ids });
      if (snapshots !== null) {
        await snapshots.restore(client, gateway, bus);
        const from = snapshots.restoredFrom;
        logger.info({ file: from?.file ?? null, offsets: from?.offsets ?? null }, from === null ? 'no gateway snapshot: replaying the event topics from their earliest records' : 'gateway read models restored from a snapshot: replaying the records after it');
      }
      const replayStartedMs = Date.now();
      await client.connect();
      if (snapshots !== null) stopSnapshots = snapshots.startPeriodic();
      // /ready answers 503 and the trading routes -1001 until the replay is in; a long one says where it is
      const progress = setInterval(() => {
        const lag = client.replayLag();
        logger.warn({ replayMs: Date.now() - replayStartedMs, behind: lag.slice(0, 16), partitionsBehind: lag.length }, 'gateway: still replaying the event topics (not ready)');
      }, REPLAY_PROGRESS_MS);
      progress.unref();
      // a replay that failed would leave the gateway not ready for good: the process stops
      // with the failure logged (exit 1) for its supervisor to start again; a caught-up one runs until stopped
      const finished = client.whenCaughtUp().then(
        () => {
          clearInterval(progress);
          logger.info({ replayMs: Date.now() - replayStartedMs, messagesReplayed: snapshots?.applied ?? null }, 'gateway read models caught up with the event topics');
          return new Promise<void>(() => undefined);
        },
        (error: unknown) => {
          clearInterval(progress);
          throw new Error(`the replay of the event topics failed, so this gateway can never be ready: ${(error as Error).message}`, { cause: error });
        },
      );
      finished.catch(() => undefined); // handled by runServiceProcess once returned; not unhandled while the server starts
      const url = await gateway.listen(config.httpPort, config.host);
      process.stderr.write(`gateway: ${config.source} serves Binance USDⓈ-M REST under ${url}/fapi and the operator API under ${url}/v1/admin (cluster mode, over Kafka)\n`);
      if (admin.generated !== undefined) process.stderr.write(`gateway: operator token (generated, shown once; set ${ADMIN_TOKEN_ENV} to choose it): ${admin.generated}\n`);
      process.stderr.write(`gateway: operator dashboard: ${dashboardUrl(url, admin)}\n`);
      logger.info({ url, source: config.source }, 'gateway serving');
      return {
        finished,
        stats: () => ({ url, source: config.source, snapshotMessagesApplied: snapshots?.applied ?? null, orderCommandsSent: client.orderCommandsSent, halted: client.halted(), caughtUp: client.caughtUp(), registry: registry.stats() }),
        async close() {
          stopSnapshots();
          // before the server closes: closing it detaches the read models from the client, which goes on
          // consuming, so a snapshot taken after would record offsets past what the read models hold
          const last = await snapshots?.snapshotNow().catch((error: unknown) => logger.error({ err: error }, 'last gateway snapshot failed'));
          if (last) logger.info({ file: last.file, bytes: last.bytes }, 'last gateway snapshot written');
          await gateway.close();
          await client.close();
          await bus.close();
        },
      };
    } catch (error) {
      await bus.close().catch(() => undefined);
      throw error;
    }
  },
});

/** Instance i creates accounts in [(i + 1) × 100,000, (i + 2) × 100,000), below the system accounts; it accepts every gateway's accounts. */
function operatorAccountRange(instance: number): { firstAccountId: number; endAccountId: number; firstSystemAccountId: number } {
  const firstAccountId = (instance + 1) * 100_000;
  if (firstAccountId >= defaultSystemAccounts.feeAccountId) throw new Error(`PERPCORE_GATEWAY_INSTANCE ${instance}: only instances 0..7 have an account range below the system accounts`);
  return { firstAccountId, endAccountId: Math.min(firstAccountId + 100_000, defaultSystemAccounts.feeAccountId), firstSystemAccountId: defaultSystemAccounts.feeAccountId };
}
