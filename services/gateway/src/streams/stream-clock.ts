/**
 * The clock the streams run on: "now" for event times and fixed-period ticks for the
 * timed streams (depth diffs, partial depth, mark price, tickers, listenKey expiry).
 * Injected so tests drive time by hand (test-support/manual-clock).
 */
export interface StreamClock {
  nowMs(): number;
  /** Calls `tick` every `periodMs`; returns a cancel function. */
  every(periodMs: number, tick: () => void): () => void;
}

export const systemStreamClock: StreamClock = {
  nowMs: () => Date.now(),
  every(periodMs, tick) {
    const timer = setInterval(tick, periodMs);
    timer.unref();
    return () => clearInterval(timer);
  },
};
