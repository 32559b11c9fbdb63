/**
 * Available and withdrawable margin (RISK-SPEC §3.4, §3.5).
 *
 * - Available for orders (cross): `E − Σ IM` over the cross markets (may be
 *   negative; an order is accepted only if it stays ≥ 0 after the hold).
 * - Withdrawable settle asset: `max(0, min(WB, E) − Σ IM)`: unrealized profit backs
 *   trading but cannot be withdrawn.
 * - Isolated bucket: removable down to IMpos and no lower, and never more than the
 *   bucket holds: `max(0, min(bucket, E_iso) − IMpos)` (PF is settled before any
 *   margin change, so E_iso here carries no pending funding).
 *
 * Rounding: none (integer inputs; IM already rounded up, UPnL down).
 *
 * Example: WB 1,000, UPnL +300 (E 1,300), Σ IM 400 → available 900, withdrawable
 * min(1,000, 1,300) − 400 = 600.
 */
import { requireNonNegativeInteger } from '@perpcore/domain';
import { requireSafeResult, requireUnits } from './input-guards.js';

export function availableForOrdersUnits(equityUnits: number, initialMarginUnits: number): number {
  const e = requireUnits('equityUnits', equityUnits);
  const im = requireNonNegativeInteger('initialMarginUnits', initialMarginUnits);
  return requireSafeResult('availableForOrdersUnits', e - im);
}

export function withdrawableUnits(walletUnits: number, equityUnits: number, initialMarginUnits: number): number {
  const wb = requireUnits('walletUnits', walletUnits);
  const e = requireUnits('equityUnits', equityUnits);
  const im = requireNonNegativeInteger('initialMarginUnits', initialMarginUnits);
  return Math.max(0, Math.min(wb, e) - im);
}

export function isolatedRemovableUnits(isolatedMarginUnits: number, isolatedEquityUnits: number, positionInitialMarginUnits: number): number {
  const bucket = requireUnits('isolatedMarginUnits', isolatedMarginUnits);
  const e = requireUnits('isolatedEquityUnits', isolatedEquityUnits);
  const im = requireNonNegativeInteger('positionInitialMarginUnits', positionInitialMarginUnits);
  return Math.max(0, Math.min(bucket, e) - im);
}
