import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readConfig } from '@perpcore/config';
import { kafkaBusOptions, kafkaConfigSchema } from './kafka-config.js';

describe('kafkaConfigSchema', () => {
  it('defaults everything but the brokers to the KafkaBus defaults', () => {
    const config = readConfig(kafkaConfigSchema, { PERPCORE_KAFKA_BROKERS: '127.0.0.1:9092, kafka-0.kafka:9092' });
    const options = kafkaBusOptions(config, 'matching-0');
    assert.deepEqual(options.brokers, ['127.0.0.1:9092', 'kafka-0.kafka:9092']);
    assert.equal(options.clientId, 'matching-0');
    assert.equal(options.lingerMs, 2);
    assert.equal(options.batchMaxMessages, 2_000);
    assert.equal(options.batchMaxBytes, 512 * 1024);
    assert.equal(options.connectTimeoutMs, 60_000);
    assert.equal(options.replicationFactor, undefined, '0 means the broker default');
    assert.deepEqual(options.consumer, { sessionTimeoutMs: 10_000, maxWaitTimeMs: 100 });
  });

  it('takes producer batch size and linger from their variables', () => {
    const config = readConfig(kafkaConfigSchema, {
      PERPCORE_KAFKA_BROKERS: 'k:1',
      PERPCORE_KAFKA_LINGER_MS: '0',
      PERPCORE_KAFKA_BATCH_MAX_MESSAGES: '500',
      PERPCORE_KAFKA_REPLICATION_FACTOR: '3',
    });
    const options = kafkaBusOptions(config, 'risk-0');
    assert.equal(options.lingerMs, 0);
    assert.equal(options.batchMaxMessages, 500);
    assert.equal(options.replicationFactor, 3);
  });

  it('names the bad variable', () => {
    assert.throws(() => readConfig(kafkaConfigSchema, {}), /PERPCORE_KAFKA_BROKERS: is required/);
    assert.throws(() => readConfig(kafkaConfigSchema, { PERPCORE_KAFKA_BROKERS: 'localhost' }), /PERPCORE_KAFKA_BROKERS: item "localhost" is invalid/);
    assert.throws(() => readConfig(kafkaConfigSchema, { PERPCORE_KAFKA_BROKERS: 'k:1', PERPCORE_KAFKA_LINGER_MS: '2ms' }), /PERPCORE_KAFKA_LINGER_MS: must be an integer/);
    assert.throws(() => readConfig(kafkaConfigSchema, { PERPCORE_KAFKA_BROKERS: 'k:1', PERPCORE_KAFKA_BATCH_MAX_MESSAGES: '0' }), /PERPCORE_KAFKA_BATCH_MAX_MESSAGES: must be in \[1, 100000\]/);
  });
});
