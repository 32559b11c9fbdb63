/**
 * `mulDiv(a, b, c, rounding)` = round(a × b / c): the one audited product-quotient
 * of the project.
 *
 * Invariants
 * - Inputs are safe integers, `c ≠ 0`; the exact rational a·b/c is rounded once,
 *   in the named direction, and the result must be a safe integer (else it throws).
 * - Fast path: when |a·b| ≤ 2^52 the product is exact in float64 and the quotient
 *   is corrected by its remainder, so no float error survives. Otherwise it falls
 *   back to bigint (≈ 10× slower, rare on realistic sizes).
 *
 * `divRound(n, d, rounding)` is the same for a plain quotient, and the `…Big`
 * variants do it for bigint operands (conservation totals, ledgers).
 */
import { DomainError } from './domain-error.js';
import { Rounding } from './rounding.js';

const EXACT_PRODUCT_LIMIT = 2 ** 52;

/** Rounds the exact quotient n/d (d ≠ 0) of safe integers in the given direction. */
export function divRound(n: number, d: number, rounding: Rounding): number {
  if (!Number.isInteger(n) || !Number.isInteger(d)) {
    throw new DomainError('DOMAIN_NOT_AN_INTEGER', `divRound operands must be integers (${n}, ${d})`);
  }
  if (d === 0) throw new DomainError('DOMAIN_DIVISION_BY_ZERO', 'divisor must not be 0');
  if (n > EXACT_PRODUCT_LIMIT || n < -EXACT_PRODUCT_LIMIT || d > EXACT_PRODUCT_LIMIT || d < -EXACT_PRODUCT_LIMIT) {
    return toNumberChecked(divRoundBig(BigInt(n), BigInt(d), rounding), n, d);
  }
  if (d < 0) {
    n = -n;
    d = -d;
  }
  let q = Math.trunc(n / d) + 0; // + 0 turns -0 into 0
  let r = n - q * d;
  // float division can land one off when |n| is large: repair with the remainder
  if (r >= d || (r > 0 && n < 0)) {
    q += 1;
    r -= d;
  } else if (r <= -d || (r < 0 && n > 0)) {
    q -= 1;
    r += d;
  }
  if (r === 0) return q;
  switch (rounding) {
    case Rounding.Floor:
      return r < 0 ? q - 1 : q;
    case Rounding.Ceil:
      return r > 0 ? q + 1 : q;
    case Rounding.TowardZero:
      return q;
    case Rounding.HalfEven: {
      const twice = 2 * Math.abs(r);
      if (twice < d) return q;
      const away = r > 0 ? q + 1 : q - 1;
      if (twice > d) return away;
      return q % 2 === 0 ? q : away;
    }
    default:
      throw new DomainError('DOMAIN_UNKNOWN_ROUNDING', `unknown rounding ${String(rounding)}`);
  }
}

export function divRoundBig(n: bigint, d: bigint, rounding: Rounding): bigint {
  if (d === 0n) throw new DomainError('DOMAIN_DIVISION_BY_ZERO', 'divisor must not be 0');
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const q = n / d; // truncates toward zero
  const r = n - q * d;
  if (r === 0n) return q;
  switch (rounding) {
    case Rounding.Floor:
      return r < 0n ? q - 1n : q;
    case Rounding.Ceil:
      return r > 0n ? q + 1n : q;
    case Rounding.TowardZero:
      return q;
    case Rounding.HalfEven: {
      const twice = 2n * (r < 0n ? -r : r);
      if (twice < d) return q;
      const away = r > 0n ? q + 1n : q - 1n;
      if (twice > d) return away;
      return q % 2n === 0n ? q : away;
    }
    default:
      throw new DomainError('DOMAIN_UNKNOWN_ROUNDING', `unknown rounding ${String(rounding)}`);
  }
}

export function mulDivBig(a: bigint, b: bigint, c: bigint, rounding: Rounding): bigint {
  return divRoundBig(a * b, c, rounding);
}

function toNumberChecked(q: bigint, n: number, d: number): number {
  if (q > BigInt(Number.MAX_SAFE_INTEGER) || q < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new DomainError('DOMAIN_OUT_OF_RANGE', `${n} / ${d} = ${q} exceeds the safe-integer range`);
  }
  return Number(q);
}

export function mulDiv(a: number, b: number, c: number, rounding: Rounding): number {
  const p = a * b;
  if (p <= EXACT_PRODUCT_LIMIT && p >= -EXACT_PRODUCT_LIMIT) {
    if (!Number.isInteger(p)) {
      throw new DomainError('DOMAIN_NOT_AN_INTEGER', `mulDiv operands must be integers (${a}, ${b}, ${c})`);
    }
    return divRound(p, c, rounding);
  }
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || !Number.isSafeInteger(c)) {
    throw new DomainError('DOMAIN_NOT_AN_INTEGER', `mulDiv operands must be safe integers (${a}, ${b}, ${c})`);
  }
  const q = mulDivBig(BigInt(a), BigInt(b), BigInt(c), rounding);
  if (q > BigInt(Number.MAX_SAFE_INTEGER) || q < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new DomainError('DOMAIN_OUT_OF_RANGE', `mulDiv(${a}, ${b}, ${c}) = ${q} exceeds the safe-integer range`);
  }
  return Number(q);
}
