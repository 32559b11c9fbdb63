import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enumField, integerField, listField, readConfig, stringField } from './config-schema.js';

const schema = {
  brokers: listField('T_BROKERS', { itemPattern: /^[\w.-]+:\d+$/ }),
  lingerMs: integerField('T_LINGER_MS', { min: 0, max: 1000, fallback: 2 }),
  level: enumField('T_LEVEL', ['info', 'warn'] as const, 'warn'),
  name: stringField('T_NAME', { fallback: 'x' }),
};

describe('readConfig', () => {
  it('parses values and applies fallbacks', () => {
    const c = readConfig(schema, { T_BROKERS: '127.0.0.1:9092, localhost:1' });
    assert.deepEqual(c, { brokers: ['127.0.0.1:9092', 'localhost:1'], lingerMs: 2, level: 'warn', name: 'x' });
  });

  it('names every bad key at once', () => {
    assert.throws(
      () => readConfig(schema, { T_LINGER_MS: '5ms', T_LEVEL: 'loud' }),
      (e: Error) => /T_BROKERS: is required/.test(e.message) && /T_LINGER_MS: must be an integer/.test(e.message) && /T_LEVEL: must be one of/.test(e.message),
    );
    assert.throws(() => readConfig(schema, { T_BROKERS: 'nohostport' }), /T_BROKERS: item "nohostport" is invalid/);
    assert.throws(() => readConfig(schema, { T_BROKERS: 'a:1', T_LINGER_MS: '5000' }), /T_LINGER_MS: must be in \[0, 1000\]/);
  });
});
