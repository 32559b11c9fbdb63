import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Side } from '@perpcore/domain';
import { orderInitialMargin } from '@perpcore/margin';
import { OpenOrders } from './open-orders.js';
import { OrderMarginKernel } from './order-margin-kernel.js';
import { PositionLedger } from '../accounts/position-ledger.js';
import { marketConfigs } from '../risk-harness.test-support.js';

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

  it('equals @perpcore/margin orderInitialMargin on random books, positions and marks, through changes (property)', () => {
    const order = fc.record({ side: fc.constantFrom(Side.Buy, Side.Sell), priceTicks: fc.integer({ min: 1, max: 400_000 }), qtyLots: fc.integer({ min: 1, max: 5_000 }) });
    const change = fc.record({ pick: fc.nat(), kind: fc.constantFrom('remove', 'resize', 'reprice', 'add', 'positionOnly'), priceTicks: fc.integer({ min: 1, max: 400_000 }), qtyLots: fc.integer({ min: 1, max: 5_000 }) });
    const position = fc.record({ q: fc.integer({ min: -20_000, max: 20_000 }), lev: fc.integer({ min: 1, max: 125 }), mark: fc.integer({ min: 1, max: 40_000_000 }) });
    fc.assert(
      fc.property(fc.array(order, { maxLength: 12 }), fc.array(fc.tuple(change, position), { maxLength: 8 }), position, (orders, changes, first) => {
        const { ledger, open, r, kernel } = rowWith(orders);
        const live = orders.map((o, i) => ({ ...o, id: i + 1 }));
        const check = (p: { q: number; lev: number; mark: number }) => {
          const got = kernel.orderIm(btc, r, p.q, p.lev, p.mark);
          const want = orderInitialMargin(btc, { qtyLots: p.q, leverage: p.lev, markSubticks: p.mark, orders: live });
          assert.equal(got, want.imUnits);
          assert.equal(kernel.openingNotionalUnits, live.length === 0 ? 0 : want.openingNotionalUnits);
          assert.equal(kernel.orderIm(btc, r, p.q, p.lev, p.mark), got, 'cached result');
        };
        check(first);
        let nextId = orders.length + 1;
        for (const [c, p] of changes) {
          if (c.kind === 'add') {
            // a new order anywhere in the side: before, inside or behind the reducing prefix
            const side = c.pick % 2 === 0 ? Side.Buy : Side.Sell;
            open.add(0, nextId, r, side, c.priceTicks, c.qtyLots, false);
            live.push({ side, priceTicks: c.priceTicks, qtyLots: c.qtyLots, id: nextId++ });
          } else if (c.kind === 'positionOnly') {
            // Q (and the mark) move with no order change: the reducing prefix resumes from its cached end
          } else if (live.length > 0) {
            const i = c.pick % live.length;
            const slot = open.find(0, live[i].id);
            if (c.kind === 'remove') {
              open.remove(0, slot);
              live.splice(i, 1);
            } else if (c.kind === 'resize') {
              open.setRemaining(slot, c.qtyLots);
              live[i] = { ...live[i], qtyLots: c.qtyLots };
            } else {
              open.reprice(slot, c.priceTicks, c.qtyLots);
              live[i] = { ...live[i], priceTicks: c.priceTicks, qtyLots: c.qtyLots };
            }
          }
          check(p);
        }
        assert.equal(ledger.openOrders[r], live.length);
      }),
      { seed: 5, numRuns: 2_000 },
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
    const ids = (side: number) => Array.from(open.list(r, side).subarray(0, open.size(r, side)), (o) => open.orderId[o]);
    assert.deepEqual(ids(1), [2, 1, 3]);
    assert.deepEqual(ids(-1), [5, 4]);
    open.reprice(open.find(0, 1), 106, 2);
    assert.deepEqual(ids(1), [1, 2, 3]);
    open.remove(0, open.find(0, 2));
    assert.deepEqual(ids(1), [1, 3]);
    assert.equal(ledger.openOrders[r], 4);
  });
});
