// One cluster service as a child process: `node services/<x>/dist/main.js` with an
// IPC channel (libs/runtime reports `ready` and `stats` over it, and stops when the
// channel closes, so a launcher that dies takes its services with it). stdout and
// stderr go to a log file per service.
import { fork } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const live = new Set();
let hooked = false;

/** Last resort: whatever is still running when the launcher exits is killed (no orphans). */
function installExitHook() {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

export class ServiceProcess {
  constructor({ name, script, env, logDir }) {
    this.name = name;
    this.script = script;
    this.env = env;
    this.logPath = join(logDir, `${name}.log`);
    this.stats = null;
    this.reports = [];
  }

  start() {
    installExitHook();
    const fd = openSync(this.logPath, 'a');
    // PERPCORE_CLUSTER_PROFILE_DIR: each service writes a V8 CPU profile there (where a hop's time goes)
    const profileDir = process.env.PERPCORE_CLUSTER_PROFILE_DIR;
    const execArgv = profileDir ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${this.name}.cpuprofile`] : process.execArgv;
    this.child = fork(this.script, [], { env: this.env, execArgv, stdio: ['ignore', fd, fd, 'ipc'] });
    closeSync(fd);
    live.add(this.child);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        live.delete(this.child);
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    this.child.on('message', (m) => {
      this.reports.push(m.type);
      if (m.type === 'stats') {
        this.stats = m.stats;
        for (const waiter of this.statsWaiters ?? []) waiter(m.stats);
        this.statsWaiters = [];
      }
      if (m.type === 'ready') this.onReady?.();
    });
    this.child.on('error', () => undefined); // IPC errors after the child died: exit tells the story
    return this;
  }

  get running() {
    return this.exit === undefined;
  }

  /** Resolves when the service reported `ready`; rejects if it exits first or the timeout passes. */
  ready(timeoutMs) {
    if (this.reports.includes('ready')) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} not ready after ${timeoutMs} ms (log: ${this.logPath})`)), timeoutMs);
      this.onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${signal ?? `code ${code}`}) before it was ready (log: ${this.logPath})`));
      });
    });
  }

  /** Fresh counters from the service (null if it does not answer in time). */
  requestStats(timeoutMs = 5_000) {
    if (!this.running || !this.child.connected) return Promise.resolve(this.stats);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.stats), timeoutMs);
      (this.statsWaiters ??= []).push((stats) => {
        clearTimeout(timer);
        resolve(stats);
      });
      this.child.send({ type: 'stats' });
    });
  }

  /** Sends the service a message (its `onParentMessage`); false if it is not running. */
  send(message) {
    if (!this.running || !this.child.connected) return false;
    this.child.send(message);
    return true;
  }

  /** SIGTERM (the service flushes and commits), SIGKILL after `timeoutMs`. Resolves to the exit. */
  async stop(timeoutMs = 15_000) {
    if (!this.running) return this.exit;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  logTail(lines = 15) {
    try {
      return readFileSync(this.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
