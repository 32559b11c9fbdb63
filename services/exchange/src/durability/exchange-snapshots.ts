/**
 * Snapshots of the embedded exchange in a directory: on demand (`snapshotNow`) and
 * periodically (`afterInput`, called by the journaled input path after each
 * journaled input: every `everyRecords` journal records or `everyEventNs` of event
 * time, whichever comes first), each followed by pruning to the newest `keepNewest`.
 * `newestValid()` is the loader `recoverExchange` plugs in: the newest snapshot whose
 * checksum holds and which has every extra section the run restores
 * (snapshot-sections.ts), restored on demand; one lacking a section (taken by a run
 * without that reader) is skipped and reported like a corrupt one, so the start
 * falls back to an older snapshot or genesis, whose replay the reader then sees.
 *
 * A snapshot is only taken between inputs (the exchange applies each input
 * synchronously, so after `afterInput` returns nothing is in flight), and it
 * includes exactly the inputs up to its `journalSeq`: recovery replays the journal
 * from `journalSeq + 1`. Pruning snapshots never prunes the journal; the journal
 * may drop segments wholly before the oldest kept snapshot's position.
 */
import { type SnapshotCorruptError, SnapshotStore } from '@perpcore/snapshot';
import type { EmbeddedExchange, EmbeddedExchangeOptions } from '../embedded-exchange.js';
import { captureExchangeState, decodeExchangeSnapshot, restoreExchangeState } from './exchange-state.js';
import type { SnapshotSection } from './snapshot-sections.js';
import { EMBEDDED_STAGE, embeddedVenueFingerprint } from './venue-fingerprint.js';

export interface SnapshotPolicy {
  /** Take one after this many journal records since the last (0 = never by count). */
  readonly everyRecords: number;
  /** Take one after this much event time since the last, ns (0 = never by time). */
  readonly everyEventNs: number;
  /** Snapshots kept after each write (≥ 1). */
  readonly keepNewest: number;
}

export const defaultSnapshotPolicy: SnapshotPolicy = { everyRecords: 1_000_000, everyEventNs: 3_600 * 1e9, keepNewest: 3 };

export interface LoadableSnapshot {
  readonly journalSeq: number;
  readonly stateHash: string;
  readonly file: string;
  /**
   * `extra`: what the twin is built with besides the snapshot's options (the journal
   * path's `inputGate`, `beforeFirstInput`) and the sections restored after the core,
   * asked for once the twin is built.
   */
  restore(extra?: Pick<EmbeddedExchangeOptions, 'inputGate' | 'beforeFirstInput'> & { sections?: () => readonly SnapshotSection[] }): Promise<{ exchange: EmbeddedExchange; journalSeq: number }>;
}

export interface SnapshotWritten {
  readonly file: string;
  readonly journalSeq: number;
  readonly bytes: number;
  readonly captureMs: number;
  readonly pruned: readonly string[];
}

export class ExchangeSnapshots {
  private lastSeq = -1;
  private lastTsNs = 0;

  private constructor(
    private readonly store: SnapshotStore,
    private readonly options: EmbeddedExchangeOptions,
    private readonly policy: SnapshotPolicy,
  ) {}

  /** Opens `dir` for `options`' exchange; refuses a directory holding another venue's or stage's snapshots. */
  static open(dir: string, options: EmbeddedExchangeOptions, policy: SnapshotPolicy = defaultSnapshotPolicy, onCorrupt?: (error: SnapshotCorruptError) => void): ExchangeSnapshots {
    if (!(policy.keepNewest >= 1)) throw new RangeError('keepNewest must be at least 1');
    const store = SnapshotStore.open(dir, { stage: EMBEDDED_STAGE, venueFingerprint: embeddedVenueFingerprint(options), ...(onCorrupt === undefined ? {} : { onCorrupt }) });
    const snapshots = new ExchangeSnapshots(store, options, policy);
    const newest = store.newestValid();
    if (newest !== undefined && 'journalSeq' in newest.header.position) snapshots.lastSeq = newest.header.position.journalSeq;
    return snapshots;
  }

  /** Writes a snapshot of `exchange` and `sections` at `journalSeq` now, then prunes. */
  snapshotNow(exchange: EmbeddedExchange, journalSeq: number, sections: readonly SnapshotSection[] = []): SnapshotWritten {
    const started = performance.now();
    const bytes = captureExchangeState(exchange, journalSeq, sections);
    const file = this.store.write(bytes, { journalSeq }, exchange.stateHash());
    const captureMs = performance.now() - started;
    this.lastSeq = journalSeq;
    this.lastTsNs = exchange.nowNs();
    const pruned = this.store.prune({ keepNewest: this.policy.keepNewest });
    return { file, journalSeq, bytes: bytes.length, captureMs, pruned };
  }

  /** After each journaled input: a snapshot if the policy says one is due, else null. */
  afterInput(exchange: EmbeddedExchange, journalSeq: number, sections: readonly SnapshotSection[] = []): SnapshotWritten | null {
    return this.due(exchange, journalSeq) ? this.snapshotNow(exchange, journalSeq, sections) : null;
  }

  /** Whether the policy wants a snapshot at `journalSeq` (the caller may first wait until the journal is durable there). */
  due(exchange: EmbeddedExchange, journalSeq: number): boolean {
    if (this.lastSeq < 0) {
      this.lastSeq = 0;
      this.lastTsNs = exchange.nowNs();
    }
    const byCount = this.policy.everyRecords > 0 && journalSeq - this.lastSeq >= this.policy.everyRecords;
    const byTime = this.policy.everyEventNs > 0 && exchange.nowNs() - this.lastTsNs >= this.policy.everyEventNs;
    return byCount || byTime;
  }

  /**
   * The newest snapshot whose checksum holds and which has every section named in
   * `requiredSections`, or undefined. Corrupt ones are skipped and reported through
   * `open`'s `onCorrupt`, ones lacking a section through `onSkipped`.
   */
  newestValid(requiredSections: readonly string[] = [], onSkipped?: (message: string) => void): LoadableSnapshot | undefined {
    for (const stored of this.store.valid()) {
      const position = stored.header.position;
      if (!('journalSeq' in position)) throw new Error(`snapshot ${stored.file} records Kafka offsets, not a journal position`);
      const decoded = decodeExchangeSnapshot(stored.payload);
      const missing = requiredSections.filter((name) => !decoded.sections.has(name));
      if (missing.length > 0) {
        onSkipped?.(`snapshot ${stored.file} (seq ${position.journalSeq}) has no ${missing.map((m) => `"${m}"`).join(', ')} section (taken by a run without it)`);
        continue;
      }
      const options = this.options;
      return {
        journalSeq: position.journalSeq,
        stateHash: stored.header.stateHash,
        file: stored.file,
        restore: (extra) => restoreExchangeState(decoded, { ...options, ...extra, expectedStateHash: stored.header.stateHash }),
      };
    }
    return undefined;
  }
}
