/**
 * Cross liquidation price with the maintenance margin held at its current amount
 * (Bybit's published cross reading), beside the spec's price (liquidation-price.ts)
 * where MM moves with the price.
 *
 * Formula (Bybit USDT contracts, cross margin: `LP = MP − (AB + IM − MM) / size` for a
 * long, `MP + … ` for a short; AB + IM is the equity above the position's own margin,
 * i.e. E here):
 * ```
 * held:  W + UPNL₁ + Q·X − C = TMM₁ + MMpos(M)              ⇒ X = (C − W − UPNL₁ + TMM₁ + MMpos(M)) / Q
 * spec:  W + UPNL₁ + Q·X − C = TMM₁ + q·X·mmr_k − cum_k      (liquidation-price.ts)
 * ```
 * Same inputs as `liquidationPrice`. MMpos(M) is the rounded per-position MM the level
 * test uses at the current mark M.
 *
 * Where they differ: both agree when the mark is at the liquidation price (MM then
 * has its liquidation-time value). Away from it a long's held MM is larger than
 * its MM at the lower LP, so the held price is higher (earlier) for longs; a short's
 * held MM is smaller than at the higher LP, so the held price is higher (later)
 * for shorts too. Tests pin both directions. The spec's price is the trigger's
 * truth; the held price is a display convention, selectable for compatibility only.
 *
 * Rounding: reported long up, short down, to priceDecimals (derived-price.ts).
 * Numbers: bigint (off the hot path).
 *
 * Example: WB 500 USDT, long 0.02 BTC at 50,000, mark 50,000, MMR 0.40% (MM 4 USDT):
 * held LP = (1,000 − 500 + 4) / 0.02 = 25,200.00; the spec's LP is 25,100.41.
 */
import { DomainError } from '@perpcore/domain';
import { type DerivedPrice, derivedPrice } from './derived-price.js';
import { ratio } from './exact-ratio.js';
import type { LiquidationPriceInput } from './liquidation-price.js';
import type { MarketRiskParams } from './market-risk-params.js';
import { maintenanceMarginUnits, maintenanceTierIndex } from './maintenance-margin.js';
import { requireQtyLots, requireUnits } from './input-guards.js';
import { RiskErrorCode } from './risk-error-codes.js';

/** Liquidation price with MM held at its amount at the current mark; null for a long at or below 0. */
export function heldMaintenanceLiquidationPrice(params: MarketRiskParams, input: LiquidationPriceInput): DerivedPrice | null {
  const q = requireQtyLots('qtyLots', input.qtyLots);
  if (q === 0) throw new DomainError(RiskErrorCode.InvalidArgument, 'qtyLots must not be 0 for a liquidation price');
  const cost = BigInt(requireUnits('costUnits', input.costUnits));
  const w = BigInt(requireUnits('walletUnits', input.walletUnits));
  const tmm = requireUnits('otherMaintenanceUnits', input.otherMaintenanceUnits);
  if (tmm < 0) throw new DomainError('DOMAIN_NEGATIVE', `otherMaintenanceUnits must be >= 0, got ${tmm}`);
  const upnl = BigInt(requireUnits('otherUpnlUnits', input.otherUpnlUnits));
  const mmNow = BigInt(maintenanceMarginUnits(params, q, input.markSubticks));
  const k = maintenanceTierIndex(params, q, input.markSubticks);
  const ticks = ratio(cost - w - upnl + BigInt(tmm) + mmNow, BigInt(q) * BigInt(params.lotTickUnits));
  if (q > 0 && ticks.num <= 0n) return null;
  return derivedPrice(params, ticks, k, q > 0);
}
