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
 * The single module-level remainder slot is safe because JS runs one call at a
 * time and no callback runs between the write and the read.
 */
import { DomainError, Rounding, mulDivBig } from '@perpcore/domain';

const SPLITTER = 134_217_729; // 2^27 + 1
const EXACT_PRODUCT_LIMIT = 2 ** 52;
const SAFE_LIMIT = Number.MAX_SAFE_INTEGER;
/** Largest divisor the kernel accepts (keeps every remainder sum below 2^53). */
export const MAX_WIDE_DIVISOR = 2 ** 50;

let lastRemainder = 0;
let productHi = 0;
let productLo = 0;

/** The remainder (0 ≤ r < d) of the last `mulDivFloorWide` call. */
export function wideRemainder(): number {
  return lastRemainder;
}

/** Exact a·b as productHi + productLo (both doubles, |lo| ≤ ulp(hi)/2). */
function twoProduct(a: number, b: number): void {
  const p = a * b;
  let c = SPLITTER * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b);
  const bl = b - bh;
  productHi = p;
  productLo = ah * bh - p + ah * bl + al * bh + al * bl;
}

/** floor(a × b / d), exact; the remainder goes to `wideRemainder()`. */
export function mulDivFloorWide(a: number, b: number, d: number): number {
  const p = a * b;
  if (p <= EXACT_PRODUCT_LIMIT && p >= -EXACT_PRODUCT_LIMIT) {
    let q = Math.floor(p / d);
    let r = p - q * d;
    if (r < 0) {
      q -= 1;
      r += d;
    } else if (r >= d) {
      q += 1;
      r -= d;
    }
    lastRemainder = r;
    return q === 0 ? 0 : q; // no −0 escapes
  }
  if (d > MAX_WIDE_DIVISOR) return mulDivFloorBig(a, b, d);
  const estimate = p / d;
  if (!(estimate <= SAFE_LIMIT && estimate >= -SAFE_LIMIT)) {
    throw new DomainError('DOMAIN_OUT_OF_RANGE', `${a} × ${b} / ${d} exceeds the safe-integer range`);
  }
  twoProduct(a, b);
  const e = productLo;
  let q = Math.floor(estimate);
  twoProduct(q, d);
  let r = p - productHi + (e - productLo);
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
  lastRemainder = r;
  return q;
}

function mulDivFloorBig(a: number, b: number, d: number): number {
  const q = mulDivBig(BigInt(a), BigInt(b), BigInt(d), Rounding.Floor);
  if (q > BigInt(SAFE_LIMIT) || q < -BigInt(SAFE_LIMIT)) {
    throw new DomainError('DOMAIN_OUT_OF_RANGE', `${a} × ${b} / ${d} exceeds the safe-integer range`);
  }
  lastRemainder = Number(BigInt(a) * BigInt(b) - q * BigInt(d));
  return Number(q);
}

/** ceil(a × b / d), exact (same preconditions). */
export function mulDivCeilWide(a: number, b: number, d: number): number {
  const q = mulDivFloorWide(a, b, d);
  if (lastRemainder > 0) {
    lastRemainder -= d; // now in (−d, 0]: a·b = q'·d + r'
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
  const h1 = productHi;
  const l1 = productLo;
  twoProduct(c, d);
  // equal exact values round to the same head, so differing heads decide alone
  if (h1 !== productHi) return h1 < productHi ? -1 : 1;
  if (l1 !== productLo) return l1 < productLo ? -1 : 1;
  return 0;
}
