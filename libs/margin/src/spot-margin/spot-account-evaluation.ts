/**
 * Spot-margin account evaluation (issue 13.1, RISK-SPEC §6, §7, §10): the three
 * questions for one account.
 *
 * - Accepted collateral: each asset balance (≥ 0) after its haircut (collateral.ts),
 *   rounded down.
 * - Debt value: each asset's debt (principal + settled interest) at its index price,
 *   full value, rounded up.
 * - Equity `E = Σ accepted − Σ debt value` (gross: a balance is haircut even when the
 *   account also owes that asset, which never flatters the borrower).
 * - Used margin `U = Σ spotUsedMarginUnits` (a long's fixed at entry, a short's revalued).
 * - Level `E / U` (basis IM): HEALTHY, CALLED (≤ call level), LIQUIDATING (≤ liquidation
 *   level); an account without borrows (U = 0) cannot breach. The trigger price is the
 *   index price of each asset (the `price` each holding carries).
 * - Distances `E − ceil(level × U)` (never overstated), see margin-level.ts.
 *
 * Allocation: one result object per call; this runs per command and per index tick
 * for accounts that borrow, off the order hot path.
 *
 * Example (Kraken, long 1.5 BTC at 30,000 with 10,000 USD, 5×): USD 10,000 held,
 * USD 45,000 owed (entry 45,000 → U = 9,000), 1.5 BTC held; at 28,133.30 E = 7,199.95
 * and the level is 79.99 % → CALLED.
 */
import { DomainError, Rounding, divRoundBig, requireNonNegativeInteger, toSafeNumber } from '@perpcore/domain';
import { type CollateralPrice, type HaircutSchedule, acceptedValueUnits } from '../collateral.js';
import { MarginState, classifyMarginLevel, distanceToLevelUnits } from '../margin-level.js';
import { E8 } from '../tier-table.js';
import type { SpotMarginParams } from './spot-margin-params.js';
import { SpotMarginErrorCode } from './spot-margin-error-codes.js';
import { spotUsedMarginUnits } from './spot-used-margin.js';

export interface SpotHolding {
  readonly asset: string;
  readonly schedule: HaircutSchedule;
  /** Index price: settle units per `perAssetUnits` of the asset (settle asset: 1 per 1). */
  readonly price: CollateralPrice;
  /** Held, ≥ 0. */
  readonly balanceUnits: number;
  /** Owed (principal with interest settled to now), ≥ 0. */
  readonly debtUnits: number;
  /** Principal borrowed at entry (carries used margin), ≥ 0. */
  readonly entryUnits: number;
}

export interface SpotAssetFigures {
  readonly asset: string;
  readonly acceptedUnits: number;
  readonly debtValueUnits: number;
  readonly usedMarginUnits: number;
}

export interface SpotEvaluation {
  readonly perAsset: readonly SpotAssetFigures[];
  readonly acceptedCollateralUnits: number;
  readonly debtValueUnits: number;
  readonly equityUnits: number;
  readonly usedMarginUnits: number;
  /** floor(E × 1e8 / U), null without borrows (capped at MAX_SAFE_INTEGER). */
  readonly levelE8: number | null;
  readonly state: MarginState;
  readonly distanceToCallUnits: number;
  readonly distanceToLiquidationUnits: number;
}

/** Full value of a debt in settle units, rounded up. */
export function spotDebtValueUnits(debtUnits: number, price: CollateralPrice): number {
  const debt = BigInt(requireNonNegativeInteger('debtUnits', debtUnits));
  return toSafeNumber('debtValueUnits', divRoundBig(debt * BigInt(requireNonNegativeInteger('price.settleUnits', price.settleUnits)), BigInt(price.perAssetUnits), Rounding.Ceil));
}

/** The leverage that carries a borrow of `asset`; throws for an asset that cannot be borrowed. */
export function spotLeverageOf(params: SpotMarginParams, asset: string): number {
  const terms = params.borrowable.get(asset);
  if (terms === undefined) throw new DomainError(SpotMarginErrorCode.AssetNotBorrowable, `${asset} is not borrowable`);
  return terms.maxLeverage;
}

export function spotAssetFigures(params: SpotMarginParams, h: SpotHolding): SpotAssetFigures {
  const balance = requireNonNegativeInteger(`${h.asset}.balanceUnits`, h.balanceUnits);
  const entry = requireNonNegativeInteger(`${h.asset}.entryUnits`, h.entryUnits);
  const used = entry === 0 ? 0 : spotUsedMarginUnits(entry, spotLeverageOf(params, h.asset), h.asset === params.settleAsset, h.price);
  return Object.freeze({
    asset: h.asset,
    acceptedUnits: acceptedValueUnits(h.schedule, balance, h.price),
    debtValueUnits: spotDebtValueUnits(h.debtUnits, h.price),
    usedMarginUnits: used,
  });
}

/**
 * floor(E × 1e8 / U), null when U = 0. A tiny borrow against large equity can pass
 * 2^53 in E8: the figure is then capped at MAX_SAFE_INTEGER (decisions never use it;
 * they compare E × 1e8 with level × U exactly).
 */
function spotLevelE8(equityUnits: number, usedMarginUnits: number): number | null {
  if (usedMarginUnits === 0) return null;
  const level = divRoundBig(BigInt(equityUnits) * BigInt(E8), BigInt(usedMarginUnits), Rounding.Floor);
  return level > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(level);
}

function safeSum(name: string, a: number, b: number): number {
  const s = a + b;
  if (!Number.isSafeInteger(s)) throw new DomainError('DOMAIN_OUT_OF_RANGE', `${name} exceeds the safe-integer range`);
  return s;
}

export function evaluateSpotAccount(params: SpotMarginParams, holdings: readonly SpotHolding[]): SpotEvaluation {
  const perAsset: SpotAssetFigures[] = [];
  let accepted = 0;
  let debt = 0;
  let used = 0;
  for (const h of holdings) {
    const f = spotAssetFigures(params, h);
    perAsset.push(f);
    accepted = safeSum('acceptedCollateralUnits', accepted, f.acceptedUnits);
    debt = safeSum('debtValueUnits', debt, f.debtValueUnits);
    used = safeSum('usedMarginUnits', used, f.usedMarginUnits);
  }
  const equity = safeSum('equityUnits', accepted, -debt);
  const { levels } = params;
  return Object.freeze({
    perAsset: Object.freeze(perAsset),
    acceptedCollateralUnits: accepted,
    debtValueUnits: debt,
    equityUnits: equity,
    usedMarginUnits: used,
    levelE8: spotLevelE8(equity, used),
    state: classifyMarginLevel(equity, used, levels),
    distanceToCallUnits: distanceToLevelUnits(equity, used, levels.marginCallLevelE8),
    distanceToLiquidationUnits: distanceToLevelUnits(equity, used, levels.liquidationLevelE8),
  });
}
