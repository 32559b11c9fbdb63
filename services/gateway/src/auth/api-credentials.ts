/**
 * New API credentials from node:crypto: a 64-character key and a 64-character
 * secret over [A-Za-z0-9] (Binance's shape, so clients that check the length
 * accept them). Rejection sampling keeps every character uniform (256 is not a
 * multiple of 62).
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const API_KEY_LENGTH = 64;
export const API_KEY_PATTERN = /^[A-Za-z0-9]{64}$/;
/** The largest multiple of 62 below 256: bytes at or above it are drawn again. */
const UNBIASED_LIMIT = 256 - (256 % ALPHABET.length);

export function randomToken(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < UNBIASED_LIMIT && out.length < length) out += ALPHABET[byte % ALPHABET.length];
    }
  }
  return out;
}

export interface ApiCredentials {
  readonly apiKey: string;
  readonly secretKey: string;
}

export function generateApiCredentials(): ApiCredentials {
  return { apiKey: randomToken(API_KEY_LENGTH), secretKey: randomToken(API_KEY_LENGTH) };
}
