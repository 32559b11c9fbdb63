/**
 * The embedded journal's cost and the replay's speed, measured in one run.
 *
 * 1. Orders/s of the in-process pipeline driven by the simulated market, without a
 *    journal (the peer) and with one (`--data-dir`, group commit `batch`, and
 *    `none`), interleaved round by round on fresh exchanges; the clock covers the
 *    steps and the final flush (with the journal: until the last input is durable).
 *    Per 2,000-order chunk the time per order is sampled (median and p99).
 * 2. Replay of a journal of REPLAY_STEPS steps (written for it, group commit
 *    `none`): read + CRC only, + decoding, and the full replay into a fresh
 *    pipeline (what `npm run replay` does), in inputs/s per wall and per CPU
 *    second (medians of REPLAY_PASSES passes), so the report says where the time goes; the projection to 10M
 *    inputs; and the core's own time per input by kind (each apply timed through
 *    the replay's before/after hooks, in a third replay: the timing costs ~100 ns
 *    per input, so that replay is not the one the rate is taken from).
 *
 * A warm-up pass per configuration runs first and is not recorded.
 * `BENCH_QUICK=1` runs one short round.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeCoreInput, EmbeddedExchange, encodeCoreInput, recoverExchange, replayJournal } from '@perpcore/exchange';
import { type FsyncPolicy, Journal, readJournalHeader, readRecords } from '@perpcore/journal';
import { createLogger } from '@perpcore/observability';
import { median } from './support/latency-stats.js';
import { isQuick, writeResults } from './support/results-file.js';

const logger = createLogger('bench', 'silent');
const CHUNK = 2_000;
/** Steps of the journal the replay figures come from (~1.2 inputs per step). */
const REPLAY_STEPS = 300_000;
const REPLAY_PASSES = 3;
type Config = 'no journal' | `journal ${FsyncPolicy}`;

interface Pass {
  ordersPerSec: number;
  nsPerOrderByChunk: number[];
  inputs: number;
  dir?: string;
}

async function pipelinePass(config: Config, steps: number): Promise<Pass> {
  let exchange: EmbeddedExchange;
  let close = async (): Promise<void> => undefined;
  let dir: string | undefined;
  if (config === 'no journal') exchange = await EmbeddedExchange.create({ logger, seed: 42 });
  else {
    dir = fs.mkdtempSync(join(tmpdir(), 'bench-journal-'));
    const recovered = await recoverExchange(dir, { logger, seed: 42, fsync: config.slice('journal '.length) as FsyncPolicy });
    exchange = recovered.exchange;
    close = () => recovered.journal.close();
  }
  gc?.();
  const chunks: number[] = [];
  const sentBefore = exchange.ordersSent;
  const startNs = process.hrtime.bigint();
  for (let done = 0; done < steps; done += CHUNK) {
    const t0 = process.hrtime.bigint();
    exchange.step(CHUNK);
    chunks.push(Number(process.hrtime.bigint() - t0) / CHUNK);
    await new Promise<void>((resolve) => setImmediate(resolve)); // as npm start: the event loop turns, group commits land
  }
  await exchange.inputs.flush();
  const elapsedNs = Number(process.hrtime.bigint() - startNs);
  const orders = exchange.ordersSent - sentBefore;
  const inputs = exchange.inputs.appliedSeq;
  await exchange.close();
  await close();
  return { ordersPerSec: (orders / elapsedNs) * 1e9, nsPerOrderByChunk: chunks, inputs, ...(dir === undefined ? {} : { dir }) };
}

function p99(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(0.99 * s.length))] as number;
}

/** A journal of `steps` simulated-market steps past the start-up (accounts funded, first liquidations), as a replay meets it. */
async function replayJournalDir(steps: number): Promise<string> {
  const dir = fs.mkdtempSync(join(tmpdir(), 'bench-replay-'));
  const recovered = await recoverExchange(dir, { logger, seed: 42, fsync: 'none' });
  for (let done = 0; done < steps; done += CHUNK) {
    recovered.exchange.step(CHUNK);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await recovered.exchange.inputs.flush();
  await recovered.exchange.close();
  await recovered.journal.close();
  return dir;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

interface ReplayRun {
  wallMs: number;
  cpuMs: number;
  /** Wall ns spent applying each input kind (order commands by case), and how many. */
  applyNsByKind: Map<string, { ns: number; count: number }>;
  /** Every input's apply, wall ns, in journal order. */
  applyNs: number[];
  stateHash: string;
}

const KIND_NAMES: Record<number, string> = { 1: 'order', 2: 'account', 3: 'index price', 4: 'time advance', 5: 'market command', 6: 'spot-margin' };

/** One `npm run replay` (journal-replay.ts), each input's apply timed by kind through the replay's own hooks (before apply / after apply). */
async function timedReplay(dir: string): Promise<ReplayRun> {
  const applyNsByKind = new Map<string, { ns: number; count: number }>();
  const applyNs: number[] = [];
  let kind = '';
  let t0 = 0n;
  const cpu0 = process.cpuUsage();
  const replayed = await replayJournal(dir, {
    logger,
    beforeApply: (_seq, input) => {
      kind = input.kind === 1 ? `order ${input.value.command}` : (KIND_NAMES[input.kind] ?? String(input.kind));
      t0 = process.hrtime.bigint();
    },
    wantHashAt: () => {
      const ns = Number(process.hrtime.bigint() - t0);
      applyNs.push(ns);
      const slot = applyNsByKind.get(kind);
      if (slot === undefined) applyNsByKind.set(kind, { ns, count: 1 });
      else {
        slot.ns += ns;
        slot.count++;
      }
      return false;
    },
  });
  const run = { wallMs: replayed.elapsedMs, cpuMs: cpuMs(cpu0), applyNsByKind, applyNs, stateHash: replayed.stateHash };
  await replayed.pipeline.close();
  return run;
}

async function replayFigures(dir: string): Promise<Record<string, unknown>> {
  const header = readJournalHeader(dir);
  const fingerprint = header?.venueFingerprint;
  for (const record of readRecords(dir, fingerprint)) decodeCoreInput(record.seq, record.payload); // warm-up
  // the machine is shared: each figure is the median of REPLAY_PASSES passes
  const readPasses: number[] = [];
  const decodePasses: number[] = [];
  let n = 0;
  for (let pass = 0; pass < REPLAY_PASSES; pass++) {
    let t = performance.now();
    n = 0;
    for (const _record of readRecords(dir, fingerprint)) n++;
    readPasses.push(performance.now() - t);
    t = performance.now();
    for (const record of readRecords(dir, fingerprint)) decodeCoreInput(record.seq, record.payload);
    decodePasses.push(performance.now() - t);
  }
  const readMs = median(readPasses);
  const decodeMs = median(decodePasses);
  // the first replay compiles the stages' code (JIT); the next ones are the steady rate a long journal replays at
  const cold = await timedReplay(dir);
  const wallPasses: number[] = [];
  const cpuPasses: number[] = [];
  for (let pass = 0; pass < REPLAY_PASSES; pass++) {
    gc?.();
    const t1 = performance.now();
    const c1 = process.cpuUsage();
    const replayed = await replayJournal(dir, { logger });
    wallPasses.push(performance.now() - t1);
    cpuPasses.push(cpuMs(c1));
    await replayed.pipeline.close();
    if (replayed.stateHash !== cold.stateHash) throw new Error('two replays of one journal ended in different states');
  }
  const warmWallMs = median(wallPasses);
  const warmCpuMs = median(cpuPasses);
  gc?.();
  const timed = await timedReplay(dir);
  const perSec = (ms: number) => Math.round((n / ms) * 1000);
  const bytes = fs.readdirSync(dir).reduce((sum, name) => sum + fs.statSync(join(dir, name)).size, 0);
  const applyNs = [...timed.applyNsByKind.values()].reduce((sum, k) => sum + k.ns, 0);
  const coreNsPerInputByKind = Object.fromEntries(
    [...timed.applyNsByKind].sort((a, b) => b[1].ns - a[1].ns).map(([k, v]) => [k, { inputs: v.count, nsPerInput: Math.round(v.ns / v.count), shareOfApplyPct: Math.round((v.ns / applyNs) * 100) }]),
  );
  return {
    inputs: n,
    journalBytes: bytes,
    readAndCrcPerSec: perSec(readMs),
    readCrcDecodePerSec: perSec(decodeMs),
    decodeNsPerInput: Math.round(((decodeMs - readMs) / n) * 1e6),
    fullReplayColdPerSec: perSec(cold.wallMs),
    fullReplayPerSec: perSec(warmWallMs),
    fullReplayPerCpuSec: perSec(warmCpuMs),
    projected10MInputsS: Number((10_000_000 / perSec(warmWallMs)).toFixed(1)),
    projected10MInputsCpuS: Number((10_000_000 / perSec(warmCpuMs)).toFixed(1)),
    shareOfReplayInReadPct: Math.round((readMs / warmWallMs) * 100),
    shareOfReplayInDecodePct: Math.round(((decodeMs - readMs) / warmWallMs) * 100),
    coreNsPerInput: Math.round(applyNs / n),
    coreNsPerInputMedian: Math.round(median(timed.applyNs)),
    coreNsPerInputP99: Math.round(p99(timed.applyNs)),
    coreNsPerInputByKind,
  };
}

/**
 * The journal's own CPU per input, apart from the machine's noise: the inputs of a
 * journal encoded (protobuf), framed, checksummed and appended again, group commit.
 */
async function appendCostNsPerInput(dir: string): Promise<number> {
  const header = readJournalHeader(dir);
  const inputs = Array.from(readRecords(dir, header?.venueFingerprint), (r) => decodeCoreInput(r.seq, r.payload));
  const target = fs.mkdtempSync(join(tmpdir(), 'bench-append-'));
  const journal = Journal.open(target, { venueFingerprint: 'bench' });
  const scratch = { buffer: Buffer.allocUnsafe(4096) };
  for (let i = 0; i < Math.min(5_000, inputs.length); i++) {
    const { input, origin } = inputs[i] as (typeof inputs)[number];
    journal.append(encodeCoreInput(scratch, input.kind, origin, input.value)); // warm-up
  }
  const t0 = process.hrtime.bigint();
  for (const { input, origin } of inputs) journal.append(encodeCoreInput(scratch, input.kind, origin, input.value));
  await journal.flush();
  const ns = Number(process.hrtime.bigint() - t0) / inputs.length;
  await journal.close();
  fs.rmSync(target, { recursive: true, force: true });
  return ns;
}

export async function run(): Promise<void> {
  const quick = isQuick();
  const steps = quick ? 10_000 : 30_000;
  const rounds = quick ? 1 : 3;
  const configs: Config[] = ['no journal', 'journal batch', 'journal none'];
  const passes = new Map<Config, Pass[]>(configs.map((c) => [c, []]));
  const ratios: number[] = [];
  for (const config of configs) {
    const warmUp = await pipelinePass(config, quick ? 2_000 : 10_000); // JIT and page cache, not recorded
    if (warmUp.dir !== undefined) fs.rmSync(warmUp.dir, { recursive: true, force: true });
  }
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? configs : [...configs].reverse();
    const got = new Map<Config, Pass>();
    for (const config of order) {
      const pass = await pipelinePass(config, steps);
      got.set(config, pass);
      passes.get(config)?.push(pass);
    }
    ratios.push((got.get('journal batch') as Pass).ordersPerSec / (got.get('no journal') as Pass).ordersPerSec);
    process.stderr.write(`  round ${round + 1}/${rounds}: ${configs.map((c) => `${c} ${Math.round((got.get(c) as Pass).ordersPerSec).toLocaleString('en-US')}/s`).join(', ')}\n`);
  }
  const figures: Record<string, unknown> = {};
  for (const config of configs) {
    const list = passes.get(config) as Pass[];
    const chunks = list.flatMap((p) => p.nsPerOrderByChunk);
    figures[config] = { ordersPerSecMedian: Math.round(median(list.map((p) => p.ordersPerSec))), nsPerOrderMedian: Math.round(median(chunks)), nsPerOrderP99: Math.round(p99(chunks)), inputsPerPass: list[0]?.inputs };
    process.stdout.write(`${config.padEnd(14)} orders/s median ${(figures[config] as { ordersPerSecMedian: number }).ordersPerSecMedian.toLocaleString('en-US')}  per order median ${Math.round(median(chunks))} ns  p99 (per 2,000-order chunk) ${Math.round(p99(chunks))} ns\n`);
  }
  figures.batchOverNoJournalRatioMedian = Number(median(ratios).toFixed(3));
  figures.batchOverNoJournalRatioMin = Number(Math.min(...ratios).toFixed(3));
  process.stdout.write(`journal batch / no journal: median ${median(ratios).toFixed(3)}x (min ${Math.min(...ratios).toFixed(3)}x, goal >= 0.8x)\n`);
  const largest = (passes.get('journal batch') as Pass[])[0]?.dir as string;
  const appendNs = await appendCostNsPerInput(largest);
  const pipelineNs = (figures['no journal'] as { nsPerOrderMedian: number }).nsPerOrderMedian;
  figures.journalAppendNsPerInput = Math.round(appendNs);
  process.stdout.write(`journal's own cost (encode + frame + CRC + append + group commit): ${Math.round(appendNs)} ns per input, ${((appendNs / pipelineNs) * 100).toFixed(1)}% of the pipeline's ${pipelineNs} ns per order in this run\n`);
  for (const list of passes.values()) for (const p of list) if (p.dir !== undefined) fs.rmSync(p.dir, { recursive: true, force: true });
  const replayDir = await replayJournalDir(quick ? 20_000 : REPLAY_STEPS);
  const replay = await replayFigures(replayDir);
  fs.rmSync(replayDir, { recursive: true, force: true });
  figures.replay = replay;
  const n = (x: unknown) => (x as number).toLocaleString('en-US');
  process.stdout.write(
    `replay of ${n(replay.inputs)} inputs (${((replay.journalBytes as number) / 1e6).toFixed(1)} MB): read+CRC ${n(replay.readAndCrcPerSec)}/s, +decode ${n(replay.readCrcDecodePerSec)}/s (${replay.decodeNsPerInput} ns per input), full replay ${n(replay.fullReplayPerSec)}/s (first, cold: ${n(replay.fullReplayColdPerSec)}/s; per CPU second ${n(replay.fullReplayPerCpuSec)}) -> 10M inputs in ${replay.projected10MInputsS} s (${replay.projected10MInputsCpuS} CPU s; goal <= 10 s); read ${replay.shareOfReplayInReadPct}% + decode ${replay.shareOfReplayInDecodePct}% of the replay, the rest is the core: ${replay.coreNsPerInput} ns per input (median ${replay.coreNsPerInputMedian}, p99 ${replay.coreNsPerInputP99})\n`,
  );
  for (const [kind, k] of Object.entries(replay.coreNsPerInputByKind as Record<string, { inputs: number; nsPerInput: number; shareOfApplyPct: number }>)) {
    process.stdout.write(`  core, ${kind.padEnd(16)} ${n(k.inputs).padStart(9)} inputs  ${n(k.nsPerInput).padStart(7)} ns each  ${String(k.shareOfApplyPct).padStart(3)}% of the apply time\n`);
  }
  const path = writeResults('journal', figures);
  process.stdout.write(`written ${path}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
