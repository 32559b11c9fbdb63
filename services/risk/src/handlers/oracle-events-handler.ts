/** `oracle.index-prices.v1` → index, mark, funding schedule and the breach index. */
import type { BusMessage } from '@perpcore/bus';
import type { OracleEventV1 } from '@perpcore/proto';
import type { RiskEngine } from '../risk-engine.js';

export function oracleEventsHandler(engine: RiskEngine): (message: BusMessage<OracleEventV1>) => void {
  return (message) => engine.handleOracleEvent(message.value);
}
