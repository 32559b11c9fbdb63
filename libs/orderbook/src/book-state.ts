/**
 * A book's complete state as plain data, for snapshots: what `exportState()` gives
 * and `importState()` takes. Implementation-independent: the reference and the fast
 * book export the same value for the same state, so either can restore the other's.
 *
 * Invariants of a valid `BookState`
 * - `bids` best price first (highest), `asks` best first (lowest), each level's
 *   orders in queue order: the order they trade in. The sides do not cross.
 * - `pending`: untriggered stop / take-profit orders in acceptance order (the
 *   trigger search goes by it).
 * - `accountOrder`: every live order id exactly once, grouped by account (accounts
 *   ascending), each account's orders in acceptance order (`cancelAll` goes by it).
 *   An amend that loses queue priority keeps its acceptance place.
 * - Resting orders carry `triggerPriceTicks` 0 and `triggerSource` 0 unless they
 *   were released stop-limits (both books keep the trigger fields of a released order).
 */
import type { AccountId, OrderId, OrderType, SelfTradePrevention, Side, TimeInForce, TriggerSource } from '@perpcore/domain';

export interface BookOrderState {
  orderId: OrderId;
  accountId: AccountId;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce;
  selfTradePrevention: SelfTradePrevention;
  reduceOnly: boolean;
  priceTicks: number;
  remainingLots: number;
  triggerPriceTicks: number;
  triggerSource: TriggerSource | 0;
}

export interface BookState {
  bids: BookOrderState[];
  asks: BookOrderState[];
  pending: BookOrderState[];
  accountOrder: OrderId[];
  lastTradeTicks: number;
  markTicks: number;
}

/** Refuses a state that breaks the invariants above (a corrupt or hand-made snapshot), before anything changes. */
export function checkBookState(state: BookState): void {
  const seen = new Set<number>();
  const all = [...state.bids, ...state.asks, ...state.pending];
  for (const o of all) {
    if (seen.has(o.orderId)) throw new RangeError(`book state: order ${o.orderId} appears twice`);
    seen.add(o.orderId);
    if (!(o.remainingLots > 0) || !Number.isSafeInteger(o.remainingLots)) throw new RangeError(`book state: order ${o.orderId} has remaining ${o.remainingLots}`);
  }
  if (state.accountOrder.length !== seen.size || !state.accountOrder.every((id) => seen.has(id))) {
    throw new RangeError('book state: accountOrder does not list every live order exactly once');
  }
  for (const [levels, better] of [[state.bids, (a: number, b: number) => a >= b], [state.asks, (a: number, b: number) => a <= b]] as const) {
    for (let i = 1; i < levels.length; i++) {
      if (!better(levels[i - 1].priceTicks, levels[i].priceTicks)) throw new RangeError('book state: a side is not in priority order');
    }
  }
  const bestBid = state.bids[0]?.priceTicks ?? 0;
  const bestAsk = state.asks[0]?.priceTicks ?? 0;
  if (bestBid > 0 && bestAsk > 0 && bestBid >= bestAsk) throw new RangeError(`book state: crossed (bid ${bestBid} ≥ ask ${bestAsk})`);
}

/** Orders grouped by account (ascending), each account's in the given acceptance order. */
export function canonicalAccountOrder(idsInAcceptanceOrder: Iterable<[AccountId, OrderId]>): OrderId[] {
  const byAccount = new Map<number, number[]>();
  for (const [account, id] of idsInAcceptanceOrder) {
    let list = byAccount.get(account);
    if (list === undefined) byAccount.set(account, (list = []));
    list.push(id);
  }
  return [...byAccount.keys()].sort((a, b) => a - b).flatMap((a) => byAccount.get(a) as number[]);
}
