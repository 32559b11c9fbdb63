/**
 * Deficit conversion after liquidation (RISK-SPEC §7): a negative settle balance is
 * covered by converting other collateral at index, highest ratio first, with the
 * insurance fund as counterparty.
 *
 * For each asset (ratio descending; ties by asset code), `ratio` is its marginal
 * haircut ratio (the band holding its current value, the least generous one that
 * applies to the slice being sold, which protects the fund):
 * - value taken = `ceil(deficit / ratio)` settle units, then asset units taken =
 *   `ceil(value × perAssetUnits / settleUnits)`, and the account is credited the
 *   `deficit`;
 * - if the balance is smaller, all of it is taken and the credit is
 *   `floor(balance × price × ratio)`; the next asset covers the rest.
 * Assets with ratio 0 or a zero price are skipped. What remains is the fund's.
 *
 * Rounding: what the account gives rounds up, what it is credited rounds down.
 *
 * Example: deficit 1,000 USDT, 1 BTC at 30,000 with ratio 95% → value 1,052.631579
 * USDT (rounded up to the micro-USDT) → 3,508,772 satoshi taken (rounded up), 1,000
 * USDT credited.
 */
import { DomainError, Rounding, divRoundBig, toSafeNumber } from '@perpcore/domain';
import { type CollateralBalance, marginalHaircutRatioE8 } from './collateral.js';
import { requireUnits } from './input-guards.js';
import { E8 } from './tier-table.js';

export interface ConversionStep {
  readonly asset: string;
  readonly takenAssetUnits: number;
  readonly creditedSettleUnits: number;
  readonly ratioE8: number;
}

export interface DeficitConversion {
  readonly steps: readonly ConversionStep[];
  /** Deficit left for the insurance fund (≥ 0). */
  readonly remainingDeficitUnits: number;
}

export function planDeficitConversion(deficitUnits: number, collateral: readonly CollateralBalance[]): DeficitConversion {
  let deficit = requireUnits('deficitUnits', deficitUnits);
  if (deficit < 0) throw new DomainError('DOMAIN_NEGATIVE', `deficitUnits must be >= 0, got ${deficit}`);
  const ranked = collateral
    .filter((c) => requireUnits(`${c.schedule.asset}.balanceUnits`, c.balanceUnits) > 0 && c.price.settleUnits > 0)
    .map((c) => ({ c, ratioE8: marginalHaircutRatioE8(c.schedule, c.balanceUnits, c.price) }))
    .filter((r) => r.ratioE8 > 0)
    .sort((a, b) => b.ratioE8 - a.ratioE8 || (a.c.schedule.asset < b.c.schedule.asset ? -1 : a.c.schedule.asset > b.c.schedule.asset ? 1 : 0));
  const steps: ConversionStep[] = [];
  for (const { c, ratioE8 } of ranked) {
    if (deficit === 0) break;
    const ratio = BigInt(ratioE8);
    const value = divRoundBig(BigInt(deficit) * BigInt(E8), ratio, Rounding.Ceil);
    const take = divRoundBig(value * BigInt(c.price.perAssetUnits), BigInt(c.price.settleUnits), Rounding.Ceil);
    if (take <= BigInt(c.balanceUnits)) {
      steps.push(Object.freeze({ asset: c.schedule.asset, takenAssetUnits: toSafeNumber('takenAssetUnits', take), creditedSettleUnits: deficit, ratioE8 }));
      deficit = 0;
    } else {
      const credit = toSafeNumber(
        'creditedSettleUnits',
        divRoundBig(BigInt(c.balanceUnits) * BigInt(c.price.settleUnits) * ratio, BigInt(c.price.perAssetUnits) * BigInt(E8), Rounding.Floor),
      );
      steps.push(Object.freeze({ asset: c.schedule.asset, takenAssetUnits: c.balanceUnits, creditedSettleUnits: credit, ratioE8 }));
      deficit -= credit;
    }
  }
  return Object.freeze({ steps: Object.freeze(steps), remainingDeficitUnits: deficit });
}
