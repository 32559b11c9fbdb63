/**
 * The risk stage's halt: what happens when applying an input fails with an
 * internal error — anything other than a reject, which the stage turns into a
 * reject event itself. Such an error means a rule of the stage was broken (a value
 * left the safe-integer range past the fill plan, a bug), so the state can no
 * longer be trusted to be conserved.
 *
 * Rules
 * - Scope: the whole stage, not one market. The fee account, the insurance funds
 *   and every cross wallet are shared by all markets, so an error in one market's
 *   input cannot be proven confined to it.
 * - The first error halts; the halt is never lifted in-process (an operator
 *   restarts the stage). `StageHaltedV1` is published once, with the reason and
 *   the input that caused it (kind, source, seq, market, account) and its tsNs.
 * - Afterwards commands are refused with RISK_STAGE_HALTED (a reject event each);
 *   matching and oracle events are not applied and are counted
 *   (`eventsDropped`); the liquidation ports refuse every ledger mutation.
 * - The halting input's dedup sequence is not recorded, so a redelivery is not
 *   mistaken for a duplicate; a halted stage refuses it like any other input,
 *   without throwing, so a bus never re-delivers it in a loop.
 * - `audit()` is not ok while halted (it never reports a halted state conserved).
 */

/** Which entry point the failing input came through (StageHaltedV1.input_kind). */
export const HaltInputKind = {
  AccountCommand: 'account_command',
  OrderCommand: 'order_command',
  MatchingEvent: 'matching_event',
  MatchingAccountEvent: 'matching_account_event',
  OracleEvent: 'oracle_event',
  LiquidationLedger: 'liquidation_ledger',
  Time: 'time',
} as const;
export type HaltInputKind = (typeof HaltInputKind)[keyof typeof HaltInputKind];

/** The identity of the input that halted the stage. */
export interface HaltInput {
  readonly kind: HaltInputKind;
  readonly source: string;
  readonly seq: number;
  readonly market: string;
  readonly accountId: number;
  readonly tsNs: number;
}

export interface StageHaltRecord {
  readonly reason: string;
  readonly errorName: string;
  readonly input: HaltInput;
  readonly error: unknown;
}

export class StageHalt {
  /** null while the stage runs. */
  record: StageHaltRecord | null = null;
  /** Commands refused with RISK_STAGE_HALTED. */
  commandsRefused = 0;
  /** Matching and oracle events not applied, and ledger mutations refused. */
  eventsDropped = 0;

  get active(): boolean {
    return this.record !== null;
  }

  /** Records the first internal error; returns false if the stage was already halted. */
  enter(error: unknown, input: HaltInput): boolean {
    if (this.record !== null) return false;
    const reason = error instanceof Error ? error.message : String(error);
    const errorName = error instanceof Error ? error.name : typeof error;
    this.record = { reason, errorName, input, error };
    return true;
  }

  /** One line for logs, audits and summaries. */
  describe(): string {
    const r = this.record;
    if (r === null) return '';
    const i = r.input;
    return `risk stage halted: ${r.errorName}: ${r.reason} (input ${i.kind} source ${JSON.stringify(i.source)} seq ${i.seq}${i.market === '' ? '' : ` market ${i.market}`}${i.accountId === 0 ? '' : ` account ${i.accountId}`})`;
  }
}
