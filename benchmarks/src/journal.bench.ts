/**
 * The embedded journal's cost and the replay's speed, measured in one run.
 *
 * 1. Orders/s of the in-process pipeline driven by the simulated market, without a
 *    journal (the peer) and with one (`--data-dir`, group commit `batch`, and
 *    `none`), interleaved round by round on fresh exchanges; the clock covers the
 *    steps and the final flush (with the journal: until the last input is durable).
 *    Per 2,000-order chunk the time per order is sampled (median and p99).
 * 2. Replay of the largest journal written: read + CRC only, + decoding, and the
 *    full replay into a fresh pipeline (what `npm run replay` does), in inputs/s,
 *    so the report says where the time goes; and the projection to 10M inputs.
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

async function replayFigures(dir: string): Promise<Record<string, number>> {
  const header = readJournalHeader(dir);
  const fingerprint = header?.venueFingerprint;
  for (const record of readRecords(dir, fingerprint)) decodeCoreInput(record.seq, record.payload); // warm-up
  let t = performance.now();
  let n = 0;
  for (const _record of readRecords(dir, fingerprint)) n++;
  const readMs = performance.now() - t;
  t = performance.now();
  for (const record of readRecords(dir, fingerprint)) decodeCoreInput(record.seq, record.payload);
  const decodeMs = performance.now() - t;
  const replayed = await replayJournal(dir, { logger });
  await replayed.pipeline.close();
  const perSec = (ms: number) => Math.round((n / ms) * 1000);
  const bytes = fs.readdirSync(dir).reduce((sum, name) => sum + fs.statSync(join(dir, name)).size, 0);
  return {
    inputs: n,
    journalBytes: bytes,
    readAndCrcPerSec: perSec(readMs),
    readCrcDecodePerSec: perSec(decodeMs),
    fullReplayPerSec: perSec(replayed.elapsedMs),
    projected10MInputsS: Number(((10_000_000 / perSec(replayed.elapsedMs)) * 1).toFixed(1)),
    shareOfReplayInReadPct: Math.round((readMs / replayed.elapsedMs) * 100),
    shareOfReplayInDecodePct: Math.round(((decodeMs - readMs) / replayed.elapsedMs) * 100),
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
  const replay = await replayFigures(largest);
  figures.replay = replay;
  process.stdout.write(
    `replay of ${replay.inputs.toLocaleString('en-US')} inputs (${(replay.journalBytes / 1e6).toFixed(1)} MB): read+CRC ${replay.readAndCrcPerSec.toLocaleString('en-US')}/s, +decode ${replay.readCrcDecodePerSec.toLocaleString('en-US')}/s, full replay ${replay.fullReplayPerSec.toLocaleString('en-US')}/s -> 10M inputs in ${replay.projected10MInputsS} s (goal <= 10 s); read ${replay.shareOfReplayInReadPct}% + decode ${replay.shareOfReplayInDecodePct}% of the replay, the rest is the pipeline\n`,
  );
  for (const list of passes.values()) for (const p of list) if (p.dir !== undefined) fs.rmSync(p.dir, { recursive: true, force: true });
  const path = writeResults('journal', figures);
  process.stdout.write(`written ${path}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
