/**
 * The liquidation engine's port: every money movement of the ladder happens in the
 * risk engine, emits events, and keeps §9's invariants (audited after each call).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FillType } from '@perpcore/domain';
import { FUND_ACCOUNT, RiskHarness, USDT, aliceLiquidatingAt29100, btcSubticks, btcTicks, riskConfig, withFundSeed } from '../risk-harness.test-support.js';
import { RiskRejection } from '../risk-reject-codes.js';

const MAKER = 10;
const ALICE = 1;
const CAROL = 3;
const DAVE = 4;

const aliceLiquidating = () => aliceLiquidatingAt29100(ALICE, MAKER);

const ctx = (h: RiskHarness) => ({ liquidationId: 1, tsNs: h.step(1_000) });

/**
 * Dave, cross, 20x: long 50 ETH at 2,000 and short 1 BTC at 30,000 (WB 6,935 after fees);
 * ETH gaps to 100: E = −88,065, and the short's share of it (120 / 145 of MM) exceeds its
 * notional, so its bankruptcy price is below one tick (RISK-SPEC §8, issue 9 item 8).
 */
function daveShortBelowOneTick(fundUnits: number): RiskHarness {
  const h = new RiskHarness(withFundSeed(riskConfig(), fundUnits));
  h.index('BTCUSDT', btcSubticks('30000'));
  h.index('ETHUSDT', 2_000 * 10_000);
  h.deposit(MAKER, 1_000_000 * USDT);
  h.deposit(DAVE, 7_000 * USDT);
  h.setLeverage(DAVE, 'BTCUSDT', 20);
  h.setLeverage(DAVE, 'ETHUSDT', 20);
  h.place({ account: MAKER, market: 'ETHUSDT', side: 'sell', priceTicks: 200_000, lots: 5_000 });
  assert.equal(h.place({ account: DAVE, market: 'ETHUSDT', side: 'buy', priceTicks: 200_000, lots: 5_000 }), '');
  h.place({ account: MAKER, side: 'buy', priceTicks: btcTicks('30000'), lots: 1000 });
  assert.equal(h.place({ account: DAVE, side: 'sell', priceTicks: btcTicks('30000'), lots: 1000 }), '');
  h.index('ETHUSDT', 100 * 10_000);
  assert.equal(h.eventsOf('liquidationTriggered', DAVE).length, 1);
  return h;
}

describe('risk ledger (liquidation port)', () => {
  it('reads the scope exactly and prices its bankruptcy', () => {
    const h = aliceLiquidating();
    const scope = h.engine.ledger.readScope({ accountId: ALICE });
    assert.equal(scope.state, 'LIQUIDATING');
    assert.equal(scope.liquidationId, 1);
    assert.equal(scope.equityUnits, 85_030_000);
    assert.equal(scope.maintenanceUnits, 116_400_000);
    assert.deepEqual(scope.positions.map((p) => [p.market, p.qtyLots, p.costUnits]), [['BTCUSDT', 1000, 30_000 * USDT]]);
    const bp = h.engine.ledger.bankruptcyOf({ accountId: ALICE }, 'BTCUSDT', 1000);
    assert.equal(bp.amountUnits, 29_014_970_000); // C − WB: the whole position closes at E = 0
    assert.equal(bp.limitPriceTicks, btcTicks('29015')); // long: rounded up to the tick
  });

  it('insurance takeover at BP: the account receives exactly BPamount, the tick difference goes to the fund', () => {
    const h = aliceLiquidating();
    const fundBefore = h.engine.ledger.fundBalanceUnits();
    const result = h.engine.ledger.applyInsuranceTakeover({ accountId: ALICE }, 'BTCUSDT', ctx(h));
    assert.deepEqual(result, {
      qtyLots: 1000,
      bankruptcyAmountUnits: 29_014_970_000,
      bankruptcyPriceTicks: btcTicks('29015'),
      fillPriceTicks: btcTicks('29015'),
      tickDifferenceUnits: 30_000,
      shortfallUnits: 0,
    });
    const alice = h.engine.accountReport(ALICE)!;
    assert.equal(alice.cross.positions.length, 0);
    assert.equal(alice.collateral[0].balanceUnits, 0, 'a full close at BP leaves E = 0');
    const fund = h.engine.accountReport(FUND_ACCOUNT)!;
    assert.deepEqual(fund.cross.positions.map((p) => [p.qtyLots, p.costUnits]), [[1000, 29_015 * USDT]]);
    assert.equal(h.engine.ledger.fundBalanceUnits() - fundBefore, 30_000);
    const legs = h.eventsOf('positionSettled').slice(-2).map((e) => [e.accountId, e.positionSettled!.fillType, e.positionSettled!.fillQtyLots, e.positionSettled!.feeUnits]);
    assert.deepEqual(legs, [[ALICE, FillType.Liquidation, -1000, 0], [FUND_ACCOUNT, FillType.Liquidation, 1000, 0]]);
    assert.equal(h.eventsOf('ledgerTransfer', FUND_ACCOUNT).at(-1)!.ledgerTransfer!.amountUnits, 30_000);
    assert.equal(h.engine.ledger.sweepResidue({ accountId: ALICE }, ctx(h)), 0);
    assert.equal(h.engine.ledger.releaseLiquidation({ accountId: ALICE }, h.step(1)), 'HEALTHY');
    assert.ok(h.engine.audit().ok, h.engine.audit().problems.join('; '));
  });

  it('ADL: closes the whole position against the ranked opposite positions at one BP, both legs DELEVERAGED, no fee, the counterparty’s orders cancelled', () => {
    const h = aliceLiquidating();
    const restingOrder = h.nextOrderId;
    h.place({ account: MAKER, side: 'sell', priceTicks: btcTicks('31000'), lots: 5 });
    const result = h.engine.ledger.applyDeleverage({ accountId: ALICE }, 'BTCUSDT', ctx(h));
    h.drain(); // the cancels risk sent reach the book
    assert.equal(result.qtyLots, 1000);
    assert.equal(result.bankruptcyPriceTicks, btcTicks('29015'));
    assert.equal(result.fillPriceTicks, btcTicks('29015'));
    assert.deepEqual(result.legs.map((l) => [l.counterpartyAccountId, l.qtyLots, l.counterpartyPositionLots, l.counterpartyRemainingLots]), [[MAKER, 1000, -1000, 0]]);
    assert.equal(result.legs[0]!.bankruptcyAmountUnits, 29_014_970_000);
    assert.equal(result.tickDifferenceUnits, 30_000);
    assert.equal(h.engine.accountReport(ALICE)!.cross.positions.length, 0);
    assert.equal(h.engine.accountReport(ALICE)!.collateral[0].balanceUnits, 0, 'the account nets exactly BPamount');
    const legs = h.eventsOf('positionSettled').slice(-2);
    assert.deepEqual(
      legs.map((e) => [e.accountId, e.positionSettled!.fillType, e.positionSettled!.feeUnits, e.positionSettled!.priceTicks]),
      [[ALICE, FillType.Deleveraged, 0, btcTicks('29015')], [MAKER, FillType.Deleveraged, 0, btcTicks('29015')]],
    );
    assert.equal(h.books.get('BTCUSDT')!.getOrder(restingOrder), undefined);
    assert.ok(h.engine.audit().ok, h.engine.audit().problems.join('; '));
  });

  it('charges the clearance fee to the fund and covers a deficit left by a bad fill, never below the fund’s own balance', () => {
    const h = aliceLiquidating();
    h.engine.ledger.chargeClearanceFee({ accountId: ALICE }, 'BTCUSDT', 5 * USDT, ctx(h));
    assert.equal(h.engine.accountReport(ALICE)!.collateral[0].balanceUnits, 980_030_000);
    // a liquidation IOC fill far below BP leaves the wallet negative
    h.engine.onFill(0, 99, MAKER, 0, ALICE, 0, -1, btcTicks('28000'), 1000, 0, 0, FillType.Liquidation, h.step(1));
    assert.equal(h.engine.accountReport(ALICE)!.collateral[0].balanceUnits, -1_019_970_000);
    const fund = h.engine.ledger.fundBalanceUnits();
    assert.equal(h.engine.ledger.coverDeficit({ accountId: ALICE }, ctx(h)), 1_019_970_000);
    assert.equal(h.engine.ledger.fundBalanceUnits(), fund - 1_019_970_000);
    assert.equal(h.engine.accountReport(ALICE)!.collateral[0].balanceUnits, 0);
    assert.ok(h.engine.audit().ok, h.engine.audit().problems.join('; '));
  });

  it('converts other collateral at index, with its haircut, to cover a negative wallet', () => {
    const h = new RiskHarness(withFundSeed(riskConfig(), 50_000 * USDT));
    h.index('BTCUSDT', btcSubticks('30000'));
    h.deposit(MAKER, 1_000_000 * USDT);
    h.deposit(CAROL, 300 * USDT);
    h.deposit(CAROL, 3_000_000, 'BTC'); // 0.03 BTC = 900 USDT at index, 855 accepted (95%)
    assert.equal(h.engine.accountReport(CAROL)!.acceptedCollateralUnits, 1_155 * USDT);
    h.setLeverage(CAROL, 'BTCUSDT', 50);
    h.place({ account: MAKER, side: 'sell', priceTicks: btcTicks('30000'), lots: 1000 });
    assert.equal(h.place({ account: CAROL, side: 'buy', priceTicks: btcTicks('30000'), lots: 1000 }), '');
    h.index('BTCUSDT', btcSubticks('28900')); // E = 285 − 1,100 + 823.65 = 8.65 ≤ MM 115.6
    assert.equal(h.eventsOf('liquidationTriggered', CAROL).length, 1);
    const result = h.engine.ledger.applyInsuranceTakeover({ accountId: CAROL }, 'BTCUSDT', ctx(h));
    assert.equal(result.bankruptcyAmountUnits, 28_891_350_000); // q × M − E
    assert.equal(h.engine.accountReport(CAROL)!.collateral[0].balanceUnits, -823_650_000);
    assert.equal(h.engine.ledger.convertCollateralOnDeficit(CAROL, ctx(h)), 823_650_000);
    const carol = h.engine.accountReport(CAROL)!;
    assert.deepEqual(carol.collateral.map((c) => c.balanceUnits), [0, 0]); // 823.65 / 95% = 867 USDT = 0.03 BTC at 28,900
    assert.equal(h.engine.accountReport(FUND_ACCOUNT)!.collateral[1].balanceUnits, 3_000_000);
    assert.ok(h.engine.audit().ok, h.engine.audit().problems.join('; '));
  });

  it('refuses what the ladder may not do, changing nothing', () => {
    const h = aliceLiquidating();
    const hash = h.engine.stateHash();
    const refuse = (f: () => unknown, code: string) => assert.throws(f, (e: unknown) => e instanceof RiskRejection && e.code === code);
    refuse(() => h.engine.ledger.applyInsuranceTakeover({ accountId: MAKER }, 'BTCUSDT', ctx(h)), 'RISK_INVALID_COMMAND');
    refuse(() => h.engine.ledger.applyDeleverage({ accountId: MAKER }, 'BTCUSDT', ctx(h)), 'RISK_INVALID_COMMAND');
    refuse(() => h.engine.ledger.applyDeleverage({ accountId: ALICE }, 'ETHUSDT', ctx(h)), 'RISK_INVALID_AMOUNT');
    refuse(() => h.engine.ledger.applyInsuranceTakeover({ accountId: ALICE }, 'ETHUSDT', ctx(h)), 'RISK_INVALID_AMOUNT');
    refuse(() => h.engine.ledger.sweepResidue({ accountId: ALICE }, ctx(h)), 'RISK_INVALID_COMMAND');
    refuse(() => h.engine.ledger.readScope({ accountId: 424242 }), 'RISK_UNKNOWN_ACCOUNT');
    assert.equal(h.engine.stateHash(), hash);
  });

  it('a short whose bankruptcy price is below one tick: the fund takes it at 1 tick and the shortfall stays as the scope’s deficit', () => {
    const h = daveShortBelowOneTick(1_000_000 * USDT);
    const bp = h.engine.ledger.bankruptcyOf({ accountId: DAVE }, 'BTCUSDT', 1000);
    assert.equal(bp.limitPriceTicks, -428_814); // −42,881.4: below the book's minimum price
    assert.equal(h.engine.ledger.insuranceTakeoverRefusal({ accountId: DAVE }, 'BTCUSDT'), null);
    const result = h.engine.ledger.applyInsuranceTakeover({ accountId: DAVE }, 'BTCUSDT', ctx(h));
    assert.deepEqual(result, {
      qtyLots: -1000,
      bankruptcyAmountUnits: 42_881_379_311,
      bankruptcyPriceTicks: -428_814,
      fillPriceTicks: 1,
      tickDifferenceUnits: 0,
      shortfallUnits: 42_881_379_311 + 100_000,
    });
    const legs = h.eventsOf('positionSettled').slice(-2).map((e) => [e.accountId, e.positionSettled!.fillQtyLots, e.positionSettled!.priceTicks]);
    assert.deepEqual(legs, [[DAVE, 1000, 1], [FUND_ACCOUNT, -1000, 1]]);
    // Dave's short closed at 0.1 (a gain of 29,999.9 on his 30,000 entry); no transfer for the shortfall
    assert.equal(h.engine.accountReport(DAVE)!.collateral[0].balanceUnits, 6_935 * USDT + 29_999_900_000);
    assert.deepEqual(h.engine.accountReport(FUND_ACCOUNT)!.cross.positions.map((p) => [p.market, p.qtyLots, p.costUnits]), [['BTCUSDT', -1000, -100_000]]);
    // the scope still holds the ETH long, whose BP now carries the shortfall: E = −88,065 + 29,999.9
    assert.equal(h.engine.ledger.readScope({ accountId: DAVE }).equityUnits, -58_065_100_000);
    assert.ok(h.engine.audit().ok, h.engine.audit().problems.join('; '));
  });

  it('the takeover test counts the shortfall as the fund’s cost: a fund that could hold the position but not also cover the shortfall refuses', () => {
    // 50,000 would cover the short at mark (−29,999.9) but not that plus the 42,881.48 shortfall
    const h = daveShortBelowOneTick(50_000 * USDT);
    const hash = h.engine.stateHash();
    assert.match(h.engine.ledger.insuranceTakeoverRefusal({ accountId: DAVE }, 'BTCUSDT') ?? '', /fund equity at mark would be -22881/);
    assert.equal(h.engine.stateHash(), hash);
  });
});
