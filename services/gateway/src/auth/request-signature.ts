/**
 * Binance request signatures (BINANCE-COMPAT.md §2): hex HMAC-SHA256 of the
 * signed payload with the key's secret. The payload is the query string and the
 * form body exactly as sent (bytes, not re-encoded parameters), concatenated,
 * with the `signature` parameter itself taken out. ccxt never mixes a query and
 * a body, so for its requests the payload is one or the other.
 *
 * The comparison is constant-time over the decoded digest, so a caller learns
 * nothing from timing about how much of a forged signature was right.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

export function signPayload(secretKey: string, payload: string): string {
  return createHmac('sha256', secretKey).update(payload).digest('hex');
}

/** True when `signatureHex` is the HMAC of `payload` under `secretKey`. */
export function signatureMatches(secretKey: string, payload: string, signatureHex: string): boolean {
  if (!HEX_SHA256.test(signatureHex)) return false;
  const expected = createHmac('sha256', secretKey).update(payload).digest();
  return timingSafeEqual(expected, Buffer.from(signatureHex, 'hex'));
}

export interface SplitSignature {
  /** The component text with every `signature=` parameter removed. */
  readonly unsigned: string;
  /** The signature's value (URL-decoded), or undefined when absent. */
  readonly signature: string | undefined;
  /** How many `signature` parameters the text carried. */
  readonly count: number;
}

/** Takes the `signature` parameter out of one raw `a=1&b=2` text, keeping the rest byte for byte. */
export function splitSignature(raw: string): SplitSignature {
  if (!raw.includes('signature=')) return { unsigned: raw, signature: undefined, count: 0 };
  // the common shape (ccxt, Binance's docs): one signature, last
  const last = raw.lastIndexOf('&signature=');
  if (last >= 0 && raw.indexOf('signature=') === last + 1 && !raw.includes('&', last + 1)) {
    return { unsigned: raw.slice(0, last), signature: safeDecode(raw.slice(last + '&signature='.length)), count: 1 };
  }
  const kept: string[] = [];
  let signature: string | undefined;
  let count = 0;
  for (const part of raw.split('&')) {
    if (part.startsWith('signature=')) {
      count++;
      signature = safeDecode(part.slice('signature='.length));
    } else kept.push(part);
  }
  return { unsigned: kept.join('&'), signature, count };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
