/**
 * A stage process's recovery as its environment configures it (snapshot-config.ts):
 * none without PERPCORE_SNAPSHOT_DIR, else `openStageRecovery` with the configured
 * policy, every snapshot event logged, and one line saying where the stage starts.
 * The stage processes (matching, risk, spot) open theirs the same way through this.
 */
import type { FsyncPolicy } from '@perpcore/journal';
import { loggedSnapshotEvents, openStageRecovery, type Recovery } from './stage-recovery.js';
import { snapshotDirOf } from './snapshot-config.js';

export interface SnapshotSettings {
  readonly snapshotDir: string;
  readonly snapshotIntervalMs: number;
  readonly snapshotMinMessages: number;
  readonly snapshotKeep: number;
  readonly snapshotFsync: FsyncPolicy;
}

export interface StageIdentity {
  readonly stage: string;
  readonly venueFingerprint: string;
  readonly topics: readonly string[];
  readonly committedOffsets: (topic: string) => Promise<Record<number, number>>;
}

interface RecoveryLog {
  info(detail: object, message: string): void;
  warn(detail: object, message: string): void;
  error(detail: object, message: string): void;
}

/** Null without a snapshot directory; throws the store's or recovery's refusal when the stage must not start. */
export async function openConfiguredStageRecovery(config: SnapshotSettings, stage: StageIdentity, logger: RecoveryLog): Promise<Recovery | null> {
  const dir = snapshotDirOf(config);
  if (dir === null) return null;
  const recovery = await openStageRecovery({
    dir,
    ...stage,
    everyMs: config.snapshotIntervalMs,
    minMessages: config.snapshotMinMessages,
    keepNewest: config.snapshotKeep,
    fsync: config.snapshotFsync,
    ...loggedSnapshotEvents(logger),
  });
  logger.info({ from: recovery.restoredFrom ?? 'the beginning' }, `${stage.stage} recovery`);
  return recovery;
}
