/**
 * The stages of the exchange wired over one in-process bus, in pipeline order
 * (docs/adr/0001-pipeline.md): matching, risk (pre-trade hold and settlement), the
 * liquidation engine on the risk engine's ports. No simulation and no oracle: the
 * caller feeds commands and index prices. `EmbeddedExchange` adds the simulated
 * market; the domain scenario tests drive it directly.
 *
 * Subscription order is delivery order for each message: risk subscribes to the
 * matching stream before the liquidation engine, so every fill is settled before
 * the ladder re-checks its scope.
 *
 * The mark price and the premium index read matching's book samples (`BookSampleV1`,
 * @perpcore/matching book-sample-schedule.ts) through a `BookSampleView`, as the
 * cluster's risk process does, not the live books: a live read at an index tick sees
 * every command up to that tick, a sample the book at the last sample boundary a
 * command crossed, and the two differ whenever a command moved the book since, so
 * the same log used to end at different risk states in the two modes. The stress
 * query still closes against the live books (its depth is "now").
 */
import type { MarketSpec } from '@perpcore/domain';
import { type Bus, InProcessBus, Topics } from '@perpcore/bus';
import { createLiquidationService, type LiquidationService } from '@perpcore/liquidation';
import { defaultSettleAsset, defaultSystemAccounts, type VenueMarket } from '@perpcore/markets';
import { bookSampleSchedule, createMatchingService, DEFAULT_BOOK_SAMPLE_LEVELS, type MatchingService } from '@perpcore/matching';
import type { Logger } from '@perpcore/observability';
import { createFastOrderBook, type OrderBookFactory } from '@perpcore/orderbook';
import { createRiskService, lendingContexts, type RiskService } from '@perpcore/risk';
import { BookSampleView } from './book-sample-view.js';
import { riskLiquidationPorts } from './risk-liquidation-ports.js';

export interface PipelineOptions {
  logger: Logger;
  venue: readonly VenueMarket[];
  createBook?: OrderBookFactory;
  codecRoundTrip?: boolean;
  adlRefreshMs?: number;
  /** Each insurance fund's starting capital, settle units (default 0): funds take no deposits. */
  insuranceFundSeedUnits?: number;
  /**
   * The bus the liquidation service reads and writes through (default: the pipeline's
   * own). Tests wrap it to deliver the ladder's inputs in the order cluster mode does.
   */
  liquidationBus?: (bus: InProcessBus) => Bus;
  /** Crypto-backed loans on the venue's terms (services/risk venue-loan-terms.ts): BTC and ETH become collateral. */
  loans?: boolean;
  /** The DeFi lending pool with BTC collateral (@perpcore/markets default-lending-pool.ts; only with BTCUSDT listed; default false: the embedded exchange turns it on). */
  lendingPool?: boolean;
}

/**
 * Every stage subscribes before the first message, so nothing reads a log behind its
 * consumers: a short retention keeps delivered messages from piling up in the old
 * generation (1,000,000 per partition made each scavenge promote them all).
 */
export const EMBEDDED_RETAIN_PER_PARTITION = 256;

export interface Pipeline {
  readonly bus: InProcessBus;
  readonly markets: readonly MarketSpec[];
  readonly venue: readonly VenueMarket[];
  readonly matching: MatchingService;
  readonly risk: RiskService;
  readonly liquidation: LiquidationService;
  /** The books risk's mark price and premium index read: matching's latest sample per market (state: in the snapshot). */
  readonly bookSamples: BookSampleView;
  subticksPerTick(symbol: string): number;
  close(): Promise<void>;
}

export async function createPipeline(options: PipelineOptions): Promise<Pipeline> {
  const { logger, venue } = options;
  const markets = venue.map((m) => m.spec);
  const bus = new InProcessBus({ codecRoundTrip: options.codecRoundTrip ?? false, logger, retainPerPartition: EMBEDDED_RETAIN_PER_PARTITION });
  const spt = new Map(venue.map((m) => [m.spec.symbol, m.risk.markSubticksPerTick]));
  const subticksPerTick = (symbol: string) => spt.get(symbol) ?? 100;
  const matching = await createMatchingService({
    bus,
    markets,
    createBook: options.createBook ?? createFastOrderBook,
    logger: logger.child({ stage: 'matching' }),
    markSubticksPerTick: subticksPerTick,
    bookSample: bookSampleSchedule(venue, DEFAULT_BOOK_SAMPLE_LEVELS),
  });
  const bookSamples = new BookSampleView();
  // before risk subscribes: a sample is published ahead of the command's own events, and reaches the view first
  await bus.subscribe(Topics.matchingEvents, { groupId: 'risk-book-samples', fromBeginning: true }, (message) => bookSamples.onMatchingEvent(message.value));
  const risk = await createRiskService({
    bus,
    logger: logger.child({ stage: 'risk' }),
    config: {
      source: 'risk-0',
      settleAsset: defaultSettleAsset,
      markets: venue,
      feeAccountId: defaultSystemAccounts.feeAccountId,
      insuranceFunds: defaultSystemAccounts.insuranceFunds.map((f) => ({ ...f, seedUnits: options.insuranceFundSeedUnits ?? 0 })),
      ...lendingContexts({ loans: options.loans === true, lendingPool: options.lendingPool === true }, markets),
    },
    bookTop: bookSamples.top,
    stressBookTop: (symbol) => matching.engine.book(symbol),
  });
  const ports = riskLiquidationPorts(risk.engine, venue);
  const liquidation = await createLiquidationService({
    bus: options.liquidationBus?.(bus) ?? bus,
    reader: ports.reader,
    ledger: ports.ledger,
    markets: markets.map((m) => m.symbol),
    logger: logger.child({ stage: 'liquidation' }),
    ...(options.adlRefreshMs === undefined ? {} : { adlRefreshMs: options.adlRefreshMs }),
  });
  return {
    bus,
    markets,
    venue,
    matching,
    risk,
    liquidation,
    bookSamples,
    subticksPerTick,
    async close() {
      await liquidation.close();
      await risk.close();
      await matching.close();
      await bus.close();
    },
  };
}
