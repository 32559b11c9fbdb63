import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Side } from '@perpcore/domain';
import type { SpotMarginEngine } from './spot-margin-engine.js';
import { SpotEventKind } from './spot-margin-events.js';
import { createSpotFold } from './spot-margin-fold.js';
import { captureSpotLedger, hashOf } from './spot-margin-snapshot.js';
import { HOUR_NS, MAKER, createRecordedEngine, lots, sat, seedMarket, ticks, usdt } from './spot-margin.test-support.js';

const T0 = 1_000_000_000;
const ACCOUNTS = [1, 2, 3];

type Action =
  | { kind: 'deposit'; account: number; asset: 'USDT' | 'BTC'; amount: number }
  | { kind: 'borrow'; account: number; asset: 'USDT' | 'BTC'; amount: number }
  | { kind: 'repay'; account: number; asset: 'USDT' | 'BTC'; share: number }
  | { kind: 'order'; account: number; side: Side; offsetBp: number; qty: number; ioc: boolean; autoBorrow: boolean }
  | { kind: 'cancel'; account: number; orderId: number }
  | { kind: 'price'; moveBp: number }
  | { kind: 'time'; minutes: number };

const account = fc.constantFrom(...ACCOUNTS, MAKER);
const asset = fc.constantFrom('USDT' as const, 'BTC' as const);
const action: fc.Arbitrary<Action> = fc.oneof(
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

function apply(engine: SpotMarginEngine, a: Action, tsNs: number): void {
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

describe('spot margin properties (random borrow / repay / trade / price / time)', () => {
  it('conservation holds to the unit after every event; the fold rebuilds the ledger; same inputs → same hash', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 5, maxLength: 60 }), (actions) => {
        const run = () => {
          let audited = 0;
          const rec = createRecordedEngine(undefined, (e, engine) => {
            const report = engine.audit();
            assert.deepEqual(report.problems, [], `after ${e.kind}`);
            audited++;
          });
          seedMarket(rec.engine, T0, 30_000);
          for (const id of ACCOUNTS) rec.engine.deposit(id, 'USDT', usdt(20_000), T0);
          rec.engine.placeOrder({ accountId: MAKER, symbol: 'BTC/USDT', side: Side.Buy, priceTicks: ticks(29_000), qtyLots: lots(20), immediateOrCancel: false, autoBorrow: false }, T0);
          rec.engine.placeOrder({ accountId: MAKER, symbol: 'BTC/USDT', side: Side.Sell, priceTicks: ticks(31_000), qtyLots: lots(20), immediateOrCancel: false, autoBorrow: false }, T0);
          let ts = T0;
          for (const a of actions) {
            ts += a.kind === 'time' ? a.minutes * (HOUR_NS / 60) : 1_000_000;
            apply(rec.engine, a, ts);
          }
          assert.ok(audited >= rec.events.length - 1);
          return rec;
        };
        const a = run();
        const fold = createSpotFold(a.engine.context.assets);
        for (const e of a.events) fold.apply(e);
        assert.equal(hashOf(captureSpotLedger(fold.state)), a.engine.ledgerHash());
        const b = run();
        assert.equal(b.engine.stateHash(), a.engine.stateHash());
        // a liquidation fee never exceeds what the account had left: no fee event leaves a negative balance
        for (const e of a.events) {
          if (e.kind === SpotEventKind.LiquidationFeeCharged) assert.ok(e.rows.every((r) => r.balanceUnits >= 0));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('interest never favours the borrower: settled interest ≥ the exact simple interest over the borrow', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: usdt(40_000) }), fc.array(fc.integer({ min: 1, max: 48 * 60 }), { minLength: 1, maxLength: 6 }), (amount, steps) => {
        const { engine } = createRecordedEngine();
        seedMarket(engine, T0, 30_000);
        engine.deposit(1, 'USDT', usdt(20_000), T0);
        if (!engine.borrow(1, 'USDT', amount, T0).ok) return;
        let ts = T0;
        for (const m of steps) {
          ts += m * (HOUR_NS / 60);
          engine.advanceTime(ts);
        }
        const owed = engine.context.debtNow(1, 'USDT');
        // exact simple interest: amount × rate × Δt / (1e8 × 1 h), rate 1,000 E8
        const exactNum = BigInt(amount) * (100_000_000n * BigInt(HOUR_NS) + 1_000n * BigInt(ts - T0));
        assert.ok(BigInt(owed) * 100_000_000n * BigInt(HOUR_NS) >= exactNum);
      }),
      { numRuns: 100 },
    );
  });
});
