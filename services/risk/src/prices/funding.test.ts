/**
 * Funding on schedule (RISK-SPEC §5.3–§5.7): premium samples from the book's impact
 * prices, the rate at each funding time, the cumulative index, lazy settlement on
 * touch, and the truncation residue kept in the market's funding pool.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fundingRate } from '@perpcore/margin';
import { type RiskHarness, USDT, btcSubticks, btcTicks, fundedPair } from '../risk-harness.test-support.js';

const LONG = 1;
const SHORT = 2;
const MAKER = 10;

/** Long 333 lots vs short 333 lots at 30,000.0; funding every 60 s, samples every 5 s. */
const pair = (): RiskHarness => fundedPair(LONG, SHORT);

function toFirstFunding(h: RiskHarness): void {
  const next = h.engine.state.funding[0].nextFundingMs;
  h.engine.advanceTime(next * 1_000_000 + 1);
  h.drain();
}

describe('funding', () => {
  it('applies the clamped interest rate with an empty book, and settles on touch with the residue in the pool', () => {
    const h = pair();
    toFirstFunding(h);
    const [settled] = h.eventsOf('fundingSettled');
    const f = settled.fundingSettled!;
    // no impact prices → premium 0 → F = I × 60 / 28,800 = 20.83 → 20 (toward zero)
    assert.equal(f.rateE8, 20);
    assert.equal(f.fundingPriceSubticks, btcSubticks('30000.05'));
    assert.equal(f.indexDeltaScaledUnits, String(20 * 30_000_050 * 100));
    const market = h.engine.state.markets[0];
    assert.equal(market.fundingPoolUnits, 0, 'nothing moves until a position is touched');
    const report = h.engine.accountReport(LONG)!;
    assert.equal(report.cross.positions[0].pendingFundingUnits, 1_999); // ceil(1,998.0033): payers pay the ceiling
    assert.equal(h.engine.accountReport(SHORT)!.cross.positions[0].pendingFundingUnits, -1_998); // receivers get the floor
    h.withdraw(LONG, 1);
    h.withdraw(SHORT, 1);
    assert.equal(market.fundingPoolUnits, 1, 'the truncation residue stays in the funding pool');
    assert.equal(market.fundingResidueScaled, 10_000_000_000n); // one unit × S
    assert.ok(h.engine.audit().ok, h.engine.audit().problems.join('; '));
    const wallet = (id: number) => h.engine.accountReport(id)!.collateral[0].balanceUnits;
    assert.equal(wallet(LONG), 10_000 * USDT - 4_995_000 - 1_999 - 1); // taker fee on 9,990 USDT, funding, the withdrawn unit
    assert.equal(wallet(SHORT), 10_000 * USDT - 1_998_000 + 1_998 - 1); // maker fee, funding received, the withdrawn unit
  });

  it('takes the premium from the impact prices: bids and asks above the index make longs pay more', () => {
    const h = pair();
    h.deposit(MAKER, 1_000_000 * USDT);
    h.place({ account: MAKER, side: 'buy', priceTicks: btcTicks('30030'), lots: 10_000 });
    h.place({ account: MAKER, side: 'sell', priceTicks: btcTicks('30040'), lots: 10_000 });
    h.index('BTCUSDT', btcSubticks('30000'), 0);
    toFirstFunding(h);
    const f = h.eventsOf('fundingSettled')[0].fundingSettled!;
    // impact bid 30,030 and ask 30,040 over index 30,000 → P = +0.1% per sample
    assert.equal(f.rateE8, fundingRate(h.engine.state.markets[0].params, 100_000).rateE8);
    assert.equal(f.rateE8, 104); // 0.1% − clamp 0.05% = 0.05% per 8 h, × 60 / 28,800
    assert.ok(h.engine.accountReport(LONG)!.cross.positions[0].pendingFundingUnits > 0);
    assert.ok(h.engine.accountReport(SHORT)!.cross.positions[0].pendingFundingUnits < 0);
    assert.equal(h.eventsOf('fundingRate').at(-1)?.fundingRate?.rateE8, 104, 'the running estimate was published');
    assert.ok(h.engine.audit().ok);
  });

  it('settles pending funding before a fill changes the position', () => {
    const h = pair();
    toFirstFunding(h);
    h.deposit(MAKER, 1_000_000 * USDT);
    h.place({ account: MAKER, side: 'buy', priceTicks: btcTicks('30000'), lots: 1 });
    h.place({ account: LONG, side: 'sell', priceTicks: btcTicks('30000'), lots: 1 });
    const leg = h.eventsOf('positionSettled', LONG).at(-1)!.positionSettled!;
    assert.equal(leg.fundingSettledUnits, 1_999);
    assert.equal(leg.positionAfterLots, 332);
    assert.equal(h.engine.accountReport(LONG)!.cross.positions[0].pendingFundingUnits, 0);
  });
});
