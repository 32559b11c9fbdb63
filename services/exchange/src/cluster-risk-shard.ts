/**
 * The cluster's risk shard as a composition over any `Bus`: the book-sample view,
 * the risk stage and the liquidation ladder on one `ColocatedBus` (one subscription
 * per topic; per message: the books, then risk, then the ladder), behind the guards
 * that refuse markets the shard does not list. The process (cluster-risk.ts) builds
 * it over Kafka; the cluster crash test builds the same one in-process and feeds it
 * the sequence the process applied, so both are the same code.
 */
import { ColocatedBus, guardInputs, topicGuard, Topics, type Bus } from '@perpcore/bus';
import { createLiquidationService, type LiquidationService } from '@perpcore/liquidation';
import { defaultSettleAsset, defaultSystemAccounts, defaultVenueMarkets, type selectMarkets } from '@perpcore/markets';
import type { Logger } from '@perpcore/observability';
import { createRiskService, type LendingContextOptions, lendingContexts, type RiskService } from '@perpcore/risk';
import { configFingerprint, decodeValue, encodeValue } from '@perpcore/snapshot';
import { BookSampleView } from './book-sample-view.js';
import { riskLiquidationPorts } from './risk-liquidation-ports.js';

export interface RiskShardConfig {
  readonly source: string;
  readonly specs: ReturnType<typeof selectMarkets>;
  readonly fundSeedUnits: number;
  readonly liquidationSource: string;
  /** The shard's lending contexts (services/risk lending-contexts.ts): absent, neither (a snapshot taken under other ones is refused). */
  readonly lending?: LendingContextOptions;
}

export interface RiskShard {
  readonly risk: RiskService;
  readonly liquidation: LiquidationService;
  readonly venue: ReturnType<typeof defaultVenueMarkets>;
  /** The shared subscriptions' bus: closing it closes the bus below it too. */
  readonly bus: ColocatedBus;
  /** Opens the shared subscriptions: call once every stage subscribed and a snapshot (if any) was imported. */
  start(): Promise<void>;
  /** Closes both stages' subscriptions (the bus stays open, for a last snapshot). */
  closeStages(): Promise<void>;
  /** Risk and its ladder as one state (one snapshot). */
  exportState(): Uint8Array;
  importState(bytes: Uint8Array): void;
  stateHash(): string;
}

/** The topics the shard consumes, in a fixed order (its input-order log numbers them by it). */
export const RISK_SHARD_TOPICS = [Topics.gatewayAccountCommands.name, Topics.gatewayOrderCommands.name, Topics.matchingEvents.name, Topics.oracleIndexPrices.name, Topics.riskAccountEvents.name, Topics.riskMarketEvents.name] as const;

/** The shard's clock tick (`advanceTime` from the wall clock) as a local input of its input-order log. */
export const RISK_TIME_TICK_INPUT = 0;

const NO_LENDING: LendingContextOptions = { loans: false, lendingPool: false };

/** What a snapshot of this shard must have been taken under. */
export function riskShardFingerprint(config: RiskShardConfig): string {
  const lending = config.lending ?? NO_LENDING;
  // a shard without lending keeps the fingerprint it had before lending was configurable: its snapshots stay usable
  const base = { venue: defaultVenueMarkets(config.specs), source: config.source, fundSeedUnits: config.fundSeedUnits, liquidationSource: config.liquidationSource };
  return configFingerprint(lending.loans || lending.lendingPool ? { ...base, lending: lendingContexts(lending, config.specs) } : base);
}

export async function createRiskShard(inner: Bus, config: RiskShardConfig, logger: Logger): Promise<RiskShard> {
  const venue = defaultVenueMarkets(config.specs);
  const listed = new Set(config.specs.map((s) => s.symbol));
  const unlisted = (market: string) => (listed.has(market) ? null : { code: 'RISK_UNKNOWN_MARKET', message: `market ${JSON.stringify(market)} is not listed on ${config.source}` });
  const bus = new ColocatedBus(
    guardInputs(inner, [
      topicGuard(Topics.gatewayOrderCommands, (c) => unlisted(c.market)),
      topicGuard(Topics.matchingEvents, (e) => unlisted(e.market)),
      topicGuard(Topics.oracleIndexPrices, (e) => unlisted(e.symbol)),
    ]),
    config.source,
  );
  try {
    const books = new BookSampleView();
    await bus.subscribe(Topics.matchingEvents, { groupId: config.source, fromBeginning: true }, (message) => books.onMatchingEvent(message.value));
    const risk = await createRiskService({
      bus,
      bookTop: books.top,
      logger: logger.child({ stage: 'risk' }),
      stopConsumingOnHalt: true,
      matchingInput: 'market',
      groupId: config.source,
      config: {
        source: config.source,
        settleAsset: defaultSettleAsset,
        markets: venue,
        feeAccountId: defaultSystemAccounts.feeAccountId,
        insuranceFunds: defaultSystemAccounts.insuranceFunds.map((f) => ({ ...f, seedUnits: config.fundSeedUnits })),
        ...lendingContexts(config.lending ?? NO_LENDING, config.specs),
      },
    });
    const ports = riskLiquidationPorts(risk.engine, venue);
    const liquidation = await createLiquidationService({
      bus,
      reader: ports.reader,
      ledger: ports.ledger,
      markets: config.specs.map((s) => s.symbol),
      logger: logger.child({ stage: 'liquidation' }),
      groupId: config.source,
      source: config.liquidationSource,
    });
    return {
      risk,
      liquidation,
      venue,
      bus,
      start: () => bus.start(),
      async closeStages() {
        await liquidation.close();
        await risk.close();
      },
      exportState: () => encodeValue({ risk: risk.engine.exportState(), liquidation: liquidation.engine.exportState(), books: books.exportState() }),
      importState(bytes) {
        const s = decodeValue(bytes) as { risk: Uint8Array; liquidation: Uint8Array; books?: Uint8Array };
        // a snapshot from before the books were in it would restore a shard whose marks differ from the first life's
        if (s.books === undefined) throw new Error('the snapshot holds no book samples (written by an older build): restore refused');
        risk.engine.importState(s.risk);
        liquidation.engine.importState(s.liquidation);
        books.importState(s.books);
      },
      stateHash: () => risk.engine.stateHash(),
    };
  } catch (error) {
    await bus.close().catch(() => undefined);
    throw error;
  }
}
