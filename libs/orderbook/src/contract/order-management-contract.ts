/**
 * Contract scenarios: cancel, amend (priority rules, crossing, post-only) and
 * cancelAll per account.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OrderType, Side, TimeInForce, TriggerSource } from '@perpcore/domain';
import { CancelReason, MatchingReject, type OrderBookConfig, type OrderBookFactory } from '../order-book.js';
import { ALICE, BOB, CAROL, brief, conditional, harness, limit, queue } from './harness.js';

const BUY = Side.Buy;
const SELL = Side.Sell;

export function describeOrderManagementContract(factory: OrderBookFactory, config: OrderBookConfig): void {
  const make = () => harness(factory, config);

  describe('cancel', () => {
    it('removes a resting order: canceled (UserRequested), then the level delta', () => {
      const h = make();
      h.book.place(limit(1, ALICE, BUY, 10_000, 2));
      h.book.place(limit(2, BOB, BUY, 10_000, 3));
      assert.deepEqual(brief(h.run((b) => b.cancel({ orderId: 1, accountId: ALICE }))), [
        `canceled 1 2 r${CancelReason.UserRequested}`,
        'delta bid 3@10000',
      ]);
      assert.deepEqual(queue(h.book, BUY), ['2:3@10000']);
      assert.equal(h.book.getOrder(1), undefined);
    });

    it('rejects an unknown order, a second cancel, and another account’s order', () => {
      const h = make();
      h.book.place(limit(1, ALICE, BUY, 10_000, 2));
      h.expectReject((b) => b.cancel({ orderId: 7, accountId: ALICE }), MatchingReject.UnknownOrder);
      h.expectReject((b) => b.cancel({ orderId: 1, accountId: BOB }), MatchingReject.NotOrderOwner);
      h.book.cancel({ orderId: 1, accountId: ALICE });
      h.expectReject((b) => b.cancel({ orderId: 1, accountId: ALICE }), MatchingReject.UnknownOrder);
      h.expectReject((b) => b.cancel({ orderId: 0, accountId: ALICE }), MatchingReject.InvalidOrderId);
      h.expectReject((b) => b.cancel({ orderId: 1, accountId: 0 }), MatchingReject.InvalidAccount);
    });

    it('a filled order is gone', () => {
      const h = make();
      h.book.place(limit(1, ALICE, BUY, 10_000, 2));
      h.book.place(limit(2, BOB, SELL, 10_000, 2));
      h.expectReject((b) => b.cancel({ orderId: 1, accountId: ALICE }), MatchingReject.UnknownOrder);
      // and its id may be used again
      assert.deepEqual(brief(h.run((b) => b.place(limit(1, ALICE, BUY, 9_000, 1)))), ['accepted 1', 'delta bid 1@9000']);
    });
  });

  describe('amend', () => {
    const setup = () => {
      const h = make();
      h.book.place(limit(1, ALICE, SELL, 10_000, 5));
      h.book.place(limit(2, BOB, SELL, 10_000, 5));
      return h;
    };

    it('size down at the same price keeps queue priority', () => {
      const h = setup();
      assert.deepEqual(brief(h.run((b) => b.amend({ orderId: 1, accountId: ALICE, priceTicks: 10_000, qtyLots: 3 }))), [
        'amended 1 5@10000->3@10000 kept',
        'delta ask 8@10000',
      ]);
      assert.deepEqual(queue(h.book, SELL), ['1:3@10000', '2:5@10000']);
    });

    it('size up loses priority', () => {
      const h = setup();
      assert.deepEqual(brief(h.run((b) => b.amend({ orderId: 1, accountId: ALICE, priceTicks: 10_000, qtyLots: 6 }))), [
        'amended 1 5@10000->6@10000',
        'delta ask 5@10000',
        'delta ask 11@10000',
      ]);
      assert.deepEqual(queue(h.book, SELL), ['2:5@10000', '1:6@10000']);
    });

    it('a price change moves the order to the back of its new level', () => {
      const h = setup();
      h.book.place(limit(3, CAROL, SELL, 10_001, 1));
      assert.deepEqual(brief(h.run((b) => b.amend({ orderId: 1, accountId: ALICE, priceTicks: 10_001, qtyLots: 5 }))), [
        'amended 1 5@10000->5@10001',
        'delta ask 5@10000',
        'delta ask 6@10001',
      ]);
      assert.deepEqual(queue(h.book, SELL), ['2:5@10000', '3:1@10001', '1:5@10001']);
    });

    it('a price change that crosses trades as a taker and rests the remainder', () => {
      const h = setup();
      h.book.place(limit(3, CAROL, BUY, 9_990, 2));
      assert.deepEqual(brief(h.run((b) => b.amend({ orderId: 3, accountId: CAROL, priceTicks: 10_000, qtyLots: 7 }))), [
        'amended 3 2@9990->7@10000',
        'delta bid 0@9990',
        'fill 1<-3 5@10000 m0 t2',
        'delta ask 5@10000',
        'fill 2<-3 2@10000 m3 t0',
        'delta ask 3@10000',
      ]);
      assert.equal(h.book.getOrder(3), undefined);
      assert.equal(h.book.lastTradeTicks(), 10_000);
    });

    it('rejects bad sizes and prices without touching the order', () => {
      const h = setup();
      const amend = (qtyLots: number, priceTicks = 10_000) => (b: typeof h.book) => b.amend({ orderId: 1, accountId: ALICE, priceTicks, qtyLots });
      for (const qty of [0, -1, 1.5, Number.NaN, h.config.maxQtyLots + 1, Number.POSITIVE_INFINITY]) {
        h.expectReject(amend(qty), MatchingReject.InvalidQuantity);
      }
      for (const price of [0, -5, 10_000.5, Number.NaN, h.config.maxPriceTicks + 1]) {
        h.expectReject(amend(5, price), MatchingReject.InvalidPrice);
      }
      h.expectReject((b) => b.amend({ orderId: 9, accountId: ALICE, priceTicks: 10_000, qtyLots: 1 }), MatchingReject.UnknownOrder);
      h.expectReject((b) => b.amend({ orderId: 1, accountId: BOB, priceTicks: 10_000, qtyLots: 1 }), MatchingReject.NotOrderOwner);
      h.expectReject((b) => b.amend({ orderId: -1, accountId: ALICE, priceTicks: 10_000, qtyLots: 1 }), MatchingReject.InvalidOrderId);
      assert.deepEqual(queue(h.book, SELL), ['1:5@10000', '2:5@10000']);
    });

    it('a post-only order amended into a cross is rejected and keeps its price, size and priority', () => {
      const h = make();
      h.book.place(limit(1, ALICE, BUY, 9_990, 2, { timeInForce: TimeInForce.PostOnly }));
      h.book.place(limit(2, CAROL, BUY, 9_990, 2));
      h.book.place(limit(3, BOB, SELL, 10_000, 2));
      h.expectReject((b) => b.amend({ orderId: 1, accountId: ALICE, priceTicks: 10_000, qtyLots: 2 }), MatchingReject.PostOnlyWouldTake);
      assert.deepEqual(queue(h.book, BUY), ['1:2@9990', '2:2@9990']);
      // a non-crossing move is fine
      assert.deepEqual(brief(h.run((b) => b.amend({ orderId: 1, accountId: ALICE, priceTicks: 9_999, qtyLots: 2 }))), [
        'amended 1 2@9990->2@9999',
        'delta bid 2@9990',
        'delta bid 2@9999',
      ]);
    });

    it('an untriggered stop cannot be amended (cancel and re-place it)', () => {
      const h = make();
      h.book.place(conditional(1, ALICE, BUY, OrderType.StopLimit, 10_500, 1, { priceTicks: 10_600 }));
      h.expectReject((b) => b.amend({ orderId: 1, accountId: ALICE, priceTicks: 10_600, qtyLots: 2 }), MatchingReject.InvalidOrderType);
    });
  });

  describe('cancelAll', () => {
    it('cancels the account’s resting and untriggered orders in acceptance order, others untouched', () => {
      const h = make();
      h.book.place(limit(1, ALICE, BUY, 9_990, 1));
      h.book.place(limit(2, BOB, BUY, 9_990, 2));
      h.book.place(conditional(3, ALICE, SELL, OrderType.StopMarket, 9_000, 4, { triggerSource: TriggerSource.MarkPrice }));
      h.book.place(limit(4, ALICE, SELL, 10_010, 3));
      h.book.place(limit(5, ALICE, BUY, 9_995, 5));
      h.book.amend({ orderId: 1, accountId: ALICE, priceTicks: 9_991, qtyLots: 1 }); // re-entry does not change acceptance order
      const r = CancelReason.CancelAll;
      assert.deepEqual(brief(h.run((b) => b.cancelAll(ALICE))), [
        `canceled 1 1 r${r}`,
        'delta bid 0@9991',
        `canceled 3 4 r${r}`,
        `canceled 4 3 r${r}`,
        'delta ask 0@10010',
        `canceled 5 5 r${r}`,
        'delta bid 0@9995',
      ]);
      assert.deepEqual(queue(h.book, BUY), ['2:2@9990']);
      assert.deepEqual(brief(h.run((b) => b.cancelAll(ALICE))), []);
    });

    it('carries the given reason, and rejects a bad account or reason', () => {
      const h = make();
      h.book.place(limit(1, ALICE, BUY, 9_990, 1));
      h.expectReject((b) => b.cancelAll(0), MatchingReject.InvalidAccount);
      h.expectReject((b) => b.cancelAll(ALICE, 99 as CancelReason), MatchingReject.InvalidCancelReason);
      assert.deepEqual(brief(h.run((b) => b.cancelAll(ALICE, CancelReason.Liquidation))), [
        `canceled 1 1 r${CancelReason.Liquidation}`,
        'delta bid 0@9990',
      ]);
    });
  });
}
