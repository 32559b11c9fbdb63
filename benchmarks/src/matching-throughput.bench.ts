/**
 * Matching throughput and per-command latency: the fast book vs nodejs-order-book on
 * the same pre-generated commands, interleaved round by round (the order of the two
 * books alternates per round).
 *
 * Per round and book: a throughput pass (fresh book, untimed prefill, one clock
 * around the whole tape) and a latency pass (fresh book, `process.hrtime.bigint()`
 * around every command into a preallocated Float64Array). Ratios are per round
 * (fast ops/s ÷ nodejs-order-book ops/s); the report gives their median and min–max.
 *
 * Scenarios: (a) exchange-core's mix over ~1,000 resting orders; (b) a deep book of
 * 1M random limit orders, half crossing. `BENCH_QUICK=1` shrinks both.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { type BookDriver, NodejsOrderBookDriver, PerpcoreDriver } from './support/book-drivers.js';
import { type CommandTape, type Scenario, deepBook, exchangeCoreMix } from './support/command-tape.js';
import { type LatencySummary, median, summarize } from './support/latency-stats.js';
import { isQuick, writeResults } from './support/results-file.js';

interface BookFigures {
  opsPerSec: number[];
  latency: LatencySummary[];
  /** Longest garbage-collection pause seen during each latency pass (ms). */
  maxGcPauseMs: number[];
  /** Times the OS took the CPU away during each latency pass (other processes share the machine). */
  involuntaryContextSwitches: number[];
}

/** Collects GC pauses with their start times; entries arrive asynchronously, so read them after yielding. */
class GcPauses {
  private readonly starts: number[] = [];
  private readonly durations: number[] = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      this.starts.push(e.startTime);
      this.durations.push(e.duration);
    }
  });
  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }
  /** The longest pause that started within [fromMs, toMs] (performance.now() time); forgets all entries. */
  async maxWithin(fromMs: number, toMs: number): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 10));
    let max = 0;
    for (let i = 0; i < this.starts.length; i++) {
      if (this.starts[i] >= fromMs && this.starts[i] <= toMs) max = Math.max(max, this.durations[i]);
    }
    this.starts.length = 0;
    this.durations.length = 0;
    return max;
  }
  stop(): void {
    this.observer.disconnect();
  }
}

function prefill(driver: BookDriver, scenario: Scenario): void {
  driver.runUntimed(scenario.prefill, 0, scenario.prefill.length);
}

/**
 * Fresh book, untimed prefill, then a full collection: whatever the set-up allocated
 * (pools, the previous book's garbage) is collected before the clock starts.
 */
/** Commands replayed on a throw-away book right before each timed pass. */
const WARM_UP_COMMANDS = 50_000;

/**
 * Re-warms the driver's code on a throw-away book (the other book's long pass runs many
 * collections, during which V8 ages out and drops this book's compiled code: measured,
 * the first pass after the other book ran up to 4x slower), then builds a fresh book,
 * prefills it untimed and collects garbage, so nothing of the set-up lands in the timing.
 */
function prepare(driver: BookDriver, scenario: Scenario, expectedOrders: number): void {
  driver.reset(expectedOrders);
  prefill(driver, scenario);
  driver.runUntimed(scenario.tape, 0, Math.min(WARM_UP_COMMANDS, scenario.tape.length));
  driver.reset(expectedOrders);
  prefill(driver, scenario);
  gc?.();
}

function throughputPass(driver: BookDriver, scenario: Scenario, expectedOrders: number): number {
  prepare(driver, scenario, expectedOrders);
  const tape = scenario.tape;
  const n = tape.length;
  const elapsedNs = driver.runUntimed(tape, 0, n);
  driver.dispose();
  return (n / elapsedNs) * 1e9;
}

async function latencyPass(driver: BookDriver, scenario: Scenario, expectedOrders: number, samples: Float64Array, gcPauses: GcPauses, f: BookFigures) {
  prepare(driver, scenario, expectedOrders);
  const tape: CommandTape = scenario.tape;
  const n = tape.length;
  const switchesBefore = process.resourceUsage().involuntaryContextSwitches;
  const startMs = performance.now();
  driver.runTimed(tape, samples);
  const endMs = performance.now();
  f.involuntaryContextSwitches.push(process.resourceUsage().involuntaryContextSwitches - switchesBefore);
  driver.dispose();
  f.latency.push(summarize(samples, n));
  f.maxGcPauseMs.push(await gcPauses.maxWithin(startMs, endMs));
}

/**
 * Which long commands were the OS's doing: one more fast-book pass that reads the
 * process's involuntary context-switch count before and after every command (a
 * syscall each, so this pass's timings are not reported as latency). A command over
 * 1 ms with no switch inside it is a pause of the book or the runtime itself. The
 * counter covers all the process's threads; in this pass V8's helper threads are
 * nearly idle (no garbage, code already optimised), so a switch is the main thread's.
 */
function pauseAttributionPass(driver: BookDriver, scenario: Scenario, expectedOrders: number) {
  prepare(driver, scenario, expectedOrders);
  const tape = scenario.tape;
  let over1ms = 0;
  let over1msPreempted = 0;
  let maxNsNotPreempted = 0;
  let maxNs = 0;
  for (let i = 0; i < tape.length; i++) {
    const switches = process.resourceUsage().involuntaryContextSwitches;
    const t0 = process.hrtime.bigint();
    driver.apply(tape, i);
    const ns = Number(process.hrtime.bigint() - t0);
    const preempted = process.resourceUsage().involuntaryContextSwitches !== switches;
    if (ns > maxNs) maxNs = ns;
    if (!preempted && ns > maxNsNotPreempted) maxNsNotPreempted = ns;
    if (ns > 1_000_000) {
      over1ms++;
      if (preempted) over1msPreempted++;
    }
  }
  driver.dispose();
  return { commands: tape.length, over1ms, over1msPreempted, maxNs, maxNsNotPreempted };
}

async function runScenario(scenario: Scenario, rounds: number, expectedOrders: number) {
  const fast = new PerpcoreDriver('perpcore fast book', 'fast');
  const peer = new NodejsOrderBookDriver();
  const samples = new Float64Array(scenario.tape.length);
  const figures = new Map<BookDriver, BookFigures>([
    [fast, { opsPerSec: [], latency: [], maxGcPauseMs: [], involuntaryContextSwitches: [] }],
    [peer, { opsPerSec: [], latency: [], maxGcPauseMs: [], involuntaryContextSwitches: [] }],
  ]);
  const gcPauses = new GcPauses();
  const ratios: number[] = [];
  // one untimed warm-up pass each (so both are measured with optimised code), which
  // also checks that the two books end in the same state: same commands, same work
  const endDepth = (d: BookDriver) => {
    prepare(d, scenario, expectedOrders);
    d.runUntimed(scenario.tape, 0, scenario.tape.length);
    const depth = d.depth();
    d.dispose();
    return depth;
  };
  const fastDepth = endDepth(fast);
  const peerDepth = endDepth(peer);
  const sameEndState = fastDepth.length === peerDepth.length && fastDepth.every((level, i) => level === peerDepth[i]);
  process.stdout.write(`  ${scenario.name}: both books end with the same depth (${fastDepth.length} levels): ${sameEndState}\n`);
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [fast, peer] : [peer, fast];
    for (const d of order) figures.get(d)!.opsPerSec.push(throughputPass(d, scenario, expectedOrders));
    for (const d of order) await latencyPass(d, scenario, expectedOrders, samples, gcPauses, figures.get(d)!);
    ratios.push(figures.get(fast)!.opsPerSec[r] / figures.get(peer)!.opsPerSec[r]);
    process.stdout.write(`  round ${r + 1}/${rounds}: fast ${fmtOps(figures.get(fast)!.opsPerSec[r])}, nodejs-order-book ${fmtOps(figures.get(peer)!.opsPerSec[r])}, ratio ${ratios[r].toFixed(1)}×\n`);
  }
  gcPauses.stop();
  const pauses = pauseAttributionPass(fast, scenario, expectedOrders);
  const summary = (d: BookDriver) => {
    const f = figures.get(d)!;
    return {
      book: d.name,
      opsPerSecMedian: Math.round(median(f.opsPerSec)),
      opsPerSecPerRound: f.opsPerSec.map(Math.round),
      p50NsMedian: median(f.latency.map((l) => l.p50Ns)),
      p99NsMedian: median(f.latency.map((l) => l.p99Ns)),
      p999NsMedian: median(f.latency.map((l) => l.p999Ns)),
      maxNsOverall: Math.max(...f.latency.map((l) => l.maxNs)),
      commandsOver1ms: f.latency.reduce((a, l) => a + l.over1msCount, 0),
      timedCommands: f.latency.length * scenario.tape.length,
      maxGcPauseMs: Math.max(...f.maxGcPauseMs),
      involuntaryContextSwitchesPerPass: f.involuntaryContextSwitches,
    };
  };
  return {
    scenario: scenario.name,
    commandsPerPass: scenario.tape.length,
    prefillCommands: scenario.prefill.length,
    rounds,
    meanRestingOrders: scenario.meanRestingOrders,
    sameEndStateAsNodejsOrderBook: sameEndState,
    fast: summary(fast),
    nodejsOrderBook: summary(peer),
    fastPauseAttribution: pauses,
    ratioMedian: median(ratios),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
  };
}

function fmtOps(opsPerSec: number): string {
  return `${(opsPerSec / 1e6).toFixed(2)}M ops/s`;
}

function report(r: Awaited<ReturnType<typeof runScenario>>): void {
  const line = (s: typeof r.fast) =>
    `  ${s.book.padEnd(20)} ${fmtOps(s.opsPerSecMedian).padStart(14)}  p50 ${s.p50NsMedian} ns  p99 ${s.p99NsMedian} ns  p99.9 ${s.p999NsMedian} ns  max ${(s.maxNsOverall / 1e6).toFixed(3)} ms  (>1 ms: ${s.commandsOver1ms} of ${s.timedCommands}; longest GC ${s.maxGcPauseMs.toFixed(2)} ms)`;
  process.stdout.write(`${r.scenario}: ${r.commandsPerPass} commands per pass, ${r.rounds} rounds, ~${r.meanRestingOrders} resting orders on average\n`);
  process.stdout.write(`${line(r.fast)}\n${line(r.nodejsOrderBook)}\n`);
  process.stdout.write(`  fast / nodejs-order-book: median ${r.ratioMedian.toFixed(1)}× (min ${r.ratioMin.toFixed(1)}×, max ${r.ratioMax.toFixed(1)}×)\n`);
  const switches = r.fast.involuntaryContextSwitchesPerPass.join(', ');
  process.stdout.write(`  largest single-command pause (fast): ${(r.fast.maxNsOverall / 1e3).toFixed(1)} µs; OS preemptions per timed pass: ${switches}\n`);
  const a = r.fastPauseAttribution;
  process.stdout.write(
    `  pause attribution (fast, one more pass of ${a.commands}): ${a.over1ms} commands over 1 ms, ${a.over1msPreempted} of them preempted by the OS; ` +
      `longest without preemption ${(a.maxNsNotPreempted / 1e3).toFixed(1)} µs (longest overall ${(a.maxNs / 1e3).toFixed(1)} µs)\n`,
  );
}

export async function run(): Promise<void> {
  const quick = isQuick();
  const rounds = 5;
  if (gc === undefined) process.stdout.write('(run node with --expose-gc to collect garbage between passes)\n');
  process.stdout.write(`\n== matching throughput${quick ? ' (quick)' : ''} ==\n`);
  // full run: 2M commands per pass, so the fast book runs 10M timed commands over 5 rounds
  const only = process.env.BENCH_SCENARIO; // 'mix' or 'deep' to run one while investigating
  const figures: Record<string, unknown> = {};
  if (only === undefined || only === 'mix') {
    const mix = exchangeCoreMix(quick ? 100_000 : 2_000_000, 1_000, 12_345);
    figures.exchangeCoreMix = await runScenario(mix, rounds, 4_096);
    report(figures.exchangeCoreMix as Awaited<ReturnType<typeof runScenario>>);
  }
  if (only === undefined || only === 'deep') {
    const deep = deepBook(quick ? 100_000 : 1_000_000, 2_000, 54_321);
    figures.deepBook = await runScenario(deep, rounds, quick ? 100_000 : 1_000_000);
    report(figures.deepBook as Awaited<ReturnType<typeof runScenario>>);
  }
  if (only !== undefined) return;
  const path = writeResults('matching-throughput', figures);
  process.stdout.write(`results: ${path}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();
