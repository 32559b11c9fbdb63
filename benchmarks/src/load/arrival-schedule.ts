/**
 * When each operation is meant to be sent: an open-loop schedule, fixed before the
 * run and independent of how fast the server answers (a closed loop would wait for
 * answers and so hide a stall: coordinated omission).
 *
 * Phase i runs for `shareOfDuration × durationS` at `rateMultiplier × ratePerS`,
 * evenly spaced: the j-th operation of a phase is due at phaseStart + j / rate.
 * Times are ms from the run's start.
 */
import type { LoadPhase } from './load-scenario.js';

interface PhaseSlot {
  readonly startMs: number;
  readonly intervalMs: number;
  readonly count: number;
}

export class ArrivalSchedule {
  private readonly slots: PhaseSlot[] = [];
  readonly total: number;
  readonly durationMs: number;
  readonly peakRatePerS: number;
  private slot = 0;
  private inSlot = 0;
  private issued = 0;

  constructor(ratePerS: number, durationS: number, phases: readonly LoadPhase[]) {
    let startMs = 0;
    let total = 0;
    let peak = 0;
    for (const p of phases) {
      const lengthMs = p.shareOfDuration * durationS * 1000;
      const rate = ratePerS * p.rateMultiplier;
      const count = Math.round((lengthMs / 1000) * rate);
      this.slots.push({ startMs, intervalMs: 1000 / rate, count });
      startMs += lengthMs;
      total += count;
      peak = Math.max(peak, rate);
    }
    this.total = total;
    this.durationMs = startMs;
    this.peakRatePerS = peak;
  }

  /** The next operation's intended time (ms from start), or null when the schedule is done. */
  peek(): number | null {
    while (this.slot < this.slots.length && this.inSlot >= (this.slots[this.slot] as PhaseSlot).count) {
      this.slot++;
      this.inSlot = 0;
    }
    const s = this.slots[this.slot];
    return s === undefined ? null : s.startMs + this.inSlot * s.intervalMs;
  }

  /** Consumes the operation `peek` named; returns its sequence number over the run. */
  take(): number {
    this.inSlot++;
    return this.issued++;
  }

  /** The rate intended at `ms` from the start (for the throughput chart). */
  rateAt(ms: number): number {
    for (const s of this.slots) if (ms < s.startMs + s.count * s.intervalMs) return 1000 / s.intervalMs;
    return 0;
  }
}
