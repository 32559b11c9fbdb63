/**
 * "Why was this account liquidated?": the trail of one account through a replay,
 * in journal order. Every input that names it (order and account commands) and
 * every event the replayed core emits about it (matching's order lifecycle, risk's
 * fills with cost basis, PnL, fee and balance after, funding payments, margin
 * calls with equity and maintenance margin, liquidation triggers with bankruptcy
 * prices; the ladder's steps, takeovers and ADL legs, including legs where the
 * account is the counterparty), each with the numbers the event carries.
 *
 * Bus values are only valid during the handler, so each entry's detail is
 * serialised at once.
 */
import { Topics } from '@perpcore/bus';
import type { Pipeline } from '../pipeline.js';
import { type CoreInput, InputKind } from './core-input-record.js';

export interface TrailEntry {
  /** The journal record whose processing produced it. */
  readonly seq: number;
  readonly tsNs: number;
  readonly stage: 'input' | 'matching' | 'risk' | 'liquidation';
  readonly kind: string;
  /** The event's or command's body, as compact JSON. */
  readonly detail: string;
}

type Envelope = { tsNs: number; [field: string]: unknown };

function json(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** The oneof's case name and body of an envelope (`event` / `command` names the field). */
function body(envelope: Envelope, caseField: 'event' | 'command'): { kind: string; detail: unknown } {
  const kind = String(envelope[caseField] ?? 'unknown');
  return { kind, detail: envelope[kind] };
}

const KIND_NAMES: Record<number, string> = { [InputKind.order]: 'order', [InputKind.account]: 'account', [InputKind.index]: 'index', [InputKind.time]: 'time' };

export class AccountTrail {
  readonly entries: TrailEntry[] = [];
  private current: { seq: number; input: CoreInput } | null = null;
  private shownSeq = 0;

  constructor(readonly accountId: number) {}

  /** The inputs: commands for this account, as journaled; any other input is shown once it causes an entry (an index price, a time advance, another account's order). */
  onInput(seq: number, input: CoreInput): void {
    this.current = { seq, input };
    if (input.kind === InputKind.order) {
      const { kind, detail } = body(input.value as unknown as Envelope, 'command');
      if ((detail as { accountId?: number } | undefined)?.accountId === this.accountId) this.push(seq, input.value.tsNs, 'input', `order.${kind}`, detail);
    } else if (input.kind === InputKind.account && input.value.accountId === this.accountId) {
      const { kind, detail } = body(input.value as unknown as Envelope, 'command');
      this.push(seq, input.value.tsNs, 'input', `account.${kind}`, detail);
    }
  }

  /** Subscribes to the replayed core's streams; `currentSeq` is the record being applied. */
  async attach(pipeline: Pipeline, currentSeq: () => number): Promise<void> {
    const id = this.accountId;
    const at = () => currentSeq() + 1; // events are delivered while the next record is applied
    const options = { groupId: 'account-trail', fromBeginning: true };
    await pipeline.bus.subscribe(Topics.matchingAccountEvents, options, ({ value }) => {
      if (value.accountId !== id || value.event == null) return;
      const { kind, detail } = body(value.event as unknown as Envelope, 'event');
      this.push(at(), value.event.tsNs, 'matching', kind, detail);
    });
    await pipeline.bus.subscribe(Topics.riskAccountEvents, options, ({ value }) => {
      if (value.accountId !== id) return;
      const { kind, detail } = body(value as unknown as Envelope, 'event');
      this.push(at(), value.tsNs, 'risk', kind, detail);
    });
    await pipeline.bus.subscribe(Topics.liquidationEvents, options, ({ value }) => {
      const leg = value.event === 'positionDeleveraged' ? value.positionDeleveraged : undefined;
      const asCounterparty = leg != null && leg.counterpartyAccountId === id;
      const asBackstop = value.event === 'backstopTakeover' && value.backstopTakeover?.liquidatorAccountId === id;
      if (value.accountId !== id && !asCounterparty && !asBackstop) return;
      const { kind, detail } = body(value as unknown as Envelope, 'event');
      const role = asCounterparty ? 'ADL counterparty' : 'backstop liquidator';
      const named = (asCounterparty || asBackstop) && value.accountId !== id ? `${kind} (as ${role} of account ${value.accountId})` : kind;
      this.push(at(), value.tsNs, 'liquidation', named, { liquidationId: value.liquidationId, ...(detail as object) });
    });
  }

  private push(seq: number, tsNs: number, stage: TrailEntry['stage'], kind: string, detail: unknown): void {
    if (stage !== 'input' && seq !== this.shownSeq && this.current?.seq === seq) {
      // the input that caused it, named once: the "why" of a margin call or a liquidation
      const { input } = this.current;
      const envelope = input.kind === InputKind.time ? { tsNs: input.value } : (input.value as unknown as Envelope);
      const caseField = input.kind === InputKind.index ? 'event' : 'command';
      const cause = input.kind === InputKind.time ? { kind: 'advance', detail: { tsNs: input.value } } : body(envelope, caseField);
      const where = input.kind === InputKind.time ? {} : { market: envelope.market ?? envelope.symbol, accountId: envelope.accountId };
      this.entries.push({ seq, tsNs: Number(envelope.tsNs), stage: 'input', kind: `caused by ${KIND_NAMES[input.kind]}.${cause.kind}`, detail: json({ ...where, ...(cause.detail as object) }) });
    }
    if (stage === 'input' || this.current?.seq === seq) this.shownSeq = seq;
    this.entries.push({ seq, tsNs: Number(tsNs), stage, kind, detail: json(detail) });
  }
}

/** One line per entry: journal seq, simulated time, stage, kind, numbers. */
export function formatTrailEntry(entry: TrailEntry): string {
  const time = new Date(Math.floor(entry.tsNs / 1e6)).toISOString();
  return `seq ${entry.seq}  ${time}  ${entry.stage.padEnd(11)} ${entry.kind}  ${entry.detail}`;
}
