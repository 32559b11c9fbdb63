import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError } from '@perpcore/domain';
import { acceptedCollateralUnits, acceptedValueUnits, createHaircutSchedule, settleAssetHaircut } from './collateral.js';
import { planDeficitConversion } from './deficit-conversion.js';
import { units } from './venue-fixtures.js';

const BTC_AT_30K = { settleUnits: units('30000'), perAssetUnits: 100_000_000 }; // micro-USDT per BTC (1e8 sat)
const btcBands = createHaircutSchedule('BTC', [
  { upToValueUnits: units('50000'), ratioE8: 95_000_000 },
  { upToValueUnits: null, ratioE8: 90_000_000 },
]);

describe('accepted collateral (RISK-SPEC §7)', () => {
  it('applies tiered haircuts like a tax bracket: 2 BTC at 30,000 → 56,500 accepted', () => {
    assert.equal(acceptedValueUnits(btcBands, 200_000_000, BTC_AT_30K), units('56500'));
  });

  it('counts the settle asset at ratio 1 and negative balances at full value, rounded toward −∞', () => {
    const usdt = settleAssetHaircut('USDT');
    const one = { settleUnits: 1, perAssetUnits: 1 };
    assert.equal(acceptedCollateralUnits([{ schedule: usdt, balanceUnits: units('100'), price: one }, { schedule: btcBands, balanceUnits: -1, price: BTC_AT_30K }]), units('100') - 300);
    // 1 satoshi at 30,000 = 300 micro-USDT; 1/3 satoshi-price: debt rounds up in magnitude
    assert.equal(acceptedValueUnits(btcBands, -1, { settleUnits: 1, perAssetUnits: 3 }), -1);
    assert.equal(acceptedValueUnits(btcBands, 1, { settleUnits: 1, perAssetUnits: 3 }), 0);
  });

  it('property: accepted value is the exact banded value rounded down, never above the exact value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), fc.integer({ min: 1, max: 10 ** 9 }), (bal, price) => {
        const p = { settleUnits: price, perAssetUnits: 100_000_000 };
        const value = (BigInt(bal) * BigInt(price)) / 100_000_000n;
        const accepted = BigInt(acceptedValueUnits(btcBands, bal, p));
        const exactTimes = BigInt(bal) * BigInt(price); // value × 1e8
        const cut = BigInt(units('50000')) * 100_000_000n;
        const bandsExact = exactTimes <= cut ? exactTimes * 95n : cut * 95n + (exactTimes - cut) * 90n; // × 1e8 × 100
        assert.equal(accepted, bandsExact / 10_000_000_000n);
        assert.ok(accepted <= value);
      }),
      { numRuns: 1_000 },
    );
  });

  it('refuses increasing ratios, an open band before the last, ratios above 1 and bad balances', () => {
    assert.throws(() => createHaircutSchedule('ETH', [{ upToValueUnits: 10, ratioE8: 50_000_000 }, { upToValueUnits: null, ratioE8: 60_000_000 }]), /ETH\.haircut\[1\]\.ratioE8/);
    assert.throws(() => createHaircutSchedule('ETH', [{ upToValueUnits: null, ratioE8: 50_000_000 }, { upToValueUnits: null, ratioE8: 40_000_000 }]), /ETH\.haircut\[0\]\.upToValueUnits/);
    assert.throws(() => createHaircutSchedule('ETH', [{ upToValueUnits: null, ratioE8: 100_000_001 }]), /ratioE8/);
    assert.throws(() => acceptedValueUnits(btcBands, 0.5, BTC_AT_30K), /balanceUnits/);
    assert.throws(() => acceptedValueUnits(btcBands, 1, { settleUnits: 1, perAssetUnits: 0 }), (e: unknown) => e instanceof DomainError && /perAssetUnits/.test(e.message));
  });
});

describe('deficit conversion (RISK-SPEC §7)', () => {
  const flat95 = createHaircutSchedule('BTC', [{ upToValueUnits: null, ratioE8: 95_000_000 }]);
  const flat80 = createHaircutSchedule('ETH', [{ upToValueUnits: null, ratioE8: 80_000_000 }]);
  const ETH_AT_2K = { settleUnits: units('2000'), perAssetUnits: 1_000_000 }; // an ETH with 6 decimals in this fixture

  it('takes deficit / ratio rounded up and credits the deficit: 1,000 USDT from BTC at 95% → 3,508,772 sat', () => {
    const plan = planDeficitConversion(units('1000'), [{ schedule: flat95, balanceUnits: 100_000_000, price: BTC_AT_30K }]);
    assert.deepEqual(plan.steps, [{ asset: 'BTC', takenAssetUnits: 3_508_772, creditedSettleUnits: units('1000'), ratioE8: 95_000_000 }]);
    assert.equal(plan.remainingDeficitUnits, 0);
  });

  it('goes highest ratio first, takes a short balance whole (credit rounded down) and leaves the rest to the fund', () => {
    const plan = planDeficitConversion(units('2000'), [
      { schedule: flat80, balanceUnits: 1_000_000, price: ETH_AT_2K }, // 1 ETH = 2,000 → 1,600 accepted
      { schedule: flat95, balanceUnits: 1_000_000, price: BTC_AT_30K }, // 0.01 BTC = 300 → 285 accepted
    ]);
    assert.equal(plan.steps[0].asset, 'BTC');
    assert.equal(plan.steps[0].creditedSettleUnits, units('285'));
    assert.equal(plan.steps[1].asset, 'ETH');
    assert.equal(plan.steps[1].creditedSettleUnits, units('1600'));
    assert.equal(plan.remainingDeficitUnits, units('115'));
  });

  it('property: each step credits no more than the haircut value of what it takes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), fc.integer({ min: 1, max: 10 ** 10 }), fc.integer({ min: 1, max: 10 ** 9 }), (deficit, bal, price) => {
        const p = { settleUnits: price, perAssetUnits: 100_000_000 };
        const plan = planDeficitConversion(deficit, [{ schedule: flat95, balanceUnits: bal, price: p }]);
        for (const s of plan.steps) {
          assert.ok(s.takenAssetUnits <= bal);
          // credited × 1e8 × perAsset ≤ taken × price × ratio
          assert.ok(BigInt(s.creditedSettleUnits) * 100_000_000n * 100_000_000n <= BigInt(s.takenAssetUnits) * BigInt(price) * 95_000_000n);
        }
        const credited = plan.steps.reduce((a, s) => a + s.creditedSettleUnits, 0);
        assert.equal(credited + plan.remainingDeficitUnits, deficit);
      }),
      { numRuns: 1_000 },
    );
  });
});
