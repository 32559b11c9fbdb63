/**
 * One cluster stage process (matching or risk) under the crash test: started with
 * its environment, waited for until it says `<name> ready`, SIGKILLed, started
 * again over the same snapshot directory, and at the end stopped with SIGTERM (its
 * shutdown lines carry the final state hash). Every life's stderr (pino JSON lines)
 * is kept for the report and the checks.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

export interface StageLife {
  readonly child: ChildProcess;
  stderr: string;
}

export class StageProcess {
  readonly lives: StageLife[] = [];

  constructor(
    readonly name: 'risk' | 'matching',
    private readonly script: string,
    private readonly env: Record<string, string>,
    private readonly cwd: string,
  ) {}

  get current(): StageLife | undefined {
    return this.lives.at(-1);
  }

  /** Starts a life and resolves once it is ready (rejects with its log tail if it exits or takes longer than `timeoutMs`). */
  async start(timeoutMs = 120_000): Promise<StageLife> {
    const child = spawn(process.execPath, [this.script], { cwd: this.cwd, env: { PATH: process.env.PATH ?? '', ...this.env }, stdio: ['ignore', 'ignore', 'pipe'] });
    const killOnExit = (): void => void child.kill('SIGKILL'); // never leave a stage running if the harness dies
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    const life: StageLife = { child, stderr: '' };
    this.lives.push(life);
    child.stderr?.on('data', (d: Buffer) => (life.stderr += d.toString()));
    const ready = `"${this.name} ready"`;
    const deadline = Date.now() + timeoutMs;
    while (!life.stderr.includes(ready)) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${this.name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${life.stderr.slice(-2_000)}`);
      if (Date.now() > deadline) throw new Error(`${this.name} was not ready within ${timeoutMs} ms:\n${life.stderr.slice(-2_000)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return life;
  }

  async kill(): Promise<void> {
    const life = this.current;
    if (life === undefined || life.child.exitCode !== null || life.child.signalCode !== null) return;
    life.child.kill('SIGKILL');
    await once(life.child, 'exit');
  }

  /** SIGTERM and the exit code (the stage flushes, snapshots and logs its final state). */
  async stop(timeoutMs = 60_000): Promise<number | null> {
    const life = this.current;
    if (life === undefined) return null;
    if (life.child.exitCode !== null || life.child.signalCode !== null) return life.child.exitCode;
    life.child.kill('SIGTERM');
    const timer = setTimeout(() => life.child.kill('SIGKILL'), timeoutMs);
    const [code] = (await once(life.child, 'exit')) as [number | null];
    clearTimeout(timer);
    return code;
  }

  /** The JSON log lines of a life whose `msg` is `message`. */
  lines(life: StageLife, message: string): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const line of life.stderr.split('\n')) {
      if (!line.includes(`"msg":${JSON.stringify(message)}`)) continue;
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // a line cut by the kill
      }
    }
    return out;
  }
}
