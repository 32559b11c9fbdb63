/**
 * `--target embedded` for the HTTP APIs: the exchange as `npm start` runs it (the
 * same entry point, services/gateway/dist/main.js, after the harness's own build
 * check) with its gateway on a free loopback port, the operator token chosen by
 * the harness (PERPCORE_ADMIN_TOKEN), the simulated market at the scenario's
 * background rate and its index gap. Logs at `warn` (the default `info` writes a
 * request log line per order to the terminal). Stopped with SIGINT, as a user
 * would; its closing summary (conservation, liquidations, fund) goes into the report.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { LoadScenario } from './load-scenario.js';

export interface RunningTarget {
  readonly base: URL;
  readonly adminToken: string;
  /** The command line it was started with (for the report). */
  readonly command: string;
  /** Stops it; resolves with its closing summary (stdout). */
  stop(): Promise<string>;
}

const START_TIMEOUT_MS = 120_000;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startEmbeddedTarget(root: string, scenario: LoadScenario, seed: number, runForS: number): Promise<RunningTarget> {
  const port = await freePort();
  const adminToken = randomBytes(24).toString('hex');
  const { backgroundRatePerS, shockAtS, shockE8 } = scenario.embedded;
  const args = [join(root, 'services/gateway/dist/main.js'), '--http-port', String(port), '--duration-s', String(runForS), '--rate-per-s', String(backgroundRatePerS), '--shock-at-s', String(shockAtS), '--shock-e8', String(shockE8), '--seed', String(seed), '--log-level', 'warn'];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: root, env: { ...process.env, PERPCORE_ADMIN_TOKEN: adminToken }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = await new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`embedded exchange did not serve within ${START_TIMEOUT_MS / 1000} s:\n${stderr.slice(-2000)}`)), START_TIMEOUT_MS);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const m = /gateway on (http:\/\/[^\s]+)/.exec(stderr);
      if (m !== null) {
        clearTimeout(timer);
        resolve(new URL(m[1] as string));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`embedded exchange exited (code ${code}) before serving:\n${stderr.slice(-2000)}`));
    });
  });
  return {
    base,
    adminToken,
    command: `node ${args.map((a) => a.replace(`${root}/`, '')).join(' ')}`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      await exited;
      return stdout;
    },
  };
}
