/**
 * Cluster-mode recovery of one stage process (risk+ladder, matching), from a
 * snapshot directory (`PERPCORE_SNAPSHOT_DIR`):
 *
 * - start: the newest valid snapshot is imported (its recorded state hash must come
 *   back) and the stage's subscriptions start at the offsets it includes, so the
 *   topics' messages after it are consumed again before anything new: outputs of
 *   inputs applied after the snapshot are produced again with the same sequence
 *   numbers (the state that numbers them is the snapshot's), and consumers drop the
 *   ones they already have;
 * - no usable snapshot but the group has committed offsets on any of its topics:
 *   the stage has run before and its state is gone. If the directory holds its
 *   input-order log from the first file on (a life killed before its first
 *   snapshot), the stage starts from every partition's offset 0 and replays that
 *   log: the same state, the same outputs. Otherwise starting empty would answer
 *   `RISK_UNKNOWN_ACCOUNT` to everyone, so recovery refuses with one line
 *   (`StageRecoveryRefusedError`) and the process exits non-zero;
 * - neither: a first start, from the beginning of the topics;
 * - running: `snapshotNow()` on demand, and every `everyMs` of wall time once at
 *   least `minMessages` were applied since the last, each pruned to `keepNewest`.
 *   A snapshot is written only after the bus has sent every output of the inputs it
 *   includes: a crash can never leave a snapshot that skips inputs whose outputs
 *   were still queued in the producer.
 * - order: the stage's inputs (every message, and local inputs such as clock ticks
 *   through `local`) are applied in one logged order (input-order-log.ts,
 *   input-sequencer.ts); after a restart the inputs after the snapshot are applied in
 *   the order the previous life applied them, so their republished outputs are the
 *   ones downstream already has, byte for byte, not merely the same sequence numbers.
 *   No snapshot is taken while that replay runs or between two envelopes of a record.
 *
 * A directory rather than a compacted topic: a snapshot of a million accounts is
 * tens of megabytes, beyond Kafka's default 1 MB message limit (it would need
 * chunking and a reassembly protocol), while a local file is written atomically with
 * one rename, checksummed, and read back without a consumer; the offsets it records
 * tie it to the topics, which stay the log.
 */
import { OffsetTrackingBus } from './offset-tracking-bus.js';
import type { Bus, RejectedMessageError } from '@perpcore/bus';
import type { FsyncPolicy } from '@perpcore/journal';
import { type InputOrderEntry, InputOrderLog, listInputOrderFiles, readInputOrder } from './input-order-log.js';
import { InputSequencer } from './input-sequencer.js';
import type { SnapshotCorruptError, TopicOffsets } from './snapshot-file.js';
import { SnapshotStore } from './snapshot-store.js';

export class StageRecoveryRefusedError extends Error {
  readonly code = 'SNAPSHOT_MISSING';
  constructor(message: string) {
    super(message);
    this.name = 'StageRecoveryRefusedError';
  }
}

export interface RecoverableStage {
  exportState(): Uint8Array;
  importState(bytes: Uint8Array): void;
  stateHash(): string;
}

export interface StageRecoveryOptions {
  readonly dir: string;
  readonly stage: string;
  readonly venueFingerprint: string;
  /** Topic names the stage consumes. */
  readonly topics: readonly string[];
  /** What the stage's group committed on a topic (KafkaBus.committedOffsets). */
  readonly committedOffsets: (topic: string) => Promise<Record<number, number>>;
  readonly everyMs: number;
  readonly minMessages: number;
  readonly keepNewest: number;
  /** The input-order log's sync policy (input-order-log.ts); `batch` when absent. */
  readonly fsync?: FsyncPolicy;
  readonly onCorrupt?: (error: SnapshotCorruptError) => void;
  readonly onSnapshot?: (written: { file: string; bytes: number; ms: number; offsets: TopicOffsets }) => void;
  readonly onSnapshotError?: (error: unknown) => void;
  /** The ordered replay after a restart: still waiting for `next` after `waitedMs` (told every 10 s), and done. */
  readonly onReplayWaiting?: (detail: { next: InputOrderEntry; remaining: number; waitedMs: number }) => void;
  readonly onReplayDone?: (detail: { inputs: number; ms: number }) => void;
  readonly onReplayRefused?: (error: RejectedMessageError, where: { topic: string; partition: number; offset: number }) => void;
}

export interface Recovery {
  /** Where the stage started: a snapshot (with its offsets) or the beginning. */
  readonly restoredFrom: { file: string; offsets: TopicOffsets; stateHash: string } | null;
  /** Wrap the stage's bus in this (closest to Kafka) before subscribing. */
  bus(inner: Bus): OffsetTrackingBus;
  /** Imports the snapshot (if any) into the freshly built stage; call before it consumes. */
  restore(stage: RecoverableStage): void;
  /**
   * Captures the state and the offsets it includes (synchronously, between messages),
   * waits until the bus has sent every output published so far (so no output of an
   * included input can be lost with the process), then writes the file. Null, with
   * nothing written, while the ordered replay runs or a record is half applied.
   */
  snapshotNow(): Promise<{ file: string; bytes: number; ms: number; offsets: TopicOffsets } | null>;
  /** Registers a local input kind (a clock tick) before the stage consumes; `local` then logs and applies it. */
  onLocal(input: number, apply: (value: number) => void): void;
  /** A local input: logged and applied in order, or dropped while the replay runs. */
  local(input: number, value: number): void;
  /** The inputs after the snapshot are still being applied in their logged order. */
  readonly replaying: boolean;
  /** Starts the periodic snapshots; returns a stop function. */
  startPeriodic(): () => void;
}

interface LogSink {
  info(detail: object, message: string): void;
  warn(detail: object, message: string): void;
  error(detail: object, message: string): void;
}

/** The recovery callbacks every stage process wires the same way: each skipped file, snapshot and failure logged. */
export function loggedSnapshotEvents(logger: LogSink): Pick<StageRecoveryOptions, 'onCorrupt' | 'onSnapshot' | 'onSnapshotError' | 'onReplayWaiting' | 'onReplayDone' | 'onReplayRefused'> {
  return {
    onCorrupt: (error) => logger.warn({ file: error.file, reason: error.reason }, 'corrupt snapshot skipped'),
    onSnapshot: (w) => logger.info({ file: w.file, bytes: w.bytes, ms: Math.round(w.ms), offsets: w.offsets }, 'snapshot written'),
    onSnapshotError: (error) => logger.error({ err: error }, 'snapshot failed'),
    onReplayWaiting: (d) => logger.warn({ next: d.next, remaining: d.remaining, waitedMs: Math.round(d.waitedMs) }, 'ordered replay still waiting for an input'),
    onReplayDone: (d) => logger.info({ inputs: d.inputs, ms: Math.round(d.ms) }, 'ordered replay done'),
    onReplayRefused: (error, where) => logger.warn({ ...where, code: error.code, reason: error.message }, 'input refused again in the ordered replay (dead-lettered when first read)'),
  };
}

/** Opens the directory and decides how the stage starts; throws `StageRecoveryRefusedError` (or the store's refusal) if it must not. */
export async function openStageRecovery(options: StageRecoveryOptions): Promise<Recovery> {
  const store = SnapshotStore.open(options.dir, { stage: options.stage, venueFingerprint: options.venueFingerprint, ...(options.onCorrupt === undefined ? {} : { onCorrupt: options.onCorrupt }) });
  const newest = store.newestValid();
  let offsets: TopicOffsets | null = null;
  // the inputs after the start point, in the order they were applied (a snapshot of an older build: none logged)
  let plan: InputOrderEntry[];
  if (newest !== undefined) {
    const position = newest.header.position;
    if (!('offsets' in position)) throw new StageRecoveryRefusedError(`${newest.file} records a journal position, not Kafka offsets: not a cluster snapshot`);
    offsets = position.offsets;
    plan = position.inputOrderLog === undefined ? [] : readInputOrder(options.dir, position.inputOrderLog);
  } else {
    // a first start, or a life killed before its first snapshot: all of the log, from the topics' beginning
    plan = readInputOrder(options.dir, 0);
    // the whole history is on disk only if the first file is there (nothing was pruned: no snapshot ever pruned it)
    const wholeLog = listInputOrderFiles(options.dir)[0]?.index === 1;
    for (const topic of options.topics) {
      const committed = await options.committedOffsets(topic);
      if (Object.keys(committed).length > 0 && !wholeLog) {
        throw new StageRecoveryRefusedError(
          `${options.stage}: its consumer group has committed offsets on ${topic} but ${options.dir} holds no usable snapshot; refusing to start with empty state (restore the snapshot directory, or delete the group to start over)`,
        );
      }
    }
  }
  const log = new InputOrderLog(options.dir, options.fsync === undefined ? {} : { fsync: options.fsync });
  const sequencer = new InputSequencer(log, plan, {
    onReplayRefused: (error, where) => options.onReplayRefused?.(error, { ...where, topic: options.topics[where.topic] ?? `#${where.topic}` }),
  });
  const replayStarted = performance.now();
  let waitedSince = replayStarted;
  let lastRemaining = sequencer.remaining;
  const replayWatch = setInterval(() => {
    if (!sequencer.replaying) {
      clearInterval(replayWatch);
      options.onReplayDone?.({ inputs: plan.length, ms: performance.now() - replayStarted });
      return;
    }
    const next = sequencer.waitingFor();
    if (sequencer.remaining !== lastRemaining) {
      lastRemaining = sequencer.remaining;
      waitedSince = performance.now();
    } else if (next !== null && performance.now() - waitedSince >= 10_000) {
      options.onReplayWaiting?.({ next, remaining: sequencer.remaining, waitedMs: performance.now() - waitedSince });
      waitedSince = performance.now();
    }
  }, 50);
  replayWatch.unref();
  let tracking: OffsetTrackingBus | null = null;
  let stage: RecoverableStage | null = null;
  let lastApplied = 0;
  let writing = false;
  // snapshots this life wrote and the log file each one's later inputs start in (to prune the log behind them)
  const writtenHere: { file: string; inputOrderLog: number }[] = [];
  const snapshotNow = async () => {
    if (tracking === null || stage === null) throw new Error('snapshotNow before the stage and its bus were set up');
    if (sequencer.replaying || !tracking.atRecordBoundary) return null;
    const started = performance.now();
    const bytes = stage.exportState();
    const at = tracking.positions();
    const hash = stage.stateHash();
    const inputOrderLog = log.rotate(); // what is applied from here on is after this snapshot
    await tracking.flush();
    const file = store.write(bytes, { offsets: at, inputOrderLog }, hash);
    const deleted = new Set(store.prune({ keepNewest: options.keepNewest }));
    writtenHere.push({ file, inputOrderLog });
    const kept = writtenHere.filter((w) => !deleted.has(w.file));
    writtenHere.splice(0, writtenHere.length, ...kept);
    // once every kept snapshot is this life's, the log before the oldest one is needed by none
    if (kept.length >= options.keepNewest) log.pruneBefore(Math.min(...kept.map((w) => w.inputOrderLog)));
    lastApplied = tracking.applied;
    const written = { file, bytes: bytes.length, ms: performance.now() - started, offsets: at };
    options.onSnapshot?.(written);
    return written;
  };
  return {
    restoredFrom: newest === undefined || offsets === null ? null : { file: newest.file, offsets, stateHash: newest.header.stateHash },
    bus(inner) {
      // a queuing bus (Kafka): the log is written once per batch, before the batch leaves
      if (inner.beforeSend !== undefined) {
        log.writeThrough = false;
        inner.beforeSend(() => log.flush());
      }
      // no snapshot: every partition from offset 0, whatever the group committed (a life killed before its
      // first snapshot had committed offsets its lost state included; the log replays that state from genesis)
      tracking = new OffsetTrackingBus(inner, offsets ?? {}, { sequencer, topics: options.topics }, offsets === null);
      return tracking;
    },
    onLocal: (input, apply) => sequencer.onLocal(input, apply),
    local: (input, value) => sequencer.local(input, value),
    get replaying() {
      return sequencer.replaying;
    },
    restore(s) {
      stage = s;
      if (newest === undefined) return;
      s.importState(newest.payload);
      if (s.stateHash() !== newest.header.stateHash) throw new Error(`${newest.file}: restored state hash ${s.stateHash()} differs from the recorded ${newest.header.stateHash}`);
    },
    snapshotNow,
    startPeriodic() {
      const timer = setInterval(() => {
        if (writing || tracking === null || tracking.applied - lastApplied < options.minMessages || sequencer.replaying || !tracking.atRecordBoundary) return;
        writing = true;
        snapshotNow().then(
          () => (writing = false),
          (error: unknown) => {
            writing = false;
            options.onSnapshotError?.(error);
          },
        );
      }, options.everyMs);
      return () => clearInterval(timer);
    },
  };
}
