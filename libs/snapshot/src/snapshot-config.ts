/**
 * The snapshot variables every cluster stage process takes (spread into its schema):
 *
 * | variable                          | default | meaning |
 * |-----------------------------------|---------|---------|
 * | PERPCORE_SNAPSHOT_DIR             | (empty) | snapshot directory; empty = no snapshots (the stage cannot recover state) |
 * | PERPCORE_SNAPSHOT_INTERVAL_MS     | 10000   | wall time between periodic snapshots |
 * | PERPCORE_SNAPSHOT_MIN_MESSAGES    | 1       | …taken only if at least this many inputs were applied since the last |
 * | PERPCORE_SNAPSHOT_KEEP            | 3       | snapshots kept (older ones pruned after each write) |
 * | PERPCORE_SNAPSHOT_FSYNC           | batch   | input-order log sync before a batch leaves: always / batch (both fdatasync once per send batch) or none (write(2) only); input-order-log.ts says what each can lose |
 *
 * Topic retention must cover the time between snapshots and then some: a restarted
 * stage re-reads everything after its newest snapshot (README, "Recovery").
 */
import { enumField, integerField, stringField } from '@perpcore/config';
import { FSYNC_POLICIES } from '@perpcore/journal';

export const snapshotConfigSchema = {
  snapshotDir: stringField('PERPCORE_SNAPSHOT_DIR', { fallback: '-', description: 'snapshot directory (unset: none)' }),
  snapshotIntervalMs: integerField('PERPCORE_SNAPSHOT_INTERVAL_MS', { min: 100, max: 86_400_000, fallback: 10_000 }),
  snapshotMinMessages: integerField('PERPCORE_SNAPSHOT_MIN_MESSAGES', { min: 0, max: 1_000_000_000, fallback: 1 }),
  snapshotKeep: integerField('PERPCORE_SNAPSHOT_KEEP', { min: 1, max: 1_000, fallback: 3 }),
  snapshotFsync: enumField('PERPCORE_SNAPSHOT_FSYNC', FSYNC_POLICIES, 'batch'),
};

/** The directory, or null when snapshots are off. */
export function snapshotDirOf(config: { snapshotDir: string }): string | null {
  return config.snapshotDir === '-' ? null : config.snapshotDir;
}
