/**
 * Snapshots at scale: the risk stage with 100k and 1M accounts, each holding a
 * position (half long, half short, through real fills: the state trading leaves).
 *
 * Timed, per size (median of 3 where it is repeated):
 * - capture: `RiskEngine.exportState()` (graph walk + encoding) and its size;
 * - write: the snapshot file (header, CRC-32, temp file, fsync, rename, dir fsync);
 * - restore: a fresh engine of the same configuration + `importState` of the bytes
 *   (and, apart, the `stateHash()` a recovery checks against the recorded one);
 * - recovery of a cluster risk process (what `openStageRecovery` + `restore` do
 *   before the shard consumes its tail): read the newest file, verify its CRC,
 *   build the engine, import, check the recorded state hash.
 * Peer, same run: node's structured serializer (`v8.serialize` / `v8.deserialize`)
 * on the same captured graph, for the encoding step alone.
 *
 * Run: `node --expose-gc --max-old-space-size=8192 benchmarks/dist/snapshot.bench.js`
 * (`BENCH_QUICK=1`: 10k and 100k accounts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { captureGraph, decodeFrame, encodeFrame, SnapshotStore } from '@perpcore/snapshot';
import { RiskEngine } from '@perpcore/risk';
import { build } from './risk-mark-tick.bench.js';
import { median } from './support/latency-stats.js';
import { isQuick, writeResults } from './support/results-file.js';

const gc = (globalThis as { gc?: () => void }).gc;

function timed<T>(f: () => T): { value: T; ms: number } {
  gc?.();
  const t0 = performance.now();
  const value = f();
  return { value, ms: performance.now() - t0 };
}

function medianOf3(f: () => unknown): number {
  return median([0, 1, 2].map(() => timed(f).ms));
}

/** A fresh engine of the configuration `build` uses (no accounts). */
function freshEngine(): RiskEngine {
  return build(0, 1);
}

async function runFor(accounts: number) {
  const setup = timed(() => build(accounts, 42));
  const engine = setup.value;
  const hash = engine.stateHash();
  process.stdout.write(`${accounts} accounts (set-up ${(setup.ms / 1000).toFixed(1)} s, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB)\n`);
  const bytes = engine.exportState();
  const captureMs = medianOf3(() => engine.exportState());
  const frame = captureGraph(engine);
  const walkMs = medianOf3(() => captureGraph(engine));
  const encodeMs = medianOf3(() => encodeFrame(frame));
  const v8Bytes = v8.serialize(frame);
  const v8EncodeMs = medianOf3(() => v8.serialize(frame));
  const decodeMs = medianOf3(() => decodeFrame(bytes));
  const v8DecodeMs = medianOf3(() => v8.deserialize(v8Bytes));
  const restoreMs = medianOf3(() => freshEngine().importState(bytes));
  const twin = freshEngine();
  twin.importState(bytes);
  const hashMs = medianOf3(() => twin.stateHash());
  if (twin.stateHash() !== hash) throw new Error('restored hash differs');
  const dir = mkdtempSync(join(tmpdir(), 'perpcore-snapshot-bench-'));
  try {
    const store = SnapshotStore.open(dir, { stage: 'risk', venueFingerprint: 'bench' });
    const writeMs = medianOf3(() => store.write(bytes, { offsets: { 'gateway.order-commands.v1': { '0': 1 } } }, hash));
    const recoveryMs = medianOf3(() => {
      const newest = SnapshotStore.open(dir, { stage: 'risk', venueFingerprint: 'bench' }).newestValid();
      if (newest === undefined) throw new Error('no snapshot');
      const twin = freshEngine();
      twin.importState(newest.payload);
      if (twin.stateHash() !== newest.header.stateHash) throw new Error('recovered hash differs');
    });
    const mib = (n: number) => Number((n / 2 ** 20).toFixed(1));
    const r = (x: number) => Math.round(x);
    const figures = {
      accounts,
      snapshotMiB: mib(bytes.length),
      bytesPerAccount: Math.round(bytes.length / accounts),
      captureMs: r(captureMs),
      walkMs: r(walkMs),
      encodeMs: r(encodeMs),
      decodeMs: r(decodeMs),
      writeFileMs: r(writeMs),
      restoreMs: r(restoreMs),
      stateHashMs: r(hashMs),
      clusterRiskRecoveryMs: r(recoveryMs),
      peer: { v8SerializeMiB: mib(v8Bytes.length), v8EncodeMs: r(v8EncodeMs), v8DecodeMs: r(v8DecodeMs), encodeRatio: Number((encodeMs / v8EncodeMs).toFixed(2)), decodeRatio: Number((decodeMs / v8DecodeMs).toFixed(2)) },
    };
    process.stdout.write(
      `  snapshot ${figures.snapshotMiB} MiB (${figures.bytesPerAccount} B/account); capture ${figures.captureMs} ms (walk ${figures.walkMs}, encode ${figures.encodeMs}); write file ${figures.writeFileMs} ms; ` +
        `restore ${figures.restoreMs} ms (decode ${figures.decodeMs}); state hash ${figures.stateHashMs} ms; cluster risk recovery (read, CRC, restore, hash check) ${figures.clusterRiskRecoveryMs} ms\n` +
        `  peer v8.serialize: ${figures.peer.v8SerializeMiB} MiB, encode ${figures.peer.v8EncodeMs} ms (ours ×${figures.peer.encodeRatio}), decode ${figures.peer.v8DecodeMs} ms (ours ×${figures.peer.decodeRatio})\n`,
    );
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const sizes = isQuick() ? [10_000, 100_000] : [100_000, 1_000_000];
  const all = [];
  for (const n of sizes) all.push(await runFor(n));
  process.stdout.write(`results: ${writeResults('snapshot', all)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
