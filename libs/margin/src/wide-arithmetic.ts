/**
 * Allocation-free exact `floor(a × b / d)` for safe integers whose product may
 * exceed 2^53: the hot-path kernel behind notional, MM, IM and UPnL.
 *
 * Why not domain `mulDiv`: it is exact too, but falls back to `bigint` (a heap
 * allocation, ~10× slower) whenever |a·b| > 2^52, which is the normal case for
 * `notional × mmrE8`. Here the product is held as an unevaluated sum `p + e` of two
 * doubles (Dekker's TwoProduct with Veltkamp splitting, exact without FMA), the
 * quotient is estimated in float64 and repaired with an exact remainder.
 *
 * Invariants and preconditions (callers guarantee them; params are validated on load)
 * - `a`, `b` safe integers (any sign); `d` a positive safe integer. Divisors above
 *   2^50 (never met by the margin formulas) take an exact bigint path instead.
 * - The result is exact: q = floor(a·b/d) and r = a·b − q·d with 0 ≤ r < d.
 * - If q is outside the safe-integer range it throws `DOMAIN_OUT_OF_RANGE`.
 * - Why it is exact: p − h (h = fl(q·d)) and e − l are integer differences smaller
 *   than 2^53, so IEEE subtraction returns them exactly; the float estimate of q is
 *   off by at most 2, which the repair loops absorb.
 *
 * Rounding: floor, with the remainder available from `wideRemainder()` so callers
 * derive ceil (`q + (r > 0 ? 1 : 0)`) without a second division.
 *
 * Example: floor(9_007_199_254_740_991 × 250_000 / 1e8) = 22_517_998_136_852 with
 * remainder 47_750_000 (a 2^53 notional at MMR 0.25%).
 *
 * The module-level slots (remainder, product head and tail) live in a
 * Float64Array: a store into a `let` holding a non-Smi number boxes a fresh heap
 * number on every write in V8, a typed-array store does not. Sharing them is safe
 * because JS runs one call at a time and no callback runs between write and read.
 */
import { DomainError, Rounding, mulDivBig } from '@perpcore/domain';

const SPLITTER = 134_217_729; // 2^27 + 1
const EXACT_PRODUCT_LIMIT = 2 ** 52;
const SAFE_LIMIT = Number.MAX_SAFE_INTEGER;
/** Largest divisor the kernel accepts (keeps every remainder sum below 2^53). */
export const MAX_WIDE_DIVISOR = 2 ** 50;

const REMAINDER = 0;
const HI = 1;
const LO = 2;
const slots = new Float64Array(3);

/** The remainder (0 ≤ r < d) of the last `mulDivFloorWide` call. */
export function wideRemainder(): number {
  return slots[REMAINDER];
}

/** Exact a·b as slots[HI] + slots[LO] (both doubles, |lo| ≤ ulp(hi)/2). */
function twoProduct(a: number, b: number): void {
  const p = a * b;
  let c = SPLITTER * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b);
  const bl = b - bh;
  slots[HI] = p;
  slots[LO] = ah * bh - p + ah * bl + al * bh + al * bl;
}

/**
 * floor(a × b / d), exact; the remainder goes to `wideRemainder()`. Kept small so
 * the optimiser inlines it: a call that is not inlined boxes its non-Smi number
 * arguments and result into fresh heap numbers. Wide products take `mulDivFloorSlow`.
 */
export function mulDivFloorWide(a: number, b: number, d: number): number {
  const p = a * b;
  if (p > EXACT_PRODUCT_LIMIT || p < -EXACT_PRODUCT_LIMIT) return mulDivFloorSlow(a, b, d);
  let q = Math.floor(p / d);
  let r = p - q * d;
  if (r < 0) {
    q -= 1;
    r += d;
  } else if (r >= d) {
    q += 1;
    r -= d;
  }
  slots[REMAINDER] = r;
  return q === 0 ? 0 : q; // no −0 escapes
}

/** The |a·b| > 2^52 case of `mulDivFloorWide`: TwoProduct and an exact remainder repair. */
function mulDivFloorSlow(a: number, b: number, d: number): number {
  if (d > MAX_WIDE_DIVISOR) return mulDivFloorBig(a, b, d);
  const p = a * b;
  const estimate = p / d;
  if (!(estimate <= SAFE_LIMIT && estimate >= -SAFE_LIMIT)) {
    throw new DomainError('DOMAIN_OUT_OF_RANGE', `${a} × ${b} / ${d} exceeds the safe-integer range`);
  }
  twoProduct(a, b);
  const e = slots[LO];
  let q = Math.floor(estimate);
  twoProduct(q, d);
  let r = p - slots[HI] + (e - slots[LO]);
  while (r < 0) {
    q -= 1;
    r += d;
  }
  while (r >= d) {
    q += 1;
    r -= d;
  }
  if (q > SAFE_LIMIT || q < -SAFE_LIMIT) {
    throw new DomainError('DOMAIN_OUT_OF_RANGE', `${a} × ${b} / ${d} exceeds the safe-integer range`);
  }
  slots[REMAINDER] = r;
  return q;
}

function mulDivFloorBig(a: number, b: number, d: number): number {
  const q = mulDivBig(BigInt(a), BigInt(b), BigInt(d), Rounding.Floor);
  if (q > BigInt(SAFE_LIMIT) || q < -BigInt(SAFE_LIMIT)) {
    throw new DomainError('DOMAIN_OUT_OF_RANGE', `${a} × ${b} / ${d} exceeds the safe-integer range`);
  }
  slots[REMAINDER] = Number(BigInt(a) * BigInt(b) - q * BigInt(d));
  return Number(q);
}

/** ceil(a × b / d), exact (same preconditions). */
export function mulDivCeilWide(a: number, b: number, d: number): number {
  const q = mulDivFloorWide(a, b, d);
  if (slots[REMAINDER] > 0) {
    slots[REMAINDER] -= d; // now in (−d, 0]: a·b = q'·d + r'
    return q + 1;
  }
  return q;
}

/**
 * Sign of a·b − c·d, exact, without allocation: −1, 0 or 1. Used for threshold
 * tests by cross-multiplication (E × 1e8 vs level × basis).
 */
export function compareProducts(a: number, b: number, c: number, d: number): number {
  twoProduct(a, b);
  const h1 = slots[HI];
  const l1 = slots[LO];
  twoProduct(c, d);
  // equal exact values round to the same head, so differing heads decide alone
  if (h1 !== slots[HI]) return h1 < slots[HI] ? -1 : 1;
  if (l1 !== slots[LO]) return l1 < slots[LO] ? -1 : 1;
  return 0;
}
