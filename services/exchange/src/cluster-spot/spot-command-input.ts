/**
 * A gateway's `SpotCommandV1` as the spot stage's input (durability/spot-input.ts
 * `SpotInput`, the same inputs the embedded journal carries), applied at the stage's
 * own time. Cluster inputs come from several gateways' clocks and the oracle's, and
 * the engine refuses a time before the last it applied; the stage's clock is
 * therefore `max(input time, last applied time)`: a fold of the one input order the
 * topic and the recovery log fix, so the same order gives the same state.
 */
import type { SpotCommandV1 } from '@perpcore/proto';
import { sideFromWire } from '@perpcore/proto';
import type { SpotInput } from '../durability/spot-input.js';

/** Refusal of a command whose payload the stage cannot read (nothing applied). */
export const SPOT_INVALID_COMMAND = 'RISK_SPOT_INVALID_COMMAND';

export type SpotCommandReading = { readonly ok: true; readonly input: SpotInput } | { readonly ok: false; readonly code: string; readonly message: string };

/** The input `command` carries at `tsNs` (the stage's clock), or why it carries none. */
export function spotInputOfCommand(command: SpotCommandV1, tsNs: number): SpotCommandReading {
  const accountId = Number(command.accountId);
  const money = (op: 'deposit' | 'withdraw' | 'borrow' | 'repay', body: { asset?: string | null; amountUnits?: number | null } | null | undefined): SpotCommandReading => ({
    ok: true,
    input: { op, tsNs, accountId, asset: String(body?.asset ?? ''), amountUnits: Number(body?.amountUnits ?? 0) },
  });
  switch (command.command) {
    case 'deposit':
      return money('deposit', command.deposit);
    case 'withdraw':
      return money('withdraw', command.withdraw);
    case 'borrow':
      return money('borrow', command.borrow);
    case 'repay':
      return money('repay', command.repay);
    case 'fundPool':
      return { ok: true, input: { op: 'fundPool', tsNs, asset: String(command.fundPool?.asset ?? ''), amountUnits: Number(command.fundPool?.amountUnits ?? 0) } };
    case 'placeOrder': {
      const o = command.placeOrder;
      const side = sideFromWire(Number(o?.side ?? 0));
      if (o == null || side === undefined) return { ok: false, code: SPOT_INVALID_COMMAND, message: 'a spot order needs a side (BUY or SELL)' };
      const clientOrderId = String(o.clientOrderId ?? '');
      return {
        ok: true,
        input: {
          op: 'order',
          tsNs,
          accountId,
          symbol: String(o.symbol ?? ''),
          side,
          priceTicks: Number(o.priceTicks ?? 0),
          qtyLots: Number(o.qtyLots ?? 0),
          immediateOrCancel: o.immediateOrCancel === true,
          autoBorrow: o.autoBorrow === true,
          ...(clientOrderId === '' ? {} : { clientOrderId }),
        },
      };
    }
    case 'cancelOrder':
      return { ok: true, input: { op: 'cancel', tsNs, accountId, orderId: Number(command.cancelOrder?.orderId ?? 0) } };
    case 'cancelAll':
      return { ok: true, input: { op: 'cancelAll', tsNs, accountId } };
    default:
      return { ok: false, code: SPOT_INVALID_COMMAND, message: `unknown spot command ${String(command.command)}` };
  }
}
