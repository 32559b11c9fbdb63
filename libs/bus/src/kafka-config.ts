/**
 * The Kafka part of a service's configuration, to spread into the service's own
 * schema (`readConfig({ ...kafkaConfigSchema, ... })`), validated at start with the
 * bad variable named. Units are in the names. Defaults are the `KafkaBus` defaults,
 * so an unset variable changes nothing.
 *
 * | variable                              | default | meaning |
 * |---------------------------------------|---------|---------|
 * | PERPCORE_KAFKA_BROKERS                | (required) | bootstrap brokers, `host:port[,host:port…]` |
 * | PERPCORE_KAFKA_LINGER_MS              | 2       | ship a producer batch this long after its first message |
 * | PERPCORE_KAFKA_BATCH_MAX_MESSAGES     | 2000    | …or when it holds this many messages |
 * | PERPCORE_KAFKA_BATCH_MAX_BYTES        | 524288  | most value bytes per send (broker limit ~1 MiB) |
 * | PERPCORE_KAFKA_CONNECT_TIMEOUT_MS     | 60000   | how long start-up retries an unreachable broker (backoff 250 ms → 5 s) |
 * | PERPCORE_KAFKA_SEND_RETRY_TIMEOUT_MS  | 120000  | how long one batch is re-sent on transient errors |
 * | PERPCORE_KAFKA_REPLICATION_FACTOR     | 0       | replication of topics the bus creates; 0 = the broker's default |
 * | PERPCORE_KAFKA_SESSION_TIMEOUT_MS     | 10000   | consumer group session timeout |
 * | PERPCORE_KAFKA_FETCH_MAX_WAIT_MS      | 100     | longest a fetch waits on an idle partition |
 */
import { type ConfigOf, integerField, listField } from '@perpcore/config';
import type { Logger } from '@perpcore/observability';
import type { KafkaBusOptions } from './kafka-bus.js';

const HOST_PORT = /^[A-Za-z0-9._-]+:[0-9]{1,5}$/;

export const kafkaConfigSchema = {
  kafkaBrokers: listField('PERPCORE_KAFKA_BROKERS', { itemPattern: HOST_PORT, description: 'bootstrap brokers, host:port[,host:port...]' }),
  kafkaLingerMs: integerField('PERPCORE_KAFKA_LINGER_MS', { min: 0, max: 10_000, fallback: 2, description: 'producer linger' }),
  kafkaBatchMaxMessages: integerField('PERPCORE_KAFKA_BATCH_MAX_MESSAGES', { min: 1, max: 100_000, fallback: 2_000, description: 'producer batch size' }),
  kafkaBatchMaxBytes: integerField('PERPCORE_KAFKA_BATCH_MAX_BYTES', { min: 1_024, max: 64 * 1024 * 1024, fallback: 512 * 1024, description: 'producer batch bytes' }),
  kafkaConnectTimeoutMs: integerField('PERPCORE_KAFKA_CONNECT_TIMEOUT_MS', { min: 1_000, max: 3_600_000, fallback: 60_000, description: 'start-up retry window' }),
  kafkaSendRetryTimeoutMs: integerField('PERPCORE_KAFKA_SEND_RETRY_TIMEOUT_MS', { min: 1_000, max: 3_600_000, fallback: 120_000, description: 'send retry window' }),
  kafkaReplicationFactor: integerField('PERPCORE_KAFKA_REPLICATION_FACTOR', { min: 0, max: 32, fallback: 0, description: '0 = broker default' }),
  kafkaSessionTimeoutMs: integerField('PERPCORE_KAFKA_SESSION_TIMEOUT_MS', { min: 6_000, max: 300_000, fallback: 10_000, description: 'consumer session timeout' }),
  kafkaFetchMaxWaitMs: integerField('PERPCORE_KAFKA_FETCH_MAX_WAIT_MS', { min: 0, max: 10_000, fallback: 100, description: 'fetch max wait' }),
};

export type KafkaConfig = ConfigOf<typeof kafkaConfigSchema>;

/** `KafkaBus.connect` options from validated config; `clientId` names the process (e.g. "matching-0"). */
export function kafkaBusOptions(config: KafkaConfig, clientId: string, logger?: Logger): KafkaBusOptions {
  return {
    brokers: config.kafkaBrokers,
    clientId,
    logger,
    lingerMs: config.kafkaLingerMs,
    batchMaxMessages: config.kafkaBatchMaxMessages,
    batchMaxBytes: config.kafkaBatchMaxBytes,
    connectTimeoutMs: config.kafkaConnectTimeoutMs,
    sendRetryTimeoutMs: config.kafkaSendRetryTimeoutMs,
    replicationFactor: config.kafkaReplicationFactor === 0 ? undefined : config.kafkaReplicationFactor,
    consumer: { sessionTimeoutMs: config.kafkaSessionTimeoutMs, maxWaitTimeMs: config.kafkaFetchMaxWaitMs },
  };
}
