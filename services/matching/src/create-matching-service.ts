/**
 * The matching service: the `MatchingEngine` on the bus. Thin by design: it
 * subscribes to `matching.commands.v1` (and to the risk stage's market events for
 * the mark price), feeds the engine, and publishes what the engine emits on
 * `matching.events.v1` (and, for account-sharded risk, each event's per-account
 * share on `matching.account-events.v1`).
 *
 * `marketData` (cluster mode): book deltas leave matching.events.v1 for
 * `matching.market-data.v1`, conflated per window (book-delta-conflation.ts), so
 * what risk and the ladder read is fills and order state only. Embedded mode keeps
 * every delta on matching.events.v1 (its default).
 *
 * A command for a market this instance does not list is answered with a
 * `MATCHING_UNKNOWN_MARKET` reject event and sent to the dead-letter topic, unless
 * the market is another matching shard's (`otherShardMarkets`, matching-shard.ts):
 * that command is skipped and counted. With several shards only the first refuses
 * an unknown market, so the client sees one refusal, as from one matching process.
 */
import { divRound, type MarketSpec, Rounding } from '@perpcore/domain';
import { type Bus, RejectedMessageError, type Subscription, Topics } from '@perpcore/bus';
import type { Logger } from '@perpcore/observability';
import type { OrderBookFactory } from '@perpcore/orderbook';
import type { MatchingEventV1 } from '@perpcore/proto';
import { MatchingEngine, type MatchingEngineDeps, MatchingServiceReject } from './matching-engine.js';
import { accountShares } from './account-shares.js';
import { BookDeltaConflator } from './book-delta-conflation.js';

export interface MatchingServiceDeps {
  bus: Bus;
  markets: readonly MarketSpec[];
  createBook: OrderBookFactory;
  logger: Logger;
  /** Publish each event's per-account share too (cluster mode with account-sharded risk). */
  publishAccountEvents?: boolean;
  groupId?: string;
  /** Mark resolution per market (RISK-SPEC `markSubticksPerTick`); 100 when not given. */
  markSubticksPerTick?: (symbol: string) => number;
  /** Book deltas to matching.market-data.v1, conflated over `conflateMs` windows (default: on matching.events.v1, every one). */
  marketData?: { conflateMs: number };
  /** Book samples on matching.events.v1 for risk in another process (MatchingEngineDeps.bookSample). */
  bookSample?: MatchingEngineDeps['bookSample'];
  /** Runs on the new engine before the first subscription (a restart imports its snapshot here). */
  beforeConsume?: (engine: MatchingEngine) => void;
  /** Markets the other matching shards book: their commands are skipped here, not refused (default none). */
  otherShardMarkets?: ReadonlySet<string>;
  /** False on every matching shard but the first: one shard refuses a command for an unknown market, the others skip it (default true). */
  refusesUnknownMarkets?: boolean;
}

export interface MatchingService {
  readonly engine: MatchingEngine;
  /** Commands skipped because another matching shard books their market. */
  readonly otherShardCommands: number;
  close(): Promise<void>;
}

export async function createMatchingService(deps: MatchingServiceDeps): Promise<MatchingService> {
  const { bus, logger } = deps;
  const groupId = deps.groupId ?? 'matching';
  const toEvents = deps.publishAccountEvents
    ? (event: MatchingEventV1) => {
        bus.publish(Topics.matchingEvents, event);
        for (const share of accountShares(event)) bus.publish(Topics.matchingAccountEvents, share);
      }
    : (event: MatchingEventV1) => bus.publish(Topics.matchingEvents, event);
  const conflator = deps.marketData === undefined ? null : new BookDeltaConflator((event) => bus.publish(Topics.matchingMarketData, event));
  const publish = conflator === null ? toEvents : (event: MatchingEventV1) => (event.event === 'bookDelta' ? conflator.add(event) : toEvents(event));
  const conflateTimer = conflator === null ? null : setInterval(() => conflator.flush(), deps.marketData?.conflateMs);
  conflateTimer?.unref();
  const subticksPerTick = deps.markSubticksPerTick ?? (() => 100);
  const engine = new MatchingEngine({ markets: deps.markets, createBook: deps.createBook, publish, bookSample: deps.bookSample });
  deps.beforeConsume?.(engine);

  const otherShardMarkets = deps.otherShardMarkets ?? new Set<string>();
  const refusesUnknownMarkets = deps.refusesUnknownMarkets ?? true;
  let otherShardCommands = 0;
  const subscriptions: Subscription[] = [];
  subscriptions.push(
    await bus.subscribe(Topics.matchingCommands, { groupId, fromBeginning: true }, (message) => {
      const command = message.value;
      if (engine.stream(command.market) === undefined) {
        if (otherShardMarkets.has(command.market) || !refusesUnknownMarkets) {
          otherShardCommands++;
          return;
        }
        engine.handle(command); // publishes the reject event to the client's stream
        logger.warn({ market: command.market, partition: message.partition, offset: message.offset }, 'command for an unknown market');
        throw new RejectedMessageError(MatchingServiceReject.UnknownMarket, `market ${JSON.stringify(command.market)} is not listed`);
      }
      engine.handle(command);
    }),
  );
  subscriptions.push(
    await bus.subscribe(Topics.riskMarketEvents, { groupId, fromBeginning: true }, (message) => {
      const event = message.value;
      if (event.event !== 'markPrice' || event.markPrice == null) return;
      const mark = event.markPrice;
      // the book works in whole ticks: the mark is rounded half-to-even, like the mark itself
      const ticks = divRound(mark.markSubticks, subticksPerTick(event.market), Rounding.HalfEven);
      if (!engine.setMarkPrice(event.market, ticks, event.tsNs)) {
        logger.debug({ market: event.market, offset: message.offset }, 'mark price for a market this instance does not list');
      }
    }),
  );
  logger.info({ markets: engine.markets() }, 'matching service started');
  return {
    engine,
    get otherShardCommands() {
      return otherShardCommands;
    },
    async close() {
      for (const s of subscriptions) await s.close();
      if (conflateTimer !== null) clearInterval(conflateTimer);
      conflator?.flush();
    },
  };
}
