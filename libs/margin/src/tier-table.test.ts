import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError } from '@perpcore/domain';
import { maintenanceMarginForNotionalUnits } from './maintenance-margin.js';
import { binanceBtcTiers, USDT } from './venue-fixtures.js';
import { type TierInput, createTierTable, tierIndexForUnits } from './tier-table.js';

const rejects = (rows: readonly TierInput[], key: RegExp) =>
  assert.throws(() => createTierTable(rows, 'BTCUSDT'), (e: unknown) => e instanceof DomainError && e.code === 'RISK_INVALID_MARKET_PARAMS' && key.test(e.message));

describe('tier table (RISK-SPEC §2)', () => {
  it('example 1: derives cum 0, 50, 1,300, 16,300 and puts 264,000 in the 1% tier', () => {
    const t = createTierTable(binanceBtcTiers, 'BTCUSDT');
    assert.deepEqual(t.cumUnits.slice(0, 4), [0, 50 * USDT, 1_300 * USDT, 16_300 * USDT]);
    const k = tierIndexForUnits(t, 264_000 * USDT);
    assert.equal(k, 2);
    assert.equal(t.mmrE8[k], 1_000_000);
  });

  it('selects floor < N ≤ cap, N = 0 in the first tier, N past the last cap in the last', () => {
    const t = createTierTable(binanceBtcTiers, 'BTCUSDT');
    assert.equal(tierIndexForUnits(t, 0), 0);
    assert.equal(tierIndexForUnits(t, 50_000 * USDT), 0);
    assert.equal(tierIndexForUnits(t, 50_000 * USDT + 1), 1);
    assert.equal(tierIndexForUnits(t, 10 ** 15), 4);
  });

  it('accepts a given cum that matches exactly and refuses one that does not', () => {
    const withCum = binanceBtcTiers.map((r, k) => ({ ...r, cumUnits: [0, 50, 1_300, 16_300, 141_300][k] * USDT }));
    assert.equal(createTierTable(withCum, 'BTCUSDT').cumUnits[4], 141_300 * USDT);
    const wrong = withCum.map((r, k) => (k === 2 ? { ...r, cumUnits: 1_300 * USDT + 1 } : r));
    rejects(wrong, /BTCUSDT\.tiers\[2\]\.cumUnits .*continuous/);
  });

  it('refuses a gap, an overlap, and a first floor above 0', () => {
    rejects(binanceBtcTiers.map((r, k) => (k === 2 ? { ...r, floorUnits: r.floorUnits + 1 } : r)), /tiers\[2\]\.floorUnits .*gap/);
    rejects(binanceBtcTiers.map((r, k) => (k === 0 ? { ...r, floorUnits: 1 } : r)), /tiers\[0\]\.floorUnits/);
    rejects(binanceBtcTiers.map((r, k) => (k === 1 ? { ...r, capUnits: r.floorUnits } : r)), /tiers\[1\]\.capUnits/);
  });

  it('refuses a non-integer maintenance step (floor × Δmmr not whole units)', () => {
    const rows: TierInput[] = [
      { floorUnits: 0, capUnits: 3, maxLeverage: 10, mmrE8: 1_000_000 },
      { floorUnits: 3, capUnits: 100, maxLeverage: 10, mmrE8: 1_000_001 },
    ];
    rejects(rows, /tiers\[1\]\.cumUnits .*not a whole number/);
  });

  it('refuses decreasing MMR, increasing leverage, and mmr ≥ 1/maxLeverage', () => {
    rejects(binanceBtcTiers.map((r, k) => (k === 3 ? { ...r, mmrE8: 900_000 } : r)), /tiers\[3\]\.mmrE8 .*decrease/);
    rejects(binanceBtcTiers.map((r, k) => (k === 2 ? { ...r, maxLeverage: 101 } : r)), /tiers\[2\]\.maxLeverage/);
    rejects([{ floorUnits: 0, capUnits: 100, maxLeverage: 125, mmrE8: 800_000 }], /tiers\[0\]\.mmrE8 .*1\/maxLeverage/);
    rejects([{ floorUnits: 0, capUnits: 100, maxLeverage: 10, mmrE8: 0 }], /tiers\[0\]\.mmrE8/);
  });

  it('refuses non-integer, negative and NaN units, naming the key', () => {
    rejects([{ floorUnits: 0, capUnits: 100.5, maxLeverage: 10, mmrE8: 1 }], /tiers\[0\]\.capUnits/);
    rejects([{ floorUnits: 0, capUnits: Number.NaN, maxLeverage: 10, mmrE8: 1 }], /tiers\[0\]\.capUnits/);
    rejects([{ floorUnits: -1, capUnits: 100, maxLeverage: 10, mmrE8: 1 }], /tiers\[0\]\.floorUnits/);
    rejects([], /BTCUSDT\.tiers/);
    rejects([{ floorUnits: 0, capUnits: 100, maxLeverage: 10, mmrE8: 1, mmr: 2 } as TierInput], /tiers\[0\]\.mmr is not/);
  });

  it('property: MM is continuous and convex, MM(N) = max_k ceil(N·mmr_k − cum_k)', () => {
    const table = fc
      .array(fc.record({ width: fc.integer({ min: 1, max: 100_000 }), dMmr: fc.integer({ min: 0, max: 500_000 }) }), { minLength: 1, maxLength: 8 })
      .map((rows) => {
        let floor = 0;
        let mmr = 0;
        return rows.map((r, k) => {
          mmr += k === 0 ? 10_000 + r.dMmr : r.dMmr;
          // floors in multiples of 1e8 units keep floor × Δmmr / 1e8 whole for any Δmmr
          const row = { floorUnits: floor, capUnits: floor + r.width * 100_000_000, maxLeverage: 1, mmrE8: mmr };
          floor = row.capUnits;
          return row;
        });
      });
    fc.assert(
      fc.property(table, fc.integer({ min: 0, max: 10 ** 14 }), (rows, n) => {
        const t = createTierTable(rows, 'X');
        const mm = maintenanceMarginForNotionalUnits(t, n);
        let best = -Infinity;
        for (let k = 0; k < t.count; k++) {
          const exact = BigInt(n) * BigInt(t.mmrE8[k]) - BigInt(t.cumUnits[k]) * 100_000_000n;
          const up = exact >= 0n ? (exact + 99_999_999n) / 100_000_000n : -(-exact / 100_000_000n);
          best = Math.max(best, Number(up));
        }
        assert.equal(mm, best);
        // continuity at every boundary: both adjacent lines agree at the cap
        for (let k = 0; k + 1 < t.count; k++) {
          const cap = BigInt(t.capUnits[k]);
          assert.equal(cap * BigInt(t.mmrE8[k]) - BigInt(t.cumUnits[k]) * 100_000_000n, cap * BigInt(t.mmrE8[k + 1]) - BigInt(t.cumUnits[k + 1]) * 100_000_000n);
        }
      }),
    );
  });
});
