/**
 * Liquidation scenarios that read like the venue's own examples (RISK-SPEC §8),
 * on the real pipeline: BTCUSDT (0.4% MMR in the first tier, 1.25% clearance fee),
 * mark = index, fees 0.02% maker / 0.05% taker.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aliceLong1BtcAt30k, TestVenue, USDT } from './test-venue.test-support.js';

const MAKER = 1;
const ALICE = 2;
const BOB = 3;
const CAROL = 4;
const DAVE = 5;
const ERIN = 6;


describe('liquidation scenarios', () => {
  it('thin book: the IOC at the bankruptcy price finds nothing, the insurance fund takes the position at BP', async () => {
    const v = await aliceLong1BtcAt30k({ fundUsdt: '1000000' });
    // WB = 3,100 − 15 taker fee = 3,085; at 27,000: E = 85 ≤ MM 108 → breach
    v.index('BTCUSDT', '27000');
    const [step] = v.events('stepOrdered', ALICE);
    assert.equal(step?.stepOrdered?.qtyLots, 1000);
    // BP = M − E / q = 27,000 − 85 = 26,915.0 (long, rounded up to the tick)
    assert.equal(step?.stepOrdered?.bankruptcyPriceTicks, 269_150);
    assert.equal(v.events('fill', ALICE).length, 0);
    const [takeover] = v.events('insuranceTakeover', ALICE);
    assert.equal(takeover?.insuranceTakeover?.positionLots, 1000);
    assert.equal(takeover?.insuranceTakeover?.bankruptcyAmountUnits, USDT('26915'));
    assert.equal(v.positionLots(ALICE, 'BTCUSDT'), 0);
    assert.equal(v.positionLots(900_002, 'BTCUSDT'), 1000);
    assert.equal(v.walletUnits(ALICE), 0); // the account nets exactly BPamount: nothing left, nothing owed
    assert.equal(v.events('completed', ALICE)[0]?.completed?.outcome, 2);
    v.assertConserved();
    await v.close();
  });

  it('empty fund: the fund cannot take the loss, the most profitable opposite position is deleveraged at BP', async () => {
    const v = await aliceLong1BtcAt30k({ fundUsdt: '0' });
    v.index('BTCUSDT', '27000');
    assert.equal(v.events('insuranceTakeover', ALICE).length, 0);
    const [adl] = v.events('positionDeleveraged', ALICE);
    assert.equal(adl?.positionDeleveraged?.counterpartyAccountId, MAKER);
    assert.equal(adl?.positionDeleveraged?.qtyLots, 1000);
    assert.equal(adl?.positionDeleveraged?.bankruptcyPriceTicks, 269_150);
    assert.equal(v.positionLots(ALICE, 'BTCUSDT'), 0);
    assert.equal(v.positionLots(MAKER, 'BTCUSDT'), 0);
    assert.equal(v.walletUnits(ALICE), 0);
    assert.equal(v.fundUnits(), 0);
    v.assertConserved();
    await v.close();
  });

  it('a book that pays better than BP: the fill leaves a surplus, the clearance fee takes at most that surplus', async () => {
    const v = await aliceLong1BtcAt30k({ fundUsdt: '1000000' });
    assert.equal(v.order(BOB, 'BTCUSDT', 'BUY', '27000', '1'), 'RISK_UNKNOWN_ACCOUNT');
    v.deposit(BOB, '100000');
    assert.equal(v.order(BOB, 'BTCUSDT', 'BUY', '27000', '1'), undefined);
    const fundBefore = v.fundUnits();
    v.index('BTCUSDT', '27000');
    const [fill] = v.events('fill', ALICE);
    // proceeds 27,000 − BPamount 26,915 = 85 surplus; fee min(1.25% × 27,000, 85) = 85
    assert.equal(fill?.fill?.priceTicks, 270_000);
    assert.equal(fill?.fill?.surplusUnits, USDT('85'));
    assert.equal(fill?.fill?.clearanceFeeUnits, USDT('85'));
    assert.equal(v.fundUnits() - fundBefore, USDT('85'));
    assert.equal(v.positionLots(BOB, 'BTCUSDT'), 1000);
    assert.equal(v.walletUnits(ALICE), 0);
    v.assertConserved();
    await v.close();
  });

  it('a position that recovers mid-ladder is handed back (cooldown between steps, price comes back)', async () => {
    const v = await TestVenue.open({ fundUsdt: '1000000', risk: { partial: { cooldownMs: 30_000 } } });
    v.deposit(MAKER, '10000000');
    v.deposit(CAROL, '31000');
    v.leverage(CAROL, 'BTCUSDT', 10);
    v.index('BTCUSDT', '30000');
    v.order(MAKER, 'BTCUSDT', 'SELL', '30000', '10');
    assert.equal(v.order(CAROL, 'BTCUSDT', 'BUY', '30000', '10', 'IOC'), undefined);
    v.order(MAKER, 'BTCUSDT', 'BUY', '27050', '2');
    // 300,000 notional is above the 50,000 one-step threshold: 20% steps
    v.index('BTCUSDT', '27050');
    const steps = v.events('stepOrdered', CAROL);
    assert.equal(steps.length, 1);
    assert.equal(steps[0]?.stepOrdered?.qtyLots, 2000);
    assert.equal(v.positionLots(CAROL, 'BTCUSDT'), 8000);
    // during the cooldown the price recovers; at the next step's re-check the scope is healthy again
    v.index('BTCUSDT', '29500', 10);
    v.index('BTCUSDT', '29600', 25);
    assert.equal(v.events('stepOrdered', CAROL).length, 1);
    assert.equal(v.events('completed', CAROL)[0]?.completed?.outcome, 1); // RESTORED
    assert.equal(v.positionLots(CAROL, 'BTCUSDT'), 8000);
    assert.equal(v.pipeline.liquidation.engine.activeCount(), 0);
    v.assertConserved();
    await v.close();
  });

  it('cross account with several positions: largest MM first (ties by symbol), re-checked after each close', async () => {
    const v = await TestVenue.open({ fundUsdt: '1000000' });
    v.deposit(MAKER, '10000000');
    v.deposit(DAVE, '4100');
    v.leverage(DAVE, 'BTCUSDT', 10);
    v.leverage(DAVE, 'ETHUSDT', 10);
    v.index('BTCUSDT', '30000');
    v.index('ETHUSDT', '2000');
    v.order(MAKER, 'BTCUSDT', 'SELL', '30000', '1');
    v.order(MAKER, 'ETHUSDT', 'SELL', '2000', '5');
    assert.equal(v.order(DAVE, 'BTCUSDT', 'BUY', '30000', '1', 'IOC'), undefined);
    assert.equal(v.order(DAVE, 'ETHUSDT', 'BUY', '2000', '5', 'IOC'), undefined);
    v.order(MAKER, 'BTCUSDT', 'BUY', '26000', '1');
    v.order(MAKER, 'ETHUSDT', 'BUY', '1995', '5');
    // BTC alone falls: WB 4,080, E = 130 ≤ MM 104.2 (BTC) + 50 (ETH): the cross scope breaches.
    // BTC goes first (larger MM); after it closes at 26,000 the scope is still below the line
    // (E 43 ≤ MM 50), so ETH follows.
    v.index('BTCUSDT', '26050');
    const markets = v.events('stepOrdered', DAVE).map((e) => e.stepOrdered?.market);
    assert.deepEqual(markets, ['BTCUSDT', 'ETHUSDT']);
    assert.equal(v.positionLots(DAVE, 'BTCUSDT'), 0);
    assert.equal(v.positionLots(DAVE, 'ETHUSDT'), 0);
    assert.equal(v.events('completed', DAVE)[0]?.completed?.outcome, 2);
    assert.ok(v.walletUnits(DAVE) >= 0);
    v.assertConserved();
    await v.close();
  });

  it('an isolated position is liquidated without touching the same account’s healthy cross scope', async () => {
    const v = await TestVenue.open({ fundUsdt: '1000000' });
    v.deposit(MAKER, '10000000');
    v.deposit(ERIN, '10000');
    v.isolated(ERIN, 'BTCUSDT');
    v.leverage(ERIN, 'BTCUSDT', 10);
    v.index('BTCUSDT', '30000');
    v.index('ETHUSDT', '2000');
    v.order(MAKER, 'ETHUSDT', 'SELL', '2000', '1');
    assert.equal(v.order(ERIN, 'ETHUSDT', 'BUY', '2000', '1', 'IOC'), undefined);
    v.order(MAKER, 'BTCUSDT', 'SELL', '30000', '1');
    assert.equal(v.order(ERIN, 'BTCUSDT', 'BUY', '30000', '1', 'IOC'), undefined);
    const crossWallet = v.walletUnits(ERIN);
    v.index('BTCUSDT', '26000');
    assert.equal(v.positionLots(ERIN, 'BTCUSDT'), 0);
    assert.equal(v.positionLots(ERIN, 'ETHUSDT'), 100);
    assert.equal(v.walletUnits(ERIN), crossWallet);
    const done = v.events('completed', ERIN)[0];
    assert.equal(done?.scope?.mode, 2);
    assert.equal(done?.scope?.market, 'BTCUSDT');
    v.assertConserved();
    await v.close();
  });
});
