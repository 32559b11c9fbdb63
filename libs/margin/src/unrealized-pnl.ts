/**
 * Unrealized PnL at mark (RISK-SPEC §3.1): `UPnL = Q × M − C`, rounded down.
 *
 * Terms: Q signed lots, M mark (subticks), C signed cost basis in settle units
 * (Σ signed qty × price of the fills still open), result settle units.
 *
 * Rounding: toward −∞ (profit never overstated, loss never understated). With
 * `N = whole + fraction/spt`: a long's UPnL is `whole − C`; a short's is
 * `−whole − C − (fraction > 0 ? 1 : 0)`.
 *
 * Example (RISK-SPEC §11.3): BTC long 109.488 at 32,481.98, mark 31,967.27:
 * UPnL = 3,500,032.45... − 3,556,387.02... = −56,354.56848 USDT.
 */
import type { MarketRiskParams } from './market-risk-params.js';
import { requirePrice, requireQtyLots, requireSafeResult, requireUnits } from './input-guards.js';
import { loadNotionalAtMark, notionalFraction } from './notional.js';

/** Internal kernel: floor(s·N − C) for the exact notional (trusted inputs). */
export function upnlFromNotional(sign: number, whole: number, fraction: number, costUnits: number): number {
  return sign >= 0 ? whole - costUnits : -whole - costUnits - (fraction > 0 ? 1 : 0);
}

/** UPnL in settle units, rounded down. */
export function unrealizedPnlUnits(params: MarketRiskParams, qtyLots: number, costUnits: number, markSubticks: number): number {
  const q = requireQtyLots('qtyLots', qtyLots);
  const cost = requireUnits('costUnits', costUnits);
  requirePrice('markSubticks', markSubticks);
  const whole = loadNotionalAtMark(params, Math.abs(q), markSubticks);
  return requireSafeResult('unrealizedPnlUnits', upnlFromNotional(q, whole, notionalFraction(), cost));
}
