/**
 * What an embedded journal belongs to: the venue fingerprint in every segment
 * header, and the meta the replay tool rebuilds the configuration from.
 *
 * The fingerprint covers everything the inputs' effects depend on: the markets
 * and their risk parameters, the system accounts, the settle asset, and (because
 * recovery re-runs the simulated market in lockstep) the seed and the scenario.
 * A journal is never replayed into anything else: another fingerprint is refused.
 */
import { createHash } from 'node:crypto';
import type { MarketSpec } from '@perpcore/domain';
import type { JournalHeader } from '@perpcore/journal';
import { defaultMarketSpecs, defaultSettleAsset, defaultSystemAccounts, defaultVenueMarkets, selectMarkets } from '@perpcore/markets';
import { defaultEmbeddedScenario, type EmbeddedScenario } from '../embedded-scenario.js';

type RiskOverrides = NonNullable<Parameters<typeof defaultVenueMarkets>[1]>;

/** The writer's description of the run, stored in the header (JSON). */
export interface EmbeddedJournalMeta {
  readonly kind: 'perpcore-embedded';
  readonly seed: number;
  readonly markets: readonly string[];
  readonly scenario: EmbeddedScenario;
  readonly riskOverrides: RiskOverrides;
}

export function embeddedJournalMeta(options: { seed: number; markets?: readonly MarketSpec[]; scenario?: Partial<EmbeddedScenario>; riskOverrides?: RiskOverrides }): EmbeddedJournalMeta {
  return {
    kind: 'perpcore-embedded',
    seed: options.seed,
    markets: (options.markets ?? defaultMarketSpecs).map((m) => m.symbol),
    scenario: { ...defaultEmbeddedScenario, ...options.scenario },
    riskOverrides: options.riskOverrides ?? {},
  };
}

/** The market specs a meta names (this build's specs for those symbols). */
export function metaMarkets(meta: EmbeddedJournalMeta): readonly MarketSpec[] {
  return selectMarkets(meta.markets);
}

export function venueFingerprint(meta: EmbeddedJournalMeta): string {
  const venue = defaultVenueMarkets(metaMarkets(meta), meta.riskOverrides);
  const text = JSON.stringify({ meta, venue, systemAccounts: defaultSystemAccounts, settleAsset: defaultSettleAsset }, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));
  return `embedded-v1:${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
}

export function embeddedJournalHeader(meta: EmbeddedJournalMeta): JournalHeader {
  return { venueFingerprint: venueFingerprint(meta), meta: meta as unknown as Record<string, unknown> };
}

/** Reads a header's meta back, refusing one this build would not rebuild identically. */
export function metaFromHeader(header: { venueFingerprint: string; meta?: Readonly<Record<string, unknown>> }, dir: string): EmbeddedJournalMeta {
  const meta = header.meta as unknown as EmbeddedJournalMeta | undefined;
  if (meta?.kind !== 'perpcore-embedded') throw new Error(`journal ${dir} was not written by the embedded exchange (no perpcore-embedded meta in its header)`);
  const ours = venueFingerprint(meta);
  if (ours !== header.venueFingerprint) {
    throw new Error(`journal ${dir} was written for venue fingerprint ${header.venueFingerprint}, but this build's configuration for its seed and scenario is ${ours} (markets or risk parameters changed); refused`);
  }
  return meta;
}
