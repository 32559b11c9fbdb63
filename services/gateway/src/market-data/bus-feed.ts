/**
 * Feeds a `MarketEventFeed` from the core's topics on a bus (embedded or Kafka): the
 * per-market matching stream, the risk stage's market events (mark, funding), the
 * oracle's index prices and the liquidation events. Consumer groups are per gateway
 * instance (`groupId`), because every gateway needs every market event.
 */
import { type Bus, type Subscription, Topics } from '@perpcore/bus';
import type { MarketEventFeed } from './market-event-feed.js';

export async function feedFromBus(bus: Bus, feed: MarketEventFeed, groupId: string): Promise<() => Promise<void>> {
  const opts = { groupId, fromBeginning: true };
  const subs: Subscription[] = [
    await bus.subscribe(Topics.matchingEvents, opts, (m) => feed.onMatchingEvent(m.value)),
    await bus.subscribe(Topics.riskMarketEvents, opts, (m) => feed.onRiskEvent(m.value)),
    await bus.subscribe(Topics.oracleIndexPrices, opts, (m) => feed.onOracleEvent(m.value)),
    await bus.subscribe(Topics.liquidationEvents, opts, (m) => feed.onLiquidationEvent(m.value)),
  ];
  return async () => {
    for (const s of subs) await s.close();
  };
}
