/**
 * The venue's DeFi-style lending pool for the default markets (issue 13.3), shared
 * by `npm start` and the embedded tests: BTC (priced by the BTCUSDT index) is
 * accepted as collateral, LTV 75%, liquidation threshold 80%, liquidation bonus 5%,
 * 10% of the bonus to the insurance fund, not borrowable; USDT is borrowable at
 * 0.001 %/h (1,000 E8), LTV 80%, LT 85%, bonus 4%. The close factor and dust rules
 * are the pool's Aave v3 defaults (50%, 100% at HF ≤ 0.95 or a leg under 2,000
 * USDT, leftovers ≥ 1,000 USDT).
 *
 * The result has the shape of the risk service's `collateral` and `lendingPool`
 * config (structural: libraries never import services). Without a BTCUSDT market
 * there is no pool (undefined).
 */
import { type AssetSpec, type MarketSpec, createAssetSpec } from '@perpcore/domain';
import { type HaircutSchedule, createHaircutSchedule } from '@perpcore/margin';

export interface VenueLendingPool {
  readonly collateral: readonly { readonly asset: AssetSpec; readonly haircut: HaircutSchedule; readonly indexMarket: string }[];
  readonly lendingPool: {
    readonly assets: readonly { asset: string; ltvE8: number; liquidationThresholdE8: number; liquidationBonusE8: number; protocolFeeShareE8: number; hourlyRateE8: number; borrowable: boolean }[];
  };
}

export const poolBtcAsset: AssetSpec = createAssetSpec('BTC', 8);

export function defaultLendingPool(specs: readonly MarketSpec[]): VenueLendingPool | undefined {
  if (!specs.some((s) => s.symbol === 'BTCUSDT')) return undefined;
  return {
    // as perps collateral BTC counts at 90% (a flat haircut): the pool weighs it by its own LT
    collateral: [{ asset: poolBtcAsset, haircut: createHaircutSchedule('BTC', [{ upToValueUnits: null, ratioE8: 90_000_000 }]), indexMarket: 'BTCUSDT' }],
    lendingPool: {
      assets: [
        { asset: 'USDT', ltvE8: 80_000_000, liquidationThresholdE8: 85_000_000, liquidationBonusE8: 4_000_000, protocolFeeShareE8: 10_000_000, hourlyRateE8: 1_000, borrowable: true },
        { asset: 'BTC', ltvE8: 75_000_000, liquidationThresholdE8: 80_000_000, liquidationBonusE8: 5_000_000, protocolFeeShareE8: 10_000_000, hourlyRateE8: 0, borrowable: false },
      ],
    },
  };
}
