/**
 * Random command streams for the spot-margin property tests: deposits, borrows,
 * repays, orders (IOC or resting, with auto-borrow), cancels, index moves and the
 * clock, over three traders and a maker quoting around 30,000.
 */
import fc from 'fast-check';
import { Side } from '@perpcore/domain';
import type { SpotMarginEngine } from './spot-margin-engine.js';
import { HOUR_NS, MAKER, type RecordedEngine, lots, seedMarket, ticks, usdt } from './spot-margin.test-support.js';

export const T0 = 1_000_000_000;
const ACCOUNTS = [1, 2, 3];

export type Action =
  | { kind: 'deposit'; account: number; asset: 'USDT' | 'BTC'; amount: number }
  | { kind: 'borrow'; account: number; asset: 'USDT' | 'BTC'; amount: number }
  | { kind: 'repay'; account: number; asset: 'USDT' | 'BTC'; share: number }
  | { kind: 'order'; account: number; side: Side; offsetBp: number; qty: number; ioc: boolean; autoBorrow: boolean }
  | { kind: 'cancel'; account: number; orderId: number }
  | { kind: 'price'; moveBp: number }
  | { kind: 'time'; minutes: number };

const account = fc.constantFrom(...ACCOUNTS, MAKER);
const asset = fc.constantFrom('USDT' as const, 'BTC' as const);
export const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('deposit' as const), account, asset, amount: fc.integer({ min: 1, max: 50_000_000_000 }) }),
  fc.record({ kind: fc.constant('borrow' as const), account, asset, amount: fc.integer({ min: 1, max: 60_000_000_000 }) }),
  fc.record({ kind: fc.constant('repay' as const), account, asset, share: fc.integer({ min: 1, max: 100 }) }),
  fc.record({
    kind: fc.constant('order' as const),
    account,
    side: fc.constantFrom(Side.Buy, Side.Sell),
    offsetBp: fc.integer({ min: -300, max: 300 }),
    qty: fc.integer({ min: 1, max: lots(2) }),
    ioc: fc.boolean(),
    autoBorrow: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('cancel' as const), account, orderId: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('price' as const), moveBp: fc.integer({ min: -1_500, max: 1_500 }) }),
  fc.record({ kind: fc.constant('time' as const), minutes: fc.integer({ min: 1, max: 600 }) }),
);

export function apply(engine: SpotMarginEngine, a: Action, tsNs: number): void {
  const price = engine.context.state.indexTicks.get('BTC')!;
  switch (a.kind) {
    case 'deposit':
      engine.deposit(a.account, a.asset, a.asset === 'BTC' ? Math.floor(a.amount / 10_000) + 1 : a.amount, tsNs);
      break;
    case 'borrow':
      engine.borrow(a.account, a.asset, a.asset === 'BTC' ? Math.floor(a.amount / 30_000) + 1 : a.amount, tsNs);
      break;
    case 'repay': {
      const owed = engine.context.debtNow(a.account, a.asset);
      engine.repay(a.account, a.asset, Math.max(1, Math.floor((owed * a.share) / 100)), tsNs);
      break;
    }
    case 'order':
      engine.placeOrder({ accountId: a.account, symbol: 'BTC/USDT', side: a.side, priceTicks: Math.max(1, Math.round(price * (1 + a.offsetBp / 10_000))), qtyLots: a.qty, immediateOrCancel: a.ioc, autoBorrow: a.autoBorrow }, tsNs);
      break;
    case 'cancel':
      engine.cancelOrder(a.account, a.orderId, tsNs);
      break;
    case 'price':
      engine.setIndexPrice('BTC/USDT', Math.max(1, Math.round(price * (1 + a.moveBp / 10_000))), tsNs);
      break;
    case 'time':
      engine.advanceTime(tsNs);
      break;
  }
}

/** The clock's step before an action. */
export function actionStepNs(a: { readonly kind: string; readonly minutes?: number }): number {
  return a.kind === 'time' ? (a.minutes ?? 0) * (HOUR_NS / 60) : 1_000_000;
}

/** Seeds `rec`'s market and traders, then applies `actions` one step of the clock apart (`applyOne` for streams with kinds of their own). */
export function runActions<A extends { readonly kind: string }>(rec: RecordedEngine, actions: readonly A[], applyOne: (engine: SpotMarginEngine, a: A, tsNs: number) => void = apply as never): void {
  seedMarket(rec.engine, T0, 30_000);
  for (const id of ACCOUNTS) rec.engine.deposit(id, 'USDT', usdt(20_000), T0);
  rec.engine.placeOrder({ accountId: MAKER, symbol: 'BTC/USDT', side: Side.Buy, priceTicks: ticks(29_000), qtyLots: lots(20), immediateOrCancel: false, autoBorrow: false }, T0);
  rec.engine.placeOrder({ accountId: MAKER, symbol: 'BTC/USDT', side: Side.Sell, priceTicks: ticks(31_000), qtyLots: lots(20), immediateOrCancel: false, autoBorrow: false }, T0);
  let ts = T0;
  for (const a of actions) {
    ts += actionStepNs(a);
    applyOne(rec.engine, a, ts);
  }
}
