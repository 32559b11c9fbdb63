/**
 * Strict reading of a public route's query string (Binance semantics): every parameter
 * must be one the route reads (-1104 otherwise), appear once, and parse exactly;
 * integers are digit strings only (-1100 illegal characters), out-of-range values are
 * -1130, a missing mandatory one -1102. Nothing is coerced.
 */
import { binanceError } from '../binance/binance-error.js';

export type QueryParams = Readonly<Record<string, string>>;

const DIGITS = /^[0-9]{1,16}$/;

export function readQuery(query: unknown, allowed: readonly string[]): QueryParams {
  const out: Record<string, string> = {};
  if (query === null || typeof query !== 'object') return out;
  for (const [key, value] of Object.entries(query as Record<string, unknown>)) {
    if (!allowed.includes(key)) throw binanceError('UNREAD_PARAMETERS', `(${key.slice(0, 40)})`);
    if (typeof value !== 'string') throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', `(${key} sent more than once)`);
    out[key] = value;
  }
  return out;
}

export interface IntRange {
  min: number;
  max: number;
}

/** An optional non-negative integer parameter within `range`, or undefined when absent. */
export function optionalInt(q: QueryParams, name: string, range: IntRange): number | undefined {
  const text = q[name];
  if (text === undefined) return undefined;
  if (text === '') throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', `(${name})`);
  if (!DIGITS.test(text)) throw binanceError('ILLEGAL_CHARS', `(${name})`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) throw binanceError('INVALID_PARAMETER', `(${name})`);
  return value;
}

/** `limit` restricted to a set of values (depth's 5, 10, 20, …). */
export function limitOneOf(q: QueryParams, allowed: readonly number[], fallback: number): number {
  const value = optionalInt(q, 'limit', { min: 1, max: Number.MAX_SAFE_INTEGER });
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) throw binanceError('INVALID_PARAMETER', '(limit)');
  return value;
}
