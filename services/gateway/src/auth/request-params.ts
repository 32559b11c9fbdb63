/**
 * Parameters of a Binance-style request: the URL query and the
 * `application/x-www-form-urlencoded` body, decoded into one map. A parameter
 * sent twice (twice in one, or once in each) is refused (-1101): two values would
 * make the signed text and the executed request disagree on which one counts.
 */
import { binanceError } from '../binance/binance-error.js';

/** Most parameters any route takes (batchOrders' JSON list is one parameter). */
export const MAX_PARAMS = 64;

export function parseParamsInto(raw: string, into: Map<string, string>): void {
  if (raw.length === 0) return;
  for (const [name, value] of new URLSearchParams(raw)) {
    if (into.has(name)) throw binanceError('DUPLICATE_PARAMETER', `Parameter: ${printable(name)}`);
    if (into.size >= MAX_PARAMS) throw binanceError('TOO_MANY_PARAMETERS');
    into.set(name, value);
  }
}

export function parseParams(...raws: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of raws) parseParamsInto(raw, out);
  return out;
}

/** The raw query text of a request URL (after the first `?`), or ''. */
export function rawQueryOf(url: string | undefined): string {
  if (url === undefined) return '';
  const at = url.indexOf('?');
  return at < 0 ? '' : url.slice(at + 1);
}

/** A parameter name as it may appear in an error text: short and plain. */
function printable(name: string): string {
  return name.replace(/[^\w.-]/g, '?').slice(0, 32);
}
