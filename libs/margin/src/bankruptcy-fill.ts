/**
 * The fill of a bankruptcy-priced close (RISK-SPEC §8.7 takeover, §8.8 ADL): one
 * price for the whole closed quantity, and the exact BPamount split across the
 * slices (one slice per counterparty; a takeover is one slice).
 *
 * Rules
 * - One price. BP is computed once, for the whole quantity being closed, when the
 *   takeover or the ADL run starts (`bankruptcy` / `isolatedBankruptcy`). Every
 *   slice settles at the same fill price `P = max(BP ticks, 1)`: a book price
 *   cannot be below one tick, so a bankruptcy price below one tick fills at the
 *   minimum price.
 * - Exact allocation. Slice k (lots `Δ_k`, cumulative `D_k = Δ_1 + … + Δ_k` of the
 *   whole `q`) is credited `A_k = floor(A × D_k / q) − floor(A × D_{k−1} / q)` of the
 *   whole BPamount `A` (already rounded up). The parts add up to `A` exactly when the
 *   slices cover q; each part rounds down, so the sub-unit of every slice goes to
 *   the fund, never to the account.
 * - Fill value of a slice: `V_k = s × Δ_k × P × lotTickUnits` (what the fill moves to
 *   the account: + for a long selling, − for a short buying).
 * - Tick difference `V_k − A_k ≥ 0` goes from the account to the fund (the
 *   tick-rounded price is at or better than BP for the fund), so the account nets
 *   exactly `A_k`.
 * - Shortfall `A_k − V_k > 0` happens only when BP is below one tick: a short that
 *   should *receive* money to close buys at 1 tick instead. The account nets `V_k`;
 *   the shortfall is left in the scope as a deficit that completion covers (§8.9:
 *   collateral conversion, then the fund, then recorded as uncovered bad debt). A
 *   long with BP below one tick sells at 1 tick and pays the fund a larger tick
 *   difference; it never has a shortfall.
 * Within one close all slices have a tick difference, or all a shortfall (never
 * mixed): with `P` ≥ BP per lot each `V_k ≥ ceil(A × Δ_k / q) ≥ A_k`; with `P` above
 * a short's BP each `V_k − A_k < 1`, so ≤ 0.
 *
 * Example: long 10 BTC (10,000 lots, ltu 100), A = 269,149,999,963 units, BP
 * 269,150 ticks; slices 6,000 + 4,000 lots: A_1 = floor(A × 0.6) = 161,489,999,977,
 * A_2 = 107,659,999,986 (Σ = A); V = 161,490,000,000 and 107,660,000,000; tick
 * differences 23 + 14 = 37 = 10,000 × 269,150 × 100 − A.
 *
 * Numbers: exact in float64, no bigint: each share is `floor(A × D_k / q)` by the
 * exact wide kernel (wide-arithmetic.ts), bounded by |A|; a fill value or tick
 * difference outside the safe-integer range is refused as before (an ADL cascade
 * plans thousands of these in one mark tick).
 */
import { DomainError } from '@perpcore/domain';
import type { BankruptcyClose } from './bankruptcy-price.js';
import { requireQtyLots, requireSafeResult } from './input-guards.js';
import type { MarketRiskParams } from './market-risk-params.js';
import { RiskErrorCode } from './risk-error-codes.js';
import { mulDivFloorWide } from './wide-arithmetic.js';

export interface BankruptcyFillSlice {
  readonly qtyLots: number;
  /** A_k: this slice's share of BPamount (what the account nets when there is no shortfall). */
  readonly bankruptcyAmountUnits: number;
  /** V_k: signed value the fill at P moves to the account. */
  readonly fillValueUnits: number;
  /** max(0, V_k − A_k): account → fund. */
  readonly tickDifferenceUnits: number;
  /** max(0, A_k − V_k): left in the scope as a deficit (BP below one tick only). */
  readonly shortfallUnits: number;
}

export interface BankruptcyFill {
  /** BP of the whole quantity, in ticks (long rounded up, short down); may be < 1. */
  readonly bankruptcyPriceTicks: number;
  /** The price every slice settles at: max(BP, 1 tick). */
  readonly fillPriceTicks: number;
  /** Σ A_k (= the whole BPamount when the slices cover the position). */
  readonly bankruptcyAmountUnits: number;
  readonly tickDifferenceUnits: number;
  readonly shortfallUnits: number;
  readonly slices: readonly BankruptcyFillSlice[];
}

/** The book price of a bankruptcy-priced close: BP, or the minimum price (1 tick) when BP is below it. */
export function bankruptcyFillPriceTicks(bp: BankruptcyClose): number {
  return bp.limitPriceTicks < 1 ? 1 : bp.limitPriceTicks;
}

/**
 * Plans closing `sliceLots` (each ≥ 1, Σ ≤ |positionLots|) of a position of signed
 * `positionLots` whose whole-position bankruptcy is `bp`.
 */
export function planBankruptcyFill(params: MarketRiskParams, positionLots: number, bp: BankruptcyClose, sliceLots: readonly number[]): BankruptcyFill {
  const Q = requireQtyLots('positionLots', positionLots);
  if (Q === 0) throw new DomainError(RiskErrorCode.InvalidArgument, 'positionLots must not be 0 for a bankruptcy fill');
  const q = Math.abs(Q);
  const sign = Q > 0 ? 1 : -1;
  const price = bankruptcyFillPriceTicks(bp);
  const amount = bp.amountUnits;
  const slices: BankruptcyFillSlice[] = [];
  let done = 0;
  let credited = 0;
  let tickDifference = 0;
  let shortfall = 0;
  for (const lots of sliceLots) {
    if (!Number.isSafeInteger(lots) || lots < 1) throw new DomainError(RiskErrorCode.InvalidArgument, `slice lots must be a positive integer, got ${lots}`);
    if (lots > q - done) throw new DomainError(RiskErrorCode.InvalidArgument, `slices of ${BigInt(done) + BigInt(lots)} lots exceed the position's ${q}`);
    done += lots;
    // |upTo| ≤ |A| (done ≤ q), and the shares keep A's sign: every term below is exact
    const upTo = mulDivFloorWide(amount, done, q);
    const share = upTo - credited;
    credited = upTo;
    const value = sign * lots * price * params.lotTickUnits;
    if (!Number.isSafeInteger(value)) requireSafeResult('fillValueUnits', Number(BigInt(sign * lots) * BigInt(price) * BigInt(params.lotTickUnits)));
    // correctly rounded: an out-of-range difference is refused with the value the bigint form would report
    const diff = value - share;
    const slice: BankruptcyFillSlice = {
      qtyLots: lots,
      bankruptcyAmountUnits: share,
      fillValueUnits: value,
      tickDifferenceUnits: diff > 0 ? requireSafeResult('tickDifferenceUnits', diff) : 0,
      shortfallUnits: diff < 0 ? requireSafeResult('shortfallUnits', -diff) : 0,
    };
    tickDifference = requireSafeResult('tickDifferenceUnits', tickDifference + slice.tickDifferenceUnits);
    shortfall = requireSafeResult('shortfallUnits', shortfall + slice.shortfallUnits);
    slices.push(slice);
  }
  return {
    bankruptcyPriceTicks: bp.limitPriceTicks,
    fillPriceTicks: price,
    bankruptcyAmountUnits: credited,
    tickDifferenceUnits: tickDifference,
    shortfallUnits: shortfall,
    slices,
  };
}
