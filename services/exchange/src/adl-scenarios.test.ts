/**
 * ADL and bankruptcy-price scenarios that read like the venue's own examples
 * (RISK-SPEC §8.7–§8.9), on the real pipeline: BTCUSDT and ETHUSDT with the
 * default tiers, mark = index, fees 0.02% maker / 0.05% taker. After every
 * liquidation event the risk audit holds (long = short per market, money to the
 * unit).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FillType } from '@perpcore/domain';
import { Topics } from '@perpcore/bus';
import { TestVenue, type TestVenueOptions, USDT } from './test-venue.test-support.js';

const MAKER = 1;
const ALICE = 2;
const BOB = 3;
const CAROL = 4;
const DAVE = 5;

/** Opens a venue whose risk audit is checked after every liquidation event (each follows a whole ledger call). */
async function auditedVenue(fundUsdt: string, risk?: TestVenueOptions['risk']): Promise<{ v: TestVenue; problems: string[] }> {
  const v = await TestVenue.open(risk === undefined ? { fundUsdt } : { fundUsdt, risk });
  const problems: string[] = [];
  await v.pipeline.bus.subscribe(Topics.liquidationEvents, { groupId: 'audit' }, (m) => {
    const audit = v.pipeline.risk.engine.audit();
    if (!audit.ok) problems.push(`after ${m.value.event}: ${audit.problems.join('; ')}`);
  });
  return { v, problems };
}

/** Deleveraged legs the risk stage settled for an account: [lots, price ticks]. */
function deleveragedLegs(v: TestVenue, accountId: number): Array<[number, number]> {
  return v.riskEvents
    .filter((e) => e.event === 'positionSettled' && e.accountId === accountId && e.positionSettled?.fillType === FillType.Deleveraged)
    .map((e) => [Number(e.positionSettled!.fillQtyLots), Number(e.positionSettled!.priceTicks)]);
}

describe('ADL at one bankruptcy price', () => {
  it('a tier-3 long deleveraged against two shorts: both trade at the one BP, the account nets exactly BPamount', async () => {
    const { v, problems } = await auditedVenue('0');
    v.deposit(MAKER, '10000000');
    v.deposit(ALICE, '31000.000037');
    v.deposit(BOB, '40000');
    v.deposit(CAROL, '40000');
    for (const a of [ALICE, BOB, CAROL]) v.leverage(a, 'BTCUSDT', 10);
    v.index('BTCUSDT', '30000');
    // Alice long 10 BTC (300,000 notional: tier 3, MMR 1%, cum 1,300); Bob short 6, Carol short 4; the maker ends flat
    v.order(MAKER, 'BTCUSDT', 'SELL', '30000', '10');
    assert.equal(v.order(ALICE, 'BTCUSDT', 'BUY', '30000', '10', 'IOC'), undefined);
    v.order(MAKER, 'BTCUSDT', 'BUY', '30000', '10');
    assert.equal(v.order(BOB, 'BTCUSDT', 'SELL', '30000', '6', 'IOC'), undefined);
    assert.equal(v.order(CAROL, 'BTCUSDT', 'SELL', '30000', '4', 'IOC'), undefined);
    assert.equal(v.positionLots(MAKER, 'BTCUSDT'), 0);
    v.order(MAKER, 'BTCUSDT', 'BUY', '20000', '1'); // a thin book far below BP
    // WB = 31,000.000037 − 150 fee; at 27,000: E = 850.000037 ≤ MM 2,700 − 1,300 = 1,400
    v.index('BTCUSDT', '27000');
    // BPamount = 10 × 27,000 − E = 269,149.999963; BP (long, rounded up) = 26,915.0
    const adl = v.events('positionDeleveraged', ALICE).map((e) => e.positionDeleveraged!);
    assert.equal(adl.length, 2);
    assert.deepEqual(adl.map((d) => d.counterpartyAccountId).sort(), [BOB, CAROL]);
    for (const d of adl) assert.equal(d.bankruptcyPriceTicks, 269_150);
    // every leg the risk stage settled, on both sides, is at that one price
    assert.deepEqual(deleveragedLegs(v, ALICE).map(([, p]) => p), [269_150, 269_150]);
    for (const k of [BOB, CAROL]) assert.deepEqual(deleveragedLegs(v, k).map(([, p]) => p), [269_150]);
    assert.equal(v.positionLots(ALICE, 'BTCUSDT'), 0);
    assert.equal(v.positionLots(BOB, 'BTCUSDT'), 0);
    assert.equal(v.positionLots(CAROL, 'BTCUSDT'), 0);
    // the account nets exactly BPamount: nothing left; the tick differences (37 units) went to the fund
    assert.equal(v.walletUnits(ALICE), 0);
    assert.equal(adl.reduce((a, d) => a + Number(d.tickDifferenceUnits), 0), 37);
    assert.equal(v.fundUnits(), 37);
    assert.equal(v.events('completed', ALICE)[0]?.completed?.outcome, 2);
    assert.deepEqual(problems, []);
    v.assertConserved();
    await v.close();
  });
});

/**
 * Dave, cross, 20x: long ETH at 2,000 and short 1 BTC at 30,000 against the maker. ETH
 * then gaps down so far that the scope's equity is deeply negative; the short BTC's
 * share of it exceeds its notional, so its bankruptcy price is below one tick.
 */
async function daveShortBtcLongEth(v: TestVenue, ethLots: string, depositUsdt: string): Promise<void> {
  v.deposit(MAKER, '10000000');
  v.deposit(DAVE, depositUsdt);
  v.leverage(DAVE, 'BTCUSDT', 20);
  v.leverage(DAVE, 'ETHUSDT', 20);
  v.index('BTCUSDT', '30000');
  v.index('ETHUSDT', '2000');
  v.order(MAKER, 'ETHUSDT', 'SELL', '2000', ethLots);
  assert.equal(v.order(DAVE, 'ETHUSDT', 'BUY', '2000', ethLots, 'IOC'), undefined);
  v.order(MAKER, 'BTCUSDT', 'BUY', '30000', '1');
  assert.equal(v.order(DAVE, 'BTCUSDT', 'SELL', '30000', '1', 'IOC'), undefined);
  assert.equal(v.positionLots(DAVE, 'BTCUSDT'), -1000);
}

describe('bankruptcy price below one tick', () => {
  it('the fund takes the short over at the minimum price (0.1); the shortfall rides on the ETH position’s BP; the fund absorbs exactly the negative equity', async () => {
    const { v, problems } = await auditedVenue('1000000');
    await daveShortBtcLongEth(v, '50', '7000');
    const fund = 900_002;
    const fundEquityBefore = v.pipeline.risk.engine.accountReport(fund)!.cross.equityUnits;
    // WB = 7,000 − 50 − 15 fees = 6,935; ETH at 100: UPnL −95,000, E = −88,065.
    // MM: BTC 120 (0.4%), ETH 25 (5,000 notional, 0.5%): BTC goes first. Its share of E is
    // −88,065 × 120 / 145 = −72,881.38…, so BPamount = −30,000 + 72,881.38… > 0: BP = −42,881.38 < 1 tick.
    v.index('ETHUSDT', '100');
    const [btcStep] = v.events('stepOrdered', DAVE);
    assert.equal(btcStep?.stepOrdered?.market, 'BTCUSDT');
    assert.ok(Number(btcStep?.stepOrdered?.bankruptcyPriceTicks) < 1);
    assert.equal(btcStep?.stepOrdered?.limitPriceTicks, 1, 'the IOC bids the minimum price, never below it');
    const takeovers = v.events('insuranceTakeover', DAVE).map((e) => e.insuranceTakeover!);
    assert.deepEqual(takeovers.map((t) => t.market), ['BTCUSDT', 'ETHUSDT']);
    const [btc, eth] = takeovers as [(typeof takeovers)[0], (typeof takeovers)[0]];
    assert.equal(btc.fillPriceTicks, 1);
    assert.equal(btc.bankruptcyPriceTicks, -428_814); // −42,881.4 (short: rounded down)
    assert.equal(btc.bankruptcyAmountUnits, 42_881_379_311); // ceil(72,881.379310… − 30,000) in micro-USDT
    assert.equal(btc.tickDifferenceUnits, 0);
    // Dave pays 0.1 for the buy instead of receiving 42,881.38: that is the shortfall
    assert.equal(btc.shortfallUnits, 42_881_379_311 + 100_000);
    // the shortfall stays in the scope, so ETH's BP carries it: E = −88,065 + 30,000 − 0.1 (the short's gain at 0.1)
    // = −58,065.1; ETH BP = (50 × 100 + 58,065.1) / 50 = 1,261.302 → 1,261.31 (long: rounded up)
    assert.equal(eth.bankruptcyPriceTicks, 126_131);
    assert.equal(eth.fillPriceTicks, 126_131);
    assert.equal(eth.shortfallUnits, 0);
    assert.equal(v.positionLots(DAVE, 'BTCUSDT'), 0);
    assert.equal(v.positionLots(DAVE, 'ETHUSDT'), 0);
    const [done] = v.events('completed', DAVE);
    assert.equal(done?.completed?.outcome, 2);
    assert.equal(done?.completed?.uncoveredDeficitUnits, 0);
    assert.equal(v.walletUnits(DAVE), 0);
    // at mark the fund is down by exactly Dave's negative equity, give or take the rounding units
    const fundLoss = fundEquityBefore - v.pipeline.risk.engine.accountReport(fund)!.cross.equityUnits;
    assert.ok(Math.abs(fundLoss - USDT('88065')) <= 2, `fund loss ${fundLoss}`);
    assert.deepEqual(problems, []);
    v.assertConserved();
    await v.close();
  });

  it('empty fund: the short is deleveraged at the minimum price; what nobody can cover is recorded as bad debt on the account', async () => {
    const { v, problems } = await auditedVenue('0');
    await daveShortBtcLongEth(v, '70', '9000');
    // WB = 9,000 − 70 − 15 = 8,915; ETH at 500: UPnL −105,000, E = −96,085.
    // MM: ETH 212.5 (35,000 × 0.65% − 15), BTC 120: ETH goes first, deleveraged against the maker at its BP;
    // that leaves E = −96,085 × 120 / 332.5 = −34,677.29… on the BTC short: BP = 30,000 − 34,677.29 < 1 tick.
    v.index('ETHUSDT', '500');
    const adl = v.events('positionDeleveraged', DAVE).map((e) => e.positionDeleveraged!);
    assert.deepEqual(adl.map((d) => [d.market, d.counterpartyAccountId, Number(d.qtyLots)]), [['ETHUSDT', MAKER, 7000], ['BTCUSDT', MAKER, 1000]]);
    const btc = adl[1]!;
    assert.ok(Number(btc.bankruptcyPriceTicks) < 1);
    assert.equal(btc.fillPriceTicks, 1);
    assert.equal(btc.tickDifferenceUnits, 0);
    // both legs at 0.1: the maker's long closes at the minimum price, Dave pays 0.1 and is short of the rest
    assert.deepEqual(deleveragedLegs(v, DAVE).at(-1), [1000, 1]);
    assert.deepEqual(deleveragedLegs(v, MAKER).at(-1), [-1000, 1]);
    assert.equal(Number(btc.shortfallUnits), Number(btc.bankruptcyAmountUnits) + 100_000);
    assert.equal(btc.bankruptcyAmountUnits, 4_677_293_233); // ceil(34,677.293233… − 30,000) in micro-USDT
    assert.equal(btc.shortfallUnits, 4_677_393_233);
    // completion: no other collateral, the fund covers what it holds (the ETH run's tick differences), the rest is bad debt
    const [done] = v.events('completed', DAVE);
    assert.equal(done?.completed?.outcome, 2);
    const eth = adl[0]!;
    assert.equal(done?.completed?.deficitCoveredUnits, eth.tickDifferenceUnits);
    assert.equal(Number(done?.completed?.uncoveredDeficitUnits), Number(btc.shortfallUnits) - Number(eth.tickDifferenceUnits));
    assert.equal(v.walletUnits(DAVE), -Number(done?.completed?.uncoveredDeficitUnits));
    assert.equal(v.fundUnits(), 0);
    assert.equal(v.positionLots(DAVE, 'BTCUSDT'), 0);
    assert.equal(v.positionLots(MAKER, 'BTCUSDT'), 0);
    assert.equal(v.pipeline.liquidation.engine.activeCount(), 0);
    assert.deepEqual(problems, []);
    v.assertConserved();
    await v.close();
  });
});

describe('ADL when no ranked trader holds the opposite side', () => {
  it('the only opposite position belongs to a scope whose own ladder is cooling down: it is deleveraged at the liquidated position’s BP, and both ladders complete', async () => {
    // 60 s between partial steps: Bob's ladder waits after its first ETH step
    const { v, problems } = await auditedVenue('0', { partial: { cooldownMs: 60_000 } });
    v.deposit(MAKER, '10000000');
    v.deposit(ALICE, '1000.03');
    v.deposit(BOB, '6000');
    v.leverage(ALICE, 'BTCUSDT', 50);
    v.leverage(BOB, 'BTCUSDT', 20);
    v.leverage(BOB, 'ETHUSDT', 20);
    v.index('BTCUSDT', '30000');
    v.index('ETHUSDT', '2000');
    // Alice long 1 BTC from the maker; Bob short 1 BTC to the maker (the maker ends flat) and long 40 ETH
    v.order(MAKER, 'BTCUSDT', 'SELL', '30000', '1');
    assert.equal(v.order(ALICE, 'BTCUSDT', 'BUY', '30000', '1', 'IOC'), undefined);
    v.order(MAKER, 'BTCUSDT', 'BUY', '30000', '1');
    assert.equal(v.order(BOB, 'BTCUSDT', 'SELL', '30000', '1', 'IOC'), undefined);
    v.order(MAKER, 'ETHUSDT', 'SELL', '2000', '40');
    assert.equal(v.order(BOB, 'ETHUSDT', 'BUY', '2000', '40', 'IOC'), undefined);
    assert.equal(v.positionLots(MAKER, 'BTCUSDT'), 0);
    v.order(MAKER, 'BTCUSDT', 'BUY', '20000', '1'); // a thin BTC book far below Alice's BP
    v.index('ETHUSDT', '1900');
    v.order(MAKER, 'ETHUSDT', 'BUY', '1855', '8'); // absorbs Bob's first ETH step (20% of 40)
    // ETH at 1,855: Bob is liquidating; his first step sells 8 ETH into the bid, then his ladder cools down
    v.index('ETHUSDT', '1855');
    assert.equal(v.events('stepOrdered', BOB).length, 1);
    assert.equal(v.events('fill', BOB).length, 1);
    assert.equal(v.pipeline.risk.engine.ledger.readScope({ accountId: BOB }).state, 'LIQUIDATING');
    // BTC at 29,100: Alice is liquidating; her IOC finds no bid near BP 29,015.0 and the fund (0) cannot take her long.
    // The only short is Bob's, and Bob is being liquidated himself: he is the counterparty, at her BP
    v.index('BTCUSDT', '29100');
    const adl = v.events('positionDeleveraged', ALICE).map((e) => e.positionDeleveraged!);
    assert.deepEqual(
      adl.map((d) => [d.counterpartyAccountId, d.counterpartyKind, Number(d.qtyLots), Number(d.bankruptcyPriceTicks), Number(d.counterpartyRemainingLots)]),
      [[BOB, 3, 1000, 290_150, 0]], // ADL_COUNTERPARTY_KIND_LIQUIDATING_SCOPE
    );
    assert.deepEqual(deleveragedLegs(v, ALICE), [[-1000, 290_150]]);
    assert.deepEqual(deleveragedLegs(v, BOB), [[1000, 290_150]]);
    assert.equal(v.positionLots(ALICE, 'BTCUSDT'), 0);
    assert.equal(v.positionLots(BOB, 'BTCUSDT'), 0);
    assert.equal(v.events('completed', ALICE)[0]?.completed?.outcome, 2);
    // Bob's ladder resumes after its cooldown on his smaller book (read from risk) and completes
    assert.equal(v.events('completed', BOB).length, 0);
    v.index('ETHUSDT', '1855', 61);
    assert.equal(v.events('completed', BOB).length + v.events('aborted', BOB).length, 1);
    assert.equal(v.pipeline.risk.engine.ledger.heldLiquidations().length, 0);
    assert.deepEqual(problems, []);
    v.assertConserved();
    await v.close();
  });
});
