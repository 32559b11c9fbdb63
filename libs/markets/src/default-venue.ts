/**
 * The venue's risk side for the default markets, shared by both modes so embedded
 * and cluster margin the same way: settle asset, maintenance tiers (the old Binance
 * BTCUSDT and 2021 ETHUSDT brackets, RISK-SPEC §11), fees, and the system accounts
 * (fee account, insurance fund). Built through the real constructors, so a bad
 * table fails at start-up, naming the key.
 *
 * Fees: maker 0.02% (20,000 E8), taker 0.05% (50,000 E8), charged rounding up by
 * the risk stage. Liquidation clearance fee 1.25%.
 *
 * The result has the shape of the risk service's `RiskMarketConfig` (structural:
 * libraries never import services).
 */
import { type AssetSpec, DomainError, type MarketSpec, createAssetSpec } from '@perpcore/domain';
import { type MarketRiskParams, type MarketRiskParamsInput, type RiskModelInput, type TierInput, createMarketRiskParams } from '@perpcore/margin';
import { defaultMarketSpecs } from './default-markets.js';

export const USDT_UNITS_PER_USDT = 1_000_000;
const usdt = (n: number) => n * USDT_UNITS_PER_USDT;

export const defaultSettleAsset: AssetSpec = createAssetSpec('USDT', 6);

/**
 * The insurance fund's starting capital in `npm start` and the cluster risk
 * processes (20,000 USDT): the fund takes no deposits, so its capital is config.
 */
export const defaultInsuranceFundSeedUnits = usdt(20_000);

/** Fee account and insurance fund account; ids far above any trader the simulation uses. */
export const defaultSystemAccounts = Object.freeze({
  feeAccountId: 900_001,
  insuranceFunds: Object.freeze([Object.freeze({ fundId: 'shared', accountId: 900_002 })]),
});

const BTC_TIERS: readonly TierInput[] = [
  { floorUnits: 0, capUnits: usdt(50_000), maxLeverage: 125, mmrE8: 400_000 },
  { floorUnits: usdt(50_000), capUnits: usdt(250_000), maxLeverage: 100, mmrE8: 500_000 },
  { floorUnits: usdt(250_000), capUnits: usdt(1_000_000), maxLeverage: 50, mmrE8: 1_000_000 },
  { floorUnits: usdt(1_000_000), capUnits: usdt(5_000_000), maxLeverage: 20, mmrE8: 2_500_000 },
  { floorUnits: usdt(5_000_000), capUnits: usdt(20_000_000), maxLeverage: 10, mmrE8: 5_000_000 },
];

const ETH_TIERS: readonly TierInput[] = [
  { floorUnits: 0, capUnits: usdt(10_000), maxLeverage: 100, mmrE8: 500_000 },
  { floorUnits: usdt(10_000), capUnits: usdt(100_000), maxLeverage: 75, mmrE8: 650_000 },
  { floorUnits: usdt(100_000), capUnits: usdt(500_000), maxLeverage: 50, mmrE8: 1_000_000 },
  { floorUnits: usdt(500_000), capUnits: usdt(1_000_000), maxLeverage: 25, mmrE8: 2_000_000 },
  { floorUnits: usdt(1_000_000), capUnits: usdt(2_000_000), maxLeverage: 10, mmrE8: 5_000_000 },
  { floorUnits: usdt(2_000_000), capUnits: usdt(5_000_000), maxLeverage: 5, mmrE8: 10_000_000 },
  { floorUnits: usdt(5_000_000), capUnits: usdt(10_000_000), maxLeverage: 4, mmrE8: 12_500_000 },
];

const TIERS_BY_SYMBOL: ReadonlyMap<string, readonly TierInput[]> = new Map([
  ['BTCUSDT', BTC_TIERS],
  ['ETHUSDT', ETH_TIERS],
]);

/** One listed market as the risk stage needs it (structurally the risk service's RiskMarketConfig). */
export interface VenueMarket {
  readonly spec: MarketSpec;
  readonly risk: MarketRiskParams;
  readonly makerFeeRateE8: number;
  readonly takerFeeRateE8: number;
}

/**
 * Risk parameters for `specs` (default: every default market); a market without a tier table is a configuration error.
 * `riskOverrides` replaces defaults for every market (tests pin e.g. `markMethod: 'INDEX'`).
 * `modelsBySymbol` selects a risk model per market (libs/margin risk-model.ts: contract, IM and MM modes),
 * validated with the rest of the market's parameters; a symbol not in `specs` is an error naming it.
 * The default markets are all linear, fixed IM, tiered MM.
 */
export function defaultVenueMarkets(
  specs: readonly MarketSpec[] = defaultMarketSpecs,
  riskOverrides: Partial<Omit<MarketRiskParamsInput, 'tiers'>> = {},
  modelsBySymbol: Readonly<Record<string, RiskModelInput>> = {},
): readonly VenueMarket[] {
  for (const symbol of Object.keys(modelsBySymbol)) {
    if (!specs.some((s) => s.symbol === symbol)) throw new DomainError('MARKETS_UNKNOWN_MARKET', `a model is given for ${symbol}, which is not listed`);
  }
  return specs.map((spec) => {
    const tiers = TIERS_BY_SYMBOL.get(spec.symbol);
    if (tiers === undefined) throw new DomainError('MARKETS_UNKNOWN_MARKET', `no default risk parameters for market ${spec.symbol}`);
    const model = modelsBySymbol[spec.symbol] ?? riskOverrides.model;
    return {
      spec,
      risk: createMarketRiskParams(spec, { ...riskOverrides, clearanceFeeRateE8: riskOverrides.clearanceFeeRateE8 ?? 1_250_000, tiers, ...(model === undefined ? {} : { model }) }),
      makerFeeRateE8: 20_000,
      takerFeeRateE8: 50_000,
    };
  });
}

/** The default markets whose symbols are listed, in `symbols` order; an unknown symbol is an error naming it. */
export function selectMarkets(symbols: readonly string[], specs: readonly MarketSpec[] = defaultMarketSpecs): readonly MarketSpec[] {
  return symbols.map((symbol) => {
    const spec = specs.find((s) => s.symbol === symbol);
    if (spec === undefined) throw new DomainError('MARKETS_UNKNOWN_MARKET', `market ${JSON.stringify(symbol)} is not listed (listed: ${specs.map((s) => s.symbol).join(', ')})`);
    return spec;
  });
}
