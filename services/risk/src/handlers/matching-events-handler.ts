/**
 * Matching's events → settlement and the open-order view. Embedded mode reads the
 * per-market stream (`matching.events.v1`, both legs of each fill); an
 * account-sharded cluster reads `matching.account-events.v1` (this shard's legs).
 */
import type { BusMessage } from '@perpcore/bus';
import type { MatchingAccountEventV1, MatchingEventV1 } from '@perpcore/proto';
import type { RiskEngine } from '../risk-engine.js';

export function matchingEventsHandler(engine: RiskEngine): (message: BusMessage<MatchingEventV1>) => void {
  return (message) => engine.handleMatchingEvent(message.value);
}

export function matchingAccountEventsHandler(engine: RiskEngine): (message: BusMessage<MatchingAccountEventV1>) => void {
  return (message) => engine.handleMatchingAccountEvent(message.value);
}
