/**
 * The port the run loop drives, one implementation per API (REST, REST + user-data
 * stream, the in-process ExchangeClient). A driver owns its accounts and records
 * the outcome of every operation it was given, exactly once per operation name.
 */
import type { LatencyRecorder } from './latency-recorder.js';
import type { MarketView, OrderFlow, OrderIntent } from './order-flow.js';

export interface LoadDriver {
  /** What it drives, for the report ("REST POST/DELETE /fapi/v1/order"). */
  readonly describe: string;
  /** Creates the accounts (keys, deposits, leverage) and reads the markets. */
  setup(accounts: number): Promise<readonly MarketView[]>;
  /** Updates each market's `markTicks` from the target. */
  refreshMarks(markets: readonly MarketView[]): Promise<void>;
  /** The operation names `execute` records (the recorder is primed with them). */
  operations(intent: OrderIntent): readonly string[];
  /** Sends one operation; records its outcome(s), latency from `intendedMs` (performance.now() time base). */
  execute(intent: OrderIntent, intendedMs: number, recorder: LatencyRecorder, flow: OrderFlow): Promise<void>;
  /** Called once the schedule is done and every execute has settled: records what is still missing. */
  finish(recorder: LatencyRecorder): void;
  /** Counts worth a line in the report (liquidation orders seen, …). */
  observed(): Record<string, number>;
  close(): Promise<void>;
}
