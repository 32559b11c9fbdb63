/**
 * The index price of one asset at which a spot-margin account reaches a level
 * (the call price, the liquidation price), every other price held still.
 *
 * With X's balance b, debt d, entry e, leverage L, haircut ratio h (the marginal band
 * at the current value: exact for a flat haircut, an estimate across bands) and the
 * rest of the account's equity C and used margin U₀ (settle units), solving
 * `E(s) = ℓ × U(s)` for the price s (settle units per D asset units):
 *   `s = (ℓ·U₀ − C·1e8) · D · L / (h·b·L − d·1e8·L − ℓ·e)` (ℓ, h in 1e-8; e = 0 when X
 *   carries no used margin).
 * A positive denominator means the level is reached as X falls (a long): rounded up,
 * so the reported trigger comes no later than the exact one; a negative one as X
 * rises (a short): rounded down. No exposure, or a non-positive s: null.
 *
 * Example (Kraken, long 1 BTC bought at 20,000 with 10,000 USD, 5×, U₀ = 4,000,
 * C = −10,000): call (80 %) at 13,200, liquidation (40 %) at 11,600.
 */
import { DomainError, Rounding, divRoundBig, toSafeNumber } from '@perpcore/domain';
import { marginalHaircutRatioE8 } from '../collateral.js';
import { RiskErrorCode } from '../risk-error-codes.js';
import { E8 } from '../tier-table.js';
import { type SpotHolding, spotAssetFigures, spotLeverageOf } from './spot-account-evaluation.js';
import type { SpotMarginParams } from './spot-margin-params.js';

/** Settle units per `perAssetUnits` of `asset` at which the level is reached, or null. */
export function spotPriceAtLevel(params: SpotMarginParams, holdings: readonly SpotHolding[], asset: string, levelE8: number): number | null {
  const x = holdings.find((h) => h.asset === asset);
  if (x === undefined) throw new DomainError(RiskErrorCode.InvalidArgument, `no holding of ${asset}`);
  if (asset === params.settleAsset) throw new DomainError(RiskErrorCode.InvalidArgument, `${asset} is the settle asset: its price is fixed`);
  let restEquity = 0n;
  let restUsed = 0n;
  for (const h of holdings) {
    if (h.asset === asset) continue;
    const f = spotAssetFigures(params, h);
    restEquity += BigInt(f.acceptedUnits - f.debtValueUnits);
    restUsed += BigInt(f.usedMarginUnits);
  }
  const level = BigInt(levelE8);
  const lev = x.entryUnits === 0 ? 1n : BigInt(spotLeverageOf(params, asset));
  const h = BigInt(marginalHaircutRatioE8(x.schedule, x.balanceUnits, x.price));
  const e8 = BigInt(E8);
  const den = h * BigInt(x.balanceUnits) * lev - BigInt(x.debtUnits) * e8 * lev - level * BigInt(x.entryUnits);
  if (den === 0n) return null;
  const num = (level * restUsed - restEquity * e8) * BigInt(x.price.perAssetUnits) * lev;
  const s = divRoundBig(num, den, den > 0n ? Rounding.Ceil : Rounding.Floor);
  return s > 0n ? toSafeNumber('priceAtLevel', s) : null;
}
