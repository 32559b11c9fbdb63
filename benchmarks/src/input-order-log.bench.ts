/**
 * What the input-order log (libs/snapshot input-order-log.ts, input-sequencer.ts)
 * costs a cluster stage per input: one message through `OffsetTrackingBus` with the
 * sequencer, against the same bus without it (the peer, measured in the same run):
 * - over a queuing bus (Kafka: `beforeSend`), entries are buffered and written once
 *   per send; here once per batch of BATCH inputs, as a loaded stage sends; under
 *   the default fsync policy (`batch`) each send's write is followed by one
 *   fdatasync, under `none` not;
 * - over a bus without `beforeSend` (in-process), one write(2) per input, and under
 *   `batch` one fdatasync per input too.
 * The handler does nothing, so the figures are the whole overhead; the file is in the
 * OS temp directory, as a stage's PERPCORE_SNAPSHOT_DIR would be on its own disk.
 *
 * Each tinybench iteration times a batch of BATCH messages and records the batch
 * mean, so median and p99 are of batch means, in ns per message.
 * Run on its own: `npx tsc -b benchmarks && node benchmarks/dist/input-order-log.bench.js [--quick]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Bus, type BusMessage, defineTopic, type MessageHandler } from '@perpcore/bus';
import type { FsyncPolicy } from '@perpcore/journal';
import { InputOrderLog, InputSequencer, OffsetTrackingBus } from '@perpcore/snapshot';
import { Bench } from 'tinybench';
import { isQuick, writeResults } from './support/results-file.js';

const BATCH = 1_000;
const topic = defineTopic<number>('bench.inputs.v1', 8, { encode: () => new Uint8Array(0), decode: () => ({ ok: true, value: 0 }) } as never, (n: number) => String(n));

/** Captures the handler the tracking bus installs, so the benchmark calls it as the Kafka bus would. */
function capture(queuing: boolean): { bus: Bus; handler: () => MessageHandler<number>; send: () => void } {
  let installed: MessageHandler<number> | undefined;
  let hook = () => undefined as void;
  const bus = {
    ...(queuing ? { beforeSend: (h: () => void) => void (hook = h) } : {}),
    publish: () => undefined,
    flush: async () => undefined,
    close: async () => undefined,
    subscribe: async (_t: unknown, _o: unknown, h: MessageHandler<number>) => {
      installed = h;
      return { close: async () => undefined };
    },
  } as unknown as Bus;
  return { bus, handler: () => installed as MessageHandler<number>, send: () => hook() };
}

export interface InputOrderLogRow {
  name: string;
  medianNs: number;
  p99Ns: number;
}

export async function runInputOrderLogBenchmarks(quick = isQuick()): Promise<{ rows: InputOrderLogRow[]; ratio: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-input-order-'));
  try {
    const plain = capture(false);
    await new OffsetTrackingBus(plain.bus).subscribe(topic, { groupId: 'g', fromBeginning: true }, () => undefined);
    // wired as openStageRecovery wires it: over a queuing bus the log writes at each send
    const logs: InputOrderLog[] = [];
    const loggedOver = async (queuing: boolean, fsync: FsyncPolicy) => {
      const c = capture(queuing);
      const log = new InputOrderLog(dir, { fsync });
      logs.push(log);
      if (c.bus.beforeSend !== undefined) {
        log.writeThrough = false;
        c.bus.beforeSend(() => log.flush());
      }
      await new OffsetTrackingBus(c.bus, {}, { sequencer: new InputSequencer(log, []), topics: [topic.name] }).subscribe(topic, { groupId: 'g', fromBeginning: true }, () => undefined);
      return c;
    };
    const batched = await loggedOver(true, 'batch');
    const batchedUnsynced = await loggedOver(true, 'none');
    const through = await loggedOver(false, 'none');
    const throughSynced = await loggedOver(false, 'batch');
    const message = { value: 1, key: '1', partition: 3, offset: 0, indexInRecord: 0, lastInRecord: true };
    const bench = new Bench({ name: 'input-order-log', time: quick ? 200 : 2_000, warmupTime: quick ? 50 : 300 });
    const add = (name: string, handler: MessageHandler<number>, send: () => void = () => undefined) =>
      bench.add(name, () => {
        const t0 = bench.now();
        for (let i = 0; i < BATCH; i++) {
          message.offset++;
          void handler(message as BusMessage<number>);
        }
        send();
        const elapsed = bench.now() - t0;
        return { overriddenDuration: elapsed / BATCH, overriddenIterationCost: elapsed };
      });
    add('offset tracking only (peer)', plain.handler());
    add(`+ log, Kafka, fsync batch: write + fdatasync per send (${BATCH} inputs)`, batched.handler(), batched.send);
    add(`+ log, Kafka, fsync none: one write(2) per send (${BATCH} inputs)`, batchedUnsynced.handler(), batchedUnsynced.send);
    add('+ log, in-process bus, fsync none: one write(2) per input', through.handler());
    add('+ log, in-process bus, fsync batch: write + fdatasync per input', throughSynced.handler());
    await bench.run();
    for (const log of logs) log.close();
    const rows = bench.tasks.map((t) => {
      if (t.result.state !== 'completed') throw new Error(`${t.name}: ${t.result.state}`);
      return { name: t.name, medianNs: t.result.latency.p50 * 1e6, p99Ns: t.result.latency.p99 * 1e6 };
    });
    const ratio = (rows[1] as InputOrderLogRow).medianNs / (rows[0] as InputOrderLogRow).medianNs;
    writeResults('input-order-log', { batch: BATCH, rows, kafkaMedianRatioToPeer: Number(ratio.toFixed(1)) });
    return { rows, ratio };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const { rows, ratio } = await runInputOrderLogBenchmarks();
  console.log(`input-order log (ns per input; median and p99 of batch means of ${BATCH})`);
  for (const r of rows) console.log(`  ${r.name.padEnd(70)} median ${r.medianNs.toFixed(0).padStart(6)} ns   p99 ${r.p99Ns.toFixed(0).padStart(6)} ns`);
  console.log(`  median ratio to the peer (Kafka wiring, default fsync batch): ${ratio.toFixed(1)}×`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--quick')) process.env.BENCH_QUICK = '1';
  await run();
}
