/**
 * Per-operation latency in HDR histograms (hdr-histogram-js, µs, 3 significant
 * digits, up to 10 minutes) plus a per-second series for the report's charts.
 *
 * Every scheduled operation ends in exactly one outcome: `ok` (answered 2xx, or
 * the core accepted it), `rejected` (answered with a refusal code: 4xx, a core
 * reject), or `error` (no usable answer: connection error, 5xx, timeout, or never
 * sent because the harness's in-flight cap was reached). `ok` and `rejected`
 * latencies go into the histogram (an answer is an answer); errors are counted
 * per reason. Latency is from the operation's intended send time.
 */
import * as hdr from 'hdr-histogram-js';

export type Outcome = 'ok' | 'rejected' | 'error';

export const PERCENTILES = [50, 90, 99, 99.9] as const;

export interface OperationFigures {
  readonly sent: number;
  readonly ok: number;
  readonly rejected: number;
  readonly errors: number;
  readonly rejectCodes: Record<string, number>;
  readonly errorReasons: Record<string, number>;
  /** µs; null when nothing was answered. */
  readonly p50Us: number | null;
  readonly p90Us: number | null;
  readonly p99Us: number | null;
  readonly p999Us: number | null;
  readonly maxUs: number | null;
  readonly meanUs: number | null;
  /** [percentile, µs] points of the whole run's distribution, for the percentile curve. */
  readonly curve: readonly (readonly [number, number])[];
}

export interface SecondFigures {
  readonly second: number;
  /** Operations whose answer (or error) landed in this second. */
  readonly done: number;
  readonly errors: number;
  /** Operations scheduled (intended) in this second. */
  readonly scheduled: number;
  readonly p50Us: number | null;
  readonly p99Us: number | null;
  readonly maxUs: number | null;
}

const newHistogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
type Histogram = ReturnType<typeof newHistogram>;

class OperationTally {
  readonly whole: Histogram = newHistogram();
  readonly second: Histogram = newHistogram();
  sent = 0;
  ok = 0;
  rejected = 0;
  errors = 0;
  secondDone = 0;
  secondErrors = 0;
  secondScheduled = 0;
  readonly rejectCodes = new Map<string, number>();
  readonly errorReasons = new Map<string, number>();
  readonly series: SecondFigures[] = [];
}

const CURVE_POINTS = [0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100];

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export class LatencyRecorder {
  private readonly tallies = new Map<string, OperationTally>();
  private currentSecond = 0;

  private tally(op: string): OperationTally {
    let t = this.tallies.get(op);
    if (t === undefined) {
      t = new OperationTally();
      this.tallies.set(op, t);
    }
    return t;
  }

  /** An operation reached its intended send time. */
  scheduled(op: string): void {
    const t = this.tally(op);
    t.sent++;
    t.secondScheduled++;
  }

  /** The one outcome of a scheduled operation; `detail` is the reject code or error reason. */
  done(op: string, outcome: Outcome, latencyUs: number, detail = ''): void {
    const t = this.tally(op);
    t.secondDone++;
    if (outcome === 'error') {
      t.errors++;
      t.secondErrors++;
      bump(t.errorReasons, detail || 'unknown');
      return;
    }
    if (outcome === 'ok') t.ok++;
    else {
      t.rejected++;
      bump(t.rejectCodes, detail || 'unknown');
    }
    const us = Math.max(1, Math.min(600_000_000, Math.round(latencyUs)));
    t.whole.recordValue(us);
    t.second.recordValue(us);
  }

  /** Closes the current second of the series (call once a second, then at the end). */
  closeSecond(): void {
    for (const t of this.tallies.values()) {
      const answered = t.second.totalCount > 0;
      t.series.push({
        second: this.currentSecond,
        done: t.secondDone,
        errors: t.secondErrors,
        scheduled: t.secondScheduled,
        p50Us: answered ? Math.min(t.second.getValueAtPercentile(50), t.second.maxValue) : null,
        p99Us: answered ? Math.min(t.second.getValueAtPercentile(99), t.second.maxValue) : null,
        maxUs: answered ? t.second.maxValue : null,
      });
      t.second.reset();
      t.secondDone = 0;
      t.secondErrors = 0;
      t.secondScheduled = 0;
    }
    this.currentSecond++;
  }

  operations(): string[] {
    return [...this.tallies.keys()].sort();
  }

  /** Sent and finished so far across operations (for the live line). */
  totals(): { sent: number; finished: number; errors: number } {
    let sent = 0;
    let finished = 0;
    let errors = 0;
    for (const t of this.tallies.values()) {
      sent += t.sent;
      finished += t.ok + t.rejected + t.errors;
      errors += t.errors;
    }
    return { sent, finished, errors };
  }

  /** The last closed second's p99 over the given operation (µs), for the live line. */
  lastSecondP99Us(op: string): number | null {
    return this.tallies.get(op)?.series.at(-1)?.p99Us ?? null;
  }

  figures(op: string): OperationFigures {
    const t = this.tally(op);
    const h = t.whole;
    const answered = h.totalCount > 0;
    // HDR answers a bucket's upper edge, which can exceed the largest value recorded: clamp to it
    const at = (p: number) => (answered ? Math.min(h.getValueAtPercentile(p), h.maxValue) : null);
    return {
      sent: t.sent,
      ok: t.ok,
      rejected: t.rejected,
      errors: t.errors,
      rejectCodes: Object.fromEntries(t.rejectCodes),
      errorReasons: Object.fromEntries(t.errorReasons),
      p50Us: at(50),
      p90Us: at(90),
      p99Us: at(99),
      p999Us: at(99.9),
      maxUs: answered ? h.maxValue : null,
      meanUs: answered ? Math.round(h.mean) : null,
      curve: answered ? CURVE_POINTS.map((p) => [p, at(p) as number] as const) : [],
    };
  }

  series(op: string): readonly SecondFigures[] {
    return this.tally(op).series;
  }
}
