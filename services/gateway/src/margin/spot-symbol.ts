/**
 * A spot pair as Binance's margin API names and prices it: the symbol without its
 * slash (`BTC/USDT` → `BTCUSDT`), the quantity step (one lot of the base) and the
 * price step (one tick: `quoteUnitsPerLotTick` quote units per lot, per one whole
 * base coin), both exact decimals, so a client's decimal strings convert to lots
 * and ticks with no rounding (off-grid is refused, as on the futures routes).
 */
import type { AssetSpec, ScaledDecimal } from '@perpcore/domain';
import type { ExchangeClient, SpotPairSpec } from '@perpcore/exchange';
import { binanceError } from '../binance/binance-error.js';

export interface SpotSymbol {
  /** Binance's name for it: base and quote with no separator. */
  readonly symbol: string;
  readonly pair: SpotPairSpec;
  readonly base: AssetSpec;
  readonly quote: AssetSpec;
  /** One lot in whole base coins. */
  readonly lot: ScaledDecimal;
  /** One tick in quote per whole base coin. */
  readonly tick: ScaledDecimal;
}

/** `numerator / denominator` as an exact decimal, or undefined when it has no finite expansion within 18 places. */
function exactDecimal(numerator: bigint, denominator: bigint): ScaledDecimal | undefined {
  for (let scale = 0; scale <= 18; scale++) {
    const scaled = numerator * 10n ** BigInt(scale);
    if (scaled % denominator === 0n) return { mantissa: scaled / denominator, scale };
  }
  return undefined;
}

export function spotSymbolOf(pair: SpotPairSpec, assets: readonly AssetSpec[]): SpotSymbol {
  const base = assets.find((a) => a.asset === pair.baseAsset);
  const quote = assets.find((a) => a.asset === pair.quoteAsset);
  if (base === undefined || quote === undefined) throw new Error(`spot pair ${pair.symbol}: its assets are not in the spot ledger`);
  const lot = { mantissa: BigInt(pair.baseUnitsPerLot), scale: base.decimals };
  const tick = exactDecimal(BigInt(pair.quoteUnitsPerLotTick) * 10n ** BigInt(base.decimals), BigInt(pair.baseUnitsPerLot) * 10n ** BigInt(quote.decimals));
  if (tick === undefined) throw new Error(`spot pair ${pair.symbol}: its tick is not a finite decimal`);
  return { symbol: `${pair.baseAsset}${pair.quoteAsset}`, pair, base, quote, lot, tick };
}

/** Every pair the core's spot stage trades, by Binance symbol. */
export function spotSymbols(client: ExchangeClient): ReadonlyMap<string, SpotSymbol> {
  const assets = client.spotAssets();
  return new Map(client.spotPairs().map((p) => {
    const s = spotSymbolOf(p, assets);
    return [s.symbol, s] as const;
  }));
}

/** The pair named by `symbol`, or -1121 (a venue without a spot stage has none). */
export function requireSpotSymbol(symbols: ReadonlyMap<string, SpotSymbol>, symbol: string): SpotSymbol {
  const s = symbols.get(symbol);
  if (s === undefined) throw binanceError('BAD_SYMBOL', symbols.size === 0 ? 'This venue runs no spot-margin market.' : undefined);
  return s;
}
