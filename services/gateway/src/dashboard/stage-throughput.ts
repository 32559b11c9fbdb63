/**
 * Throughput per stage, as the gateway sees the stages' events: matching (events and
 * fills), risk (events, settlements, mark prices), liquidation (events) and the
 * oracle (index prices). `sample(nowMs)` turns the counts since the previous sample
 * into per-second rates; the counters are plain increments (nothing allocated per
 * event).
 */
import type { LiquidationEventV1, MatchingEventV1, RiskEventV1 } from '@perpcore/proto';

export interface StageRate {
  readonly stage: string;
  readonly what: string;
  readonly total: number;
  readonly perSecond: number;
}

const ROWS = [
  ['matching', 'events'],
  ['matching', 'fills'],
  ['risk', 'events'],
  ['risk', 'settlements'],
  ['risk', 'mark prices'],
  ['liquidation', 'events'],
  ['oracle', 'index prices'],
] as const;

export class StageThroughput {
  /** Totals in ROWS order. */
  private readonly totals = new Float64Array(ROWS.length);
  private readonly atLastSample = new Float64Array(ROWS.length);
  private lastSampleMs: number;

  constructor(nowMs: number) {
    this.lastSampleMs = nowMs;
  }

  onMatchingEvent(e: MatchingEventV1): void {
    this.totals[0]++;
    if (e.event === 'filled') this.totals[1]++;
  }

  onRiskEvent(e: RiskEventV1): void {
    this.totals[2]++;
    if (e.event === 'positionSettled') this.totals[3]++;
    else if (e.event === 'markPrice') this.totals[4]++;
  }

  onLiquidationEvent(_e: LiquidationEventV1): void {
    this.totals[5]++;
  }

  onOracleEvent(): void {
    this.totals[6]++;
  }

  /** Rates since the previous sample (the first: since construction). */
  sample(nowMs: number): StageRate[] {
    const seconds = Math.max(nowMs - this.lastSampleMs, 1) / 1_000;
    const rows = ROWS.map(([stage, what], i) => ({ stage, what, total: this.totals[i], perSecond: Math.round((this.totals[i] - this.atLastSample[i]) / seconds) }));
    this.atLastSample.set(this.totals);
    this.lastSampleMs = nowMs;
    return rows;
  }
}
