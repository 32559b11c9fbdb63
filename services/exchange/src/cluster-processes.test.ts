/**
 * The cluster's process entry points fail the way an operator needs (no broker
 * needed): a bad variable stops the process before it starts, naming the variable
 * (exit 2); an unreachable broker is retried with backoff, then the process exits
 * once with one clear line naming the brokers (exit 1), for the orchestrator's
 * restart policy to handle, instead of crashing in a loop.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const ENTRY_POINTS = [
  { name: 'matching', script: 'services/matching/dist/main.js' },
  { name: 'risk', script: 'services/risk/dist/main.js' },
  { name: 'risk', script: 'services/exchange/dist/cluster-risk.js' },
  { name: 'oracle', script: 'services/oracle/dist/main.js' },
  { name: 'oracle', script: 'services/oracle/dist/main.js' },
  { name: 'gateway-sim', script: 'services/exchange/dist/cluster-gateway.js' },
  { name: 'gateway', script: 'services/gateway/dist/cluster-main.js' },
];

async function run(script: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [script], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

/** A loopback port with nothing listening (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

describe('cluster process entry points', () => {
  it('refuse a bad variable by name before starting (exit 2)', async () => {
    const results = await Promise.all(
      ENTRY_POINTS.map(async (e) => ({ e, r: await run(e.script, { PERPCORE_KAFKA_BROKERS: '127.0.0.1:9092', PERPCORE_KAFKA_LINGER_MS: 'soon', PERPCORE_LOG_LEVEL: 'silent' }) })),
    );
    for (const { e, r } of results) {
      assert.equal(r.code, 2, `${e.name}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^${e.name}: invalid configuration:\\n  PERPCORE_KAFKA_LINGER_MS: must be an integer, got "soon"`), e.name);
    }
    // the oracle's shock trigger is one of two words: a typo must not silently shock on the clock
    const trigger = await run('services/oracle/dist/main.js', { PERPCORE_KAFKA_BROKERS: '127.0.0.1:9092', PERPCORE_ORACLE_SHOCK_TRIGGER: 'crowd', PERPCORE_LOG_LEVEL: 'silent' });
    assert.equal(trigger.code, 2, trigger.stderr);
    assert.match(trigger.stderr, /PERPCORE_ORACLE_SHOCK_TRIGGER: must be one of time, parent, got "crowd"/);
    const missing = await run(ENTRY_POINTS[0].script, { PERPCORE_LOG_LEVEL: 'silent' });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /PERPCORE_KAFKA_BROKERS: is required/);
  });

  it('retry an unreachable broker with backoff, then exit once with a clear error (exit 1)', async () => {
    const port = await closedPort();
    const results = await Promise.all(
      ENTRY_POINTS.map(async (e) => ({ e, r: await run(e.script, { PERPCORE_KAFKA_BROKERS: `127.0.0.1:${port}`, PERPCORE_KAFKA_CONNECT_TIMEOUT_MS: '5000', PERPCORE_LOG_LEVEL: 'warn' }) })),
    );
    for (const { e, r } of results) {
      assert.equal(r.code, 1, `${e.name}: ${r.stderr.slice(-500)}`);
      const retries = [...r.stderr.matchAll(/"retryInMs":(\d+)[^\n]*Kafka broker unreachable; retrying/g)].map((m) => Number(m[1]));
      assert.ok(retries.length >= 1, `${e.name} retried`);
      assert.equal(retries[0], 250, 'the first retry waits the initial backoff');
      for (let i = 1; i < retries.length; i++) assert.equal(retries[i], Math.min(retries[i - 1] * 2, 5_000), `${e.name}: backoff doubles (${retries.join(', ')})`);
      const failure = new RegExp(`\\n${e.name}: cannot start: Kafka admin: Kafka broker 127\\.0\\.0\\.1:${port} unreachable for 5000 ms after (\\d+) attempts`).exec(r.stderr);
      assert.ok(failure !== null, `${e.name}: ${r.stderr.slice(-300)}`);
      assert.equal(Number(failure[1]), retries.length + 1, 'one clear error after the last attempt, no crash loop');
    }
  });
});
