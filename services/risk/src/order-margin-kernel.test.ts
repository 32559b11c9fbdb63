import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Side } from '@perpcore/domain';
import { orderInitialMargin } from '@perpcore/margin';
import { OpenOrders } from './open-orders.js';
import { OrderMarginKernel } from './order-margin-kernel.js';
import { PositionLedger } from './position-ledger.js';
import { marketConfigs } from './risk-harness.test-support.js';

const btc = marketConfigs()[0].risk;

function rowWith(orders: { side: Side; priceTicks: number; qtyLots: number }[]) {
  const ledger = new PositionLedger(1);
  const open = new OpenOrders(1, ledger);
  const r = ledger.create(0, 0, -1, 10, 0n);
  orders.forEach((o, i) => open.add(0, i + 1, r, o.side, o.priceTicks, o.qtyLots, false));
  return { ledger, open, r, kernel: new OrderMarginKernel(open, ledger) };
}

describe('order IM kernel (private adapter of margin’s order IM)', () => {
  it('matches the module example: reducing lots free, open loss of a buy above mark', () => {
    // long 10 lots, L 10, mark 1,000.00 → 100,000 subticks at 100 per tick
    const orders = [
      { side: Side.Sell, priceTicks: 1_010, qtyLots: 4 },
      { side: Side.Sell, priceTicks: 1_020, qtyLots: 8 },
      { side: Side.Buy, priceTicks: 1_005, qtyLots: 3 },
    ];
    const { ledger, r, kernel } = rowWith(orders);
    assert.equal(kernel.orderIm(btc, r, 10, 10, 100_000), 31_650);
    assert.equal(kernel.openingNotionalUnits, 301_500);
  });

  it('equals @perpcore/margin orderInitialMargin on random books, positions and marks (property)', () => {
    const order = fc.record({ side: fc.constantFrom(Side.Buy, Side.Sell), priceTicks: fc.integer({ min: 1, max: 400_000 }), qtyLots: fc.integer({ min: 1, max: 5_000 }) });
    fc.assert(
      fc.property(fc.array(order, { maxLength: 12 }), fc.integer({ min: -20_000, max: 20_000 }), fc.integer({ min: 1, max: 125 }), fc.integer({ min: 1, max: 40_000_000 }), (orders, q, lev, mark) => {
        const { ledger, r, kernel } = rowWith(orders);
        const got = kernel.orderIm(btc, r, q, lev, mark);
        const want = orderInitialMargin(btc, { qtyLots: q, leverage: lev, markSubticks: mark, orders });
        assert.equal(got, want.imUnits);
        assert.equal(kernel.openingNotionalUnits, orders.length === 0 ? 0 : want.openingNotionalUnits);
      }),
      { seed: 5, numRuns: 3_000 },
    );
  });

  it('keeps each side most aggressive first, equal prices in arrival order, through removals and reprices', () => {
    const { ledger, open, r } = rowWith([
      { side: Side.Buy, priceTicks: 100, qtyLots: 1 },
      { side: Side.Buy, priceTicks: 105, qtyLots: 1 },
      { side: Side.Buy, priceTicks: 100, qtyLots: 1 },
      { side: Side.Sell, priceTicks: 110, qtyLots: 1 },
      { side: Side.Sell, priceTicks: 108, qtyLots: 1 },
    ]);
    const ids = (head: number) => {
      const out: number[] = [];
      for (let o = head; o >= 0; o = open.next[o]) out.push(open.orderId[o]);
      return out;
    };
    assert.deepEqual(ids(ledger.buyHead[r]), [2, 1, 3]);
    assert.deepEqual(ids(ledger.sellHead[r]), [5, 4]);
    open.reprice(open.find(0, 1), 106, 2);
    assert.deepEqual(ids(ledger.buyHead[r]), [1, 2, 3]);
    open.remove(0, open.find(0, 2));
    assert.deepEqual(ids(ledger.buyHead[r]), [1, 3]);
    assert.equal(ledger.openOrders[r], 4);
  });
});
