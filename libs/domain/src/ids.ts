/**
 * Identifiers. Accounts and orders are numeric on every hot path (array and
 * typed-array indexes, no string hashing); symbols and client order ids are
 * strings at the edges only.
 */
import { DomainError } from './domain-error.js';

/** 1 .. 2^32−1. */
export type AccountId = number;
/** 1 .. 2^53−1, assigned upstream and unique per market for the life of the log. */
export type OrderId = number;
export type MarketSymbol = string;

const SYMBOL_PATTERN = /^[A-Z0-9]{2,20}(-[A-Z0-9]{2,10})?$/;
const MAX_ACCOUNT_ID = 0xffff_ffff;

export function requireAccountId(value: unknown): AccountId {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_ACCOUNT_ID) {
    throw new DomainError('DOMAIN_INVALID_ACCOUNT_ID', `accountId must be an integer in 1..${MAX_ACCOUNT_ID}, got ${String(value)}`);
  }
  return value;
}

export function requireOrderId(value: unknown): OrderId {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new DomainError('DOMAIN_INVALID_ORDER_ID', `orderId must be a positive safe integer, got ${String(value)}`);
  }
  return value;
}

export function requireMarketSymbol(value: unknown): MarketSymbol {
  if (typeof value !== 'string' || !SYMBOL_PATTERN.test(value)) {
    throw new DomainError('DOMAIN_INVALID_SYMBOL', `market symbol must match ${SYMBOL_PATTERN}, got ${JSON.stringify(value)}`);
  }
  return value;
}
