import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import type { ServiceReport } from './service-process.js';

const childPath = fileURLToPath(new URL('./service-process-child.test-support.js', import.meta.url));

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  reports: ServiceReport[];
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Run {
  const child = fork(childPath, [], { env: { ...process.env, PERPCORE_LOG_LEVEL: 'silent', PERPCORE_STATS_INTERVAL_MS: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const reports: ServiceReport[] = [];
  child.on('message', (m) => reports.push(m as ServiceReport));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, stdout: () => out, stderr: () => err, reports, exited };
}

async function ready(run: Run): Promise<void> {
  while (!run.reports.some((r) => r.type === 'ready')) {
    if (run.child.exitCode !== null) assert.fail(`child exited ${run.child.exitCode}: ${run.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('runServiceProcess', () => {
  it('refuses a bad variable by name and exits 2 before starting', async () => {
    const run = start({ T_CHILD_PORT: 'eighty' });
    assert.equal(await run.exited, 2);
    assert.match(run.stderr(), /child-service: invalid configuration:\n {2}T_CHILD_PORT: must be an integer, got "eighty"/);
    assert.equal(run.stdout(), '');
  });

  it('reports ready and stats over IPC, and closes cleanly on SIGTERM (exit 0)', async () => {
    const run = start({ T_CHILD_PORT: '8080' });
    await ready(run);
    run.child.send({ type: 'stats' });
    while (!run.reports.some((r) => r.type === 'stats')) await new Promise((resolve) => setTimeout(resolve, 10));
    const stats = run.reports.find((r) => r.type === 'stats');
    assert.deepEqual(stats, { type: 'stats', name: 'child-service', stats: { handled: 1, portNumber: 8080 } });
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
    assert.equal(run.stdout(), 'closed\n');
  });

  it("passes the parent's other messages to the service, and stop and stats never", async () => {
    const run = start({});
    await ready(run);
    run.child.send({ type: 'stats' });
    run.child.send({ type: 'arm-shock' });
    run.child.send({ noType: true });
    while (!run.stdout().includes('message arm-shock')) await new Promise((resolve) => setTimeout(resolve, 10));
    run.child.send({ type: 'stop' });
    assert.equal(await run.exited, 0);
    assert.equal(run.stdout(), 'message arm-shock\nclosed\n');
  });

  it('closes when its parent goes away (the IPC channel closes)', async () => {
    const run = start({});
    await ready(run);
    run.child.disconnect();
    assert.equal(await run.exited, 0);
    assert.equal(run.stdout(), 'closed\n');
  });

  it('a finite job that finishes stops the process cleanly (exit 0); one that fails exits 1 after closing', async () => {
    const done = start({ CHILD_FINISH: 'done' });
    assert.equal(await done.exited, 0);
    assert.equal(done.stdout(), 'closed\n');
    assert.ok(done.reports.some((r) => r.type === 'stopping' && r.reason === 'finished'));
    const failed = start({ CHILD_FINISH: 'fail' });
    assert.equal(await failed.exited, 1);
    assert.equal(failed.stdout(), 'closed\n');
    assert.match(failed.stderr(), /child-service: failed: run went wrong/);
  });

  it('a failed start prints one clear line and exits 1', async () => {
    const run = start({ CHILD_START: 'fail' });
    assert.equal(await run.exited, 1);
    assert.match(run.stderr(), /child-service: cannot start: broker 127\.0\.0\.1:1 unreachable/);
  });

  it('a close that never finishes is cut off by PERPCORE_SHUTDOWN_TIMEOUT_MS (exit 1)', async () => {
    const run = start({ CHILD_CLOSE: 'hang', PERPCORE_SHUTDOWN_TIMEOUT_MS: '200' });
    await ready(run);
    run.child.kill('SIGINT');
    assert.equal(await run.exited, 1);
    assert.equal(run.stdout(), '');
  });
});
