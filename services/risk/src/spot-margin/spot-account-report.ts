/**
 * The three questions for a spot-margin account (issue 13.4):
 * - accepted collateral after haircuts, per asset and in total;
 * - which price feed controls the trigger: each base asset's index price on its pair
 *   (`index:BTC/USDT`), the settle asset at par;
 * - distance to the call and to liquidation, in units, and the index price (ticks of
 *   the pair) at which each is reached, every other price held still
 *   (spot-level-price.ts), rounded to the tick in the venue's favour.
 */
import { Rounding, divRound } from '@perpcore/domain';
import { type MarginState, evaluateSpotAccount, spotPriceAtLevel } from '@perpcore/margin';
import type { SpotMarginContext } from './spot-margin-context.js';

export interface SpotAssetReport {
  readonly asset: string;
  readonly balanceUnits: number;
  readonly heldUnits: number;
  /** Owed now, interest to this moment included (rounded up). */
  readonly debtUnits: number;
  /** What the debt's principal is (interest settled into it so far included); `debtUnits − principalUnits` is the interest accrued since. */
  readonly principalUnits: number;
  readonly acceptedUnits: number;
  readonly debtValueUnits: number;
  readonly usedMarginUnits: number;
  readonly priceFeed: string;
  readonly indexPriceTicks: number | null;
  readonly callPriceTicks: number | null;
  readonly liquidationPriceTicks: number | null;
}

export interface SpotAccountReport {
  readonly accountId: number;
  readonly state: MarginState;
  readonly assets: readonly SpotAssetReport[];
  readonly acceptedCollateralUnits: number;
  readonly equityUnits: number;
  readonly usedMarginUnits: number;
  readonly levelE8: number | null;
  readonly marginCallLevelE8: number;
  readonly liquidationLevelE8: number;
  readonly distanceToCallUnits: number;
  readonly distanceToLiquidationUnits: number;
}

export function spotAccountReport(c: SpotMarginContext, accountId: number): SpotAccountReport | null {
  if (!c.state.accounts.has(accountId)) return null;
  const holdings = c.holdings(accountId);
  if (holdings === null) return null;
  const { params } = c.config;
  const ev = evaluateSpotAccount(params, holdings);
  const toTicks = (asset: string, levelE8: number): number | null => {
    const pair = c.pairByBase.get(asset);
    const now = c.state.indexTicks.get(asset);
    if (pair === undefined || now === undefined || ev.usedMarginUnits === 0) return null;
    const units = spotPriceAtLevel(params, holdings, asset, levelE8);
    if (units === null) return null;
    // reached as the price falls: round up (reported no later); as it rises: down
    const falling = units <= now * pair.quoteUnitsPerLotTick;
    const ticks = divRound(units, pair.quoteUnitsPerLotTick, falling ? Rounding.Ceil : Rounding.Floor);
    return ticks > 0 ? ticks : null;
  };
  const assets = holdings.map((h, i) => {
    const row = c.state.peekRow(accountId, h.asset);
    const f = ev.perAsset[i];
    const isSettle = h.asset === c.settleAsset;
    return Object.freeze({
      asset: h.asset,
      balanceUnits: h.balanceUnits,
      heldUnits: row?.heldUnits ?? 0,
      debtUnits: h.debtUnits,
      principalUnits: row?.principalUnits ?? 0,
      acceptedUnits: f.acceptedUnits,
      debtValueUnits: f.debtValueUnits,
      usedMarginUnits: f.usedMarginUnits,
      priceFeed: isSettle ? 'settle' : `index:${c.pairByBase.get(h.asset)!.symbol}`,
      indexPriceTicks: isSettle ? null : (c.state.indexTicks.get(h.asset) ?? null),
      callPriceTicks: isSettle ? null : toTicks(h.asset, params.levels.marginCallLevelE8),
      liquidationPriceTicks: isSettle ? null : toTicks(h.asset, params.levels.liquidationLevelE8),
    });
  });
  return Object.freeze({
    accountId,
    state: ev.usedMarginUnits === 0 ? ev.state : (c.state.marginStates.get(accountId) ?? ev.state),
    assets: Object.freeze(assets),
    acceptedCollateralUnits: ev.acceptedCollateralUnits,
    equityUnits: ev.equityUnits,
    usedMarginUnits: ev.usedMarginUnits,
    levelE8: ev.levelE8,
    marginCallLevelE8: params.levels.marginCallLevelE8,
    liquidationLevelE8: params.levels.liquidationLevelE8,
    distanceToCallUnits: ev.distanceToCallUnits,
    distanceToLiquidationUnits: ev.distanceToLiquidationUnits,
  });
}
