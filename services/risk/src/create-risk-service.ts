/**
 * The risk service: the `RiskEngine` on the bus. Composition only: it subscribes
 * the handlers to their topics and points the engine's output ports at topics:
 * account events (account_id ≠ 0) on `risk.account-events.v1`, market events
 * (mark, funding) on `risk.market-events.v1`, commands on `matching.commands.v1`.
 *
 * - `matchingInput`: 'market' (embedded: `matching.events.v1`, both fill legs) or
 *   'account' (account-sharded cluster: `matching.account-events.v1`).
 * - `bookTop`: the book the mark price and the premium index read, matching's
 *   latest `BookSampleV1` per market in both modes (services/exchange
 *   book-sample-view.ts); `stressBookTop`: the depth a stress projection closes
 *   against (embedded: matching's live books; default `bookTop`).
 * - Time without an index (funding times on a quiet oracle): the composition root
 *   calls `advanceTime(tsNs)` from its clock; the engine itself never reads one.
 * - Halt (stage-halt.ts): the service logs it at fatal with the input's identity.
 *   With `stopConsumingOnHalt` (cluster processes) it then closes its
 *   subscriptions: nothing more is read or committed, so the offsets after the
 *   halting input stay unconsumed for whoever restarts the shard. Embedded mode
 *   keeps consuming so every later command is answered with RISK_STAGE_HALTED.
 * - A refused index (`IndexPriceRejectedV1`: stale, invalid, unlisted) is logged
 *   at warn with its reason and input, besides the event; the engine counts them
 *   per reason (`engine.indexGate.rejectedByReason`, in the shells' stats).
 */
import { type Bus, type Subscription, Topics } from '@perpcore/bus';
import type { Logger } from '@perpcore/observability';
import type { RiskEventV1, perpcore } from '@perpcore/proto';
import { accountCommandsHandler } from './handlers/account-commands-handler.js';
import { matchingAccountEventsHandler, matchingEventsHandler } from './handlers/matching-events-handler.js';
import { oracleEventsHandler } from './handlers/oracle-events-handler.js';
import { orderCommandsHandler } from './handlers/order-commands-handler.js';
import { indexRejectReasonName } from './prices/index-price-gate.js';
import type { BookTopProvider, RiskEngineConfig } from './risk-config.js';
import { RiskEngine } from './risk-engine.js';

export interface RiskServiceDeps {
  readonly bus: Bus;
  readonly config: RiskEngineConfig;
  readonly logger: Logger;
  readonly bookTop?: BookTopProvider;
  readonly stressBookTop?: BookTopProvider;
  readonly matchingInput?: 'market' | 'account';
  readonly groupId?: string;
  /** Close the input subscriptions when the stage halts (default false: keep refusing input). */
  readonly stopConsumingOnHalt?: boolean;
}

export interface RiskService {
  readonly engine: RiskEngine;
  advanceTime(tsNs: number): void;
  close(): Promise<void>;
}

function logIndexRejected(logger: Logger, event: RiskEventV1): void {
  const r = event.indexPriceRejected as perpcore.risk.v1.IndexPriceRejectedV1;
  logger.warn(
    { symbol: r.symbol, reason: indexRejectReasonName(r.reason), priceSubticks: r.priceSubticks, tsNs: r.tsNs, lastAppliedTsNs: r.lastAppliedTsNs, inputSource: r.inputSource, inputSeq: r.inputSeq },
    `index price refused: ${r.message}`,
  );
}

export async function createRiskService(deps: RiskServiceDeps): Promise<RiskService> {
  const { bus, logger } = deps;
  const groupId = deps.groupId ?? deps.config.source;
  let subscriptions: Subscription[] = [];
  const closeSubscriptions = async () => {
    const open = subscriptions;
    subscriptions = [];
    for (const s of open) await s.close();
  };
  const engine = new RiskEngine({
    config: deps.config,
    bookTop: deps.bookTop,
    stressBookTop: deps.stressBookTop,
    onHalt: (halt) => {
      logger.fatal({ err: halt.error, reason: halt.reason, input: halt.input }, engine.halt.describe());
      // deferred: a subscription is not closed from inside its own handler
      if (deps.stopConsumingOnHalt === true) {
        setImmediate(() => {
          closeSubscriptions().then(
            () => logger.fatal({ input: halt.input }, 'risk stage halted: stopped consuming'),
            (error: unknown) => logger.error({ err: error }, 'risk stage halted: closing the subscriptions failed'),
          );
        });
      }
    },
    ports: {
      publish: (event) => {
        if (event.event === 'indexPriceRejected') logIndexRejected(logger, event);
        bus.publish(event.accountId !== 0 ? Topics.riskAccountEvents : Topics.riskMarketEvents, event);
      },
      toMatching: (command) => bus.publish(Topics.matchingCommands, command),
    },
  });
  const options = { groupId, fromBeginning: true };
  subscriptions = [
    await bus.subscribe(Topics.gatewayAccountCommands, options, accountCommandsHandler(engine)),
    await bus.subscribe(Topics.gatewayOrderCommands, options, orderCommandsHandler(engine)),
    await bus.subscribe(Topics.oracleIndexPrices, options, oracleEventsHandler(engine)),
    deps.matchingInput === 'account'
      ? await bus.subscribe(Topics.matchingAccountEvents, options, matchingAccountEventsHandler(engine))
      : await bus.subscribe(Topics.matchingEvents, options, matchingEventsHandler(engine)),
  ];
  logger.info({ source: deps.config.source, markets: deps.config.markets.map((m) => m.spec.symbol), matchingInput: deps.matchingInput ?? 'market' }, 'risk service started');
  return {
    engine,
    advanceTime: (tsNs) => engine.advanceTime(tsNs),
    close: closeSubscriptions,
  };
}
