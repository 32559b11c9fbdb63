/**
 * When the journal forces its records to stable storage, and what each policy can
 * lose. "Acknowledged" means `flush()` resolved for that record (the embedded
 * exchange answers a client only then).
 *
 * | policy | what happens | process crash (kill -9) | power failure / kernel crash |
 * |--------|--------------|-------------------------|------------------------------|
 * | `always` | `append` writes and fdatasyncs the record before it returns | nothing | nothing |
 * | `batch` (default) | group commit: records collect in memory while the previous group's write + fdatasync is in flight, then go as one write + one fdatasync | the records of the group not yet written (never acknowledged) | the same: only records whose group's fdatasync completed were acknowledged |
 * | `none` | groups are written to the OS page cache, never fsynced (rotation still syncs) | the group not yet written | everything the OS had not written back (typically up to ~30 s), including acknowledged records |
 *
 * Under every policy a crash can leave a partly written last record: recovery cuts
 * it (segment-scan.ts), so what survives is always a whole prefix of the inputs.
 */
export type FsyncPolicy = 'always' | 'batch' | 'none';

export const FSYNC_POLICIES: readonly FsyncPolicy[] = ['always', 'batch', 'none'];

export function parseFsyncPolicy(text: string | undefined): FsyncPolicy {
  if (text !== undefined && (FSYNC_POLICIES as readonly string[]).includes(text)) return text as FsyncPolicy;
  throw new Error(`fsync policy must be one of ${FSYNC_POLICIES.join(', ')}, got ${JSON.stringify(text)}`);
}
