import { DomainError } from './domain-error.js';

/**
 * Guards for the integer-only money and grid values that travel as JS numbers.
 * Anything outside the safe-integer range, fractional, or NaN is refused here,
 * at the edge, so that hot paths can trust their inputs.
 */
export function requireSafeInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new DomainError('DOMAIN_NOT_AN_INTEGER', `${name} must be a safe integer, got ${String(value)}`);
  }
  return value;
}

export function requirePositiveInteger(name: string, value: unknown): number {
  const n = requireSafeInteger(name, value);
  if (n <= 0) throw new DomainError('DOMAIN_NOT_POSITIVE', `${name} must be > 0, got ${n}`);
  return n;
}

export function requireNonNegativeInteger(name: string, value: unknown): number {
  const n = requireSafeInteger(name, value);
  if (n < 0) throw new DomainError('DOMAIN_NEGATIVE', `${name} must be >= 0, got ${n}`);
  return n;
}

/** Converts a bigint back to a number only when it is exactly representable. */
export function toSafeNumber(name: string, value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new DomainError('DOMAIN_OUT_OF_RANGE', `${name} = ${value} is outside the safe-integer range`);
  }
  return Number(value);
}
