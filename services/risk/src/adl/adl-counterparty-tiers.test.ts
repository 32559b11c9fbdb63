/**
 * ADL when the ranked traders cannot cover the position (adl-queue.ts tiers): the
 * fund's own opposite position, then opposite scopes that are themselves being
 * liquidated, at the liquidated position's one bankruptcy price. Long = short, so the
 * run always closes the whole position; the audit holds to the unit after it.
 *
 * BTCUSDT, default tiers (0.4% MMR up to 50,000 notional), taker fee 0.05%.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FillType } from '@perpcore/domain';
import { AdlCounterpartyKind } from './adl-queue.js';
import { FUND_ACCOUNT, RiskHarness, USDT, btcSubticks, btcTicks, fundShortAliceLiquidating, riskConfig, withFundSeed } from '../risk-harness.test-support.js';

const MAKER = 10;
const ALICE = 1;
const BOB = 2;
const CAROL = 3;
const DAN = 4;

const ctx = (h: RiskHarness) => ({ liquidationId: 7, tsNs: h.step(1_000) });

function lotsOf(h: RiskHarness, accountId: number, market = 'BTCUSDT'): number {
  const s = h.engine.state;
  const slot = s.accounts.slotOf(accountId);
  const r = s.ledger.rowOf(s.accounts.firstRow[slot], s.setup.marketIndex.get(market)!);
  return r < 0 ? 0 : s.ledger.qtyLots[r];
}

function assertAudited(h: RiskHarness): void {
  const audit = h.engine.audit();
  assert.ok(audit.ok, audit.problems.join('; '));
}

/** Alice: 1,000.03 USDT at 50×, long 1 BTC at 30,000 from the maker (WB 985.03); liquidating at 29,100 with BP 29,015.0. */
function aliceLong(h: RiskHarness): void {
  h.deposit(ALICE, 1_000_030_000);
  h.setLeverage(ALICE, 'BTCUSDT', 50);
  h.place({ account: MAKER, side: 'sell', priceTicks: btcTicks('30000'), lots: 1000 });
  assert.equal(h.place({ account: ALICE, side: 'buy', priceTicks: btcTicks('30000'), lots: 1000 }), '');
}

/**
 * Alice long (`aliceLong`), then each of `shorts`, cross 20×: long 5 ETH at 2,000 and short
 * 1 BTC at 30,000 (WB 2,080), both against the maker. At ETH 1,600 each is liquidating
 * (E = 80 ≤ MM 160; no ladder here: risk holds them LIQUIDATING).
 */
function aliceLongAgainstEthLongBtcShorts(shorts: readonly number[]): RiskHarness {
  const h = new RiskHarness(withFundSeed(riskConfig(), 0));
  h.index('BTCUSDT', btcSubticks('30000'));
  h.index('ETHUSDT', 2_000 * 10_000);
  h.deposit(MAKER, 1_000_000 * USDT);
  aliceLong(h);
  for (const k of shorts) {
    h.deposit(k, 2_100 * USDT);
    h.setLeverage(k, 'BTCUSDT', 20);
    h.setLeverage(k, 'ETHUSDT', 20);
    h.place({ account: MAKER, market: 'ETHUSDT', side: 'sell', priceTicks: 200_000, lots: 500 });
    assert.equal(h.place({ account: k, market: 'ETHUSDT', side: 'buy', priceTicks: 200_000, lots: 500 }), '');
    h.place({ account: MAKER, side: 'buy', priceTicks: btcTicks('30000'), lots: 1000 });
    assert.equal(h.place({ account: k, side: 'sell', priceTicks: btcTicks('30000'), lots: 1000 }), '');
  }
  h.index('ETHUSDT', 1_600 * 10_000);
  for (const k of shorts) assert.equal(h.eventsOf('liquidationTriggered', k).length, 1);
  return h;
}

describe('ADL counterparty tiers', () => {
  it('the ranked trader first, then the fund’s own opposite position, both at the one BP; nothing is left for a next round', () => {
    // Carol short 0.4 BTC to the maker as well; the fund takes Bob's short 2 over at 30,600
    const h = fundShortAliceLiquidating(62_000 * USDT, { maker: MAKER, alice: ALICE, bob: BOB }, (x) => {
      x.deposit(CAROL, 10_000 * USDT);
      x.place({ account: MAKER, side: 'buy', priceTicks: btcTicks('30000'), lots: 400 });
      assert.equal(x.place({ account: CAROL, side: 'sell', priceTicks: btcTicks('30000'), lots: 400 }), '');
    });
    assert.equal(lotsOf(h, FUND_ACCOUNT), -2000);
    // the opposite side: Carol 0.4 (ranked), the fund 2 (Bob is flat)
    const run = h.engine.ledger.applyDeleverage({ accountId: ALICE }, 'BTCUSDT', ctx(h));
    assert.equal(run.qtyLots, 1000);
    assert.equal(run.fillPriceTicks, btcTicks('29015'));
    assert.deepEqual(
      run.legs.map((l) => [l.counterpartyAccountId, l.kind, l.qtyLots, l.counterpartyPositionLots, l.counterpartyRemainingLots]),
      [
        [CAROL, AdlCounterpartyKind.RankedTrader, 400, -400, 0],
        [FUND_ACCOUNT, AdlCounterpartyKind.InsuranceFund, 600, -2000, -1400],
      ],
    );
    // the parts add up to the whole BPamount, to the unit
    assert.equal(run.legs.reduce((a, l) => a + l.bankruptcyAmountUnits, 0), run.bankruptcyAmountUnits);
    assert.equal(lotsOf(h, ALICE), 0);
    assert.equal(lotsOf(h, FUND_ACCOUNT), -1400);
    // every leg on both sides is DELEVERAGED at the one price
    const legs = h.events.filter((e) => e.event === 'positionSettled' && e.positionSettled?.fillType === FillType.Deleveraged);
    assert.deepEqual(legs.map((e) => [e.accountId, Number(e.positionSettled!.fillQtyLots), Number(e.positionSettled!.priceTicks)]), [
      [ALICE, -400, btcTicks('29015')],
      [CAROL, 400, btcTicks('29015')],
      [ALICE, -600, btcTicks('29015')],
      [FUND_ACCOUNT, 600, btcTicks('29015')],
    ]);
    assertAudited(h);
  });

  it('an opposite side held only by a scope that is being liquidated itself: it is deleveraged at the liquidated position’s BP, which raises its equity', () => {
    // Bob's short 1 BTC is the only one: the maker ends flat in BTC
    const h = aliceLongAgainstEthLongBtcShorts([BOB]);
    assert.equal(lotsOf(h, MAKER), 0);
    h.index('BTCUSDT', btcSubticks('29100'));
    assert.equal(h.eventsOf('liquidationTriggered', ALICE).length, 1);
    const bobBefore = h.engine.ledger.readScope({ accountId: BOB });
    assert.equal(bobBefore.state, 'LIQUIDATING');
    assert.deepEqual(h.engine.ledger.adlQueue({ accountId: ALICE }, 'BTCUSDT'), [], 'no ranked trader holds the opposite side');
    const run = h.engine.ledger.applyDeleverage({ accountId: ALICE }, 'BTCUSDT', ctx(h));
    assert.deepEqual(run.legs.map((l) => [l.counterpartyAccountId, l.kind, l.qtyLots, l.counterpartyRemainingLots]), [[BOB, AdlCounterpartyKind.LiquidatingScope, 1000, 0]]);
    assert.equal(run.fillPriceTicks, btcTicks('29015'));
    assert.equal(lotsOf(h, ALICE), 0);
    assert.equal(lotsOf(h, BOB), 0);
    // Bob bought back at 29,015.0 with the mark at 29,100: 85 USDT better than at mark
    const bobAfter = h.engine.ledger.readScope({ accountId: BOB });
    assert.equal(bobAfter.equityUnits - bobBefore.equityUnits, 85 * USDT);
    assert.equal(bobAfter.state, 'LIQUIDATING', 'his own ladder still owns his scope and re-reads it');
    assertAudited(h);
  });

  it('liquidating scopes whose own step IOC is still out in the market are taken last', () => {
    const twoLiquidatingShorts = (): RiskHarness => {
      const h = aliceLongAgainstEthLongBtcShorts([BOB, DAN]);
      h.index('BTCUSDT', btcSubticks('29100'));
      for (const k of [ALICE, BOB, DAN]) assert.equal(h.engine.ledger.readScope({ accountId: k }).state, 'LIQUIDATING');
      return h;
    };
    const plain = twoLiquidatingShorts();
    const byId = plain.engine.ledger.applyDeleverage({ accountId: ALICE }, 'BTCUSDT', ctx(plain));
    assert.deepEqual(byId.legs.map((l) => [l.counterpartyAccountId, l.kind]), [[BOB, AdlCounterpartyKind.LiquidatingScope]], 'by account id');
    const h = twoLiquidatingShorts();
    const run = h.engine.ledger.applyDeleverage({ accountId: ALICE }, 'BTCUSDT', ctx(h), [{ accountId: BOB }]);
    assert.deepEqual(run.legs.map((l) => [l.counterpartyAccountId, l.qtyLots]), [[DAN, 1000]]);
    assert.equal(lotsOf(h, BOB), -1000);
    assertAudited(h);
  });
});
