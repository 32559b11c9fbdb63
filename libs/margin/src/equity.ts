/**
 * Equity of a margin scope (RISK-SPEC §3.4).
 *
 * - Cross: `E = acceptedCollateral + Σ_cross positions (UPnL − PF)`. With only the
 *   settle asset, acceptedCollateral is the wallet balance WB and E is Binance's
 *   margin balance `WB + ΣUPnL`.
 * - Isolated: `E_iso = isolatedMargin + UPnL − PF`.
 *
 * Terms (settle units): acceptedCollateral from collateral.ts (§7), UPnL rounded
 * down (unrealized-pnl.ts), PF pending funding, positive when the position owes
 * (funding-index.ts). Rounding: none beyond UPnL's; a sum of integers.
 *
 * Example (RISK-SPEC §11.2): WB 500 USDT, long 0.02 BTC at 50,000 marked at
 * 50,000, no funding pending: E = 500 USDT.
 */
import type { MarketRiskParams } from './market-risk-params.js';
import { requirePrice, requireQtyLots, requireSafeResult, requireUnits } from './input-guards.js';
import { loadNotionalAtMark, notionalFraction } from './notional.js';
import { upnlFromNotional } from './unrealized-pnl.js';

/** One position of a scope, with the mark of its market. */
export interface PositionAtMark {
  readonly params: MarketRiskParams;
  /** Signed Q. */
  readonly qtyLots: number;
  /** Signed cost basis C. */
  readonly costUnits: number;
  /** PF, positive when the position owes funding. */
  readonly pendingFundingUnits: number;
  readonly markSubticks: number;
}

function positionEquityPart(p: PositionAtMark, i: number): number {
  const q = requireQtyLots(`positions[${i}].qtyLots`, p.qtyLots);
  const cost = requireUnits(`positions[${i}].costUnits`, p.costUnits);
  const pf = requireUnits(`positions[${i}].pendingFundingUnits`, p.pendingFundingUnits);
  requirePrice(`positions[${i}].markSubticks`, p.markSubticks);
  const whole = loadNotionalAtMark(p.params, Math.abs(q), p.markSubticks);
  return upnlFromNotional(q, whole, notionalFraction(), cost) - pf;
}

/** Cross equity in settle units. */
export function crossEquityUnits(acceptedCollateralUnits: number, positions: readonly PositionAtMark[]): number {
  let e = requireUnits('acceptedCollateralUnits', acceptedCollateralUnits);
  for (let i = 0; i < positions.length; i++) {
    // checked at every step: a partial sum past 2^53 would lose units silently
    e = requireSafeResult('crossEquityUnits', e + positionEquityPart(positions[i], i));
  }
  return e;
}

/** Isolated equity in settle units. */
export function isolatedEquityUnits(isolatedMarginUnits: number, position: PositionAtMark): number {
  const bucket = requireUnits('isolatedMarginUnits', isolatedMarginUnits);
  return requireSafeResult('isolatedEquityUnits', bucket + positionEquityPart(position, 0));
}
