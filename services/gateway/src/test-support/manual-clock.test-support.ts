/** A stream clock that moves only when the test says so; ticks fire in time order. */
import type { StreamClock } from '../streams/stream-clock.js';

interface Timer {
  periodMs: number;
  nextMs: number;
  tick: () => void;
  live: boolean;
}

export class ManualClock implements StreamClock {
  private timers: Timer[] = [];

  constructor(private now = 1_767_225_600_000) {}

  nowMs(): number {
    return this.now;
  }

  every(periodMs: number, tick: () => void): () => void {
    const t: Timer = { periodMs, nextMs: this.now + periodMs, tick, live: true };
    this.timers.push(t);
    return () => {
      t.live = false;
      this.timers = this.timers.filter((x) => x !== t);
    };
  }

  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.live && t.nextMs <= end).sort((a, b) => a.nextMs - b.nextMs)[0];
      if (due === undefined) break;
      this.now = due.nextMs;
      due.nextMs += due.periodMs;
      due.tick();
    }
    this.now = end;
  }
}
