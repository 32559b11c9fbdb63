/**
 * What an engine fuzz run found: per input kind how many inputs were applied,
 * refused (by risk or by matching), dropped (a redelivery) or halted a stage; how
 * many invariant checks ran; and each failure with the check that caught it, the
 * input that broke it and the issue-9 item it most likely is (`classifyFailure`).
 * Tallies of many runs merge, so the long-run script sums them.
 */
import type { FuzzInput } from './fuzz-inputs.test-support.js';

export type FuzzOutcome = 'applied' | 'refused' | 'dropped' | 'halted';

/** The check that caught a failure. */
export type FuzzCheck =
  | 'exception' // a stage threw out of the bus
  | 'halted' // a stage stopped itself (internal error caught)
  | 'audit' // conservation or open interest (RISK-SPEC §9) after an event
  | 'notExact' // a money or size column left the safe-integer range
  | 'refusedChangedState' // a refused input changed the risk state hash
  | 'duplicateApplied' // a redelivered or late envelope changed a stage's state
  | 'acceptedInvalid' // the model refuses the input, the pipeline applied it
  | 'eventsIncomplete' // folding the risk events does not give the engine's balances
  | 'indexNotApplied' // a fresh, valid index did not become the market's index
  | 'badIndexApplied'; // a stale or invalid index changed the state

export interface FuzzFailure {
  readonly check: FuzzCheck;
  /** Index of the input in the run's stream (−1: the fixed setup). */
  readonly inputIndex: number;
  readonly input: FuzzInput;
  /** The envelope as published (JSON with NaN and infinities spelled out). */
  readonly envelope: string;
  readonly detail: string;
}

export interface KindTally {
  applied: number;
  refused: number;
  dropped: number;
  halted: number;
}

export class FuzzTally {
  runs = 0;
  inputs = 0;
  events = 0;
  invariantChecks = 0;
  /** What the streams made the pipeline do (so a green run is not a vacuous one). */
  readonly activity = { fills: 0, liquidations: 0, takeovers: 0, deleveragedLegs: 0, fundingSettlements: 0 };
  readonly byKind = new Map<string, KindTally>();
  /** Refusals per `kind code` (RISK_…, MATCHING_…, BOOK_…). */
  readonly refusedCodes = new Map<string, number>();
  readonly failures = new Map<string, { count: number; first: FuzzFailure }>();

  count(kind: string, outcome: FuzzOutcome, refusedCode = ''): void {
    this.countMany(kind, outcome, 1);
    if (outcome === 'refused') this.countCode(`${kind} ${refusedCode}`, 1);
  }

  private countMany(kind: string, outcome: FuzzOutcome, n: number): void {
    let t = this.byKind.get(kind);
    if (t === undefined) this.byKind.set(kind, (t = { applied: 0, refused: 0, dropped: 0, halted: 0 }));
    t[outcome] += n;
  }

  private countCode(key: string, n: number): void {
    this.refusedCodes.set(key, (this.refusedCodes.get(key) ?? 0) + n);
  }

  fail(failure: FuzzFailure): void {
    const key = `${classifyFailure(failure)} · ${failure.check} · ${failure.input.kind}`;
    const seen = this.failures.get(key);
    if (seen === undefined) this.failures.set(key, { count: 1, first: failure });
    else seen.count++;
  }

  merge(other: FuzzTally): void {
    this.runs += other.runs;
    this.inputs += other.inputs;
    this.events += other.events;
    this.invariantChecks += other.invariantChecks;
    for (const key of Object.keys(this.activity) as (keyof FuzzTally['activity'])[]) this.activity[key] += other.activity[key];
    for (const [kind, t] of other.byKind) for (const outcome of ['applied', 'refused', 'dropped', 'halted'] as const) this.countMany(kind, outcome, t[outcome]);
    for (const [key, n] of other.refusedCodes) this.countCode(key, n);
    for (const [key, f] of other.failures) {
      const seen = this.failures.get(key);
      if (seen === undefined) this.failures.set(key, { ...f });
      else seen.count += f.count;
    }
  }

  /** A table per kind, then the failures grouped by classification. */
  summary(): string {
    const a = this.activity;
    const lines = [
      `runs ${this.runs} · inputs ${this.inputs} · events ${this.events} · invariant checks ${this.invariantChecks}`,
      `fills ${a.fills} · liquidations ${a.liquidations} · fund takeovers ${a.takeovers} · ADL legs ${a.deleveragedLegs} · funding settlements ${a.fundingSettlements}`,
    ];
    lines.push('kind             applied  refused  dropped   halted');
    for (const [kind, t] of [...this.byKind].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`${kind.padEnd(15)} ${String(t.applied).padStart(8)} ${String(t.refused).padStart(8)} ${String(t.dropped).padStart(8)} ${String(t.halted).padStart(8)}`);
    }
    lines.push(`refused by code: ${[...this.refusedCodes].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${n}`).join(' · ')}`);
    if (this.failures.size === 0) lines.push('failures: none');
    for (const [key, f] of this.failures) lines.push(`failure ×${f.count}: ${key}\n  ${describeFailure(f.first)}`);
    return lines.join('\n');
  }
}

export function describeFailure(f: FuzzFailure): string {
  return `[${classifyFailure(f)}] ${f.check} at input #${f.inputIndex} (${f.input.kind}): ${f.detail}\n  envelope: ${f.envelope}`;
}

/** JSON that keeps NaN, infinities and −0 visible (JSON.stringify turns them into null). */
export function fuzzJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : typeof v === 'bigint' ? `${v}n` : v));
}

/**
 * The issue-9 item a failure most likely is, from its check, input and message; 'NEW'
 * when nothing known matches (then the counterexample needs reading). A heuristic for
 * triage, not a verdict.
 */
export function classifyFailure(f: FuzzFailure): string {
  const kind = f.input.kind === 'late' ? f.input.inner.kind : f.input.kind;
  const text = `${f.detail} ${f.envelope}`;
  if (f.check === 'acceptedInvalid' && kind === 'deposit') return 'item 1';
  if ((f.check === 'exception' || f.check === 'halted' || f.check === 'notExact') && /safe.?integer|overflow|RISK_INVALID_AMOUNT|2\^53/i.test(text)) return 'item 1';
  if (f.check === 'audit' && /after an exception/.test(f.detail)) return 'item 2';
  if (f.check === 'refusedChangedState' && /; (isolated|cross, reduce-only)/.test(f.detail)) return 'item 3';
  if (f.check === 'badIndexApplied' || f.check === 'indexNotApplied') return 'item 5';
  if (f.check === 'eventsIncomplete') return 'item 7';
  if ((f.check === 'exception' || f.check === 'halted') && /bankruptcy price (-\d+|0) ticks/.test(text)) return 'item 8';
  if ((f.check === 'exception' || f.check === 'audit') && /adl|delever/i.test(text)) return 'item 4 or 8';
  if ((f.check === 'exception' || f.check === 'audit') && /bankrupt/i.test(text)) return 'item 8';
  return 'NEW';
}
