import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Side } from '@perpcore/domain';
import { MarginState, SpotMarginErrorCode, SpotStageErrorCode } from '@perpcore/margin';
import { SpotEventKind } from './spot-margin-events.js';
import { createSpotFold } from './spot-margin-fold.js';
import { captureSpotLedger, hashOf } from './spot-margin-snapshot.js';
import { HOUR_NS, MAKER, createRecordedEngine, lots, sat, seedMarket, spotParams, ticks, usdt } from './spot-margin.test-support.js';

const T0 = 1_000_000_000;
const TRADER = 7;

/** Kraken's long: 10,000 USDT own, 45,000 borrowed, 1.5 BTC bought at 30,000 (used margin 9,000). */
function krakenLong() {
  const rec = createRecordedEngine();
  const { engine } = rec;
  seedMarket(engine, T0, 30_000);
  engine.placeOrder({ accountId: MAKER, symbol: 'BTC/USDT', side: Side.Sell, priceTicks: ticks(30_000), qtyLots: lots(2), immediateOrCancel: false, autoBorrow: false }, T0);
  engine.deposit(TRADER, 'USDT', usdt(10_000), T0);
  assert.deepEqual(engine.borrow(TRADER, 'USDT', usdt(45_000), T0), { ok: true });
  const bought = engine.placeOrder({ accountId: TRADER, symbol: 'BTC/USDT', side: Side.Buy, priceTicks: ticks(30_000), qtyLots: lots(1.5), immediateOrCancel: true, autoBorrow: false }, T0);
  assert.ok(bought.ok, JSON.stringify(bought));
  const { orderId, ...placement } = bought.placement;
  assert.ok(orderId > 0);
  assert.deepEqual(placement, {
    origLots: lots(1.5),
    filledLots: lots(1.5),
    filledQuoteUnits: usdt(45_000),
    restingLots: 0,
    status: 'FILLED',
    fills: [[ticks(30_000), lots(1.5)]],
    borrowedUnits: 0,
    borrowedAsset: '',
  });
  return rec;
}

describe('spot margin scenario: healthy → call → liquidation (Kraken long 1.5 BTC)', () => {
  it('answers the three questions at entry', () => {
    const { engine } = krakenLong();
    const r = engine.accountReport(TRADER)!;
    assert.equal(r.state, MarginState.Healthy);
    assert.equal(r.equityUnits, usdt(10_000));
    assert.equal(r.usedMarginUnits, usdt(9_000));
    assert.equal(r.acceptedCollateralUnits, usdt(55_000));
    const btc = r.assets.find((a) => a.asset === 'BTC')!;
    assert.equal(btc.balanceUnits, sat(1.5));
    assert.equal(btc.priceFeed, 'index:BTC/USDT');
    assert.equal(btc.callPriceTicks, 2_813_334); // 28,133.333… rounded up: called no later than exact
    assert.equal(btc.liquidationPriceTicks, 2_573_334); // (0.4 × 9,000 + 35,000) / 1.5 = 25,733.33… up
    assert.equal(r.distanceToCallUnits, usdt(10_000 - 7_200));
    assert.equal(r.distanceToLiquidationUnits, usdt(10_000 - 3_600));
  });

  it('a fall to 28,133.30 calls, to 25,000 liquidates against the book, fee to the fund, venue whole', () => {
    const rec = krakenLong();
    const { engine, events } = rec;
    engine.placeOrder({ accountId: MAKER, symbol: 'BTC/USDT', side: Side.Buy, priceTicks: ticks(24_990), qtyLots: lots(5), immediateOrCancel: false, autoBorrow: false }, T0);
    const t1 = T0 + HOUR_NS;
    engine.setIndexPrice('BTC/USDT', ticks(28_133.3), t1);
    const call = events.find((e) => e.kind === SpotEventKind.MarginStateChanged && e.transition?.to === MarginState.Called)!;
    assert.equal(call.accountId, TRADER);
    assert.equal(call.transition!.triggerFeed, 'BTC/USDT');
    assert.equal(call.transition!.triggerPriceTicks, ticks(28_133.3));
    // 7,199.95 less one hour of interest at 0.001 %/h on 45,000 (0.45 USDT)
    assert.equal(call.transition!.equityUnits, usdt(7_199.95) - usdt(0.45));
    assert.equal(call.transition!.usedMarginUnits, usdt(9_000));

    const t2 = T0 + 2 * HOUR_NS;
    const before = events.length;
    engine.setIndexPrice('BTC/USDT', ticks(25_000), t2);
    const tail = events.slice(before);
    const kinds = tail.map((e) => (e.kind === SpotEventKind.MarginStateChanged ? `${e.kind}:${e.transition!.to}` : e.kind));
    assert.deepEqual(kinds.filter((k) => k !== SpotEventKind.IndexAccrued && k !== SpotEventKind.IndexPriceSet), [
      `${SpotEventKind.MarginStateChanged}:${MarginState.Liquidating}`,
      SpotEventKind.InterestSettled,
      SpotEventKind.Repaid, // own 10,000 USDT first
      SpotEventKind.OrderPlaced, // IOC sell of the 1.5 BTC
      SpotEventKind.Filled,
      SpotEventKind.Repaid, // the rest of the loan from the proceeds
      SpotEventKind.LiquidationFeeCharged,
      `${SpotEventKind.MarginStateChanged}:${MarginState.Healthy}`,
    ]);
    // 2 h at 0.001 %/h on 45,000, the index compounding at the 1 h input: 45,000 × (1.00001² − 1) = 0.9000045 → up
    const interest = 900_005;
    const proceeds = usdt(1.5 * 24_990);
    const fee = Math.ceil(proceeds * 0.02);
    const r = engine.accountReport(TRADER)!;
    assert.equal(r.usedMarginUnits, 0);
    assert.equal(r.assets.find((a) => a.asset === 'USDT')!.debtUnits, 0);
    assert.equal(r.assets.find((a) => a.asset === 'USDT')!.balanceUnits, usdt(10_000) + proceeds - usdt(45_000) - interest - fee);
    const audit = engine.audit();
    assert.deepEqual(audit.problems, []);
    const usdtAudit = audit.assets.find((a) => a.asset === 'USDT')!;
    assert.equal(usdtAudit.liquidationFeeUnits, BigInt(fee));
    assert.equal(usdtAudit.interestSettledUnits, BigInt(interest));
    // the pool got back every unit lent plus interest; the fund holds the fee
    const v = engine.context.state.venueOf('USDT');
    assert.equal(v.poolUnits, usdt(1_000_000) + interest);
    assert.equal(v.fundUnits, fee);
    assert.equal(engine.watch.counters.calls, 1);
    assert.equal(engine.watch.counters.liquidations, 1);
  });

  it('a thin book leaves the account liquidating; nothing to sell → the fund covers the bad debt', () => {
    const { engine, events } = krakenLong();
    // no bids at all: the IOC sell finds nothing, the account stays LIQUIDATING with its BTC
    engine.setIndexPrice('BTC/USDT', ticks(20_000), T0 + HOUR_NS);
    assert.equal(engine.context.state.marginStates.get(TRADER), MarginState.Liquidating);
    assert.equal(engine.accountReport(TRADER)!.assets.find((a) => a.asset === 'BTC')!.balanceUnits, sat(1.5));
    assert.deepEqual(engine.audit().problems, []);
    // a bid far below: the sale cannot repay the loan, the fund (empty) covers nothing, the pool writes off
    engine.placeOrder({ accountId: MAKER, symbol: 'BTC/USDT', side: Side.Buy, priceTicks: ticks(19_500), qtyLots: lots(2), immediateOrCancel: false, autoBorrow: false }, T0 + HOUR_NS);
    engine.setIndexPrice('BTC/USDT', ticks(20_000), T0 + 2 * HOUR_NS);
    const cover = events.filter((e) => e.kind === SpotEventKind.BadDebtCovered);
    assert.equal(cover.length, 1);
    assert.equal(engine.context.state.marginStates.has(TRADER), false);
    const v = engine.context.state.venueOf('USDT');
    assert.equal(v.writtenOffUnits, BigInt(cover[0].amountUnits) - BigInt(cover[0].detail));
    assert.deepEqual(engine.audit().problems, []);
  });

  it('the event fold rebuilds the ledger, and capture/restore continues with the same hash', () => {
    const { engine, events } = krakenLong();
    engine.placeOrder({ accountId: MAKER, symbol: 'BTC/USDT', side: Side.Buy, priceTicks: ticks(24_990), qtyLots: lots(5), immediateOrCancel: false, autoBorrow: false }, T0);
    const snap = JSON.parse(JSON.stringify(engine.captureState()));
    const twin = createRecordedEngine().engine;
    twin.restoreState(snap);
    assert.equal(twin.stateHash(), engine.stateHash());
    for (const e of [engine, twin]) e.setIndexPrice('BTC/USDT', ticks(25_000), T0 + 2 * HOUR_NS);
    assert.equal(twin.stateHash(), engine.stateHash());
    const fold = createSpotFold(engine.context.assets);
    for (const e of events) fold.apply(e);
    assert.equal(hashOf(captureSpotLedger(fold.state)), engine.ledgerHash());
  });
});

describe('spot margin bad input: refused with a code, nothing changed', () => {
  const cases: Array<[string, (e: ReturnType<typeof krakenLong>['engine']) => unknown, string]> = [
    ['unknown asset', (e) => e.borrow(TRADER, 'DOGE', 1, T0), SpotStageErrorCode.UnknownAsset],
    ['unknown pair', (e) => e.placeOrder({ accountId: TRADER, symbol: 'ETH/USDT', side: Side.Buy, priceTicks: 1, qtyLots: 1, immediateOrCancel: false, autoBorrow: false }, T0), SpotStageErrorCode.UnknownPair],
    ['over the per-asset borrow limit', (e) => e.borrow(TRADER, 'BTC', sat(10) + 1, T0), SpotMarginErrorCode.BorrowLimit],
    ['over the opening level', (e) => e.borrow(TRADER, 'USDT', usdt(100_000), T0), SpotMarginErrorCode.InsufficientMargin],
    ['repay more than owed', (e) => e.repay(TRADER, 'USDT', usdt(45_000) + 1, T0), SpotMarginErrorCode.RepayExceedsDebt],
    ['repay what it does not owe', (e) => e.repay(TRADER, 'BTC', 1, T0), SpotMarginErrorCode.RepayExceedsDebt],
    ['repay for an unknown account', (e) => e.repay(4242, 'USDT', 1, T0), SpotStageErrorCode.UnknownAccount],
    ['cancel another account\'s order', (e) => e.cancelOrder(TRADER, 1, T0), SpotStageErrorCode.NotOrderOwner],
    ['cancel an unknown order', (e) => e.cancelOrder(TRADER, 999, T0), SpotStageErrorCode.UnknownOrder],
    ['withdraw what is held by the loan', (e) => e.withdraw(TRADER, 'USDT', usdt(10_000), T0), SpotMarginErrorCode.InsufficientMargin],
    ['NaN amount', (e) => e.borrow(TRADER, 'USDT', Number.NaN, T0), 'DOMAIN_NOT_AN_INTEGER'],
    ['negative amount', (e) => e.deposit(TRADER, 'USDT', -5, T0), 'DOMAIN_NOT_POSITIVE'],
    ['fractional amount', (e) => e.repay(TRADER, 'USDT', 1.5, T0), 'DOMAIN_NOT_AN_INTEGER'],
    ['oversized order', (e) => e.placeOrder({ accountId: TRADER, symbol: 'BTC/USDT', side: Side.Buy, priceTicks: 1, qtyLots: 2_000_000, immediateOrCancel: false, autoBorrow: true }, T0), 'DOMAIN_OUT_OF_RANGE'],
    ['a buy without the funds (no auto-borrow)', (e) => e.placeOrder({ accountId: TRADER, symbol: 'BTC/USDT', side: Side.Buy, priceTicks: ticks(30_000), qtyLots: lots(1), immediateOrCancel: false, autoBorrow: false }, T0), SpotMarginErrorCode.InsufficientBalance],
    ['time going back', (e) => e.deposit(TRADER, 'USDT', 1, T0 - 1), SpotStageErrorCode.TimeWentBack],
  ];
  for (const [name, act, code] of cases) {
    it(name, () => {
      const { engine, events } = krakenLong();
      const hash = engine.stateHash();
      const n = events.length;
      assert.deepEqual(act(engine), { ok: false, code });
      assert.equal(engine.stateHash(), hash);
      assert.deepEqual(events.slice(n).map((e) => [e.kind, e.detail]), [[SpotEventKind.Rejected, code]]);
    });
  }

  it('refuses past the per-account debt value limit', () => {
    const { engine } = createRecordedEngine(spotParams({ maxAccountDebtUsdt: 20_000 }));
    seedMarket(engine, T0, 30_000);
    engine.deposit(TRADER, 'USDT', usdt(100_000), T0);
    assert.deepEqual(engine.borrow(TRADER, 'BTC', sat(0.7), T0), { ok: false, code: SpotMarginErrorCode.AccountDebtLimit });
    assert.deepEqual(engine.borrow(TRADER, 'BTC', sat(0.6), T0), { ok: true });
  });

  it('a margin buy borrows the shortfall (auto-borrow) and holds the cost', () => {
    const { engine } = createRecordedEngine();
    seedMarket(engine, T0, 30_000);
    engine.deposit(TRADER, 'USDT', usdt(10_000), T0);
    const placed = engine.placeOrder({ accountId: TRADER, symbol: 'BTC/USDT', side: Side.Buy, priceTicks: ticks(29_000), qtyLots: lots(1), immediateOrCancel: false, autoBorrow: true, clientOrderId: 'margin-buy-1' }, T0);
    assert.ok(placed.ok, JSON.stringify(placed));
    assert.deepEqual([placed.placement.status, placed.placement.restingLots, placed.placement.borrowedUnits, placed.placement.borrowedAsset], ['NEW', lots(1), usdt(19_000), 'USDT']);
    const [open] = engine.openOrdersOf(TRADER);
    assert.deepEqual([open.orderId, open.clientOrderId, open.origLots, open.remainingLots, open.placedTsNs], [placed.placement.orderId, 'margin-buy-1', lots(1), lots(1), T0]);
    const r = engine.accountReport(TRADER)!;
    const q = r.assets.find((a) => a.asset === 'USDT')!;
    assert.equal(q.debtUnits, usdt(19_000));
    assert.equal(q.heldUnits, usdt(29_000));
    assert.equal(r.usedMarginUnits, usdt(3_800));
  });

  it('answers a placement with its fills as taker at the makers\' prices, what rests, and keeps the open order through a snapshot', () => {
    const { engine } = createRecordedEngine();
    seedMarket(engine, T0, 30_000);
    engine.placeOrder({ accountId: MAKER, symbol: 'BTC/USDT', side: Side.Sell, priceTicks: ticks(30_000), qtyLots: lots(0.5), immediateOrCancel: false, autoBorrow: false }, T0);
    engine.placeOrder({ accountId: MAKER, symbol: 'BTC/USDT', side: Side.Sell, priceTicks: ticks(30_010), qtyLots: lots(0.25), immediateOrCancel: false, autoBorrow: false }, T0);
    engine.deposit(TRADER, 'USDT', usdt(50_000), T0);
    const placed = engine.placeOrder({ accountId: TRADER, symbol: 'BTC/USDT', side: Side.Buy, priceTicks: ticks(30_020), qtyLots: lots(1), immediateOrCancel: false, autoBorrow: false, clientOrderId: 'sweep' }, T0);
    assert.ok(placed.ok, JSON.stringify(placed));
    const { orderId, ...rest } = placed.placement;
    assert.deepEqual(rest, {
      origLots: lots(1),
      filledLots: lots(0.75),
      // 0.5 × 30,000 + 0.25 × 30,010: each at the maker's price
      filledQuoteUnits: usdt(15_000) + usdt(7_502.5),
      restingLots: lots(0.25),
      status: 'PARTIALLY_FILLED',
      fills: [[ticks(30_000), lots(0.5)], [ticks(30_010), lots(0.25)]],
      borrowedUnits: 0,
      borrowedAsset: '',
    });
    const open = engine.openOrdersOf(TRADER);
    assert.deepEqual(open.map((o) => [o.orderId, o.clientOrderId, o.origLots, o.filledLots, o.filledQuoteUnits, o.remainingLots]), [[orderId, 'sweep', lots(1), lots(0.75), usdt(22_502.5), lots(0.25)]]);
    const twin = createRecordedEngine().engine;
    twin.restoreState(JSON.parse(JSON.stringify(engine.captureState())));
    assert.deepEqual(twin.openOrdersOf(TRADER), open);
    assert.equal(twin.stateHash(), engine.stateHash());
    // an IOC that finds nothing at its limit expires; a bad client id is refused and changes nothing
    const ioc = engine.placeOrder({ accountId: TRADER, symbol: 'BTC/USDT', side: Side.Buy, priceTicks: ticks(29_000), qtyLots: lots(0.1), immediateOrCancel: true, autoBorrow: false }, T0);
    assert.ok(ioc.ok && ioc.placement.status === 'EXPIRED' && ioc.placement.filledLots === 0 && ioc.placement.restingLots === 0, JSON.stringify(ioc));
    const hash = engine.stateHash();
    assert.deepEqual(engine.placeOrder({ accountId: TRADER, symbol: 'BTC/USDT', side: Side.Buy, priceTicks: ticks(29_000), qtyLots: 1, immediateOrCancel: false, autoBorrow: false, clientOrderId: 'no spaces' }, T0), { ok: false, code: SpotStageErrorCode.BadClientOrderId });
    assert.equal(engine.stateHash(), hash);
    assert.equal(engine.indexTicksOf('BTC/USDT'), ticks(30_000));
    assert.equal(engine.indexTicksOf('ETH/USDT'), null);
  });
});
