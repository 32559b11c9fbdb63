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
 *   the stage has run before and its state is gone; starting empty would answer
 *   `RISK_UNKNOWN_ACCOUNT` to everyone, so recovery refuses with one line
 *   (`StageRecoveryRefusedError`) and the process exits non-zero;
 * - neither: a first start, from the beginning of the topics;
 * - running: `snapshotNow()` on demand, and every `everyMs` of wall time once at
 *   least `minMessages` were applied since the last, each pruned to `keepNewest`.
 *   A snapshot is written only after the bus has sent every output of the inputs it
 *   includes: a crash can never leave a snapshot that skips inputs whose outputs
 *   were still queued in the producer.
 *
 * A directory rather than a compacted topic: a snapshot of a million accounts is
 * tens of megabytes, beyond Kafka's default 1 MB message limit (it would need
 * chunking and a reassembly protocol), while a local file is written atomically with
 * one rename, checksummed, and read back without a consumer; the offsets it records
 * tie it to the topics, which stay the log.
 */
import { OffsetTrackingBus } from './offset-tracking-bus.js';
import type { Bus } from '@perpcore/bus';
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
  readonly onCorrupt?: (error: SnapshotCorruptError) => void;
  readonly onSnapshot?: (written: { file: string; bytes: number; ms: number; offsets: TopicOffsets }) => void;
  readonly onSnapshotError?: (error: unknown) => void;
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
   * included input can be lost with the process), then writes the file.
   */
  snapshotNow(): Promise<{ file: string; bytes: number; ms: number; offsets: TopicOffsets }>;
  /** Starts the periodic snapshots; returns a stop function. */
  startPeriodic(): () => void;
}

interface LogSink {
  info(detail: object, message: string): void;
  warn(detail: object, message: string): void;
  error(detail: object, message: string): void;
}

/** The recovery callbacks every stage process wires the same way: each skipped file, snapshot and failure logged. */
export function loggedSnapshotEvents(logger: LogSink): Pick<StageRecoveryOptions, 'onCorrupt' | 'onSnapshot' | 'onSnapshotError'> {
  return {
    onCorrupt: (error) => logger.warn({ file: error.file, reason: error.reason }, 'corrupt snapshot skipped'),
    onSnapshot: (w) => logger.info({ file: w.file, bytes: w.bytes, ms: Math.round(w.ms), offsets: w.offsets }, 'snapshot written'),
    onSnapshotError: (error) => logger.error({ err: error }, 'snapshot failed'),
  };
}

/** Opens the directory and decides how the stage starts; throws `StageRecoveryRefusedError` (or the store's refusal) if it must not. */
export async function openStageRecovery(options: StageRecoveryOptions): Promise<Recovery> {
  const store = SnapshotStore.open(options.dir, { stage: options.stage, venueFingerprint: options.venueFingerprint, ...(options.onCorrupt === undefined ? {} : { onCorrupt: options.onCorrupt }) });
  const newest = store.newestValid();
  let offsets: TopicOffsets | null = null;
  if (newest !== undefined) {
    const position = newest.header.position;
    if (!('offsets' in position)) throw new StageRecoveryRefusedError(`${newest.file} records a journal position, not Kafka offsets: not a cluster snapshot`);
    offsets = position.offsets;
  } else {
    for (const topic of options.topics) {
      const committed = await options.committedOffsets(topic);
      if (Object.keys(committed).length > 0) {
        throw new StageRecoveryRefusedError(
          `${options.stage}: its consumer group has committed offsets on ${topic} but ${options.dir} holds no usable snapshot; refusing to start with empty state (restore the snapshot directory, or delete the group to start over)`,
        );
      }
    }
  }
  let tracking: OffsetTrackingBus | null = null;
  let stage: RecoverableStage | null = null;
  let lastApplied = 0;
  let writing = false;
  const snapshotNow = async () => {
    if (tracking === null || stage === null) throw new Error('snapshotNow before the stage and its bus were set up');
    const started = performance.now();
    const bytes = stage.exportState();
    const at = tracking.positions();
    const hash = stage.stateHash();
    await tracking.flush();
    const file = store.write(bytes, { offsets: at }, hash);
    store.prune({ keepNewest: options.keepNewest });
    lastApplied = tracking.applied;
    const written = { file, bytes: bytes.length, ms: performance.now() - started, offsets: at };
    options.onSnapshot?.(written);
    return written;
  };
  return {
    restoredFrom: newest === undefined || offsets === null ? null : { file: newest.file, offsets, stateHash: newest.header.stateHash },
    bus(inner) {
      tracking = new OffsetTrackingBus(inner, offsets ?? {});
      return tracking;
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
        if (writing || tracking === null || tracking.applied - lastApplied < options.minMessages) return;
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
