/** `gateway.account-commands.v1` → the engine (deposit, withdraw, leverage, mode, isolated margin). */
import type { BusMessage } from '@perpcore/bus';
import type { AccountCommandV1 } from '@perpcore/proto';
import type { RiskEngine } from '../risk-engine.js';

export function accountCommandsHandler(engine: RiskEngine): (message: BusMessage<AccountCommandV1>) => void {
  return (message) => engine.handleAccountCommand(message.value);
}
