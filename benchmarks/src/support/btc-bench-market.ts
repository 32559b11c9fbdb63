/** The BTCUSDT market the risk benchmarks run on (tick 0.1, lot 0.001 BTC, old Binance tiers), and its index event. */
import { createMarketSpec } from '@perpcore/domain';
import { type MarketRiskParamsInput, createMarketRiskParams } from '@perpcore/margin';
import { SCHEMA_MAJOR_V1, type OracleEventV1 } from '@perpcore/proto';

const u = (n: number) => n * 1_000_000;

export const btcBenchSpec = createMarketSpec({
  symbol: 'BTCUSDT', baseAsset: 'BTC', settleAsset: 'USDT', settleDecimals: 6,
  tickSize: '0.1', lotSize: '0.001', maxPriceTicks: 10_000_000, maxQtyLots: 1_000_000, priceBandE8: 5_000_000,
});

export function btcBenchRisk(overrides: Partial<MarketRiskParamsInput> = {}) {
  return createMarketRiskParams(btcBenchSpec, {
    tiers: [
      { floorUnits: 0, capUnits: u(50_000), maxLeverage: 125, mmrE8: 400_000 },
      { floorUnits: u(50_000), capUnits: u(250_000), maxLeverage: 100, mmrE8: 500_000 },
      { floorUnits: u(250_000), capUnits: u(1_000_000), maxLeverage: 50, mmrE8: 1_000_000 },
    ],
    clearanceFeeRateE8: 1_250_000,
    ...overrides,
  });
}

export function btcIndexEvent(seq: number, priceSubticks: number, tsNs: number): OracleEventV1 {
  return { schemaMajor: SCHEMA_MAJOR_V1, seq, tsNs, source: 'oracle-0', symbol: btcBenchSpec.symbol, event: 'indexPrice', indexPrice: { priceSubticks, sources: [] } } as unknown as OracleEventV1;
}
