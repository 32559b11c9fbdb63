import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError } from '@perpcore/domain';
import { DefiRejectCode, type DefiLiquidationParams, quoteLiquidation, validateDefiLiquidationParams } from './defi-liquidation-quote.js';
import { healthFactorExact, healthFactorReport } from './health-factor.js';

// micro-USD settle units; ETH in 1e-8 units, USDC in 1e-6 units
const usd = (whole: number) => whole * 1_000_000;
const eth = (whole: number) => Math.round(whole * 100_000_000);
const ethAt = (dollars: number) => ({ settleUnits: usd(dollars), perAssetUnits: 100_000_000 });
const USDC = { settleUnits: 1, perAssetUnits: 1 };

/** Aave v3 constants (aave-dao/aave-v3-origin LiquidationLogic.sol), in micro-USD. */
const AAVE_V3: DefiLiquidationParams = validateDefiLiquidationParams({ closeFactorE8: 50_000_000, fullCloseHealthFactorE8: 95_000_000, fullCloseBelowValueUnits: usd(2000), minLeftoverValueUnits: usd(1000) });
const WETH = { liquidationThresholdE8: 80_000_000, bonusE8: 5_000_000, protocolFeeShareE8: 10_000_000 };

function quote(ethUnits: number, ethPrice: number, debtUnits: number, requested: number) {
  const collateral = [{ amountUnits: ethUnits, price: ethAt(ethPrice), liquidationThresholdE8: WETH.liquidationThresholdE8 }];
  const debt = [{ amountUnits: debtUnits, price: USDC }];
  return quoteLiquidation(AAVE_V3, {
    healthFactor: healthFactorExact(collateral, debt),
    debtUnits,
    debtPrice: USDC,
    collateralUnits: ethUnits,
    collateralPrice: ethAt(ethPrice),
    bonusE8: WETH.bonusE8,
    protocolFeeShareE8: WETH.protocolFeeShareE8,
    requestedDebtUnits: requested,
  });
}

function refusedWith(code: string) {
  return (e: unknown) => e instanceof DomainError && e.code === code;
}

describe('Aave v3 liquidation, worked example (LiquidationLogic constants; docs.aave.com/developers/guides/liquidations)', () => {
  // 10 ETH supplied (LT 80%, bonus 5%, protocol fee 10% of the bonus), 16,500 USDC borrowed
  const table = [
    {
      name: 'ETH $2,000: HF 0.9697 > 0.95, both legs ≥ $2,000 → 50% close factor; 8,250 USDC repaid',
      ethPrice: 2000,
      requested: usd(8250),
      want: { closeFactorE8: 50_000_000, maxRepayUnits: usd(8250), debtRepaidUnits: usd(8250), collateralSeizedUnits: 433_125_000, bonusUnits: 20_625_000, protocolFeeUnits: 2_062_500, liquidatorCollateralUnits: 431_062_500, cappedByCollateral: false },
    },
    {
      name: 'ETH $1,900: HF 0.9212 ≤ 0.95 → 100% close factor; seized 16,500 / 1,900 × 1.05 ETH, rounded down',
      ethPrice: 1900,
      requested: usd(16500),
      want: { closeFactorE8: 100_000_000, maxRepayUnits: usd(16500), debtRepaidUnits: usd(16500), collateralSeizedUnits: 911_842_105, bonusUnits: 43_421_053, protocolFeeUnits: 4_342_106, liquidatorCollateralUnits: 907_499_999, cappedByCollateral: false },
    },
    {
      name: 'ETH $1,500: the bonus-inflated repayment exceeds the 10 ETH → all seized, debt repaid scales down (rounded up)',
      ethPrice: 1500,
      requested: usd(16500),
      want: { closeFactorE8: 100_000_000, maxRepayUnits: usd(16500), debtRepaidUnits: 14_285_714_286, collateralSeizedUnits: eth(10), bonusUnits: 47_619_048, protocolFeeUnits: 4_761_905, liquidatorCollateralUnits: 995_238_095, cappedByCollateral: true },
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      assert.deepEqual({ ...quote(eth(10), row.ethPrice, usd(16500), row.requested) }, row.want);
    });
  }

  it('HF 0.9697 shown in E8 and the distance to HF = 1 in units', () => {
    const r = healthFactorReport([{ amountUnits: eth(10), price: ethAt(2000), liquidationThresholdE8: 80_000_000 }], [{ amountUnits: usd(16500), price: USDC }]);
    assert.equal(r.healthFactorE8, 96_969_696n);
    assert.equal(r.distanceToLiquidationUnits, BigInt(-usd(500)));
  });
});

describe('refusals', () => {
  it('a healthy position', () => {
    assert.throws(() => quote(eth(10), 2100, usd(16500), usd(100)), refusedWith(DefiRejectCode.Healthy));
  });
  it('one unit above the close factor', () => {
    assert.throws(() => quote(eth(10), 2000, usd(16500), usd(8250) + 1), refusedWith(DefiRejectCode.AboveCloseFactor));
  });
  it('a partial liquidation that leaves dust (debt leg under $1,000)', () => {
    // 1.18 ETH ($2,360, LT 80% → 1,888) against 1,900 USDC: HF 0.9937, debt leg < $2,000 → 100% close factor
    assert.throws(() => quote(eth(1.18), 2000, usd(1900), usd(1000)), refusedWith(DefiRejectCode.DustLeft));
    assert.equal(quote(eth(1.18), 2000, usd(1900), usd(1900)).debtRepaidUnits, usd(1900));
  });
  it('bad numbers', () => {
    assert.throws(() => quote(eth(10), 2000, usd(16500), 0), refusedWith(DefiRejectCode.InvalidAmount));
    assert.throws(() => quote(eth(10), 2000, usd(16500), Number.NaN), refusedWith(DefiRejectCode.InvalidAmount));
    assert.throws(() => quote(eth(10), 2000, usd(16500), -5), refusedWith(DefiRejectCode.InvalidAmount));
    assert.throws(() => validateDefiLiquidationParams({ ...AAVE_V3, closeFactorE8: 0 }), refusedWith('RISK_INVALID_CONFIG'));
  });
});

describe('properties', () => {
  it('the liquidator never receives more than the repaid value plus the bonus; fee ≤ bonus; the parts add up', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 2_000_000_000 }), fc.integer({ min: 100, max: 5_000 }), fc.integer({ min: 1, max: 100 }), (ethPrice, ethUnits, debtDollars, pct) => {
        const debt = usd(debtDollars);
        let q;
        try {
          q = quote(ethUnits, ethPrice, debt, Math.max(1, Math.floor((debt * pct) / 100)));
        } catch (e) {
          if (e instanceof DomainError && e.code.startsWith('RISK_DEFI_')) return; // refused: nothing moves
          throw e;
        }
        const seizedValueNum = BigInt(q.collateralSeizedUnits) * BigInt(usd(ethPrice)); // / 1e8
        const paidWithBonus = BigInt(q.debtRepaidUnits) * 105n * 1_000_000n; // / 1e8 (× 1.05)
        assert.ok(seizedValueNum <= paidWithBonus, 'collateral out ≤ repaid × (1 + bonus)');
        assert.ok(q.protocolFeeUnits <= q.bonusUnits && q.bonusUnits <= q.collateralSeizedUnits);
        assert.equal(q.liquidatorCollateralUnits + q.protocolFeeUnits, q.collateralSeizedUnits);
        assert.ok(q.debtRepaidUnits <= q.maxRepayUnits && q.collateralSeizedUnits <= ethUnits);
      }),
    );
  });

  it('rounding pins: one more seized unit would exceed repaid × (1 + bonus)', () => {
    const q = quote(eth(10), 1900, usd(16500), usd(16500));
    assert.ok(BigInt(q.collateralSeizedUnits + 1) * BigInt(usd(1900)) * 100n > BigInt(q.debtRepaidUnits) * 105n * 100_000_000n);
  });
});
