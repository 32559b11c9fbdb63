/**
 * The one entry point of the embedded core: every input (order and account
 * commands, index prices, time advances; core-input-record.ts) passes here, is
 * journaled, and only then applied. The simulated market, the oracle and the HTTP
 * API publish through `busFor(origin)`, a `Bus` whose `publish` is this gate.
 *
 * Modes
 * - `direct` (no journal, `npm start` without `--data-dir`): applied as before,
 *   nothing encoded.
 * - `journal`: each input is appended to the journal, then applied. The journal
 *   seq is the input's position; `appliedSeq` is the position of the state now.
 * - `recover`: the journal's records 1..N are the truth. The simulated market runs
 *   again in lockstep: each input it generates must equal the next journaled one
 *   byte for byte (else `JournalDivergenceError`), which rebuilds its RNG, order
 *   ids and view of the book exactly; external inputs come from the journal
 *   (`drainExternal`, called where the market yields to the event loop, the only
 *   place they arrive live). After record N the gate calls `onCaughtUp(N)` (the
 *   state is then exactly the state after input N) and switches to `journal`.
 *
 * Invariants: journal order is apply order. An input submitted while another is
 * being applied (from a bus handler) would be applied out of journal order, so it
 * is refused loudly. Once the journal has failed, nothing more is accepted: every
 * submit throws the journal's `JournalWriteError`.
 */
import type { Bus, Topic } from '@perpcore/bus';
import type { Journal, JournalWriteError } from '@perpcore/journal';
import {
  applyCoreInput,
  type CoreInputTargets,
  decodeCoreInput,
  encodeCoreInput,
  InputKind,
  inputKindOfTopic,
  InputOrigin,
} from './core-input-record.js';
import type { SpotInput } from './spot-input.js';
import type { SpotResult } from '@perpcore/risk';

export class JournalDivergenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JournalDivergenceError';
  }
}

export interface CoreInputGateOptions {
  readonly targets: CoreInputTargets;
  readonly journal?: Journal;
  /** Replay the journal's records (recoverFromSeq..journal.lastSeq) in lockstep before journaling new ones. */
  readonly recover?: boolean;
  /** The first record to replay (default 1; a restored snapshot that includes seq S starts at S + 1). */
  readonly recoverFromSeq?: number;
  /** Called once the last journaled record is applied in recovery (with its seq; 0 for an empty journal). */
  readonly onCaughtUp?: (seq: number) => void;
  /** Called after every input is applied, with its journal position (the crash test's reference run reads hashes here). */
  readonly onApplied?: (seq: number) => void;
}

export class CoreInputGate {
  private mode: 'direct' | 'journal' | 'recover';
  private readonly scratch = { buffer: Buffer.allocUnsafe(4096) };
  private cursor: Iterator<{ seq: number; payload: Uint8Array }> | null = null;
  private nextSeq = 0;
  private nextPayload: Uint8Array = new Uint8Array(0);
  private applying = false;
  private position = 0;
  private lastResult: SpotResult = { ok: true };
  private stopped: JournalWriteError | null = null;
  private readonly journal: Journal | undefined;
  private readonly openedAtSeq: number;

  constructor(private readonly options: CoreInputGateOptions) {
    this.journal = options.journal;
    this.openedAtSeq = this.journal?.lastSeq ?? 0;
    this.mode = this.journal === undefined ? 'direct' : 'journal';
    if (this.journal !== undefined && options.recover === true) {
      this.mode = 'recover';
      const fromSeq = options.recoverFromSeq ?? 1;
      this.position = fromSeq - 1;
      this.cursor = this.journal.read(fromSeq)[Symbol.iterator]();
      this.advanceCursor();
    }
  }

  /** Journal position of the state now: the seq of the last input applied. */
  get appliedSeq(): number {
    return this.position;
  }

  /**
   * The journal's last whole record when this gate opened (0: no journal or an
   * empty one). It names this process's start: a later start opens at a larger seq
   * whenever this one journaled anything, so a producer that stamps it into its
   * stream name never reuses a previous start's (stream, seq) pairs.
   */
  get startSeq(): number {
    return this.openedAtSeq;
  }

  get recovering(): boolean {
    return this.mode === 'recover';
  }

  /** The journal's write error once input has stopped, or null. */
  get failure(): JournalWriteError | null {
    return this.stopped ?? this.journal?.failed ?? null;
  }

  /** A `Bus` for one input source: publishing on an input topic goes through this gate; the rest is the pipeline's bus. */
  busFor(origin: InputOrigin): Bus {
    const bus = this.options.targets.bus;
    return {
      publish: <T>(topic: Topic<T>, value: T) => this.publish(origin, topic as Topic<unknown>, value),
      flush: () => bus.flush(),
      subscribe: (topic, options, handler) => bus.subscribe(topic, options, handler),
      close: async () => undefined,
    };
  }

  publish(origin: InputOrigin, topic: Topic<unknown>, value: unknown): void {
    const kind = inputKindOfTopic(topic);
    if (kind === undefined) throw new Error(`${topic.name} is not an input topic of the core (inputs: order and account commands, index prices, operator market commands)`);
    this.submit(kind, origin, value);
  }

  /** An input of the spot-margin stage; returns the spot engine's answer (journaled either way: a refusal is deterministic). */
  spot(input: SpotInput, origin: InputOrigin = InputOrigin.sim): SpotResult {
    this.submit(InputKind.spot, origin, input);
    return this.lastResult;
  }

  /** A time advance of the risk stage (funding, schedules), an input like any other. */
  advanceTime(tsNs: number, origin: InputOrigin = InputOrigin.sim): void {
    this.submit(InputKind.time, origin, tsNs);
  }

  /** Resolves with the durable journal seq once every input so far is durable (direct mode: at once). */
  flush(): Promise<number> {
    return this.journal === undefined ? Promise.resolve(this.position) : this.journal.flush();
  }

  /** In recovery: applies the journaled external inputs that come next, as they came between the market's turns. */
  drainExternal(): void {
    while (this.mode === 'recover' && this.nextPayload[1] === InputOrigin.external) {
      const { input } = decodeCoreInput(this.nextSeq, this.nextPayload);
      this.applyAt(this.nextSeq, input.kind, input.value);
      this.advanceCursor();
    }
  }

  private submit(kind: InputKind, origin: InputOrigin, value: unknown): void {
    if (this.applying) throw new Error('a core input was submitted while another was being applied: journal order would differ from apply order');
    if (this.stopped !== null) throw this.stopped;
    if (this.mode === 'direct') return this.applyAt(this.position + 1, kind, value);
    const record = encodeCoreInput(this.scratch, kind, origin, value);
    if (this.mode === 'recover') {
      if (origin === InputOrigin.external) throw new JournalDivergenceError('an external input arrived while the journal was being recovered');
      if (!Buffer.from(record.buffer, record.byteOffset, record.length).equals(this.nextPayload)) {
        throw new JournalDivergenceError(
          `journal diverges from this run at seq ${this.nextSeq}: recorded ${describe(this.nextPayload)}, the simulated market generated ${describe(record)} (same seed and scenario as the journal's header?)`,
        );
      }
      this.applyAt(this.nextSeq, kind, value);
      this.advanceCursor();
      return;
    }
    let seq: number;
    try {
      seq = (this.journal as Journal).append(record);
    } catch (error) {
      if ((error as Error).name === 'JournalWriteError') this.stopped = error as JournalWriteError;
      throw error;
    }
    this.applyAt(seq, kind, value);
  }

  private applyAt(seq: number, kind: InputKind, value: unknown): void {
    this.applying = true;
    try {
      this.lastResult = applyCoreInput(this.options.targets, kind, value);
    } finally {
      this.applying = false;
    }
    this.position = seq;
    this.options.onApplied?.(seq);
  }

  /** Moves to the next journaled record; past the last one, recovery is over. */
  private advanceCursor(): void {
    const cursor = this.cursor as Iterator<{ seq: number; payload: Uint8Array }>;
    const next = cursor.next();
    if (next.done !== true) {
      this.nextSeq = next.value.seq;
      this.nextPayload = next.value.payload;
      return;
    }
    this.cursor = null;
    this.nextPayload = new Uint8Array(0);
    this.mode = 'journal';
    this.options.onCaughtUp?.(this.position);
  }
}

function describe(record: Uint8Array): string {
  const kind = Object.entries(InputKind).find(([, k]) => k === record[0])?.[0] ?? `kind ${record[0]}`;
  return `${kind} (${record.length} bytes)`;
}
