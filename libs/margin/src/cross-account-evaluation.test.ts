import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError, Side } from '@perpcore/domain';
import { type CrossAccount, type CrossPositionSlot, createCrossEvaluation, evaluateCrossAccount } from './cross-account-evaluation.js';
import { crossEquityUnits } from './equity.js';
import { imfRampInitialMarginUnits } from './imf-ramp.js';
import { positionInitialMarginUnits } from './initial-margin.js';
import { maintenanceMarginUnits } from './maintenance-margin.js';
import { classifyMarginLevel, crossScopeLevels } from './margin-level.js';
import { buildOrderExposure, marketInitialMargin } from './order-margin.js';
import { unrealizedPnlUnits } from './unrealized-pnl.js';
import { btcParams, ethParams, lots, markSubticks, units } from './venue-fixtures.js';

const btc = btcParams();
const eth = ethParams();
const levels = crossScopeLevels([btc, eth]);

function slot(params: typeof btc, marketIndex: number, qtyLots: number, costUnits: number, leverage = 10, pendingFundingUnits = 0): CrossPositionSlot {
  return { params, marketIndex, qtyLots, costUnits, leverage, pendingFundingUnits, orders: null };
}

describe('cross account evaluation (hot path)', () => {
  it('example 2 account: WB 500, long 0.02 BTC at 50,000, 20× → E 500, MM 4, IM 50, HEALTHY', () => {
    const account: CrossAccount = { acceptedCollateralUnits: units('500'), positions: [slot(btc, 0, lots('0.02'), units('1000'), 20)], positionCount: 1 };
    const out = evaluateCrossAccount(account, [markSubticks('50000')], levels, createCrossEvaluation(4));
    assert.equal(out.equityUnits, units('500'));
    assert.equal(out.maintenanceUnits, units('4'));
    assert.equal(out.initialUnits, units('50'));
    assert.equal(out.state, 'HEALTHY');
    // exact LP 25,100.401606…: the subtick above it is CALLED, the subtick below LIQUIDATING
    assert.equal(evaluateCrossAccount(account, [markSubticks('25100.41')], levels, out).state, 'CALLED');
    assert.equal(evaluateCrossAccount(account, [markSubticks('25100.4017')], levels, out).state, 'CALLED');
    assert.equal(evaluateCrossAccount(account, [markSubticks('25100.4016')], levels, out).state, 'LIQUIDATING');
    assert.equal(evaluateCrossAccount(account, [markSubticks('25100.40')], levels, out).state, 'LIQUIDATING');
  });

  it('example 3 account: the state flips exactly at the reported liquidation prices', () => {
    const positions = [slot(btc, 0, lots('109.488'), lots('109.488') * 3_248_198 * 10, 20), slot(eth, 1, lots('3683.979'), lots('3683.979') * 145_684 * 10, 5)];
    const account: CrossAccount = { acceptedCollateralUnits: units('1535443.01'), positions, positionCount: 2 };
    const out = createCrossEvaluation(2);
    const marks = [markSubticks('31967.27'), markSubticks('1335.18')];
    evaluateCrossAccount(account, marks, levels, out);
    assert.equal(out.maintenanceUnits, units('71200.811444') + units('356512.508122'));
    assert.equal(out.upnlUnits, units('-56354.56848') + units('-448192.88514'));
    assert.equal(out.state, 'HEALTHY');
    assert.equal(out.positionMaintenanceUnits[1], units('356512.508122'));
  });

  it('property: equals the readable per-formula functions (equity, MM, IM with orders, state)', () => {
    const position = fc.record({
      market: fc.integer({ min: 0, max: 1 }),
      qtyLots: fc.integer({ min: -2_000_000, max: 2_000_000 }),
      entryTicks: fc.integer({ min: 1, max: 10_000_000 }),
      leverage: fc.integer({ min: 1, max: 75 }),
      pf: fc.integer({ min: -(10 ** 9), max: 10 ** 9 }),
      orders: fc.array(fc.record({ side: fc.constantFrom(Side.Buy, Side.Sell), priceTicks: fc.integer({ min: 1, max: 10_000_000 }), qtyLots: fc.integer({ min: 1, max: 100_000 }) }), { maxLength: 4 }),
    });
    fc.assert(
      fc.property(fc.array(position, { minLength: 1, maxLength: 8 }), fc.integer({ min: -(10 ** 12), max: 10 ** 13 }), fc.array(fc.integer({ min: 1, max: 10 ** 9 }), { minLength: 2, maxLength: 2 }), (ps, collateral, marks) => {
        const markets = [btc, eth];
        const slots = ps.map((p) => {
          const s = slot(markets[p.market], p.market, p.qtyLots, p.qtyLots * p.entryTicks * 10, p.leverage, p.pf);
          s.orders = p.orders.length > 0 ? buildOrderExposure(s.params, p.qtyLots, p.leverage, p.orders) : null;
          return s;
        });
        const out = evaluateCrossAccount({ acceptedCollateralUnits: collateral, positions: slots, positionCount: slots.length }, marks, levels, createCrossEvaluation(8));
        const equity = crossEquityUnits(collateral, slots.map((s) => ({ ...s, markSubticks: marks[s.marketIndex] })));
        let mm = 0;
        let im = 0;
        slots.forEach((s, i) => {
          const m = marks[s.marketIndex];
          const pm = maintenanceMarginUnits(s.params, s.qtyLots, m);
          assert.equal(out.positionMaintenanceUnits[i], pm);
          assert.equal(out.positionUpnlUnits[i], unrealizedPnlUnits(s.params, s.qtyLots, s.costUnits, m));
          mm += pm;
          im += marketInitialMargin(s.params, { qtyLots: s.qtyLots, leverage: s.leverage, markSubticks: m, orders: ps[i].orders }).imUnits;
          assert.ok(positionInitialMarginUnits(s.params, s.qtyLots, m, s.leverage) <= im);
        });
        assert.equal(out.equityUnits, equity);
        assert.equal(out.maintenanceUnits, mm);
        assert.equal(out.initialUnits, im);
        assert.equal(out.state, classifyMarginLevel(equity, mm, levels));
      }),
      { numRuns: 500 },
    );
  });

  it('property: the rare paths (notional × spt past 2^52, MMR above 45%) agree with the readable functions too', () => {
    const heavy = btcParams({ tiers: [{ floorUnits: 0, capUnits: 10 ** 15, maxLeverage: 1, mmrE8: 60_000_000 }] });
    fc.assert(
      fc.property(fc.integer({ min: -9_000_000, max: 9_000_000 }), fc.integer({ min: 1, max: 10 ** 10 }), fc.integer({ min: -(10 ** 14), max: 10 ** 14 }), (q, mark, cost) => {
        const s = slot(heavy, 0, q, cost, 1);
        let expectedMm: number;
        try {
          expectedMm = maintenanceMarginUnits(heavy, q, mark);
        } catch {
          assert.throws(() => evaluateCrossAccount({ acceptedCollateralUnits: 0, positions: [s], positionCount: 1 }, [mark], levels, createCrossEvaluation(1)), DomainError);
          return;
        }
        let out;
        try {
          out = evaluateCrossAccount({ acceptedCollateralUnits: 0, positions: [s], positionCount: 1 }, [mark], levels, createCrossEvaluation(1));
        } catch (e) {
          // only a money total past 2^53 may refuse; the readable UPnL must refuse it too
          assert.ok(e instanceof DomainError && e.code === 'DOMAIN_OUT_OF_RANGE');
          assert.throws(() => unrealizedPnlUnits(heavy, q, cost, mark), DomainError);
          return;
        }
        assert.equal(out.maintenanceUnits, expectedMm);
        assert.equal(out.positionInitialUnits, positionInitialMarginUnits(heavy, q, mark, 1));
        assert.equal(out.upnlUnits, unrealizedPnlUnits(heavy, q, cost, mark));
      }),
      { numRuns: 2_000 },
    );
  });

  it('uses ΣIMpos as the basis when levelBasis = IM', () => {
    const imLevels = { ...levels, levelBasis: 'IM' as const };
    const account: CrossAccount = { acceptedCollateralUnits: units('60'), positions: [slot(btc, 0, lots('0.02'), units('1000'), 20)], positionCount: 1 };
    const out = evaluateCrossAccount(account, [markSubticks('50000')], imLevels, createCrossEvaluation(1));
    assert.equal(out.basisUnits, units('50'));
    assert.equal(out.state, 'CALLED'); // 60 / 50 = 1.2 ≤ 1.25
  });

  it('refuses bad slots with a DomainError naming positions[i].field, and too small an output', () => {
    const good = slot(btc, 0, 10, 100);
    const run = (s: CrossPositionSlot, mark = 100) => evaluateCrossAccount({ acceptedCollateralUnits: 0, positions: [good, s], positionCount: 2 }, [mark], levels, createCrossEvaluation(2));
    assert.throws(() => run({ ...good, qtyLots: 0.5 }), /positions\[1\]\.qtyLots/);
    assert.throws(() => run({ ...good, costUnits: Number.NaN }), /positions\[1\]\.costUnits/);
    assert.throws(() => run({ ...good, pendingFundingUnits: 1e300 }), /positions\[1\]\.pendingFundingUnits/);
    assert.throws(() => run(good, 0), /positions\[0\]\.mark/);
    assert.throws(() => run({ ...good, leverage: 200 }), (e: unknown) => e instanceof DomainError && e.code === 'RISK_LEVERAGE_ABOVE_TIER_MAX' && /positions\[1\]\.leverage/.test(e.message));
    assert.throws(() => evaluateCrossAccount({ acceptedCollateralUnits: 0, positions: [good, good], positionCount: 2 }, [1], levels, createCrossEvaluation(1)), /out holds/);
  });
});

describe('cross account evaluation: IMF_RAMP floor', () => {
  it('IMpos = max(ceil(N / L), ceil(N × imf)), equal to imfRampInitialMarginUnits, to the unit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1_000_000, max: 10_000_000_000 }), fc.integer({ min: 0, max: 100_000_000 }), fc.integer({ min: 1, max: 125 }), (q, mark, imf, lev) => {
        const s = { ...slot(btc, 0, q, 0, lev), initialFractionE8: imf };
        const out = evaluateCrossAccount({ acceptedCollateralUnits: 0, positions: [s], positionCount: 1 }, [mark], levels, createCrossEvaluation(1));
        const want = imf === 0 ? positionInitialMarginUnits(btc, q, mark, lev) : imfRampInitialMarginUnits(btc, q, mark, lev, imf);
        assert.equal(out.positionInitialUnits, want);
      }),
    );
  });
});
