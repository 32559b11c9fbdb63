/**
 * Fill settlement against @perpcore/margin's `applyFill` (RISK-SPEC §3.1): the same
 * size, cost basis (floor on reduction) and realized PnL over random fill
 * sequences, opening, reducing and flipping; fees exact and rounded up.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FillType, Side } from '@perpcore/domain';
import { applyFill } from '@perpcore/margin';
import { RiskHarness, USDT, btcSubticks, btcTicks, marketConfigs } from '../risk-harness.test-support.js';

const A = 1;
const B = 2;
const btc = marketConfigs()[0].risk;

describe('fill settlement', () => {
  it('matches applyFill for random opening, reducing and flipping fills (property)', () => {
    const fill = fc.record({ buy: fc.boolean(), lots: fc.integer({ min: 1, max: 3_000 }), priceTicks: fc.integer({ min: 200_000, max: 400_000 }) });
    fc.assert(
      fc.property(fc.array(fill, { minLength: 1, maxLength: 30 }), (fills) => {
        const h = new RiskHarness();
        h.wireCheck = false;
        h.index('BTCUSDT', btcSubticks('30000'));
        h.deposit(A, 1_000_000_000 * USDT);
        h.deposit(B, 1_000_000_000 * USDT);
        let model = { qtyLots: 0, costUnits: 0 };
        fills.forEach((f, i) => {
          // A is the taker on the side drawn; B the maker on the other
          h.engine.onFill(0, i + 1, B, 0, A, 0, f.buy ? 1 : -1, f.priceTicks, f.lots, 0, 0, FillType.Limit, h.step(1));
          const out = applyFill(btc, model, { side: f.buy ? Side.Buy : Side.Sell, qtyLots: f.lots, priceTicks: f.priceTicks });
          model = { qtyLots: out.qtyLots, costUnits: out.costUnits };
          const leg = h.eventsOf('positionSettled', A).at(-1)!.positionSettled!;
          assert.equal(leg.positionAfterLots, out.qtyLots);
          assert.equal(leg.costBasisAfterUnits, String(out.costUnits));
          assert.equal(leg.realizedPnlUnits, out.realizedPnlUnits);
          // taker fee 0.05%, rounded up: notional = lots × ticks × 100 units
          assert.equal(leg.feeUnits, Math.ceil((f.lots * f.priceTicks * 100 * 50_000) / 1e8));
        });
        assert.ok(h.engine.audit().ok, h.engine.audit().problems.join('; '));
      }),
      { seed: 17, numRuns: 200 },
    );
  });

  it('rounds the cost basis left after a reduction down, so realized PnL is never overstated', () => {
    const h = new RiskHarness();
    h.index('BTCUSDT', btcSubticks('30000'));
    h.deposit(A, 1_000_000 * USDT);
    h.deposit(B, 1_000_000 * USDT);
    h.engine.onFill(0, 1, B, 0, A, 0, 1, btcTicks('30000.1'), 3, 0, 0, FillType.Limit, h.step(1)); // C = 3 × 300,001 × 100 = 90,000,300
    h.engine.onFill(0, 2, B, 0, A, 0, -1, btcTicks('30000.1'), 1, 0, 0, FillType.Limit, h.step(1));
    const leg = h.eventsOf('positionSettled', A).at(-1)!.positionSettled!;
    assert.equal(leg.costBasisAfterUnits, '60000200'); // floor(90,000,300 × 2 / 3) = 60,000,200 exactly
    assert.equal(leg.realizedPnlUnits, 0);
    h.engine.onFill(0, 3, B, 0, A, 0, 1, btcTicks('30000.2'), 1, 0, 0, FillType.Limit, h.step(1)); // C = 60,000,200 + 30,000,200 = 90,000,400
    h.engine.onFill(0, 4, B, 0, A, 0, -1, btcTicks('30000.2'), 2, 0, 0, FillType.Limit, h.step(1));
    const reduce = h.eventsOf('positionSettled', A).at(-1)!.positionSettled!;
    assert.equal(reduce.costBasisAfterUnits, '30000133'); // floor(90,000,400 / 3) = 30,000,133.33 → 30,000,133
    assert.equal(reduce.realizedPnlUnits, 60_000_400 - (90_000_400 - 30_000_133)); // 133: the sub-unit stays in the basis
  });
});
