import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type CollateralPrice, createHaircutSchedule, settleAssetHaircut } from '../collateral.js';
import { MarginState, classifyMarginLevel } from '../margin-level.js';
import { type SpotHolding, evaluateSpotAccount } from './spot-account-evaluation.js';
import { checkSpotBorrow } from './spot-borrow-check.js';
import { maxSpotBorrow } from './spot-max-borrow.js';
import { spotLiquidationFeeUnits } from './spot-liquidation-fee.js';
import { spotPriceAtLevel } from './spot-level-price.js';
import { SpotMarginErrorCode } from './spot-margin-error-codes.js';
import { createSpotMarginParams } from './spot-margin-params.js';
import { spotUsedMarginUnits } from './spot-used-margin.js';

// USD at 6 decimals, BTC at 8 (satoshi); a BTC price is USD units per 1e8 sat
const usd = (v: number) => Math.round(v * 1e6);
const btc = (v: number) => Math.round(v * 1e8);
const btcAt = (priceUsd: number): CollateralPrice => ({ settleUnits: usd(priceUsd), perAssetUnits: 1e8 });
const ONE: CollateralPrice = { settleUnits: 1, perAssetUnits: 1 };

const kraken = (leverage = 5) =>
  createSpotMarginParams({
    settleAsset: 'USD',
    maxAccountDebtValueUnits: usd(1_000_000),
    borrowable: [
      { asset: 'USD', maxLeverage: leverage, hourlyRateE8: 500, maxBorrowUnits: usd(500_000) },
      { asset: 'BTC', maxLeverage: leverage, hourlyRateE8: 500, maxBorrowUnits: btc(10) },
    ],
  });

function account(usdHeld: number, usdOwed: number, btcHeld: number, btcOwed: number, btcPrice: CollateralPrice, btcRatioE8 = 1e8): SpotHolding[] {
  return [
    { asset: 'USD', schedule: settleAssetHaircut('USD'), price: ONE, balanceUnits: usdHeld, debtUnits: usdOwed, entryUnits: usdOwed },
    { asset: 'BTC', schedule: createHaircutSchedule('BTC', [{ upToValueUnits: null, ratioE8: btcRatioE8 }]), price: btcPrice, balanceUnits: btcHeld, debtUnits: btcOwed, entryUnits: btcOwed },
  ];
}

describe('Kraken worked examples (table)', () => {
  // https://support.kraken.com/hc/en-us/articles/203325763-Margin-call-level-and-margin-liquidation-level
  // long 1.5 BTC at 30,000 (cost 45,000) with 10,000 USD, 5:1 → used margin 9,000; at 28,133.30 equity 7,199.95, level 79.999 %
  // https://support.kraken.com/hc/en-us/articles/203325763 ("Calculate margin call price")
  // long 1 BTC at 20,000 with 10,000 USD, 5:1 → used margin 4,000, level 250 %, call at 13,200 (and 40 % at 11,600)
  // https://support.kraken.com/hc/en-us/articles/203053156-Margin-trading-examples
  // short 0.2 BTC at 50,000 with 5,000 USD, 5× → used margin 0.04 BTC = 2,000, level 250 %; at 65,200 equity 1,960, used 2,608, level 75 %
  const rows: Array<{ name: string; holdings: SpotHolding[]; leverage?: number; equity: number; used: number; levelE8: number; state: MarginState }> = [
    { name: 'long 1.5 BTC at entry 30,000', holdings: account(usd(10_000), usd(45_000), btc(1.5), 0, btcAt(30_000)), equity: usd(10_000), used: usd(9_000), levelE8: 111_111_111, state: MarginState.Healthy },
    { name: 'long 1.5 BTC at 28,133.30 → 79.999 %', holdings: account(usd(10_000), usd(45_000), btc(1.5), 0, btcAt(28_133.3)), equity: usd(7_199.95), used: usd(9_000), levelE8: 79_999_444, state: MarginState.Called },
    { name: 'long 1 BTC at entry 20,000 → 250 %', holdings: account(usd(10_000), usd(20_000), btc(1), 0, btcAt(20_000)), equity: usd(10_000), used: usd(4_000), levelE8: 250_000_000, state: MarginState.Healthy },
    { name: 'long 1 BTC at 13,200 → exactly 80 %', holdings: account(usd(10_000), usd(20_000), btc(1), 0, btcAt(13_200)), equity: usd(3_200), used: usd(4_000), levelE8: 80_000_000, state: MarginState.Called },
    { name: 'long 1 BTC at 11,600 → exactly 40 %', holdings: account(usd(10_000), usd(20_000), btc(1), 0, btcAt(11_600)), equity: usd(1_600), used: usd(4_000), levelE8: 40_000_000, state: MarginState.Liquidating },
    { name: 'short 0.2 BTC at entry 50,000 → 250 %', holdings: account(usd(15_000), 0, 0, btc(0.2), btcAt(50_000)), equity: usd(5_000), used: usd(2_000), levelE8: 250_000_000, state: MarginState.Healthy },
    { name: 'short 0.2 BTC at 65,200 → 75 %', holdings: account(usd(15_000), 0, 0, btc(0.2), btcAt(65_200)), equity: usd(1_960), used: usd(2_608), levelE8: 75_153_374, state: MarginState.Called },
    { name: 'short 0.2 BTC at 2× → 100 % at entry', leverage: 2, holdings: account(usd(15_000), 0, 0, btc(0.2), btcAt(50_000)), equity: usd(5_000), used: usd(5_000), levelE8: 100_000_000, state: MarginState.Healthy },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const ev = evaluateSpotAccount(kraken(row.leverage), row.holdings);
      assert.deepEqual(
        { equity: ev.equityUnits, used: ev.usedMarginUnits, levelE8: ev.levelE8, state: ev.state },
        { equity: row.equity, used: row.used, levelE8: row.levelE8, state: row.state },
      );
    });
  }

  it('margin-call and liquidation prices: long 1 BTC at 20,000 → 13,200 and 11,600', () => {
    const params = kraken();
    const h = account(usd(10_000), usd(20_000), btc(1), 0, btcAt(20_000));
    assert.equal(spotPriceAtLevel(params, h, 'BTC', params.levels.marginCallLevelE8), usd(13_200));
    assert.equal(spotPriceAtLevel(params, h, 'BTC', params.levels.liquidationLevelE8), usd(11_600));
  });

  it('long 1.5 BTC: call price 28,133.33… rounds UP (the venue calls no later than exact)', () => {
    const params = kraken();
    const h = account(usd(10_000), usd(45_000), btc(1.5), 0, btcAt(30_000));
    assert.equal(spotPriceAtLevel(params, h, 'BTC', params.levels.marginCallLevelE8), 28_133_333_334);
  });

  it('short 0.2 BTC: call 64,655.17… and liquidation 69,444.44… round DOWN (a short is called as the price rises)', () => {
    const params = kraken();
    const h = account(usd(15_000), 0, 0, btc(0.2), btcAt(50_000));
    assert.equal(spotPriceAtLevel(params, h, 'BTC', params.levels.marginCallLevelE8), 64_655_172_413);
    assert.equal(spotPriceAtLevel(params, h, 'BTC', params.levels.liquidationLevelE8), 69_444_444_444);
  });

  it('answers the distance to the call and to liquidation in units', () => {
    const ev = evaluateSpotAccount(kraken(), account(usd(10_000), usd(20_000), btc(1), 0, btcAt(20_000)));
    assert.equal(ev.distanceToCallUnits, usd(10_000 - 3_200));
    assert.equal(ev.distanceToLiquidationUnits, usd(10_000 - 1_600));
    assert.equal(ev.acceptedCollateralUnits, usd(30_000));
    assert.equal(ev.debtValueUnits, usd(20_000));
  });
});

describe('rounding in the venue\'s favour (pinned)', () => {
  const odd: CollateralPrice = { settleUnits: 30_000_000_001, perAssetUnits: 1e8 }; // 300.00000001 units per sat
  it('a debt is valued up, a balance down', () => {
    const ev = evaluateSpotAccount(kraken(), account(0, 0, 1, 1, odd));
    assert.equal(ev.perAsset[1].acceptedUnits, 300);
    assert.equal(ev.perAsset[1].debtValueUnits, 301);
    assert.equal(ev.equityUnits, -1);
  });
  it('used margin rounds up: a long\'s ceil(entry / L), a short\'s revalued ceil', () => {
    assert.equal(spotUsedMarginUnits(1, 5, true, ONE), 1);
    assert.equal(spotUsedMarginUnits(1, 5, false, odd), 61); // 60.000000002 → 61
    assert.equal(spotUsedMarginUnits(1, 5, false, btcAt(30_000)), 60); // exact stays exact
  });
  it('the level rounds down (79.9994… % → 79_999_444) and the liquidation fee up below its cap', () => {
    assert.equal(spotLiquidationFeeUnits(2_000_000, usd(28_000), usd(1_000)), usd(560));
    assert.equal(spotLiquidationFeeUnits(2_000_000, 1, usd(1)), 1); // 0.02 unit → 1
    assert.equal(spotLiquidationFeeUnits(2_000_000, usd(28_000), usd(300)), usd(300)); // capped at the surplus
    assert.equal(spotLiquidationFeeUnits(2_000_000, usd(28_000), -5), 0); // a deficit pays no fee
  });
  it('a haircut lowers equity: BTC at 90 % counts 27,000 of 30,000', () => {
    const ev = evaluateSpotAccount(kraken(), account(usd(10_000), usd(20_000), btc(1), 0, btcAt(30_000), 90_000_000));
    assert.equal(ev.acceptedCollateralUnits, usd(37_000));
    assert.equal(ev.equityUnits, usd(17_000));
  });
});

describe('borrow check: limits and bad input', () => {
  const params = kraken();
  const own10k = account(usd(10_000), 0, 0, 0, btcAt(30_000));
  it('accepts a borrow up to a 100 % opening level and refuses one unit more', () => {
    assert.equal(checkSpotBorrow(params, own10k, 'USD', usd(50_000)), null);
    assert.equal(checkSpotBorrow(params, own10k, 'USD', usd(50_000) + 1), SpotMarginErrorCode.InsufficientMargin);
  });
  it('refuses an unknown or non-borrowable asset', () => {
    assert.equal(checkSpotBorrow(params, own10k, 'ETH', 1), SpotMarginErrorCode.AssetNotBorrowable);
  });
  it('refuses past the per-asset limit and past the per-account debt value', () => {
    const rich = account(usd(10_000_000), 0, 0, 0, btcAt(30_000));
    assert.equal(checkSpotBorrow(params, rich, 'BTC', btc(10) + 1), SpotMarginErrorCode.BorrowLimit);
    assert.equal(checkSpotBorrow(params, rich, 'USD', usd(500_000)), null);
    const tight = createSpotMarginParams({ ...kraken(), settleAsset: 'USD', maxAccountDebtValueUnits: usd(100_000), borrowable: [...params.borrowable.values()] });
    assert.equal(checkSpotBorrow(tight, rich, 'BTC', btc(3.4)), SpotMarginErrorCode.AccountDebtLimit); // 102,000 USD
  });
  it('bad numbers throw the domain guard and change nothing', () => {
    for (const [amount, code] of [[0, 'DOMAIN_NOT_POSITIVE'], [-1, 'DOMAIN_NOT_POSITIVE'], [Number.NaN, 'DOMAIN_NOT_AN_INTEGER'], [1.5, 'DOMAIN_NOT_AN_INTEGER']] as const) {
      assert.throws(() => checkSpotBorrow(params, own10k, 'USD', amount), { code });
    }
    assert.throws(() => evaluateSpotAccount(params, account(-1, 0, 0, 0, btcAt(1))), { code: 'DOMAIN_NEGATIVE' });
  });
  it('parameters are validated with the key named', () => {
    assert.throws(() => createSpotMarginParams({ settleAsset: 'USD', maxAccountDebtValueUnits: 1, liquidationLevelE8: 90_000_000, borrowable: [] }), /liquidationLevelE8/);
    assert.throws(() => createSpotMarginParams({ settleAsset: 'USD', maxAccountDebtValueUnits: 1, borrowable: [{ asset: 'BTC', maxLeverage: 0, hourlyRateE8: 0, maxBorrowUnits: 1 }] }), /maxLeverage/);
  });
});

describe('spot-margin properties', () => {
  it('the reported trigger price is never late: just past it the account is called (long) or liquidating', () => {
    const params = kraken();
    fc.assert(
      fc.property(
        fc.integer({ min: usd(100), max: usd(100_000) }), // own USD
        fc.integer({ min: 2, max: 5 }), // notional multiple of own
        fc.integer({ min: 10_000, max: 100_000 }), // entry price, whole USD
        fc.boolean(),
        fc.constantFrom(params.levels.marginCallLevelE8, params.levels.liquidationLevelE8),
        (own, mult, entryUsd, isLong, levelE8) => {
          const cost = own * mult;
          const qty = Math.floor((cost * 100) / entryUsd); // sat bought (long) or sold (short)
          if (qty === 0) return;
          const at = btcAt(entryUsd);
          const holdings = isLong ? account(own, cost, qty, 0, at) : account(own + cost, 0, 0, qty, at);
          const trigger = spotPriceAtLevel(params, holdings, 'BTC', levelE8);
          if (trigger === null) return;
          const past = isLong ? trigger - 1 : trigger + 1;
          if (past <= 0) return;
          const moved = holdings.map((h) => (h.asset === 'BTC' ? { ...h, price: { settleUnits: past, perAssetUnits: 1e8 } } : h));
          const ev = evaluateSpotAccount(params, moved);
          const want: MarginState[] = levelE8 === params.levels.liquidationLevelE8 ? [MarginState.Liquidating] : [MarginState.Called, MarginState.Liquidating];
          assert.ok(want.includes(ev.state), `${ev.state} at ${past} (trigger ${trigger})`);
          assert.equal(classifyMarginLevel(ev.equityUnits, ev.usedMarginUnits, params.levels), ev.state);
        },
      ),
    );
  });

  it('an accepted borrow always starts at or above the opening level', () => {
    const params = kraken();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: usd(100_000) }), fc.integer({ min: 1, max: usd(600_000) }), (own, amount) => {
        const h = account(own, 0, 0, 0, btcAt(30_000));
        if (checkSpotBorrow(params, h, 'USD', amount) !== null) return;
        const ev = evaluateSpotAccount(params, h.map((x) => (x.asset === 'USD' ? { ...x, balanceUnits: own + amount, debtUnits: amount, entryUnits: amount } : x)));
        assert.ok(ev.levelE8 !== null && ev.levelE8 >= params.openLevelE8);
      }),
    );
  });
});

describe('maxSpotBorrow: the boundary of what a borrow accepts', () => {
  it('Kraken 5:1 with 10,000 USD and nothing owed: the opening level (100 %) allows 50,000 USD, one unit more is refused', () => {
    const params = kraken();
    const holdings = account(usd(10_000), 0, 0, 0, btcAt(30_000));
    const max = maxSpotBorrow(params, holdings, 'USD', usd(1_000_000));
    // equity 10,000 over used margin borrowed / 5: level 100 % at 50,000
    assert.deepEqual(max, { amountUnits: usd(50_000), limitUnits: usd(500_000) });
    assert.equal(checkSpotBorrow(params, holdings, 'USD', max.amountUnits), null);
    assert.equal(checkSpotBorrow(params, holdings, 'USD', max.amountUnits + 1), SpotMarginErrorCode.InsufficientMargin);
  });

  it('is capped by the pool, by the per-account limit less the debt, and is 0 for an asset not borrowable', () => {
    const params = kraken();
    const rich = account(usd(1_000_000), 0, 0, 0, btcAt(30_000));
    assert.equal(maxSpotBorrow(params, rich, 'USD', usd(1_234)).amountUnits, usd(1_234));
    assert.equal(maxSpotBorrow(params, account(usd(1_000_000), usd(400_000), 0, 0, btcAt(30_000)), 'USD', usd(10_000_000)).amountUnits, usd(100_000));
    assert.deepEqual(maxSpotBorrow(params, rich, 'ETH', usd(1_000)), { amountUnits: 0, limitUnits: 0 });
    assert.equal(maxSpotBorrow(params, account(0, 0, 0, 0, btcAt(30_000)), 'USD', usd(1_000)).amountUnits, 0, 'no collateral, nothing to borrow');
  });

  it('property: the answer is accepted and one unit more is refused or past a cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: usd(200_000) }),
        fc.integer({ min: 0, max: usd(100_000) }),
        fc.integer({ min: 0, max: btc(5) }),
        fc.integer({ min: 0, max: btc(2) }),
        fc.integer({ min: 5_000, max: 100_000 }),
        fc.integer({ min: 50_000_000, max: 100_000_000 }),
        fc.constantFrom('USD', 'BTC'),
        fc.integer({ min: 1, max: usd(2_000_000) }),
        (usdHeld, usdOwed, btcHeld, btcOwed, price, ratioE8, asset, pool) => {
          const params = kraken();
          const holdings = account(usdHeld, usdOwed, btcHeld, btcOwed, btcAt(price), ratioE8);
          const { amountUnits } = maxSpotBorrow(params, holdings, asset, pool);
          const owed = asset === 'USD' ? usdOwed : btcOwed;
          const cap = Math.min(params.borrowable.get(asset)!.maxBorrowUnits - owed, pool);
          if (amountUnits > 0) assert.equal(checkSpotBorrow(params, holdings, asset, amountUnits), null);
          if (amountUnits < cap) assert.notEqual(checkSpotBorrow(params, holdings, asset, amountUnits + 1), null);
          assert.ok(amountUnits <= Math.max(0, cap));
        },
      ),
      { numRuns: 300 },
    );
  });
});
