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
import { TestVenue, USDT } from './test-venue.test-support.js';

const MAKER = 1;
const ALICE = 2;
const BOB = 3;
const CAROL = 4;
const DAVE = 5;

/** Opens a venue whose risk audit is checked after every liquidation event (each follows a whole ledger call). */
async function auditedVenue(fundUsdt: string): Promise<{ v: TestVenue; problems: string[] }> {
  const v = await TestVenue.open({ fundUsdt });
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
