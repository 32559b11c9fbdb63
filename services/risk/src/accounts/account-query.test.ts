/**
 * The three questions per account: accepted collateral, which price controls the
 * trigger, distance to the margin call and to liquidation. And the collateral
 * dimension of the breach index: an index move of a collateral asset alone can
 * call an account.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MarginMode } from '@perpcore/domain';
import { RiskHarness, USDT, aliceLong1BtcAt30k, btcSubticks, btcTicks } from '../risk-harness.test-support.js';

const MAKER = 10;
const ALICE = 1;
const BOB = 2;
const CAROL = 3;

describe('account query: the three questions', () => {
  it('answers collateral, price source and distances for a cross long (RISK-SPEC §4 formula)', () => {
    const h = aliceLong1BtcAt30k(ALICE, MAKER);
    h.index('BTCUSDT', btcSubticks('29500'));
    const r = h.engine.accountReport(ALICE)!;
    // 1. accepted collateral
    assert.equal(r.acceptedCollateralUnits, 985 * USDT);
    assert.deepEqual(r.collateral.map((c) => [c.asset, c.balanceUnits, c.acceptedValueUnits]), [['USDT', 985 * USDT, 985 * USDT], ['BTC', 0, 0]]);
    // 2. the price that controls the trigger
    const p = r.cross.positions[0];
    assert.deepEqual(p.priceSource, { oracleSymbol: 'BTCUSDT', markMethod: 'MEDIAN3', markSubticks: btcSubticks('29500'), indexSubticks: btcSubticks('29500'), p1Subticks: btcSubticks('29500'), p2Subticks: btcSubticks('29500'), lastTradeTicks: btcTicks('30000') });
    // 3. distances: E 485, MM 118
    assert.equal(r.cross.equityUnits, 485 * USDT);
    assert.equal(r.cross.maintenanceUnits, 118 * USDT);
    assert.equal(r.cross.distanceToMarginCallUnits, 337_500_000);
    assert.equal(r.cross.distanceToLiquidationUnits, 367 * USDT);
    assert.equal(p.liquidationPrice, '29131.53'); // (985 − 30,000) / (0.004 − 1), long rounded up
    assert.equal(p.marginCallPrice, '29160.81'); // with 1.25 × MM
    assert.equal(p.bankruptcyPriceTicks, btcTicks('29015'));
    assert.equal(r.cross.state, 'HEALTHY');
    assert.equal(r.withdrawableUnits, 0); // max(0, min(WB 985, E 485) − IM 590)
    assert.equal(JSON.parse(JSON.stringify(r)).cross.equityUnits, 485 * USDT, 'JSON-able');
  });

  it('values other collateral at index with its tiered haircut, and calls the account when that index alone falls', () => {
    const h = new RiskHarness();
    h.index('BTCUSDT', btcSubticks('30000'));
    h.index('ETHUSDT', 20_000_000); // 2,000.00
    h.deposit(MAKER, 10_000_000 * USDT);
    h.deposit(CAROL, 15_000_000, 'BTC'); // 0.15 BTC: 4,500 at index, 4,275 accepted
    const before = h.engine.accountReport(CAROL)!;
    assert.deepEqual(before.collateral[1], { asset: 'BTC', balanceUnits: 15_000_000, indexMarket: 'BTCUSDT', indexSubticks: btcSubticks('30000'), acceptedValueUnits: 4_275 * USDT });
    h.setLeverage(CAROL, 'ETHUSDT', 50);
    h.place({ account: MAKER, side: 'sell', market: 'ETHUSDT', priceTicks: 200_000, lots: 10_000 });
    assert.equal(h.place({ account: CAROL, side: 'buy', market: 'ETHUSDT', priceTicks: 200_000, lots: 10_000 }), ''); // 100 ETH, IM 4,000
    assert.equal(h.eventsOf('marginCall', CAROL).length, 0);
    h.index('BTCUSDT', btcSubticks('15000')); // the ETH mark did not move: E = 2,137.5 − 100 fee ≤ 1.25 × MM 1,635
    const [call] = h.eventsOf('marginCall', CAROL);
    assert.equal(call.marginCall!.level!.triggerMarket, 'BTCUSDT');
    assert.equal(call.marginCall!.level!.equityUnits, String(2_037_500_000));
    assert.equal(call.marginCall!.level!.basisUnits, String(1_635 * USDT));
    assert.equal(h.engine.accountReport(CAROL)!.collateral[1].acceptedValueUnits, 2_137_500_000);
  });

  it('reports the cross scope\'s accepted collateral and withdrawable beside an isolated scope (issue 9 item 6)', () => {
    const h = new RiskHarness();
    h.index('BTCUSDT', btcSubticks('30000'));
    h.index('ETHUSDT', 20_000_000); // 2,000.00
    h.deposit(MAKER, 10_000_000 * USDT);
    h.deposit(BOB, 10_000 * USDT);
    h.deposit(BOB, 15_000_000, 'BTC'); // 0.15 BTC: 4,500 at index, 4,275 accepted
    // cross: long 0.1 BTC at 30,000 (taker fee 1.5); isolated: short 10 ETH at 20× (bucket 1,000, fee 10 from it)
    h.place({ account: MAKER, side: 'sell', priceTicks: btcTicks('30000'), lots: 100 });
    assert.equal(h.place({ account: BOB, side: 'buy', priceTicks: btcTicks('30000'), lots: 100 }), '');
    assert.equal(h.setMode(BOB, 'ETHUSDT', MarginMode.Isolated).event, 'commandAccepted');
    h.setLeverage(BOB, 'ETHUSDT', 20);
    h.place({ account: MAKER, side: 'buy', market: 'ETHUSDT', priceTicks: 200_000, lots: 1000 });
    assert.equal(h.place({ account: BOB, side: 'sell', market: 'ETHUSDT', priceTicks: 200_000, lots: 1000 }), '');

    const r = h.engine.accountReport(BOB)!;
    assert.equal(r.isolated.length, 1);
    assert.equal(r.isolated[0].equityUnits, 990 * USDT, 'the bucket, for contrast');
    const walletUnits = 10_000 * USDT - 1_500_000 - 1_000 * USDT; // 8,998.5
    assert.deepEqual(r.collateral.map((c) => [c.asset, c.balanceUnits, c.acceptedValueUnits]), [['USDT', walletUnits, walletUnits], ['BTC', 15_000_000, 4_275 * USDT]]);
    assert.equal(r.acceptedCollateralUnits, walletUnits + 4_275 * USDT, 'WB + haircut BTC, not the isolated bucket');
    assert.equal(r.cross.equityUnits, walletUnits + 4_275 * USDT, 'no UPnL at the entry mark');
    // withdrawable = max(0, min(WB, E_cross) − IM_cross), IM of 0.1 BTC at the default 20× = 150
    assert.equal(r.cross.initialUnits, 150 * USDT);
    assert.equal(r.withdrawableUnits, walletUnits - 150 * USDT);
    // and it is what a withdrawal accepts, to the unit
    assert.equal(h.withdraw(BOB, r.withdrawableUnits + 1).event, 'commandRejected');
    assert.equal(h.withdraw(BOB, r.withdrawableUnits).event, 'commandAccepted');
  });
});
