/**
 * The venue's loan terms for the embedded simulation (`npm start`): USDT lent
 * against BTC and ETH (8 decimals each), each priced by its perp market's index.
 * Tighter than Binance's 65 / 80 / 90 % so that the simulation's −12 % shock shows
 * calls and liquidations: initial 72 %, call 76 %, liquidation 80 %, target back at
 * 65 % (a borrower at 72 % is called after a 5.3 % fall and liquidated after 10 %); fee 1 %, fund discount 5 %; 0.001 %
 * an hour (≈ 8.8 % a year). The same assets are accepted as perp collateral at a
 * 90 % haircut (collateral.ts), as the risk stage needs them configured to price them.
 */
import { createAssetSpec } from '@perpcore/domain';
import { createHaircutSchedule } from '@perpcore/margin';
import type { CollateralAssetConfig } from '../risk-config.js';
import type { LoanConfig } from './loan-config.js';

export interface VenueLoanTerms {
  readonly collateral: readonly CollateralAssetConfig[];
  readonly loans: LoanConfig;
}

const COLLATERAL = [
  { asset: 'BTC', indexMarket: 'BTCUSDT' },
  { asset: 'ETH', indexMarket: 'ETHUSDT' },
] as const;

/** Terms for the listed markets among BTCUSDT and ETHUSDT; `fundId` buys seized collateral. */
export function venueLoanTerms(listedSymbols: readonly string[], fundId: string): VenueLoanTerms {
  const listed = COLLATERAL.filter((c) => listedSymbols.includes(c.indexMarket));
  return {
    collateral: listed.map((c) => ({ asset: createAssetSpec(c.asset, 8), haircut: createHaircutSchedule(c.asset, [{ upToValueUnits: null, ratioE8: 90_000_000 }]), indexMarket: c.indexMarket })),
    loans: {
      lendable: [{ asset: 'USDT', hourlyRateE8: 1_000, maxOutstandingUnits: 10_000_000 * 1_000_000 }],
      collateral: listed.map((c) => ({
        asset: c.asset,
        initialLtvE8: 72_000_000,
        marginCallLtvE8: 76_000_000,
        liquidationLtvE8: 80_000_000,
        targetLtvE8: 65_000_000,
        haircut: createHaircutSchedule(c.asset, [{ upToValueUnits: null, ratioE8: 100_000_000 }]),
      })),
      saleDiscountE8: 5_000_000,
      feeRateE8: 1_000_000,
      fundId,
    },
  };
}
