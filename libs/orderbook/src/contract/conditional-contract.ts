/**
 * Contract scenarios: stop and take-profit orders (held off the book, trigger rules
 * per type and side, trigger sources, release order, cascades).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OrderType, Side, TimeInForce, TriggerSource } from '@perpcore/domain';
import { CancelReason, MatchingReject, type OrderBookConfig, type OrderBookFactory } from '../order-book.js';
import { ALICE, BOB, CAROL, brief, conditional, harness, limit, type Harness } from './harness.js';

const BUY = Side.Buy;
const SELL = Side.Sell;

/** Makes one trade at `priceTicks` between two throw-away accounts (ids from 1000 up). */
function tradeAt(h: Harness, priceTicks: number, nextId: { n: number }): void {
  h.book.place(limit(nextId.n++, 900, SELL, priceTicks, 1));
  h.book.place(limit(nextId.n++, 901, BUY, priceTicks, 1));
}

export function describeConditionalContract(factory: OrderBookFactory, config: OrderBookConfig): void {
  const make = () => harness(factory, config);

  describe('stop and take-profit orders', () => {
    it('are held off the book until triggered', () => {
      const h = make();
      const events = h.run((b) => b.place(conditional(1, ALICE, BUY, OrderType.StopLimit, 10_500, 2, { priceTicks: 10_600, reduceOnly: true })));
      assert.deepEqual(brief(events), ['accepted 1']);
      const accepted = events[0] as { triggerPriceTicks: number; priceTicks: number; reduceOnly: boolean; type: number };
      assert.equal(accepted.triggerPriceTicks, 10_500);
      assert.equal(accepted.priceTicks, 10_600);
      assert.equal(accepted.reduceOnly, true);
      assert.equal(accepted.type, OrderType.StopLimit);
      assert.equal(h.book.bestBidTicks(), 0);
      assert.equal(h.book.restingOrderCount(), 0);
      assert.equal(h.book.getOrder(1), undefined);
      // not matchable: a sell at 10_000 finds nothing
      assert.deepEqual(brief(h.run((b) => b.place(limit(2, BOB, SELL, 10_000, 1)))), ['accepted 2', 'delta ask 1@10000']);
    });

    const rules: Array<[string, OrderType, Side, number, number, number]> = [
      // name, type, side, trigger, a price that does not trigger, a price that does
      ['stop buy triggers at price ≥ trigger', OrderType.StopMarket, BUY, 10_100, 10_099, 10_100],
      ['stop sell triggers at price ≤ trigger', OrderType.StopMarket, SELL, 9_900, 9_901, 9_900],
      ['take-profit buy triggers at price ≤ trigger', OrderType.TakeProfitMarket, BUY, 9_900, 9_901, 9_900],
      ['take-profit sell triggers at price ≥ trigger', OrderType.TakeProfitMarket, SELL, 10_100, 10_099, 10_100],
    ];
    for (const [name, type, side, trigger, miss, hit] of rules) {
      it(`${name} (last trade)`, () => {
        const h = make();
        const ids = { n: 1000 };
        tradeAt(h, 10_000, ids);
        h.book.place(conditional(1, ALICE, side, type, trigger, 1));
        tradeAt(h, miss, ids);
        assert.equal(h.book.getOrder(1), undefined);
        // liquidity for the released market order one tick behind the trade, within the band
        const makerPrice = hit + side;
        h.book.place(limit(2, CAROL, -side as Side, makerPrice, 1));
        h.book.place(limit(ids.n++, 900, SELL, hit, 1));
        const events = h.run((b) => b.place(limit(ids.n++, 901, BUY, hit, 1)));
        const text = brief(events);
        const at = text.indexOf(`triggered 1 at ${hit}`);
        assert.ok(at > 0, text.join('\n'));
        assert.deepEqual(text.slice(at + 1, at + 2), [`fill 2<-1 1@${makerPrice} m0 t0`]);
      });

      it(`${name} (mark price), and a last trade does not trigger it`, () => {
        const h = make();
        const ids = { n: 1000 };
        h.book.setMarkPrice(10_000);
        h.book.place(conditional(1, ALICE, side, type, trigger, 1, { triggerSource: TriggerSource.MarkPrice }));
        tradeAt(h, hit, ids);
        h.book.setMarkPrice(miss);
        h.book.place(limit(2, CAROL, -side as Side, hit, 1));
        const events = brief(h.run((b) => b.setMarkPrice(hit)));
        assert.deepEqual(events.slice(0, 2), [`triggered 1 at ${hit}`, `fill 2<-1 1@${hit} m0 t0`]);
      });

      it(`${name}: rejected when it would trigger at once`, () => {
        const h = make();
        h.book.setMarkPrice(hit);
        h.expectReject((b) => b.place(conditional(1, ALICE, side, type, trigger, 1, { triggerSource: TriggerSource.MarkPrice })), MatchingReject.InvalidTrigger);
      });
    }

    it('wait while there is no price yet at their source', () => {
      const h = make();
      // a stop sell would "hold" at price 0 ≤ trigger, but no price is not a crossing
      assert.deepEqual(brief(h.run((b) => b.place(conditional(1, ALICE, SELL, OrderType.StopMarket, 9_900, 1)))), ['accepted 1']);
    });

    it('a released stop-limit rests at its limit (GTC) or cancels its remainder (IOC)', () => {
      const h = make();
      h.book.setMarkPrice(10_000);
      const mark = { triggerSource: TriggerSource.MarkPrice };
      h.book.place(conditional(1, ALICE, BUY, OrderType.StopLimit, 10_100, 2, { priceTicks: 10_050, ...mark }));
      h.book.place(conditional(2, BOB, BUY, OrderType.StopLimit, 10_100, 3, { priceTicks: 10_050, timeInForce: TimeInForce.ImmediateOrCancel, ...mark }));
      assert.deepEqual(brief(h.run((b) => b.setMarkPrice(10_100))), [
        'triggered 1 at 10100',
        'delta bid 2@10050',
        'triggered 2 at 10100',
        `canceled 2 3 r${CancelReason.Unfilled}`,
      ]);
      assert.deepEqual(h.book.getOrder(1), { orderId: 1, accountId: ALICE, side: BUY, priceTicks: 10_050, remainingLots: 2 });
    });

    it('a released stop-market is bounded by the band around the reference', () => {
      const h = make();
      h.book.setMarkPrice(10_000);
      h.book.place(conditional(1, ALICE, SELL, OrderType.StopMarket, 9_950, 5, { triggerSource: TriggerSource.MarkPrice }));
      h.book.place(limit(2, BOB, BUY, 9_900, 2));
      h.book.place(limit(3, BOB, BUY, 9_800, 2));
      // mark 9_950 → sell limit ceil(9_850.5) = 9_851
      assert.deepEqual(brief(h.run((b) => b.setMarkPrice(9_950))), [
        'triggered 1 at 9950',
        'fill 2<-1 2@9900 m0 t3',
        'delta bid 0@9900',
        `canceled 1 3 r${CancelReason.PriceBand}`,
      ]);
    });

    it('several triggered by one price are released in acceptance order, and cascade', () => {
      const h = make();
      const ids = { n: 1000 };
      tradeAt(h, 10_000, ids);
      h.book.place(conditional(1, ALICE, BUY, OrderType.StopLimit, 10_020, 1, { priceTicks: 10_030 }));
      h.book.place(conditional(2, BOB, BUY, OrderType.StopLimit, 10_010, 1, { priceTicks: 10_020 }));
      h.book.place(conditional(3, CAROL, BUY, OrderType.StopLimit, 10_030, 1, { priceTicks: 10_030 }));
      h.book.place(limit(10, 902, SELL, 10_020, 1));
      h.book.place(limit(11, 902, SELL, 10_030, 1));
      const events = brief(h.run((b) => b.place(limit(12, 903, BUY, 10_020, 1))));
      assert.deepEqual(events, [
        'accepted 12',
        'fill 10<-12 1@10020 m0 t0',
        'delta ask 0@10020',
        // both 1 (10_020) and 2 (10_010) hold at 10_020: 1 was accepted first
        'triggered 1 at 10020',
        'fill 11<-1 1@10030 m0 t0',
        'delta ask 0@10030',
        // the trade at 10_030 now releases 2 (accepted before 3), then 3
        'triggered 2 at 10030',
        'delta bid 1@10020',
        'triggered 3 at 10030',
        'delta bid 1@10030',
      ]);
    });

    it('cancel removes an untriggered order with no book delta; its id stays taken while it waits', () => {
      const h = make();
      h.book.place(conditional(1, ALICE, BUY, OrderType.StopLimit, 10_500, 2, { priceTicks: 10_600 }));
      h.book.place(conditional(2, ALICE, BUY, OrderType.StopMarket, 10_500, 2));
      h.expectReject((b) => b.place(limit(1, BOB, BUY, 9_000, 1)), MatchingReject.DuplicateOrderId);
      assert.deepEqual(brief(h.run((b) => b.cancel({ orderId: 1, accountId: ALICE }))), [`canceled 1 2 r${CancelReason.UserRequested}`]);
      const events = h.run((b) => b.cancel({ orderId: 2, accountId: ALICE }));
      assert.equal((events[0] as { priceTicks: number }).priceTicks, 0);
      h.expectReject((b) => b.cancel({ orderId: 2, accountId: ALICE }), MatchingReject.UnknownOrder);
    });
  });
}
