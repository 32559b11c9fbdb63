/**
 * Replays an embedded journal into a fresh pipeline (matching, risk, liquidation;
 * no simulated market, no oracle): the journal is the only input. The venue is
 * rebuilt from the header's meta and refused when this build's configuration for
 * it has another fingerprint (journal-header.ts). A torn tail ends the replay at
 * the last whole record; nothing is written.
 *
 * The state hash after record N equals the live run's `stateHash()` at journal
 * position N (the recovery and crash tests compare them).
 */
import { readJournalHeader, readRecords } from '@perpcore/journal';
import { defaultVenueMarkets } from '@perpcore/markets';
import type { Logger } from '@perpcore/observability';
import { spotBusPublisher } from '@perpcore/risk';
import { SPOT_STAGE_SOURCE, embeddedSpotEngine, spotPerpOf } from '../embedded-spot-margin.js';
import { createPipeline, type Pipeline } from '../pipeline.js';
import { applyCoreInput, type CoreInput, type CoreInputTargets, decodeCoreInput, pipelineTargets } from './core-input-record.js';
import { type EmbeddedJournalMeta, metaFromHeader, metaMarkets } from './journal-header.js';

export interface ReplayOptions {
  logger: Logger;
  /** Stop after this record (default: the last whole one). */
  untilSeq?: number;
  /** Called before each record is applied (the account trail reads the inputs here). */
  beforeApply?: (seq: number, input: CoreInput) => void;
  /** Called after each record is applied; return true to be asked for the state hash (`onHash`). */
  wantHashAt?: (seq: number) => boolean;
  onHash?: (seq: number, stateHash: string) => void;
  /** Progress, about every `progressEvery` records (default 100,000). */
  onProgress?: (seq: number) => void;
  progressEvery?: number;
  /** Called once the pipeline exists, before the first record (to subscribe, e.g. the account trail). */
  onPipeline?: (pipeline: Pipeline, currentSeq: () => number) => Promise<void> | void;
}

export interface ReplayResult {
  meta: EmbeddedJournalMeta;
  /** The last record applied (0 for an empty journal). */
  seq: number;
  stateHash: string;
  elapsedMs: number;
  pipeline: Pipeline;
}

/** The pipeline an embedded journal's inputs were applied to, as `EmbeddedExchange.create` builds it. */
export async function pipelineForMeta(meta: EmbeddedJournalMeta, logger: Logger): Promise<Pipeline> {
  return createPipeline({
    logger,
    venue: defaultVenueMarkets(metaMarkets(meta), meta.riskOverrides),
    adlRefreshMs: meta.scenario.adlRefreshMs,
    insuranceFundSeedUnits: meta.scenario.insuranceFundSeedUnits,
    lendingPool: true,
    // as EmbeddedExchange.create configures the risk stage: with the loan terms exactly when the run had borrowers
    loans: (meta.scenario.loanBorrowers ?? 0) > 0,
  });
}

export async function replayJournal(dir: string, options: ReplayOptions): Promise<ReplayResult> {
  const header = readJournalHeader(dir);
  if (header === null) throw new Error(`journal ${dir}: no segment files (is it a --data-dir of npm start?)`);
  const meta = metaFromHeader(header, dir);
  const startedMs = performance.now();
  const pipeline = await pipelineForMeta(meta, options.logger);
  const spotPerp = spotPerpOf(metaMarkets(meta));
  const targets: CoreInputTargets = pipelineTargets(pipeline, spotPerp === undefined ? undefined : embeddedSpotEngine(spotPerp, spotBusPublisher(pipeline.bus, SPOT_STAGE_SOURCE).onEvent));
  let seq = 0;
  await options.onPipeline?.(pipeline, () => seq);
  const until = options.untilSeq ?? Number.MAX_SAFE_INTEGER;
  const every = options.progressEvery ?? 100_000;
  for (const record of readRecords(dir, header.venueFingerprint)) {
    if (record.seq > until) break;
    if (seq === 0 && record.seq !== 1) throw new Error(`journal ${dir} starts at seq ${record.seq} (older segments pruned): replaying it needs the snapshot that includes seq ${record.seq - 1}`);
    const { input } = decodeCoreInput(record.seq, record.payload);
    options.beforeApply?.(record.seq, input);
    applyCoreInput(targets, input.kind, input.value);
    seq = record.seq;
    if (options.wantHashAt?.(seq) === true) options.onHash?.(seq, targets.stateHash());
    if (seq % every === 0) options.onProgress?.(seq);
  }
  await pipeline.bus.flush();
  return { meta, seq, stateHash: targets.stateHash(), elapsedMs: performance.now() - startedMs, pipeline };
}
