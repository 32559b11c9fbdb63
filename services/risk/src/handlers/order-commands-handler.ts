/** `gateway.order-commands.v1` → the pre-trade check; accepted commands go on to matching through the engine's port. */
import type { BusMessage } from '@perpcore/bus';
import type { MatchingCommandV1 } from '@perpcore/proto';
import type { RiskEngine } from '../risk-engine.js';

export function orderCommandsHandler(engine: RiskEngine): (message: BusMessage<MatchingCommandV1>) => void {
  return (message) => engine.handleOrderCommand(message.value);
}
