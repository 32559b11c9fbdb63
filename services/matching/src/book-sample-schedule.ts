/**
 * When matching samples a book for risk's mark price and premium index (RISK-SPEC
 * §5.2–§5.3): every min(mark basis sample, premium sample) seconds of event time per
 * market, `depthLevels` per side (market-stream.ts sampleIfDue). One schedule for both
 * modes: risk reads these samples, not matching's live books, in embedded and in
 * cluster mode alike, so one command log gives one risk state in both.
 */
import type { VenueMarket } from '@perpcore/markets';
import type { MatchingEngineDeps } from './matching-engine.js';

/** Levels per side in a sample unless configured (PERPCORE_MATCHING_SAMPLE_LEVELS in cluster mode). */
export const DEFAULT_BOOK_SAMPLE_LEVELS = 50;

export function bookSampleSchedule(venue: readonly VenueMarket[], depthLevels: number): NonNullable<MatchingEngineDeps['bookSample']> {
  const intervalNs = new Map(venue.map((m) => [m.spec.symbol, Math.min(m.risk.markBasisSampleS, m.risk.premiumSampleS) * 1e9]));
  return { intervalNs: (symbol) => intervalNs.get(symbol) ?? 1e9, depthLevels };
}
