/**
 * Fingerprint of everything an embedded snapshot depends on besides its own bytes:
 * markets, risk parameters, scenario, seed, book implementation, codec mode. A
 * snapshot taken under another is refused (by the store, and by the restore itself).
 */
import { defaultMarketSpecs, defaultVenueMarkets } from '@perpcore/markets';
import { configFingerprint } from '@perpcore/snapshot';
import type { EmbeddedExchangeOptions } from '../embedded-exchange.js';
import { defaultEmbeddedScenario } from '../embedded-scenario.js';

export const EMBEDDED_STAGE = 'embedded';

export function embeddedVenueFingerprint(options: EmbeddedExchangeOptions): string {
  const markets = options.markets ?? defaultMarketSpecs;
  return configFingerprint({
    stage: EMBEDDED_STAGE,
    venue: defaultVenueMarkets(markets, options.riskOverrides),
    scenario: { ...defaultEmbeddedScenario, ...options.scenario },
    seed: options.seed,
    book: options.createBook?.name ?? 'default',
    codecRoundTrip: options.codecRoundTrip ?? false,
  });
}
