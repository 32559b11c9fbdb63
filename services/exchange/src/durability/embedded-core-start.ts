/**
 * How an entry point (`npm start`: services/gateway main.ts) starts and stops the
 * embedded core with or without a data directory, so the entry point holds no
 * durability logic of its own.
 *
 * - Without `dataDir`: an in-memory run, exactly as before (no journal, the gate
 *   applies inputs directly).
 * - With `dataDir`: `recoverExchange` opens the journal and replays it (from the
 *   newest valid snapshot when `snapshots` is given). `beforeReplay` runs once the
 *   stages exist and before the first input, so readers added there (the gateway's
 *   client and read models) see every replayed event.
 *
 * The lines written here are a contract: the crash harness (crash-harness.ts)
 * parses `recovered seq N state H (…)` and `journal durable up to seq N`.
 *
 * Snapshots (with `snapshotPolicy`): kept in DIR/snapshots; a start restores the
 * newest valid one (a corrupt one is skipped, reported through `onSnapshotCorrupt`,
 * and the previous one or genesis used) and replays the journal after it.
 * `snapshotIfDue` (called between the market's steps, when no input is in flight)
 * writes one when the policy says so, keeps `keepNewest`, and prunes journal
 * segments wholly before the oldest snapshot kept: the fallback to an older
 * snapshot still finds its tail.
 *
 * Readers' sections (snapshot-sections.ts): `snapshotSections` names the extra
 * sections this run's snapshots carry and its restores need; `beforeReplay` returns
 * them once the readers exist. Every snapshot then holds them at its seq, a start
 * restores them right after the core and before the tail replay, and a snapshot
 * lacking one is skipped (reported through `onSnapshotCorrupt`) for an older one or
 * genesis. A snapshot's sections this run does not name are not read.
 *
 * Errors: a journal or snapshot that cannot be used raises `CoreStartError`, whose
 * message is the one line to print (nothing in the directory was changed).
 */
import type { FsyncPolicy, Journal, JournalFs } from '@perpcore/journal';
import { EmbeddedExchange, type EmbeddedExchangeOptions } from '../embedded-exchange.js';
import { join } from 'node:path';
import { ExchangeSnapshots, type SnapshotPolicy, type SnapshotWritten } from './exchange-snapshots.js';
import { recoverExchange, type Recovery } from './recover-exchange.js';
import { checkDeclaredSections, type SnapshotSection } from './snapshot-sections.js';

export class CoreStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CoreStartError';
  }
}

export interface EmbeddedCoreOptions extends Omit<EmbeddedExchangeOptions, 'inputGate' | 'beforeFirstInput'> {
  /** Journal directory; undefined: an in-memory run. */
  dataDir?: string | undefined;
  fsync?: FsyncPolicy;
  /** The journal's write path (tests inject a failing disk). */
  journalFiles?: JournalFs;
  /** Journal segment size (tests use small ones to see rotation and pruning). */
  segmentBytes?: number;
  /** Periodic snapshots in DIR/snapshots (with `dataDir` only); undefined: journal only. */
  snapshotPolicy?: SnapshotPolicy | undefined;
  /** Told about each snapshot skipped at start (corrupt, or lacking one of `snapshotSections`). */
  onSnapshotCorrupt?: (message: string) => void;
  /** Names of the extra snapshot sections `beforeReplay` supplies (the gateway's); default none. */
  snapshotSections?: readonly string[];
  /** Runs before the first input (in recovery: before the replay); returns the sections named in `snapshotSections`. */
  beforeReplay?: (exchange: EmbeddedExchange) => Promise<readonly SnapshotSection[] | void> | readonly SnapshotSection[] | void;
}

export interface EmbeddedCore {
  readonly exchange: EmbeddedExchange;
  readonly journal: Journal | undefined;
  readonly recovery: Recovery | null;
  readonly snapshots: ExchangeSnapshots | undefined;
  /** Journal seqs of the snapshots kept (oldest first), the floor of journal pruning. */
  readonly keptSnapshotSeqs: number[];
  readonly keepSnapshots: number;
  /** The readers' sections every snapshot of this run carries (from `beforeReplay`). */
  readonly snapshotSections: readonly SnapshotSection[];
  /** One line for stderr describing the recovery (empty without a data directory). */
  readonly startLine: string;
}

export async function startEmbeddedCore(options: EmbeddedCoreOptions): Promise<EmbeddedCore> {
  const { dataDir, fsync, journalFiles, segmentBytes, snapshotPolicy, onSnapshotCorrupt, snapshotSections: declared = [], beforeReplay, ...exchangeOptions } = options;
  const sections: SnapshotSection[] = [];
  const beforeFirstInput = {
    beforeFirstInput: async (_bus: unknown, exchange: EmbeddedExchange) => {
      const supplied = (await beforeReplay?.(exchange)) ?? [];
      checkDeclaredSections(declared, supplied);
      sections.splice(0, sections.length, ...supplied);
    },
  };
  if (dataDir === undefined) {
    const exchange = await EmbeddedExchange.create({ ...exchangeOptions, ...beforeFirstInput });
    return { exchange, journal: undefined, recovery: null, snapshots: undefined, keptSnapshotSeqs: [], keepSnapshots: 0, snapshotSections: sections, startLine: '' };
  }
  let recovered;
  let snapshots: ExchangeSnapshots | undefined;
  try {
    snapshots =
      snapshotPolicy === undefined
        ? undefined
        : ExchangeSnapshots.open(join(dataDir, 'snapshots'), exchangeOptions, snapshotPolicy, (error) => onSnapshotCorrupt?.(`snapshot skipped: ${error.message}`));
    const store = snapshots;
    recovered = await recoverExchange(dataDir, {
      ...exchangeOptions,
      ...beforeFirstInput,
      ...(fsync === undefined ? {} : { fsync }),
      ...(journalFiles === undefined ? {} : { journalFiles }),
      ...(segmentBytes === undefined ? {} : { segmentBytes }),
      ...(store === undefined
        ? {}
        : {
            snapshots: {
              newestValid: () => {
                const s = store.newestValid(declared, (message) => onSnapshotCorrupt?.(`snapshot skipped: ${message}`));
                return s === undefined ? null : { journalSeq: s.journalSeq, restore: (inputGate) => s.restore({ inputGate, ...beforeFirstInput, sections: () => sections }).then((r) => r.exchange) };
              },
            },
          }),
    });
  } catch (error) {
    throw new CoreStartError(`cannot start from ${dataDir}: ${(error as Error).message}`);
  }
  const r = recovered.recovery;
  const cut = r.cut === null ? '' : `, torn tail cut (${r.cut.bytesCut} bytes of ${r.cut.segment} at byte ${r.cut.atByte}: ${r.cut.problem})`;
  const from = r.snapshotSeq === null ? 'genesis' : `snapshot at seq ${r.snapshotSeq}`;
  const startLine = `journal ${dataDir} (fsync ${fsync ?? 'batch'}): recovered seq ${r.seq} state ${r.stateHash} (${r.replayedRecords} inputs replayed in ${Math.round(r.elapsedMs)} ms${cut}; from ${from})`;
  const kept = r.snapshotSeq === null ? [0] : [r.snapshotSeq];
  return { exchange: recovered.exchange, journal: recovered.journal, recovery: r, snapshots, keptSnapshotSeqs: kept, keepSnapshots: snapshotPolicy?.keepNewest ?? 0, snapshotSections: sections, startLine };
}

/**
 * Between the market's steps: a snapshot if the policy says one is due (or `now`),
 * then journal pruning; else null. The snapshot is taken only at a durable journal
 * seq: one ahead of the journal's durable end would, after a crash, hold inputs the
 * journal lost, and recovery refuses it. So it first waits for the journal, and
 * writes synchronously once durable = applied (no input can apply in between).
 */
export async function snapshotIfDue(core: EmbeddedCore, now = false): Promise<SnapshotWritten | null> {
  const { snapshots, journal, exchange } = core;
  if (snapshots === undefined || journal === undefined || exchange.inputs.failure !== null) return null;
  if (!now && !snapshots.due(exchange, exchange.inputs.appliedSeq)) return null;
  try {
    while (journal.durableSeq < exchange.inputs.appliedSeq) await exchange.inputs.flush();
  } catch {
    return null; // the journal failed: input has stopped, the caller reports it
  }
  const written = snapshots.snapshotNow(exchange, exchange.inputs.appliedSeq, core.snapshotSections);
  const kept = core.keptSnapshotSeqs;
  kept.push(written.journalSeq);
  while (kept.length > core.keepSnapshots) kept.shift();
  journal.prune((kept[0] ?? 0) + 1);
  return written;
}

/**
 * Ends a run: waits until every input is durable and returns the closing line
 * (empty without a journal). Throws `InputStoppedError` when the journal failed:
 * the caller exits non-zero, as inputs after `durableSeq` were never acknowledged.
 */
export async function settleEmbeddedCore(core: EmbeddedCore): Promise<string> {
  const durableSeq = await core.exchange.inputs.flush().catch(() => core.journal?.durableSeq ?? 0);
  const failure = core.exchange.inputs.failure;
  if (failure !== null) throw new InputStoppedError(`INPUT STOPPED: ${failure.message}`, failure.durableSeq, failure.causeCode);
  return core.journal === undefined ? '' : `journal durable up to seq ${durableSeq}`;
}

export class InputStoppedError extends Error {
  constructor(
    message: string,
    readonly durableSeq: number,
    readonly causeCode: string,
  ) {
    super(message);
    this.name = 'InputStoppedError';
  }
}

/** Closes the exchange and then its journal (the journal last: closing flushes what the stages still publish). */
export async function closeEmbeddedCore(core: EmbeddedCore): Promise<void> {
  await core.exchange.close();
  await core.journal?.close();
}
