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
 * Errors: a journal or snapshot that cannot be used raises `CoreStartError`, whose
 * message is the one line to print (nothing in the directory was changed).
 */
import type { FsyncPolicy, Journal, JournalFs } from '@perpcore/journal';
import { EmbeddedExchange, type EmbeddedExchangeOptions } from '../embedded-exchange.js';
import { recoverExchange, type Recovery, type SnapshotSource } from './recover-exchange.js';

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
  /** A snapshot loader for the journal path (dur-snapshot's ExchangeSnapshots). */
  snapshots?: (dataDir: string) => SnapshotSource;
  /** Runs before the first input (in recovery: before the replay). */
  beforeReplay?: (exchange: EmbeddedExchange) => Promise<void> | void;
}

export interface EmbeddedCore {
  readonly exchange: EmbeddedExchange;
  readonly journal: Journal | undefined;
  readonly recovery: Recovery | null;
  /** One line for stderr describing the recovery (empty without a data directory). */
  readonly startLine: string;
}

export async function startEmbeddedCore(options: EmbeddedCoreOptions): Promise<EmbeddedCore> {
  const { dataDir, fsync, journalFiles, snapshots, beforeReplay, ...exchangeOptions } = options;
  const beforeFirstInput = beforeReplay === undefined ? {} : { beforeFirstInput: (_bus: unknown, exchange: EmbeddedExchange) => beforeReplay(exchange) };
  if (dataDir === undefined) {
    return { exchange: await EmbeddedExchange.create({ ...exchangeOptions, ...beforeFirstInput }), journal: undefined, recovery: null, startLine: '' };
  }
  let recovered;
  try {
    recovered = await recoverExchange(dataDir, {
      ...exchangeOptions,
      ...beforeFirstInput,
      ...(fsync === undefined ? {} : { fsync }),
      ...(journalFiles === undefined ? {} : { journalFiles }),
      ...(snapshots === undefined ? {} : { snapshots: snapshots(dataDir) }),
    });
  } catch (error) {
    throw new CoreStartError(`cannot start from ${dataDir}: ${(error as Error).message}`);
  }
  const r = recovered.recovery;
  const cut = r.cut === null ? '' : `, torn tail cut (${r.cut.bytesCut} bytes of ${r.cut.segment} at byte ${r.cut.atByte}: ${r.cut.problem})`;
  const from = r.snapshotSeq === null ? 'genesis' : `snapshot at seq ${r.snapshotSeq}`;
  const startLine = `journal ${dataDir} (fsync ${fsync ?? 'batch'}): recovered seq ${r.seq} state ${r.stateHash} (from ${from}, ${r.replayedRecords} inputs replayed in ${Math.round(r.elapsedMs)} ms${cut})`;
  return { exchange: recovered.exchange, journal: recovered.journal, recovery: r, startLine };
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
