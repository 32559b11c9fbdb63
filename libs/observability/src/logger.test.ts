import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, resolveLogLevel } from './logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) } };
}

test('is quiet by default: info is dropped, warn is written with the logger name', () => {
  const { lines, destination } = capture();
  const log = createLogger('bus', resolveLogLevel(undefined, {}), { destination });
  log.info('not shown');
  log.warn({ topic: 'matching.events.v1', partition: 2, offset: '17' }, 'sent to DLQ');
  assert.equal(lines.length, 1);
  assert.equal(lines[0].name, 'bus');
  assert.equal(lines[0].msg, 'sent to DLQ');
  assert.equal(lines[0].offset, '17');
});

test('PERPCORE_LOG_LEVEL raises the level; an explicit level wins', () => {
  assert.equal(resolveLogLevel(undefined, { PERPCORE_LOG_LEVEL: 'debug' }), 'debug');
  assert.equal(resolveLogLevel('error', { PERPCORE_LOG_LEVEL: 'debug' }), 'error');
});

test('an unknown level name is rejected with the variable named', () => {
  assert.throws(() => resolveLogLevel(undefined, { PERPCORE_LOG_LEVEL: 'verbose' }), /PERPCORE_LOG_LEVEL/);
});
