/**
 * The liquidation service on the bus: breach events in (`risk.account-events.v1`,
 * `LiquidationTriggeredV1`), its own IOC orders' fills and terminal events in
 * (`matching.events.v1`), ladder events out (`liquidation.events.v1`), orders out
 * through `BusOrderPlacer`. Reads and money movements go through the ports the
 * composition root adapts from the risk engine.
 *
 * Ordering: subscribe after the risk stage so that, for each matching event, risk
 * has applied it before the ladder re-checks the scope (the in-process bus delivers
 * one message to every group in subscription order; in cluster mode both run in the
 * risk process on the same stream).
 */
import { type Bus, type Subscription, Topics } from '@perpcore/bus';
import type { Logger } from '@perpcore/observability';
import type { perpcore } from '@perpcore/proto';
import { BusOrderPlacer } from './bus-order-placer.js';
import { LiquidationEngine } from './liquidation-engine.js';
import type { LiquidationLedger, RiskReader } from './liquidation-ports.js';

export interface LiquidationServiceDeps {
  bus: Bus;
  reader: RiskReader;
  ledger: LiquidationLedger;
  markets: readonly string[];
  logger: Logger;
  groupId?: string;
  source?: string;
  adlRefreshMs?: number;
}

export interface LiquidationService {
  readonly engine: LiquidationEngine;
  close(): Promise<void>;
}

export async function createLiquidationService(deps: LiquidationServiceDeps): Promise<LiquidationService> {
  const { bus, logger } = deps;
  const groupId = deps.groupId ?? 'liquidation';
  const source = deps.source ?? 'liquidation-0';
  const engine = new LiquidationEngine({
    reader: deps.reader,
    ledger: deps.ledger,
    placer: new BusOrderPlacer(bus, deps.markets, source),
    publish: (event) => bus.publish(Topics.liquidationEvents, event),
    onIgnored: (reason, detail) => logger.warn(detail, reason),
    source,
    markets: deps.markets,
    ...(deps.adlRefreshMs === undefined ? {} : { adlRefreshMs: deps.adlRefreshMs }),
  });
  const subscriptions: Subscription[] = [];
  subscriptions.push(
    await bus.subscribe(Topics.riskAccountEvents, { groupId, fromBeginning: true }, (message) => {
      const e = message.value;
      if (e.event !== 'liquidationTriggered' || e.liquidationTriggered == null) return;
      const t = e.liquidationTriggered as perpcore.risk.v1.LiquidationTriggeredV1;
      const scope = t.level?.scope;
      engine.onTriggered({
        accountId: e.accountId,
        isolatedMarket: scope != null && scope.mode === 2 ? scope.market : '',
        liquidationId: t.liquidationId,
        tsNs: e.tsNs,
        market: t.level?.triggerMarket ?? e.market,
      });
    }),
  );
  // mark prices are the engine's clock when the book is quiet (cooldowns, ADL indicator refresh)
  subscriptions.push(
    await bus.subscribe(Topics.riskMarketEvents, { groupId, fromBeginning: true }, (message) => engine.onTime(message.value.tsNs)),
  );
  subscriptions.push(
    await bus.subscribe(Topics.matchingEvents, { groupId, fromBeginning: true }, (message) => {
      engine.onMatchingEvent(message.value);
      engine.onTime(message.value.tsNs);
    }),
  );
  return {
    engine,
    async close() {
      for (const s of subscriptions) await s.close();
    },
  };
}
