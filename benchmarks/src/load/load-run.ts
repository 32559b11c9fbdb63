/**
 * One load run: start (or reach) the target, set up the accounts, send the
 * scenario's operations on their open-loop schedule, drain, and collect the
 * figures. The run loop wakes at least every millisecond and sends every
 * operation whose intended time has passed; its own lateness is included in the
 * latencies (they are from the intended time) and reported separately as harness
 * lag, so a saturated load generator is visible as such.
 */
import { cpus, loadavg } from 'node:os';
import { ProgressLine } from '@perpcore/exchange';
import { ArrivalSchedule } from './arrival-schedule.js';
import { ClientDriver } from './client-driver.js';
import { startEmbeddedTarget, type RunningTarget } from './embedded-target.js';
import { LatencyRecorder, type OperationFigures, type SecondFigures } from './latency-recorder.js';
import type { LoadDriver } from './load-driver.js';
import type { LoadApi, LoadOptions } from './load-options.js';
import type { LoadScenario } from './load-scenario.js';
import { OrderFlow } from './order-flow.js';
import { RestDriver } from './rest-driver.js';
import { WsDriver } from './ws-driver.js';
import { WsOrderDriver } from './ws-order-driver.js';

/**
 * Orders per second one key may send: the gateway's default limit is 1,200 orders
 * per key per minute (20/s sustained) and 2,400 weight per IP; 15/s keeps a margin.
 */
export const MAX_RATE_PER_ACCOUNT = 15;
/** Beyond this many unanswered operations the harness counts new ones as errors instead of queueing them without bound. */
export const MAX_IN_FLIGHT = 20_000;
const DRAIN_TIMEOUT_MS = 30_000;

export interface LoadReport {
  readonly startedAt: string;
  readonly scenario: LoadScenario;
  readonly settings: { target: string; api: LoadApi; ratePerS: number; durationS: number; connections: number; accounts: number; markets: readonly string[]; seed: number; peakRatePerS: number };
  readonly notes: readonly string[];
  readonly driver: string;
  readonly targetCommand: string;
  readonly machine: { cores: number; node: string; loadAverage1mAtStart: number; loadAverage1mAtEnd: number };
  readonly totals: { scheduled: number; ok: number; rejected: number; errors: number; elapsedS: number; answeredPerS: number };
  readonly harnessLagMaxMs: number;
  readonly operations: Record<string, OperationFigures>;
  readonly series: Record<string, readonly SecondFigures[]>;
  readonly intendedRatePerS: readonly number[];
  readonly observed: Record<string, number>;
  readonly targetSummary: string;
}

export interface RunInputs {
  readonly options: LoadOptions;
  readonly scenario: LoadScenario;
  readonly root: string;
  readonly adminToken: string | undefined;
}

function driverFor(api: LoadApi, inputs: RunInputs, base: URL | undefined, adminToken: string, markets: readonly string[]): LoadDriver {
  if (api === 'client') return new ClientDriver(inputs.scenario, markets, inputs.options.seed);
  const options = { base: base as URL, adminToken, scenario: inputs.scenario, markets, connections: inputs.options.connections };
  if (api === 'ws-order') return new WsOrderDriver(options);
  return api === 'ws' ? new WsDriver(options) : new RestDriver(options);
}

export async function runLoad(inputs: RunInputs): Promise<LoadReport> {
  const { options, scenario } = inputs;
  const ratePerS = options.ratePerS ?? scenario.ratePerS;
  const durationS = options.durationS ?? scenario.durationS;
  const markets = options.markets ?? scenario.markets;
  const schedule = new ArrivalSchedule(ratePerS, durationS, scenario.phases);
  const notes: string[] = [];
  let accounts = options.accounts ?? scenario.accounts;
  const needed = Math.ceil(schedule.peakRatePerS / MAX_RATE_PER_ACCOUNT);
  if (options.api !== 'client' && accounts < needed) {
    notes.push(`accounts raised from ${accounts} to ${needed}: the gateway limits orders per key (1,200/min) and weight per IP, so each account sends at most ${MAX_RATE_PER_ACCOUNT}/s at the peak rate ${schedule.peakRatePerS}/s`);
    accounts = needed;
  }
  const loadAtStart = loadavg()[0] as number;
  let target: RunningTarget | undefined;
  let base: URL | undefined;
  let adminToken = inputs.adminToken ?? '';
  if (options.api !== 'client') {
    if (options.target === 'embedded') {
      target = await startEmbeddedTarget(inputs.root, scenario, options.seed, durationS + 3_600);
      base = target.base;
      adminToken = target.adminToken;
    } else {
      base = options.target;
      if (adminToken === '') throw new Error(`--target ${base.href}: set PERPCORE_ADMIN_TOKEN to the gateway's operator token (the harness creates its accounts and keys through the operator API)`);
    }
  }
  const driver = driverFor(options.api, inputs, base, adminToken, markets);
  const recorder = new LatencyRecorder();
  const progress = new ProgressLine(process.stderr, 1_000);
  let targetSummary = '';
  try {
    const views = await driver.setup(accounts);
    const flow = new OrderFlow(scenario, views, accounts, options.seed);
    let refreshing = false;
    const marks = setInterval(() => {
      if (refreshing) return;
      refreshing = true;
      driver
        .refreshMarks(views)
        .catch(() => undefined) // a failed refresh keeps the last marks; the next one tries again
        .finally(() => (refreshing = false));
    }, 1_000);
    const inFlight = new Set<Promise<void>>();
    let lagMaxMs = 0;
    const startMs = performance.now();
    let nextSecondMs = startMs + 1_000;
    const intended: number[] = [];
    const tick = () => {
      const nowMs = performance.now();
      while (nowMs >= nextSecondMs) {
        recorder.closeSecond();
        intended.push(schedule.rateAt(nextSecondMs - 1_000 - startMs));
        nextSecondMs += 1_000;
        if (options.progress) progress.update(progressText(recorder, nowMs - startMs, inFlight.size), nowMs);
      }
    };
    for (let due = schedule.peek(); due !== null; due = schedule.peek()) {
      const intendedMs = startMs + due;
      let nowMs = performance.now();
      if (nowMs < intendedMs) {
        await new Promise<void>((resolve) => setTimeout(resolve, Math.min(5, intendedMs - nowMs)));
        tick();
        continue;
      }
      const n = schedule.take();
      lagMaxMs = Math.max(lagMaxMs, nowMs - intendedMs);
      const intent = flow.next(n);
      if (intent === null) {
        recorder.scheduled('make');
        recorder.done('make', 'error', 0, 'no mark price yet');
        continue;
      }
      const ops = driver.operations(intent);
      for (const op of ops) recorder.scheduled(op);
      if (inFlight.size >= MAX_IN_FLIGHT) {
        for (const op of ops) recorder.done(op, 'error', (performance.now() - intendedMs) * 1000, 'harness in-flight cap');
        continue;
      }
      const p = driver.execute(intent, intendedMs, recorder, flow).finally(() => inFlight.delete(p));
      inFlight.add(p);
      nowMs = performance.now();
      if (nowMs >= nextSecondMs) {
        tick();
        await new Promise<void>((resolve) => setImmediate(resolve)); // let answers in while catching up
      }
    }
    const drainEnd = performance.now() + DRAIN_TIMEOUT_MS;
    while (inFlight.size > 0 && performance.now() < drainEnd) {
      await Promise.race([Promise.all(inFlight), new Promise((resolve) => setTimeout(resolve, 100))]);
      tick();
    }
    if (inFlight.size > 0) notes.push(`${inFlight.size} operations still unanswered ${DRAIN_TIMEOUT_MS / 1000} s after the schedule ended (their sockets time out as errors)`);
    await Promise.all(inFlight);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the last user-data updates
    driver.finish(recorder);
    recorder.closeSecond();
    intended.push(schedule.rateAt(nextSecondMs - 1_000 - startMs));
    const elapsedS = (performance.now() - startMs) / 1000;
    clearInterval(marks);
    progress.done();
    const operations: Record<string, OperationFigures> = {};
    const series: Record<string, readonly SecondFigures[]> = {};
    let ok = 0;
    let rejected = 0;
    let errors = 0;
    let scheduled = 0;
    for (const op of recorder.operations()) {
      const f = recorder.figures(op);
      operations[op] = f;
      series[op] = recorder.series(op);
      if (op.includes('→')) continue; // a stream confirmation of an order already counted
      ok += f.ok;
      rejected += f.rejected;
      errors += f.errors;
      scheduled += f.sent;
    }
    const observed = driver.observed();
    await driver.close();
    if (target !== undefined) targetSummary = await target.stop();
    return {
      startedAt: new Date(Date.now() - elapsedS * 1000).toISOString(),
      scenario,
      settings: { target: options.target === 'embedded' ? 'embedded' : options.target.href, api: options.api, ratePerS, durationS, connections: options.connections, accounts, markets, seed: options.seed, peakRatePerS: schedule.peakRatePerS },
      notes,
      driver: driver.describe,
      targetCommand: target?.command ?? (options.api === 'client' ? 'in-process EmbeddedExchange' : (base as URL).href),
      machine: { cores: cpus().length, node: process.version, loadAverage1mAtStart: Number(loadAtStart.toFixed(2)), loadAverage1mAtEnd: Number((loadavg()[0] as number).toFixed(2)) },
      totals: { scheduled, ok, rejected, errors, elapsedS: Number(elapsedS.toFixed(2)), answeredPerS: Math.round((ok + rejected) / elapsedS) },
      harnessLagMaxMs: Number(lagMaxMs.toFixed(2)),
      operations,
      series,
      intendedRatePerS: intended,
      observed,
      targetSummary,
    };
  } catch (error) {
    await driver.close().catch(() => undefined);
    if (target !== undefined) await target.stop().catch(() => '');
    throw error;
  }
}

function progressText(recorder: LatencyRecorder, elapsedMs: number, inFlight: number): string {
  const t = recorder.totals();
  const p99s = recorder
    .operations()
    .map((op) => {
      const p = recorder.lastSecondP99Us(op);
      return p === null ? null : `${op} ${(p / 1000).toFixed(1)}`;
    })
    .filter((x) => x !== null);
  return `t=${(elapsedMs / 1000).toFixed(0)}s  sent ${t.sent}  answered ${t.finished - t.errors}  errors ${t.errors}  in flight ${inFlight}  p99 last s (ms): ${p99s.join(', ')}`;
}
