/**
 * When the simulated market of `npm start` runs, in wall time, so that it shares one
 * thread with the gateway: steps run in slices of about `sliceMs` of wall time, and
 * between slices the caller yields to the event loop (`setImmediate` when the market
 * is behind, a timer until the next command is due when it is paced and ahead). An
 * HTTP or WebSocket request therefore waits at most one slice (plus the step in
 * progress) for the simulation, where whole batches of 2,000 commands (~25 ms) held
 * it before.
 *
 * Determinism: a slice decides only *when* steps run, never *what* they generate.
 * Each step is independent of how many steps its call made (`EmbeddedExchange.step`
 * loops one step at a time and drains the external inputs that arrived before it
 * first), recovery and the reference run re-run the market with `step(1)` in
 * lockstep, and the journal records inputs in the order applied, so the same input
 * log gives the same state whatever the slice lengths were.
 *
 * Pacing (`ratePerS` > 0): the market may have sent `floor(elapsed × rate)` commands
 * since `start`; a slice stops at that budget, and `waitMs` says when the next one
 * is due, so a paced market sleeps instead of spinning the event loop.
 */

/** What the slicer drives: `EmbeddedExchange` satisfies it. */
export interface SteppedMarket {
  step(count: number): void;
  /** Order-flow commands sent so far (a recovered market counts the journaled ones). */
  readonly ordersSent: number;
}

export interface TimeSliceOptions {
  /** Commands per second; 0: as fast as the thread allows. */
  readonly ratePerS: number;
  /** Wall time one slice may use before it yields, ms (> 0). */
  readonly sliceMs: number;
  /** Wall clock, ms (performance.now in a process; a fake in tests). */
  readonly nowMs: () => number;
}

export interface MarketSlice {
  /** Steps run in this slice. */
  readonly steps: number;
  /** 0: run the next slice as soon as the event loop has turned; else ms until the next command is due (paced). */
  readonly waitMs: number;
}

export class TimeSlicedMarket {
  private startMs = 0;
  private ordersAtStart = 0;
  private started = false;

  constructor(
    private readonly market: SteppedMarket,
    private readonly options: TimeSliceOptions,
  ) {
    if (!Number.isInteger(options.ratePerS) || options.ratePerS < 0) throw new Error(`ratePerS must be a non-negative integer, got ${options.ratePerS}`);
    if (!(options.sliceMs > 0) || !Number.isFinite(options.sliceMs)) throw new Error(`sliceMs must be a positive number of ms, got ${options.sliceMs}`);
  }

  /** The pacing origin: the rate counts commands from here (a recovered market's journaled ones excluded). */
  start(): void {
    this.startMs = this.options.nowMs();
    this.ordersAtStart = this.market.ordersSent;
    this.started = true;
  }

  /** Runs steps until the slice's wall time is used or the paced budget is spent. */
  runSlice(): MarketSlice {
    if (!this.started) this.start();
    const { nowMs, sliceMs, ratePerS } = this.options;
    const sliceStartMs = nowMs();
    const deadlineMs = sliceStartMs + sliceMs;
    const allowed = ratePerS > 0 ? this.dueBy(sliceStartMs) : Number.POSITIVE_INFINITY;
    let steps = 0;
    let nowAtEndMs = sliceStartMs;
    while (this.market.ordersSent - this.ordersAtStart < allowed) {
      this.market.step(1);
      steps++;
      nowAtEndMs = nowMs();
      if (nowAtEndMs >= deadlineMs) break;
    }
    return { steps, waitMs: ratePerS > 0 ? this.msUntilNextDue(nowAtEndMs) : 0 };
  }

  /** Commands the paced market may have sent by `atMs`. */
  private dueBy(atMs: number): number {
    return Math.floor(((atMs - this.startMs) * this.options.ratePerS) / 1000);
  }

  private msUntilNextDue(atMs: number): number {
    const sent = this.market.ordersSent - this.ordersAtStart;
    if (sent < this.dueBy(atMs)) return 0; // behind: the slice ran out of time, not of budget
    const nextDueMs = this.startMs + ((sent + 1) * 1000) / this.options.ratePerS;
    return Math.max(0, nextDueMs - atMs);
  }
}
