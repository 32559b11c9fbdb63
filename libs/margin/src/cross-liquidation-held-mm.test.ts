import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError } from '@perpcore/domain';
import { heldMaintenanceLiquidationPrice } from './cross-liquidation-held-mm.js';
import { type LiquidationPriceInput, liquidationPrice } from './liquidation-price.js';
import { btcParams, lots, markSubticks, ticks, units } from './venue-fixtures.js';

const btc = btcParams();
const q = lots('0.02');
const cost = q * ticks('50000.00') * btc.lotTickUnits;
const at = (mark: string, wallet = '500'): LiquidationPriceInput => ({
  qtyLots: q,
  costUnits: cost,
  markSubticks: markSubticks(mark),
  walletUnits: units(wallet),
  otherMaintenanceUnits: 0,
  otherUpnlUnits: 0,
});

describe('cross liquidation price with MM held at its current amount (Bybit) beside the spec form', () => {
  // Formula: https://testnet.bybit.com/en-US/help-center/s/article/Liquidation-Price-USDT-Contract (cross:
  // LP = mark − (equity − MM) / size); figures below computed from it on RISK-SPEC §11.2's position.
  const table = [
    { mark: '50000.00', held: '25200.00', spec: '25100.41' },
    { mark: '40000.00', held: '25160.00', spec: '25100.41' },
    { mark: '25100.41', held: '25100.41', spec: '25100.41' },
  ];
  for (const row of table) {
    it(`long 0.02 BTC at 50,000, WB 500, mark ${row.mark}: held ${row.held}, spec ${row.spec}`, () => {
      assert.equal(heldMaintenanceLiquidationPrice(btc, at(row.mark))?.reported, row.held);
      assert.equal(liquidationPrice(btc, at(row.mark))?.reported, row.spec);
    });
  }

  it('short: the held price is later (higher) than the spec price while the mark is below it', () => {
    const short = { ...at('50000.00'), qtyLots: -q, costUnits: -cost };
    const held = heldMaintenanceLiquidationPrice(btc, short)!;
    const spec = liquidationPrice(btc, short)!;
    // held: (−1,000 − 500 + 4) / −0.02 = 74,800; spec: 1,500 / (0.02 × 1.004) = 74,701.19…
    assert.equal(held.reported, '74800.00');
    assert.equal(spec.reported, '74701.19');
  });

  it('property: a long with the mark above its LP gets a held price at or above the spec price', () => {
    fc.assert(
      fc.property(fc.integer({ min: 26_000, max: 200_000 }), fc.integer({ min: 1, max: 2_000 }), (markUsd, walletUsd) => {
        const input = at(`${markUsd}.00`, `${walletUsd}`);
        const spec = liquidationPrice(btc, input);
        const held = heldMaintenanceLiquidationPrice(btc, input);
        if (spec === null || held === null) return;
        if (markUsd * 100 <= Number(spec.reportedScaled)) return;
        assert.ok(held.reportedScaled >= spec.reportedScaled, `${held.reported} < ${spec.reported}`);
      }),
    );
  });

  it('refuses zero size and a negative other maintenance', () => {
    assert.throws(() => heldMaintenanceLiquidationPrice(btc, { ...at('50000.00'), qtyLots: 0 }), DomainError);
    assert.throws(() => heldMaintenanceLiquidationPrice(btc, { ...at('50000.00'), otherMaintenanceUnits: -1 }), DomainError);
  });
});
