/**
 * The spot-margin stage's inputs as journal records (core input kind 6): deposits,
 * withdrawals, pool funding, borrows, repays, orders, cancels, cancel-all and index prices, each with the
 * event time it is applied at. The spot stage keeps its own ledger beside the perps
 * risk engine, so its inputs are not bus messages: the gate applies them to the
 * engine directly, in journal order with every other input, and recovery (lockstep
 * or a pure journal replay) rebuilds its balances, loans and books exactly.
 *
 * Body: the input as JSON. Every input is built here with its keys in one fixed
 * order, so the same input always gives the same bytes (lockstep recovery compares
 * them byte for byte). Only integers and short codes are carried, no floats.
 */
import type { Side } from '@perpcore/domain';
import type { AccountCommandV1 } from '@perpcore/proto';
import type { SpotMarginEngine, SpotResult } from '@perpcore/risk';

export type SpotInput =
  | { op: 'deposit'; tsNs: number; accountId: number; asset: string; amountUnits: number }
  | { op: 'withdraw'; tsNs: number; accountId: number; asset: string; amountUnits: number }
  | { op: 'fundPool'; tsNs: number; asset: string; amountUnits: number }
  | { op: 'borrow'; tsNs: number; accountId: number; asset: string; amountUnits: number }
  | { op: 'repay'; tsNs: number; accountId: number; asset: string; amountUnits: number }
  | { op: 'order'; tsNs: number; accountId: number; symbol: string; side: Side; priceTicks: number; qtyLots: number; immediateOrCancel: boolean; autoBorrow: boolean; clientOrderId?: string }
  | { op: 'cancel'; tsNs: number; accountId: number; orderId: number }
  | { op: 'cancelAll'; tsNs: number; accountId: number }
  | { op: 'index'; tsNs: number; symbol: string; priceTicks: number };

/** Applies one input to the engine: accepted, or refused with the engine's code (a refusal changes nothing and is deterministic too). */
export function applySpotInput(engine: SpotMarginEngine, input: SpotInput): SpotResult {
  switch (input.op) {
    case 'deposit':
      return engine.deposit(input.accountId, input.asset, input.amountUnits, input.tsNs);
    case 'withdraw':
      return engine.withdraw(input.accountId, input.asset, input.amountUnits, input.tsNs);
    case 'fundPool':
      return engine.fundPool(input.asset, input.amountUnits, input.tsNs);
    case 'borrow':
      return engine.borrow(input.accountId, input.asset, input.amountUnits, input.tsNs);
    case 'repay':
      return engine.repay(input.accountId, input.asset, input.amountUnits, input.tsNs);
    case 'order': {
      const { accountId, symbol, side, priceTicks, qtyLots, immediateOrCancel, autoBorrow, clientOrderId } = input;
      // an ok answer carries the placement (SpotPlaceResult): the typed client's order answer
      return engine.placeOrder({ accountId, symbol, side, priceTicks, qtyLots, immediateOrCancel, autoBorrow, ...(clientOrderId === undefined ? {} : { clientOrderId }) }, input.tsNs);
    }
    case 'cancel':
      return engine.cancelOrder(input.accountId, input.orderId, input.tsNs);
    case 'cancelAll':
      return engine.cancelAllOrders(input.accountId, input.tsNs);
    case 'index':
      return engine.setIndexPrice(input.symbol, input.priceTicks, input.tsNs);
  }
}

/**
 * The spot input an account command from the wire carries (AccountCommandV1
 * `spotBorrow` / `spotRepay`, tags 20-21), or null for any other command. Such a
 * command is journaled as the account kind it arrived as, and applied to the spot
 * stage instead of the perps risk stage.
 */
export function spotInputOfAccountCommand(command: AccountCommandV1): SpotInput | null {
  if (command.command === 'spotBorrow' || command.command === 'spotRepay') {
    const body = command.command === 'spotBorrow' ? command.spotBorrow : command.spotRepay;
    const op = command.command === 'spotBorrow' ? 'borrow' : 'repay';
    return { op, tsNs: Number(command.tsNs), accountId: Number(command.accountId), asset: String(body?.asset ?? ''), amountUnits: Number(body?.amountUnits ?? 0) };
  }
  return null;
}

const OPS: ReadonlySet<string> = new Set(['deposit', 'withdraw', 'fundPool', 'borrow', 'repay', 'order', 'cancel', 'cancelAll', 'index']);

export function encodeSpotInput(input: SpotInput): Buffer {
  return Buffer.from(JSON.stringify(input), 'utf8');
}

/** Decodes a record body; throws on anything that is not a spot input (the caller names the seq). */
export function decodeSpotInput(body: Uint8Array): SpotInput {
  const value = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8')) as { op?: unknown; tsNs?: unknown };
  if (value === null || typeof value !== 'object' || typeof value.op !== 'string' || !OPS.has(value.op) || typeof value.tsNs !== 'number') {
    throw new RangeError('not a spot input (no known op or no tsNs)');
  }
  return value as SpotInput;
}
