/**
 * Start of an embedded exchange with a data directory: open the journal (a torn
 * tail is cut, another venue or version refused), restore the newest valid
 * snapshot if a snapshot source is given (dur-snapshot's `SnapshotStore`), else
 * start from genesis, then replay the journal's tail through the input gate in
 * lockstep with the simulated market (core-input-gate.ts). When it returns, the
 * state is exactly the state after the last journaled input, and new inputs are
 * journaled from the next seq on.
 */
import type { FsyncPolicy, JournalFs, JournalWriteError } from '@perpcore/journal';
import { Journal, listSegments } from '@perpcore/journal';
import { EmbeddedExchange, type EmbeddedExchangeOptions } from '../embedded-exchange.js';
import { CoreInputGate } from './core-input-gate.js';
import type { CoreInputTargets } from './core-input-record.js';
import { embeddedJournalHeader, embeddedJournalMeta } from './journal-header.js';

/** What a snapshot store offers recovery (seam with dur-snapshot). */
export interface SnapshotSource {
  newestValid(): { journalSeq: number; restore(inputGate: (targets: CoreInputTargets) => CoreInputGate): Promise<EmbeddedExchange> } | null;
}

export interface RecoverExchangeOptions extends Omit<EmbeddedExchangeOptions, 'inputGate'> {
  fsync?: FsyncPolicy;
  segmentBytes?: number;
  /** The journal's write path (tests inject a failing disk). */
  journalFiles?: JournalFs;
  snapshots?: SnapshotSource;
  onJournalFailure?: (error: JournalWriteError) => void;
}

export interface Recovery {
  /** Journal position of the recovered state (0: empty journal). */
  seq: number;
  /** `exchange.stateHash()` exactly at `seq`. */
  stateHash: string;
  /** The snapshot's seq the replay started after, or null (genesis). */
  snapshotSeq: number | null;
  replayedRecords: number;
  cut: Journal['recovery']['cut'];
  elapsedMs: number;
}

export async function recoverExchange(dir: string, options: RecoverExchangeOptions): Promise<{ exchange: EmbeddedExchange; journal: Journal; recovery: Recovery }> {
  const startedMs = performance.now();
  const journal = Journal.open(dir, embeddedJournalHeader(embeddedJournalMeta(options)), {
    ...(options.fsync === undefined ? {} : { fsync: options.fsync }),
    ...(options.segmentBytes === undefined ? {} : { segmentBytes: options.segmentBytes }),
    ...(options.journalFiles === undefined ? {} : { files: options.journalFiles }),
    ...(options.onJournalFailure === undefined ? {} : { onFailure: options.onJournalFailure }),
  });
  let caughtUp: { seq: number; stateHash: string } | null = null;
  const snapshot = options.snapshots?.newestValid() ?? null;
  if (snapshot !== null && snapshot.journalSeq > journal.lastSeq) {
    throw new Error(`snapshot at journal seq ${snapshot.journalSeq} is ahead of the journal (last whole record ${journal.lastSeq}): refused, nothing changed`);
  }
  const fromSeq = (snapshot?.journalSeq ?? 0) + 1;
  // segments before the oldest kept snapshot are pruned: a start that skipped the snapshots it needed cannot replay the gap
  const journalFrom = listSegments(dir)[0]?.firstSeq ?? 1;
  if (journalFrom > fromSeq && journal.lastSeq >= fromSeq) {
    const from = snapshot === null ? 'genesis (no usable snapshot)' : `the snapshot at seq ${snapshot.journalSeq}`;
    throw new Error(`the journal starts at seq ${journalFrom} (older segments pruned), but a start from ${from} needs it from seq ${fromSeq}: refused, nothing changed`);
  }
  const gate = (targets: CoreInputTargets): CoreInputGate =>
    new CoreInputGate({ targets, journal, recover: true, recoverFromSeq: fromSeq, onCaughtUp: (seq) => (caughtUp = { seq, stateHash: targets.stateHash() }) });
  const { snapshots: _snapshots, ...exchangeOptions } = options;
  const exchange = snapshot !== null ? await snapshot.restore(gate) : await EmbeddedExchange.create({ ...exchangeOptions, inputGate: gate });
  while (exchange.inputs.recovering) exchange.step(1);
  let done = caughtUp as { seq: number; stateHash: string } | null;
  if (done === null) throw new Error('journal recovery ended without reaching the journal end (internal error)');
  // no tail after the snapshot: the gate caught up before the state was restored into the twin
  if (snapshot !== null && done.seq === snapshot.journalSeq) done = { seq: done.seq, stateHash: exchange.stateHash() };
  return {
    exchange,
    journal,
    recovery: { seq: done.seq, stateHash: done.stateHash, snapshotSeq: snapshot?.journalSeq ?? null, replayedRecords: done.seq - fromSeq + 1, cut: journal.recovery.cut, elapsedMs: performance.now() - startedMs },
  };
}
