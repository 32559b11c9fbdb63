/**
 * Binance account, balance and position rows from risk's account report (the
 * `ExchangeClient.account` view). Money is formatted from settle units exactly;
 * the mark, entry and notional come from integers through bigint ratios
 * (decimal-ratio.ts), rounding toward zero; a position's initial margin is
 * |notional| / leverage rounded up (the venue's favour). `updateTime` is never 0
 * (ccxt skips such balance rows).
 *
 * Wallet balance is the cross balance plus every isolated bucket; unrealized PnL,
 * initial and maintenance margin add the isolated scopes to the cross one.
 */
import { formatScaled, type MarketSpec } from '@perpcore/domain';
import type { AccountView } from '@perpcore/exchange';
import type { VenueMarket } from '@perpcore/markets';
import { AVERAGE_EXTRA_DIGITS, decimalRatio } from '../trading/decimal-ratio.js';

type ScopeReport = AccountView['cross'];
type PositionReport = ScopeReport['positions'][number];

export const units = (spec: { settleDecimals: number }, value: number | bigint): string => formatScaled(value, spec.settleDecimals);

function scopes(view: AccountView): ScopeReport[] {
  return [view.cross, ...view.isolated];
}

export interface PositionFigures {
  readonly report: PositionReport;
  readonly scope: ScopeReport;
  readonly venue: VenueMarket;
  readonly notionalUnits: bigint;
  readonly initialUnits: bigint;
}

export function positionFigures(view: AccountView, venue: readonly VenueMarket[]): PositionFigures[] {
  const out: PositionFigures[] = [];
  for (const scope of scopes(view)) {
    for (const report of scope.positions) {
      const v = venue.find((m) => m.spec.symbol === report.market);
      if (v === undefined || report.qtyLots === 0) continue;
      const spt = BigInt(v.risk.markSubticksPerTick);
      const notionalUnits = (BigInt(report.qtyLots) * BigInt(report.priceSource.markSubticks) * BigInt(v.spec.lotTickUnits)) / spt;
      const abs = notionalUnits < 0n ? -notionalUnits : notionalUnits;
      const lev = BigInt(Math.max(1, report.leverage));
      out.push({ report, scope, venue: v, notionalUnits, initialUnits: (abs + lev - 1n) / lev });
    }
  }
  return out;
}

export function markPrice(spec: MarketSpec, markSubticks: number, subticksPerTick: number): string {
  return decimalRatio(BigInt(markSubticks) * spec.tick.mantissa, BigInt(subticksPerTick) * 10n ** BigInt(spec.tick.scale), spec.tick.scale + AVERAGE_EXTRA_DIGITS);
}

export function entryPrice(spec: MarketSpec, p: PositionReport): string {
  return entryFromCost(spec, BigInt(p.costUnits), p.qtyLots);
}

/** |cost| / (|qty| × lotTickUnits) ticks, as a price. */
export function entryFromCost(spec: MarketSpec, costUnits: bigint, qtyLots: number): string {
  if (qtyLots === 0) return '0';
  const cost = costUnits < 0n ? -costUnits : costUnits;
  return decimalRatio(cost * spec.tick.mantissa, BigInt(Math.abs(qtyLots)) * BigInt(spec.lotTickUnits) * 10n ** BigInt(spec.tick.scale), spec.tick.scale + AVERAGE_EXTRA_DIGITS);
}

export function positionRow(f: PositionFigures, nowMs: number, version: 2 | 3, maxNotionalUnits: number): Record<string, unknown> {
  const { report: p, venue: v, scope } = f;
  const spec = v.spec;
  const isolated = p.mode === 'ISOLATED';
  const mark = markPrice(spec, p.priceSource.markSubticks, v.risk.markSubticksPerTick);
  const row: Record<string, unknown> = {
    symbol: p.market,
    positionSide: 'BOTH',
    positionAmt: formatScaled(BigInt(p.qtyLots) * spec.lot.mantissa, spec.lot.scale),
    entryPrice: entryPrice(spec, p),
    breakEvenPrice: entryPrice(spec, p),
    markPrice: mark,
    unRealizedProfit: units(spec, p.upnlUnits),
    liquidationPrice: p.liquidationPrice ?? '0',
    isolatedMargin: isolated ? units(spec, scope.collateralUnits + p.upnlUnits) : '0',
    notional: units(spec, f.notionalUnits),
    marginAsset: spec.settleAsset,
    isolatedWallet: isolated ? units(spec, scope.collateralUnits) : '0',
    initialMargin: units(spec, f.initialUnits),
    maintMargin: units(spec, p.maintenanceUnits),
    positionInitialMargin: units(spec, f.initialUnits),
    openOrderInitialMargin: '0',
    adl: 0,
    bidNotional: '0',
    askNotional: '0',
    updateTime: nowMs,
  };
  if (version === 2) {
    row.leverage = String(p.leverage);
    row.marginType = isolated ? 'isolated' : 'cross';
    row.maxNotionalValue = units(spec, maxNotionalUnits);
    row.isAutoAddMargin = 'false';
  }
  return row;
}

export interface AccountTotals {
  walletUnits: number;
  upnlUnits: number;
  initialUnits: number;
  orderImUnits: number;
  maintenanceUnits: number;
  crossWalletUnits: number;
  crossUpnlUnits: number;
  availableUnits: number;
  withdrawableUnits: number;
}

export function accountTotals(view: AccountView, settleAsset: string): AccountTotals {
  const crossWalletUnits = view.collateral.find((c) => c.asset === settleAsset)?.balanceUnits ?? 0;
  const sumUpnl = (s: ScopeReport) => s.positions.reduce((a, p) => a + p.upnlUnits, 0);
  let walletUnits = crossWalletUnits;
  let upnlUnits = sumUpnl(view.cross);
  let initialUnits = view.cross.initialUnits;
  let orderImUnits = view.cross.openOrderImUnits;
  let maintenanceUnits = view.cross.maintenanceUnits;
  for (const s of view.isolated) {
    walletUnits += s.collateralUnits;
    upnlUnits += sumUpnl(s);
    initialUnits += s.initialUnits;
    orderImUnits += s.openOrderImUnits;
    maintenanceUnits += s.maintenanceUnits;
  }
  return {
    walletUnits,
    upnlUnits,
    initialUnits,
    orderImUnits,
    maintenanceUnits,
    crossWalletUnits,
    crossUpnlUnits: sumUpnl(view.cross),
    availableUnits: Math.max(0, view.cross.availableUnits),
    withdrawableUnits: Math.max(0, view.withdrawableUnits),
  };
}
