/**
 * Isolated order holds (isolated-margin.ts): a refusal, by risk or by matching, of
 * a place or an amend returns exactly what the command moved into the bucket; a
 * cancel returns what the order held and nothing else (a reduce-only order holds
 * nothing); a fill turns its share of the hold into position margin; an amend that
 * shrinks an order returns its share once matching confirms it.
 *
 * Setup: account 5 trades BTCUSDT isolated at leverage 20 from a 3,000 USDT wallet;
 * account 1 (cross, 100,000 USDT) is the counterparty. Index 30,000.0. A buy of
 * 100 lots (0.1 BTC) at 30,000.0 is 3,000 USDT of notional: 150 USDT of IM.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MarginMode, OrderType, TimeInForce } from '@perpcore/domain';
import { RiskHarness, USDT, btcSubticks, btcTicks } from '../risk-harness.test-support.js';
import { createOrderIntent } from '../orders/order-intent.js';

const BTC = 0;
const TRADER = 5;
const MAKER = 1;

function isolatedTrader(): RiskHarness {
  const h = new RiskHarness();
  h.deposit(MAKER, 100_000 * USDT);
  h.deposit(TRADER, 3_000 * USDT);
  h.setMode(TRADER, 'BTCUSDT', MarginMode.Isolated);
  h.index('BTCUSDT', btcSubticks('30000'));
  return h;
}

function bucketOf(h: RiskHarness, accountId: number, m = BTC): number {
  const s = h.engine.state;
  const slot = s.accounts.slotOf(accountId);
  return s.ledger.isolatedUnits[s.ledger.rowOf(s.accounts.firstRow[slot], m)];
}

function walletOf(h: RiskHarness, accountId: number): number {
  const s = h.engine.state;
  return s.accounts.balances[0][s.accounts.slotOf(accountId)];
}

/** Account 5 long 100 lots at 30,000.0, bought from account 1's resting sell, with 100 USDT added to the bucket. */
function isolatedLong(): RiskHarness {
  const h = isolatedTrader();
  assert.equal(h.place({ account: MAKER, side: 'sell', priceTicks: btcTicks('30000'), lots: 100 }), '');
  assert.equal(h.place({ account: TRADER, side: 'buy', priceTicks: btcTicks('30000'), lots: 100 }), '');
  const s = h.engine.state;
  assert.equal(s.ledger.qtyLots[s.ledger.rowOf(s.accounts.firstRow[s.accounts.slotOf(TRADER)], BTC)], 100);
  // the hold became position margin, less the 1.5 USDT taker fee: top up so the scope is above its IM
  assert.equal(h.adjustIsolated(TRADER, 'BTCUSDT', 100 * USDT).event, 'commandAccepted');
  return h;
}

describe('isolated holds: refusals return exactly what they moved', () => {
  it('an amend matching refuses (post-only would take) leaves the bucket and the state hash as before the amend', () => {
    const h = isolatedTrader();
    assert.equal(h.place({ account: MAKER, side: 'sell', priceTicks: btcTicks('30500'), lots: 100 }), '');
    const id = h.nextOrderId;
    assert.equal(h.place({ account: TRADER, side: 'buy', priceTicks: btcTicks('29000'), lots: 100, tif: TimeInForce.PostOnly }), '');
    const hash = h.engine.stateHash();
    const bucket = bucketOf(h, TRADER);
    assert.equal(bucket, 145 * USDT);
    const transfers = h.eventsOf('ledgerTransfer', TRADER).length;
    // risk accepts (the hold grows by 8 USDT of notional IM plus 60 USDT of open loss), matching refuses: it would take
    assert.equal(h.amend(TRADER, id, btcTicks('30600'), 100), '');
    assert.equal(h.eventsOf('ledgerTransfer', TRADER).length, transfers + 2, 'the amend moved its hold in, the refusal moved it back');
    assert.equal(bucketOf(h, TRADER), bucket);
    assert.equal(h.engine.stateHash(), hash);
    assert.ok(h.engine.audit().ok);
  });

  it('an amend matching refuses after it raised the hold returns that hold, also when the order is resting over a position', () => {
    const h = isolatedLong();
    const id = h.nextOrderId;
    assert.equal(h.place({ account: TRADER, side: 'buy', priceTicks: btcTicks('29900'), lots: 50 }), '');
    const hash = h.engine.stateHash();
    const bucket = bucketOf(h, TRADER);
    h.refuseNext = true;
    assert.equal(h.amend(TRADER, id, btcTicks('29950'), 80), '');
    assert.equal(bucketOf(h, TRADER), bucket);
    assert.equal(h.engine.stateHash(), hash);
  });

  it('a place matching refuses after the mark moved returns exactly its hold', () => {
    const h = isolatedTrader();
    assert.equal(h.place({ account: TRADER, side: 'buy', priceTicks: btcTicks('30000'), lots: 100 }), '');
    const wallet = walletOf(h, TRADER);
    const bucket = bucketOf(h, TRADER);
    // a second buy checked in-process (no bus), then the mark falls before matching's answer
    const o = createOrderIntent();
    Object.assign(o, { market: BTC, orderId: 900, accountId: TRADER, side: 1, type: OrderType.Limit, timeInForce: TimeInForce.GoodTillCancel, priceTicks: btcTicks('30000'), qtyLots: 100 });
    assert.equal(h.engine.checkOrder(o, h.step()), '');
    assert.equal(bucketOf(h, TRADER), bucket + 150 * USDT);
    h.index('BTCUSDT', btcSubticks('29000'));
    h.engine.onOrderRejected(BTC, 900, TRADER, h.step());
    assert.equal(bucketOf(h, TRADER), bucket, 'the refused order leaves nothing behind in the bucket');
    assert.equal(walletOf(h, TRADER), wallet);
    assert.ok(h.engine.audit().ok);
  });

  it('a place the kernel cannot size (notional past the safe range) is refused by risk and changes nothing', () => {
    const h = isolatedTrader();
    h.index('ETHUSDT', 2_000_00);
    const hash = h.engine.stateHash();
    const code = h.place({ account: MAKER, market: 'ETHUSDT', side: 'buy', priceTicks: 100_000_000, lots: 10_000_000 });
    assert.equal(code, 'RISK_NOTIONAL_ABOVE_MAX_TIER');
    assert.equal(h.engine.state.orders.count, 0);
    assert.equal(h.engine.stateHash(), hash);
  });

  it("another account's cancel of an order id, refused by matching, leaves the owner's pending place and amend in flight alone", () => {
    const h = isolatedTrader();
    const id = h.nextOrderId;
    assert.equal(h.place({ account: TRADER, side: 'buy', priceTicks: btcTicks('29000'), lots: 100 }), '');
    // the owner's amend and a second place, accepted by risk, not yet answered by matching (in-process: nothing is sent)
    assert.equal(h.engine.preTrade.checkAmend(BTC, id, TRADER, btcTicks('29500'), 120, h.step()), '');
    const o = createOrderIntent();
    Object.assign(o, { market: BTC, orderId: 900, accountId: TRADER, side: 1, type: OrderType.Limit, timeInForce: TimeInForce.GoodTillCancel, priceTicks: btcTicks('29000'), qtyLots: 10 });
    assert.equal(h.engine.checkOrder(o, h.step()), '');
    const hash = h.engine.stateHash();
    h.cancel(MAKER, id); // matching: MATCHING_NOT_ORDER_OWNER for order `id`, account 1
    h.cancel(MAKER, 900); // matching: MATCHING_UNKNOWN_ORDER for order 900, account 1
    assert.equal(h.engine.stateHash(), hash);
  });
});

describe('isolated holds: reduce-only orders hold nothing and release nothing', () => {
  it('a cancelled reduce-only sell below the mark (open loss) leaves the bucket and the state hash as before it', () => {
    const h = isolatedLong();
    const hash = h.engine.stateHash();
    const bucket = bucketOf(h, TRADER);
    const id = h.nextOrderId;
    assert.equal(h.place({ account: TRADER, side: 'sell', priceTicks: btcTicks('29500'), lots: 50, reduceOnly: true }), '');
    assert.equal(bucketOf(h, TRADER), bucket, 'a reduce-only order takes no hold');
    h.cancel(TRADER, id);
    assert.equal(h.engine.state.orders.count, 0);
    assert.equal(bucketOf(h, TRADER), bucket, 'so its cancel releases nothing (its 25 USDT of open loss never moved)');
    assert.equal(h.engine.stateHash(), hash);
  });

  it('a reduce-only order matching refuses leaves the state hash as before it', () => {
    const h = isolatedLong();
    const hash = h.engine.stateHash();
    h.refuseNext = true;
    assert.equal(h.place({ account: TRADER, side: 'sell', priceTicks: btcTicks('29500'), lots: 50, reduceOnly: true }), '');
    assert.equal(h.engine.stateHash(), hash);
  });
});

describe('isolated holds: fills and shrinking amends', () => {
  it('a partial fill turns its share of the hold into position margin; the cancel returns the rest, rounded down', () => {
    const h = isolatedTrader();
    assert.equal(h.setLeverage(TRADER, 'BTCUSDT', 7).event, 'commandAccepted');
    assert.equal(h.adjustIsolated(TRADER, 'BTCUSDT', USDT).event, 'commandAccepted'); // covers the maker fee
    const id = h.nextOrderId;
    // 3 lots at 30,000.0: notional 90 USDT, hold ceil(90,000,000 / 7) = 12,857,143 units
    assert.equal(h.place({ account: TRADER, side: 'buy', priceTicks: btcTicks('30000'), lots: 3 }), '');
    assert.equal(bucketOf(h, TRADER), USDT + 12_857_143);
    assert.equal(h.place({ account: MAKER, side: 'sell', priceTicks: btcTicks('30000'), lots: 1 }), '');
    // 2 of 3 lots left: the order keeps floor(12,857,143 × 2 / 3) = 8,571,428 (the IM of 2 lots would be 8,571,429);
    // 4,285,715 became position margin (the position's IM is 4,285,715)
    const bucket = bucketOf(h, TRADER);
    const wallet = walletOf(h, TRADER);
    h.cancel(TRADER, id);
    assert.equal(walletOf(h, TRADER) - wallet, 8_571_428);
    assert.equal(bucketOf(h, TRADER), bucket - 8_571_428);
    assert.ok(h.engine.audit().ok);
  });

  it('a confirmed amend that halves an order returns half its hold (before: nothing came back until the row was flat)', () => {
    const h = isolatedTrader();
    const id = h.nextOrderId;
    assert.equal(h.place({ account: TRADER, side: 'buy', priceTicks: btcTicks('30000'), lots: 100 }), '');
    assert.equal(bucketOf(h, TRADER), 150 * USDT);
    assert.equal(h.amend(TRADER, id, btcTicks('30000'), 50), '');
    assert.equal(bucketOf(h, TRADER), 75 * USDT);
    h.cancel(TRADER, id);
    assert.equal(bucketOf(h, TRADER), 0);
    assert.equal(walletOf(h, TRADER), 3_000 * USDT);
  });

  it('a cancel while the scope is below its IM keeps what the position needs as position margin', () => {
    const h = isolatedLong();
    const id = h.nextOrderId;
    const before = bucketOf(h, TRADER);
    assert.equal(h.place({ account: TRADER, side: 'buy', priceTicks: btcTicks('29000'), lots: 100 }), '');
    const held = bucketOf(h, TRADER) - before;
    assert.equal(held, 145 * USDT);
    h.index('BTCUSDT', btcSubticks('28000')); // the long loses 200 USDT, the buy gains 100 of open loss: E_iso below IM
    const bucket = bucketOf(h, TRADER);
    h.cancel(TRADER, id);
    const released = bucket - bucketOf(h, TRADER);
    assert.ok(released >= 0 && released < held, `released ${released} of ${held}`);
    const s = h.engine.state;
    const ev = s.evaluator.evaluateIsolated(s.ledger.rowOf(s.accounts.firstRow[s.accounts.slotOf(TRADER)], BTC));
    assert.ok(ev.equityUnits >= s.evaluator.initialUnits || released === 0, 'a release never takes the bucket below its IM');
  });
});

describe('isolated holds: removing margin keeps every order hold in the bucket', () => {
  it('after the mark moves past a buy with open loss, a removal may not take the bucket below Σ holds; the cancel then returns the whole hold', () => {
    const h = isolatedTrader();
    const id = h.nextOrderId;
    // a buy at 30,500.0 with the mark at 30,000.0: 152.5 USDT of notional IM plus 50 USDT of open loss, all held
    assert.equal(h.place({ account: TRADER, side: 'buy', priceTicks: btcTicks('30500'), lots: 100 }), '');
    const held = bucketOf(h, TRADER);
    assert.equal(held, 202_500_000);
    assert.equal(h.engine.state.orders.holdsOfRow(h.engine.state.ledger.rowOf(h.engine.state.accounts.firstRow[h.engine.state.accounts.slotOf(TRADER)], BTC)), held);
    // the mark rises above the order: its open loss is gone, so the order IM now is below what it holds
    h.index('BTCUSDT', btcSubticks('31000'));
    h.engine.state.evaluator.evaluateIsolated(h.engine.state.ledger.rowOf(h.engine.state.accounts.firstRow[h.engine.state.accounts.slotOf(TRADER)], BTC));
    assert.ok(h.engine.state.evaluator.initialUnits < held, 'the order IM fell below the hold (the old cap let the difference out)');
    const hash = h.engine.stateHash();
    const rejected = h.adjustIsolated(TRADER, 'BTCUSDT', -1);
    assert.equal(rejected.event, 'commandRejected');
    assert.equal(rejected.commandRejected?.code, 'RISK_ISOLATED_MARGIN_BELOW_IM');
    assert.equal(h.engine.stateHash(), hash, 'the refused removal changed nothing');
    h.cancel(TRADER, id);
    assert.equal(bucketOf(h, TRADER), 0);
    assert.equal(walletOf(h, TRADER), 3_000 * USDT, 'the cancel returned exactly what the place moved in');
    assert.ok(h.engine.audit().ok);
  });

  it('a removal above the holds and the position IM is accepted, to the unit', () => {
    const h = isolatedLong();
    assert.equal(h.place({ account: TRADER, side: 'buy', priceTicks: btcTicks('29900'), lots: 50 }), '');
    const s = h.engine.state;
    const r = s.ledger.rowOf(s.accounts.firstRow[s.accounts.slotOf(TRADER)], BTC);
    const iso = s.evaluator.evaluateIsolated(r);
    const keep = Math.max(s.evaluator.initialUnits, iso.initialUnits + s.orders.holdsOfRow(r));
    const removable = Math.min(s.ledger.isolatedUnits[r] - s.ledger.pendingFundingUnits[r] - keep, iso.equityUnits - s.evaluator.initialUnits);
    assert.ok(removable > 0);
    assert.equal(h.adjustIsolated(TRADER, 'BTCUSDT', -(removable + 1)).event, 'commandRejected');
    assert.equal(h.adjustIsolated(TRADER, 'BTCUSDT', -removable).event, 'commandAccepted');
    assert.ok(h.engine.audit().ok);
  });
});
