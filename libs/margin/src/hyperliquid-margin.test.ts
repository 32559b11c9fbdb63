import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError } from '@perpcore/domain';
import { type HyperliquidBand, hyperliquidMaintenanceMarginUnits, hyperliquidTierInputs } from './hyperliquid-margin.js';
import { maintenanceMarginForNotionalUnits } from './maintenance-margin.js';
import { createTierTable } from './tier-table.js';
import { USDT, btcParams } from './venue-fixtures.js';

const M = 1_000_000 * USDT;
// https://hyperliquid.gitbook.io/hyperliquid-docs/trading/margin-tiers
const btcMainnet: HyperliquidBand[] = [
  { lowerBoundUnits: 0, maxLeverage: 40 },
  { lowerBoundUnits: 150 * M, maxLeverage: 20 },
];
const dogeTestnet: HyperliquidBand[] = [
  { lowerBoundUnits: 0, maxLeverage: 10 },
  { lowerBoundUnits: 20_000 * USDT, maxLeverage: 5 },
  { lowerBoundUnits: 100_000 * USDT, maxLeverage: 3 },
];

describe('Hyperliquid maintenance margin = N / (2 × max leverage) − deduction', () => {
  const table = [
    { what: 'BTC 100M (40× tier): 1.25%', bands: btcMainnet, n: 100 * M, mm: 1.25 * M },
    { what: 'BTC 150M, at the bound', bands: btcMainnet, n: 150 * M, mm: 1.875 * M },
    { what: 'BTC 200M (20× tier): 5M − 1.875M', bands: btcMainnet, n: 200 * M, mm: 3.125 * M },
    { what: 'DOGE testnet 50k (5×): 5,000 − 1,000', bands: dogeTestnet, n: 50_000 * USDT, mm: 4_000 * USDT },
    { what: 'DOGE testnet 150k (3×): 25,000 − 7,666.67, rounded up', bands: dogeTestnet, n: 150_000 * USDT, mm: 17_333_333_334 },
  ];
  for (const row of table) it(row.what, () => assert.equal(hyperliquidMaintenanceMarginUnits(row.bands, row.n), row.mm));

  it('the engine table agrees to the unit when 2L divides 1e8 (BTC) and never falls below when it does not (DOGE 3×)', () => {
    const btc = createTierTable(hyperliquidTierInputs(btcMainnet, 5_000 * M), 'BTC');
    assert.deepEqual(btc.mmrE8, [1_250_000, 2_500_000]);
    assert.equal(btc.cumUnits[1], 1.875 * M);
    const doge = createTierTable(hyperliquidTierInputs(dogeTestnet, 5_000 * M), 'DOGE');
    assert.equal(doge.mmrE8[2], 16_666_667);
    assert.equal(maintenanceMarginForNotionalUnits(doge, 150_000 * USDT), 17_333_333_500);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000 * M }), (n) => {
        assert.equal(maintenanceMarginForNotionalUnits(btc, n), hyperliquidMaintenanceMarginUnits(btcMainnet, n));
        assert.ok(maintenanceMarginForNotionalUnits(doge, n) >= hyperliquidMaintenanceMarginUnits(dogeTestnet, n));
      }),
    );
  });

  it('property: in the first band MM = ceil(N / 2L) for any leverage', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 10 * M }), (lev, n) => {
        const mm = hyperliquidMaintenanceMarginUnits([{ lowerBoundUnits: 0, maxLeverage: lev }], n);
        assert.ok(BigInt(mm) * BigInt(2 * lev) >= BigInt(n) && BigInt(mm - 1) * BigInt(2 * lev) < BigInt(n));
      }),
    );
  });

  it('a market selects it: mmrE8 must be the rounded-up 1/(2L), checked at load', () => {
    const tiers = hyperliquidTierInputs(btcMainnet, 5_000 * M);
    assert.equal(btcParams({ tiers, model: { maintenanceMargin: 'HYPERLIQUID' } }).model.maintenanceMargin, 'HYPERLIQUID');
    const wrong = tiers.map((t, i) => (i === 1 ? { ...t, mmrE8: 2_400_000, floorUnits: t.floorUnits } : t));
    assert.throws(
      () => btcParams({ tiers: wrong, model: { maintenanceMargin: 'HYPERLIQUID' } }),
      (e: unknown) => e instanceof DomainError && e.code === 'RISK_INVALID_MARKET_PARAMS' && /tiers\[1\]\.mmrE8/.test(e.message),
    );
  });

  it('refuses malformed bands', () => {
    assert.throws(() => hyperliquidMaintenanceMarginUnits([], 1), DomainError);
    assert.throws(() => hyperliquidMaintenanceMarginUnits([{ lowerBoundUnits: 5, maxLeverage: 3 }], 1), DomainError);
    assert.throws(() => hyperliquidMaintenanceMarginUnits(btcMainnet, -1), DomainError);
    assert.throws(() => hyperliquidTierInputs(btcMainnet, 100 * M), DomainError);
  });
});
