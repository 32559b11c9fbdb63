/**
 * Test support: whether the Kafka integration tests can run here.
 *
 * - PERPCORE_KAFKA_BROKERS set (scripts/run-tests.mjs starts a broker and sets it
 *   whenever a selected test file has "kafka" in its path): run.
 * - Not set and CI set: a failing test, so CI can never pass without them.
 * - Neither: skip, with a loud note on stderr.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '@perpcore/observability';

export interface KafkaTestEnv {
  brokers: string[];
  skip: string | false;
}

export function kafkaTestEnv(suite: string): KafkaTestEnv {
  const configured = process.env.PERPCORE_KAFKA_BROKERS;
  if (configured !== undefined && configured.trim() !== '') return { brokers: configured.split(',').map((b) => b.trim()), skip: false };
  const reason = `PERPCORE_KAFKA_BROKERS is not set (run through scripts/run-tests.mjs, or npm run kafka:start and export it)`;
  if (process.env.CI) {
    test(`${suite}: Kafka integration tests must run under CI`, () => assert.fail(`${reason}, and CI is set: refusing to skip`));
  } else {
    process.stderr.write(`\n!!!!! ${suite}: Kafka integration tests SKIPPED: ${reason}\n\n`);
  }
  return { brokers: [], skip: reason };
}

/** Bus logs in tests: silent unless PERPCORE_LOG_LEVEL asks for more. */
export const testLogger = () => createLogger('bus-test', process.env.PERPCORE_LOG_LEVEL === undefined ? 'silent' : undefined);
