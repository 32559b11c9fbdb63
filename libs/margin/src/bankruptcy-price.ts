/**
 * Bankruptcy amount and bankruptcy price (RISK-SPEC §4).
 *
 * Closing Δ lots of a position (signed Q, s = sign Q) in a scope with equity E and
 * total maintenance MMtot, at mark M:
 * ```
 * BPamount(Δ) = −ΔN − E × |ΔMM| / MMtot        (quote the account receives; negative = pays)
 * ```
 * with `−ΔN = s × Δ × M` (the mark value of the closed lots, signed) and
 * `ΔMM = MMpos(q − Δ) − MMpos(q) ≤ 0` from the rounded per-position MMs the level
 * test uses. A close at the exact BPamount leaves E/MM unchanged:
 * `E' = E + ΔN + BPamount = E × (MMtot − |ΔMM|) / MMtot = E × MM' / MMtot`; a full close
 * of the scope's last position leaves E = 0.
 *
 * Rounding (§0 table): the amount rounds toward +∞ (the account is never left
 * negative by rounding; the fund absorbs the sub-unit). The per-lot book price
 * `s × BPamount / (Δ × lotTickUnits)` rounds long up, short down, to the tick, so no
 * fill at or better than the limit is worse than BP. The limit may be ≤ 0 for a long
 * (any price fills); the liquidation engine applies its own price band.
 *
 * Whole isolated position (`isolatedBankruptcy`): the exact closed form
 * `BPamount = C − (isolatedMargin − PF)`, i.e. `BP = EP − s × (isolatedMargin − PF) / q`.
 *
 * Numbers: bigint. `bankruptcyAmountUnits` / `bankruptcyClose` (and the isolated pair)
 * give the amount, or the amount and the limit, with the same checks and without the price report
 * (`derivedPrice`: more bigint work and a string): the ADL ranking and the trigger
 * events need only those, for thousands of positions per mark move. The step
 * pair computes it in exact number arithmetic (floor and remainder of each term,
 * wide-arithmetic.ts) whenever every term is below 2^51, which is every realistic
 * position; beyond that, the same bigint form as `bankruptcy`. A property test holds
 * both equal to `bankruptcy`'s fields, refusals included.
 *
 * Example: isolated long 1 BTC (1,000 lots of 0.001) entered at 50,000, bucket
 * 5,000 USDT, no funding: BPamount = 50,000 − 5,000 = 45,000 USDT, BP = 45,000.00.
 */
import { DomainError, Rounding, divRoundBig } from '@perpcore/domain';
import { type DerivedPrice, derivedPrice } from './derived-price.js';
import type { Ratio } from './exact-ratio.js';
import type { MarketRiskParams } from './market-risk-params.js';
import { requirePrice, requireQtyLots, requireSafeResult, requireUnits } from './input-guards.js';
import { maintenanceFromNotional } from './maintenance-margin.js';
import { loadNotionalAtMark, notionalFraction } from './notional.js';
import { RiskErrorCode } from './risk-error-codes.js';
import { tierIndexFor } from './tier-table.js';
import { MAX_WIDE_DIVISOR, compareProducts, mulDivFloorWide, wideRemainder } from './wide-arithmetic.js';

export interface BankruptcyInput {
  /** Signed Q of the position, ≠ 0. */
  readonly qtyLots: number;
  /** Δ lots to close, 1..|Q|. */
  readonly closeLots: number;
  readonly markSubticks: number;
  /** E of the scope (as the level test computes it). */
  readonly scopeEquityUnits: number;
  /** MMtot of the scope: Σ MMpos, including this position's. */
  readonly scopeMaintenanceUnits: number;
}

/** What a bankruptcy-priced close reads (`bankruptcyClose`): the rounded amount and the book limit. */
export interface BankruptcyClose {
  /** BPamount rounded toward +∞: quote the account receives (negative = pays). */
  readonly amountUnits: number;
  /** Book limit in ticks: long rounded up, short down. May be ≤ 0 for a long. */
  readonly limitPriceTicks: number;
}

export interface Bankruptcy extends BankruptcyClose {
  /** The exact BPamount in units. */
  readonly exactAmount: Ratio;
  /** Exact per-lot price and its report (long up, short down, to priceDecimals). */
  readonly price: DerivedPrice;
}

function mmAt(params: MarketRiskParams, absQtyLots: number, markSubticks: number): number {
  const whole = loadNotionalAtMark(params, absQtyLots, markSubticks);
  return maintenanceFromNotional(params.tiers, whole, notionalFraction(), params.markSubticksPerTick);
}

function build(params: MarketRiskParams, sign: number, closeLots: number, amount: Ratio, tierIndex: number): Bankruptcy {
  const long = sign > 0;
  const ticks = perLotTicks(params, long, closeLots, amount);
  return Object.freeze({ amountUnits: amountUnitsOf(amount), exactAmount: amount, limitPriceTicks: limitTicksOf(ticks, long), price: derivedPrice(params, ticks, tierIndex, long) });
}

function amountUnitsOf(amount: Ratio): number {
  return requireSafeResult('bankruptcyAmountUnits', Number(divRoundBig(amount.num, amount.den, Rounding.Ceil)));
}

/** Per-lot price in ticks: s × A / (Δ × ltu). */
function perLotTicks(params: MarketRiskParams, long: boolean, closeLots: number, amount: Ratio): Ratio {
  const den = amount.den * BigInt(closeLots) * BigInt(params.lotTickUnits);
  return { num: long ? amount.num : -amount.num, den };
}

function limitTicksOf(ticks: Ratio, long: boolean): number {
  return requireSafeResult('bankruptcyPriceTicks', Number(divRoundBig(ticks.num, ticks.den, long ? Rounding.Ceil : Rounding.Floor)));
}

/** BPamount and BP for closing `closeLots` of a position (general step form). */
export function bankruptcy(params: MarketRiskParams, input: BankruptcyInput): Bankruptcy {
  const amount = stepAmount(params, input);
  const whole = loadNotionalAtMark(params, Math.abs(input.qtyLots), input.markSubticks);
  return build(params, Math.sign(input.qtyLots), input.closeLots, amount, tierIndexFor(params.tiers, whole, notionalFraction() > 0));
}

/**
 * `bankruptcy(params, input).amountUnits`, same checks, without the price and its
 * report: the ADL ranking scores every holder of a side with it after a mark move.
 */
export function bankruptcyAmountUnits(params: MarketRiskParams, input: BankruptcyInput): number {
  checkStep(params, input);
  const fast = stepAmountUnitsInNumbers(params);
  return fast === fast ? fast : amountUnitsOf(stepRatio(params));
}

/** `bankruptcy(params, input)`'s amount and limit, same checks, without the price report (takeovers, ADL runs, trigger events). */
export function bankruptcyClose(params: MarketRiskParams, input: BankruptcyInput): BankruptcyClose {
  checkStep(params, input);
  const amountUnits = stepAmountUnitsInNumbers(params);
  const limitPriceTicks = stepLimitTicksInNumbers(params);
  if (amountUnits === amountUnits && limitPriceTicks === limitPriceTicks) return { amountUnits, limitPriceTicks };
  // the bigint form for what the number forms could not hold, refused in `build`'s order (amount first)
  const ratio = stepRatio(params);
  const long = input.qtyLots > 0;
  return {
    amountUnits: amountUnits === amountUnits ? amountUnits : amountUnitsOf(ratio),
    limitPriceTicks: limitPriceTicks === limitPriceTicks ? limitPriceTicks : limitTicksOf(perLotTicks(params, long, input.closeLots, ratio), long),
  };
}

/** The step's checked terms (`checkStep` → `stepRatio` and the number forms): no object per call. */
const step = new Float64Array(6);
const SIGN = 0;
const DELTA = 1;
const MARK = 2;
const EQUITY = 3;
const MM_TOT = 4;
const D_MM = 5;

/** The inputs checked and the exact BPamount of the step (module doc). */
function stepAmount(params: MarketRiskParams, input: BankruptcyInput): Ratio {
  checkStep(params, input);
  return stepRatio(params);
}

function checkStep(params: MarketRiskParams, input: BankruptcyInput): void {
  const Q = requireQtyLots('qtyLots', input.qtyLots);
  if (Q === 0) throw new DomainError(RiskErrorCode.InvalidArgument, 'qtyLots must not be 0 for a bankruptcy price');
  const q = Math.abs(Q);
  const delta = requirePrice('closeLots', input.closeLots);
  if (delta > q) throw new DomainError(RiskErrorCode.InvalidArgument, `closeLots ${delta} exceeds the position's ${q} lots`);
  const mark = requirePrice('markSubticks', input.markSubticks);
  const e = requireUnits('scopeEquityUnits', input.scopeEquityUnits);
  const mmTot = requireUnits('scopeMaintenanceUnits', input.scopeMaintenanceUnits);
  const mmBefore = mmAt(params, q, mark);
  const mmAfter = mmAt(params, q - delta, mark);
  if (mmTot < mmBefore) {
    throw new DomainError(RiskErrorCode.InvalidArgument, `scopeMaintenanceUnits ${mmTot} is below this position's own MM ${mmBefore}`);
  }
  step[SIGN] = Math.sign(Q);
  step[DELTA] = delta;
  step[MARK] = mark;
  step[EQUITY] = e;
  step[MM_TOT] = mmTot;
  step[D_MM] = mmBefore - mmAfter;
}

function stepRatio(params: MarketRiskParams): Ratio {
  const s = BigInt(step[SIGN]);
  const spt = BigInt(params.markSubticksPerTick);
  const markValue = s * BigInt(step[DELTA]) * BigInt(step[MARK]) * BigInt(params.lotTickUnits); // −ΔN × spt
  const mmTot = step[MM_TOT];
  const dMm = BigInt(step[D_MM]);
  return mmTot === 0 ? { num: markValue, den: spt } : { num: markValue * BigInt(mmTot) - BigInt(step[EQUITY]) * dMm * spt, den: spt * BigInt(mmTot) };
}

/**
 * Below this, a quotient, and the sum or difference of two of them plus one, are
 * safe integers: the number forms run only when every term is below it (checked by
 * a float estimate, far from the limit), else they answer NaN and the bigint form runs.
 */
const NUMBER_FORM_LIMIT = 2 ** 51;

/**
 * `ceil(BPamount)` in numbers, exact: `BPamount = x − y` with `x = s·Δ·ltu·M / spt`
 * and `y = E·ΔMM / MMtot`; each is split into floor and remainder (`mulDivFloorWide`),
 * and the fractional parts `rx/spt − ry/MMtot` (in (−1, 1)) add 1 exactly when
 * `rx·MMtot > ry·spt` (`compareProducts`). NaN when a term is out of range, and for
 * MMtot 0 (unreachable: a position's own MM is at least one unit).
 */
function stepAmountUnitsInNumbers(params: MarketRiskParams): number {
  const spt = params.markSubticksPerTick;
  const mmTot = step[MM_TOT];
  const signedLotUnits = step[SIGN] * step[DELTA] * params.lotTickUnits;
  if (!inNumberRange(signedLotUnits, step[MARK], spt) || spt > MAX_WIDE_DIVISOR || mmTot > MAX_WIDE_DIVISOR) return Number.NaN;
  const qx = mulDivFloorWide(signedLotUnits, step[MARK], spt);
  const rx = wideRemainder();
  const dMm = step[D_MM];
  if (!inNumberRange(step[EQUITY], dMm, mmTot)) return Number.NaN;
  const qy = mulDivFloorWide(step[EQUITY], dMm, mmTot);
  const ry = wideRemainder();
  return qx - qy + (compareProducts(rx, mmTot, ry, spt) > 0 ? 1 : 0);
}

/**
 * The book limit in numbers, exact: the per-lot price `s·BPamount / (Δ·ltu)` is
 * `M/spt − s·E·ΔMM / (MMtot·Δ·ltu)` (the mark term's s² = 1), rounded long up, short
 * down, by the same floor-and-remainder split. NaN when a term is out of range.
 */
function stepLimitTicksInNumbers(params: MarketRiskParams): number {
  const spt = params.markSubticksPerTick;
  const long = step[SIGN] > 0;
  const mmTot = step[MM_TOT];
  if (spt > MAX_WIDE_DIVISOR) return Number.NaN;
  const qm = mulDivFloorWide(step[MARK], 1, spt);
  const rm = wideRemainder();
  const d = mmTot * step[DELTA] * params.lotTickUnits;
  const signedEquity = step[SIGN] * step[EQUITY];
  if (d > MAX_WIDE_DIVISOR || !inNumberRange(signedEquity, step[D_MM], d)) return Number.NaN;
  const qt = mulDivFloorWide(signedEquity, step[D_MM], d);
  const c = compareProducts(rm, d, wideRemainder(), spt);
  if (long) return qm - qt + (c > 0 ? 1 : 0);
  return qm - qt - (c < 0 ? 1 : 0);
}

/** Whether a, b are safe integers and |a·b / d| is well inside the number forms' range. */
function inNumberRange(a: number, b: number, d: number): boolean {
  return Number.isSafeInteger(a) && Number.isSafeInteger(b) && Math.abs((a * b) / d) < NUMBER_FORM_LIMIT;
}

export interface IsolatedBankruptcyInput {
  readonly qtyLots: number;
  readonly costUnits: number;
  readonly isolatedMarginUnits: number;
  readonly pendingFundingUnits: number;
}

/** Closed form for a whole isolated position: BPamount = C − (isolatedMargin − PF), exact. */
export function isolatedBankruptcy(params: MarketRiskParams, input: IsolatedBankruptcyInput): Bankruptcy {
  const amount = isolatedAmount(input);
  return build(params, Math.sign(input.qtyLots), Math.abs(input.qtyLots), amount, 0);
}

/** `isolatedBankruptcy(params, input).amountUnits`, same checks, without the price (the ADL ranking's BV). */
export function isolatedBankruptcyAmountUnits(_params: MarketRiskParams, input: IsolatedBankruptcyInput): number {
  return amountUnitsOf(isolatedAmount(input));
}

/** `isolatedBankruptcy(params, input)`'s amount and limit, same checks, without the price report. */
export function isolatedBankruptcyClose(params: MarketRiskParams, input: IsolatedBankruptcyInput): BankruptcyClose {
  const amount = isolatedAmount(input);
  const long = input.qtyLots > 0;
  return { amountUnits: amountUnitsOf(amount), limitPriceTicks: limitTicksOf(perLotTicks(params, long, Math.abs(input.qtyLots), amount), long) };
}

function isolatedAmount(input: IsolatedBankruptcyInput): Ratio {
  const Q = requireQtyLots('qtyLots', input.qtyLots);
  if (Q === 0) throw new DomainError(RiskErrorCode.InvalidArgument, 'qtyLots must not be 0 for a bankruptcy price');
  const cost = requireUnits('costUnits', input.costUnits);
  const bucket = requireUnits('isolatedMarginUnits', input.isolatedMarginUnits);
  const pf = requireUnits('pendingFundingUnits', input.pendingFundingUnits);
  return { num: BigInt(cost) - BigInt(bucket) + BigInt(pf), den: 1n };
}
