/**
 * Contract scenarios: price-time priority, time in force, post-only, market orders
 * and their price band, self-trade prevention, and the per-command event order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SelfTradePrevention, Side, TimeInForce } from '@perpcore/domain';
import { CancelReason, MatchingReject, type OrderBookConfig, type OrderBookFactory } from '../order-book.js';
import { ALICE, BOB, CAROL, brief, harness, levels, limit, market, queue } from './harness.js';

const BUY = Side.Buy;
const SELL = Side.Sell;

export function describeMatchingContract(factory: OrderBookFactory, config: OrderBookConfig): void {
  const make = () => harness(factory, config);

  describe('price-time priority', () => {
    it('rests non-crossing orders best price first on each side', () => {
      const h = make();
      h.run((b) => {
        b.place(limit(1, ALICE, BUY, 9_990, 5));
        b.place(limit(2, ALICE, BUY, 9_995, 3));
        b.place(limit(3, BOB, SELL, 10_010, 4));
        b.place(limit(4, BOB, SELL, 10_005, 2));
        b.place(limit(5, BOB, SELL, 10_005, 1));
      });
      assert.equal(h.book.bestBidTicks(), 9_995);
      assert.equal(h.book.bestAskTicks(), 10_005);
      assert.deepEqual(levels(h.book, BUY), ['3@9995', '5@9990']);
      assert.deepEqual(levels(h.book, SELL), ['3@10005', '4@10010']);
      assert.deepEqual(levels(h.book, SELL, 1), ['3@10005']);
      assert.deepEqual(queue(h.book, SELL), ['4:2@10005', '5:1@10005', '3:4@10010']);
      assert.equal(h.book.levelQtyLots(SELL, 10_005), 3);
      assert.equal(h.book.levelQtyLots(BUY, 10_005), 0);
      assert.equal(h.book.restingOrderCount(), 5);
      assert.deepEqual(h.book.getOrder(3), { orderId: 3, accountId: BOB, side: SELL, priceTicks: 10_010, remainingLots: 4 });
      assert.equal(h.book.getOrder(99), undefined);
      assert.equal(h.book.lastTradeTicks(), 0);
    });

    it('fills the better price first, then earlier orders at one price, at the maker price', () => {
      const h = make();
      h.book.place(limit(1, ALICE, SELL, 10_010, 4));
      h.book.place(limit(2, ALICE, SELL, 10_005, 2));
      h.book.place(limit(3, BOB, SELL, 10_005, 1));
      const events = h.run((b) => b.place(limit(10, CAROL, BUY, 10_010, 5)));
      assert.deepEqual(brief(events), [
        'accepted 10',
        'fill 2<-10 2@10005 m0 t3',
        'delta ask 1@10005',
        'fill 3<-10 1@10005 m0 t2',
        'delta ask 0@10005',
        'fill 1<-10 2@10010 m2 t0',
        'delta ask 2@10010',
      ]);
      assert.equal(h.book.lastTradeTicks(), 10_010);
      assert.deepEqual(queue(h.book, SELL), ['1:2@10010']);
      assert.equal(h.book.getOrder(10), undefined);
    });

    it('rests the remainder of a crossing GTC order at its limit', () => {
      const h = make();
      h.book.place(limit(1, ALICE, BUY, 10_000, 2));
      const events = h.run((b) => b.place(limit(2, BOB, SELL, 9_990, 5)));
      assert.deepEqual(brief(events), ['accepted 2', 'fill 1<-2 2@10000 m0 t3', 'delta bid 0@10000', 'delta ask 3@9990']);
      assert.equal(h.book.bestBidTicks(), 0);
      assert.equal(h.book.bestAskTicks(), 9_990);
      const fill = events[1] as { makerAccountId: number; takerAccountId: number; takerSide: number };
      assert.equal(fill.makerAccountId, ALICE);
      assert.equal(fill.takerAccountId, BOB);
      assert.equal(fill.takerSide, SELL);
    });
  });

  describe('time in force', () => {
    it('IOC trades what crosses and cancels the rest as Unfilled', () => {
      const h = make();
      h.book.place(limit(1, ALICE, SELL, 10_000, 2));
      const events = h.run((b) => b.place(limit(2, BOB, BUY, 10_000, 5, { timeInForce: TimeInForce.ImmediateOrCancel })));
      assert.deepEqual(brief(events), ['accepted 2', 'fill 1<-2 2@10000 m0 t3', 'delta ask 0@10000', `canceled 2 3 r${CancelReason.Unfilled}`]);
      assert.equal(h.book.restingOrderCount(), 0);
    });

    it('FOK fills whole when the crossing quantity suffices', () => {
      const h = make();
      h.book.place(limit(1, ALICE, SELL, 10_000, 2));
      h.book.place(limit(2, ALICE, SELL, 10_001, 3));
      const events = h.run((b) => b.place(limit(3, BOB, BUY, 10_001, 5, { timeInForce: TimeInForce.FillOrKill })));
      assert.deepEqual(brief(events), ['accepted 3', 'fill 1<-3 2@10000 m0 t3', 'delta ask 0@10000', 'fill 2<-3 3@10001 m0 t0', 'delta ask 0@10001']);
    });

    it('FOK that cannot fill whole is cancelled with nothing traded and the state unchanged', () => {
      const h = make();
      h.book.place(limit(1, ALICE, SELL, 10_000, 2));
      h.book.place(limit(2, ALICE, SELL, 10_002, 3));
      const before = h.book.stateHash();
      const events = h.run((b) => b.place(limit(3, BOB, BUY, 10_001, 5, { timeInForce: TimeInForce.FillOrKill })));
      assert.deepEqual(brief(events), ['accepted 3', `canceled 3 5 r${CancelReason.Unfilled}`]);
      assert.equal(h.book.stateHash(), before);
    });

    it('FOK does not count own orders that STP would cancel or stop at', () => {
      const h = make();
      h.book.place(limit(1, BOB, SELL, 10_000, 4));
      h.book.place(limit(2, ALICE, SELL, 10_000, 3));
      const before = h.book.stateHash();
      const cancelMaker = { timeInForce: TimeInForce.FillOrKill, selfTradePrevention: SelfTradePrevention.CancelMaker };
      assert.deepEqual(brief(h.run((b) => b.place(limit(3, BOB, BUY, 10_000, 4, cancelMaker)))), [
        'accepted 3',
        `canceled 3 4 r${CancelReason.Unfilled}`,
      ]);
      assert.equal(h.book.stateHash(), before);
      const cancelTaker = { timeInForce: TimeInForce.FillOrKill, selfTradePrevention: SelfTradePrevention.CancelTaker };
      assert.deepEqual(brief(h.run((b) => b.place(limit(4, BOB, BUY, 10_000, 2, cancelTaker)))), [
        'accepted 4',
        `canceled 4 2 r${CancelReason.Unfilled}`,
      ]);
      // with CancelMaker and enough other liquidity: the own maker is cancelled on the way
      assert.deepEqual(brief(h.run((b) => b.place(limit(5, BOB, BUY, 10_000, 3, cancelMaker)))), [
        'accepted 5',
        `canceled 1 4 r${CancelReason.SelfTradePrevention}`,
        'delta ask 3@10000',
        'fill 2<-5 3@10000 m0 t0',
        'delta ask 0@10000',
      ]);
    });
  });

  describe('post-only', () => {
    it('rests when it does not cross', () => {
      const h = make();
      h.book.place(limit(1, ALICE, SELL, 10_000, 2));
      const events = h.run((b) => b.place(limit(2, BOB, BUY, 9_999, 5, { timeInForce: TimeInForce.PostOnly })));
      assert.deepEqual(brief(events), ['accepted 2', 'delta bid 5@9999']);
    });

    it('is rejected, never repriced, when it would take (even at the touch, even against itself)', () => {
      const h = make();
      h.book.place(limit(1, ALICE, SELL, 10_000, 2));
      h.expectReject((b) => b.place(limit(2, BOB, BUY, 10_000, 5, { timeInForce: TimeInForce.PostOnly })), MatchingReject.PostOnlyWouldTake);
      h.expectReject((b) => b.place(limit(3, ALICE, BUY, 10_050, 5, { timeInForce: TimeInForce.PostOnly })), MatchingReject.PostOnlyWouldTake);
      assert.equal(h.book.bestBidTicks(), 0);
    });
  });

  describe('market orders and the price band', () => {
    it('is rejected with no reference price (no mark, no trade, empty opposite side)', () => {
      const h = make();
      h.book.place(limit(1, ALICE, BUY, 9_000, 2));
      h.expectReject((b) => b.place(market(2, BOB, BUY, 1)), MatchingReject.NoReferencePrice);
    });

    it('uses the best opposite price at arrival as reference when there is no trade or mark', () => {
      const h = make();
      h.book.place(limit(1, ALICE, SELL, 10_000, 1));
      h.book.place(limit(2, ALICE, SELL, 10_100, 1));
      h.book.place(limit(3, ALICE, SELL, 10_101, 1));
      // band limit floor(10_000 × 1.01) = 10_100
      const events = h.run((b) => b.place(market(4, BOB, BUY, 5, { priceTicks: 777 })));
      assert.deepEqual(brief(events), [
        'accepted 4',
        'fill 1<-4 1@10000 m0 t4',
        'delta ask 0@10000',
        'fill 2<-4 1@10100 m0 t3',
        'delta ask 0@10100',
        `canceled 4 3 r${CancelReason.PriceBand}`,
      ]);
      assert.equal((events[0] as { priceTicks: number }).priceTicks, 0, 'a market order carries no price');
    });

    it('rounds the band toward the reference: buy floor, sell ceil', () => {
      // ref 10_005, band 1%: buy ≤ floor(10_105.05) = 10_105, sell ≥ ceil(9_904.95) = 9_905
      const h = make();
      h.book.setMarkPrice(10_005);
      h.book.place(limit(1, ALICE, SELL, 10_105, 1));
      h.book.place(limit(2, ALICE, SELL, 10_106, 1));
      h.book.place(limit(3, ALICE, BUY, 9_905, 1));
      h.book.place(limit(4, ALICE, BUY, 9_904, 1));
      assert.deepEqual(brief(h.run((b) => b.place(market(5, BOB, BUY, 2)))), [
        'accepted 5',
        'fill 1<-5 1@10105 m0 t1',
        'delta ask 0@10105',
        `canceled 5 1 r${CancelReason.PriceBand}`,
      ]);
      assert.deepEqual(brief(h.run((b) => b.place(market(6, BOB, SELL, 2)))), [
        'accepted 6',
        'fill 3<-6 1@9905 m0 t1',
        'delta bid 0@9905',
        `canceled 6 1 r${CancelReason.PriceBand}`,
      ]);
    });

    it('prefers the mark over the last trade, and the last trade over the book', () => {
      const h = make();
      h.book.place(limit(1, ALICE, SELL, 10_000, 1));
      h.book.place(limit(2, BOB, BUY, 10_000, 1)); // last trade 10_000
      h.book.place(limit(3, ALICE, SELL, 10_150, 1));
      // last trade 10_000 → buy limit 10_100: nothing within the band
      assert.deepEqual(brief(h.run((b) => b.place(market(4, BOB, BUY, 1)))), ['accepted 4', `canceled 4 1 r${CancelReason.PriceBand}`]);
      h.book.setMarkPrice(10_100); // buy limit 10_201
      assert.deepEqual(brief(h.run((b) => b.place(market(5, BOB, BUY, 1)))), ['accepted 5', 'fill 3<-5 1@10150 m0 t0', 'delta ask 0@10150']);
    });

    it('cancels the remainder as Unfilled when the book runs dry within the band', () => {
      const h = make();
      h.book.place(limit(1, ALICE, BUY, 10_000, 1));
      assert.deepEqual(brief(h.run((b) => b.place(market(2, BOB, SELL, 3)))), [
        'accepted 2',
        'fill 1<-2 1@10000 m0 t2',
        'delta bid 0@10000',
        `canceled 2 2 r${CancelReason.Unfilled}`,
      ]);
    });

    it('FOK market fills whole within the band or nothing', () => {
      const h = make();
      h.book.place(limit(1, ALICE, SELL, 10_000, 1));
      h.book.place(limit(2, ALICE, SELL, 10_200, 5));
      const before = h.book.stateHash();
      assert.deepEqual(brief(h.run((b) => b.place(market(3, BOB, BUY, 2, { timeInForce: TimeInForce.FillOrKill })))), [
        'accepted 3',
        `canceled 3 2 r${CancelReason.Unfilled}`,
      ]);
      assert.equal(h.book.stateHash(), before);
    });
  });

  describe('self-trade prevention (the taker decides)', () => {
    const setup = () => {
      const h = make();
      h.book.place(limit(1, ALICE, SELL, 10_000, 2));
      h.book.place(limit(2, BOB, SELL, 10_000, 2));
      return h;
    };
    const taker = (stp: SelfTradePrevention) => limit(9, ALICE, BUY, 10_000, 3, { selfTradePrevention: stp });

    it('None lets an account trade with itself', () => {
      const h = setup();
      assert.deepEqual(brief(h.run((b) => b.place(taker(SelfTradePrevention.None)))), [
        'accepted 9',
        'fill 1<-9 2@10000 m0 t1',
        'delta ask 2@10000',
        'fill 2<-9 1@10000 m1 t0',
        'delta ask 1@10000',
      ]);
    });

    it('CancelTaker cancels the taker remainder and leaves the maker', () => {
      const h = setup();
      h.book.place(limit(3, CAROL, SELL, 9_999, 1));
      assert.deepEqual(brief(h.run((b) => b.place(taker(SelfTradePrevention.CancelTaker)))), [
        'accepted 9',
        'fill 3<-9 1@9999 m0 t2',
        'delta ask 0@9999',
        `canceled 9 2 r${CancelReason.SelfTradePrevention}`,
      ]);
      assert.deepEqual(queue(h.book, SELL), ['1:2@10000', '2:2@10000']);
    });

    it('CancelMaker cancels the own maker and keeps matching, then rests', () => {
      const h = setup();
      assert.deepEqual(brief(h.run((b) => b.place(taker(SelfTradePrevention.CancelMaker)))), [
        'accepted 9',
        `canceled 1 2 r${CancelReason.SelfTradePrevention}`,
        'delta ask 2@10000',
        'fill 2<-9 2@10000 m0 t1',
        'delta ask 0@10000',
        'delta bid 1@10000',
      ]);
    });

    it('CancelBoth cancels the own maker and the taker remainder', () => {
      const h = setup();
      assert.deepEqual(brief(h.run((b) => b.place(taker(SelfTradePrevention.CancelBoth)))), [
        'accepted 9',
        `canceled 1 2 r${CancelReason.SelfTradePrevention}`,
        'delta ask 2@10000',
        `canceled 9 3 r${CancelReason.SelfTradePrevention}`,
      ]);
      assert.deepEqual(queue(h.book, SELL), ['2:2@10000']);
    });

    it('does not apply between different accounts', () => {
      const h = setup();
      const events = h.run((b) => b.place(limit(9, CAROL, BUY, 10_000, 1, { selfTradePrevention: SelfTradePrevention.CancelBoth })));
      assert.deepEqual(brief(events), ['accepted 9', 'fill 1<-9 1@10000 m1 t0', 'delta ask 3@10000']);
    });
  });
}
