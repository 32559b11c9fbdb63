/**
 * Parameters of a Binance-style request: the URL query and the
 * `application/x-www-form-urlencoded` body, decoded into one map. A parameter
 * sent twice (twice in one, or once in each) is refused (-1101): two values would
 * make the signed text and the executed request disagree on which one counts.
 */
import { binanceError } from '../binance/binance-error.js';

/** Most parameters any route takes (batchOrders' JSON list is one parameter). */
export const MAX_PARAMS = 64;

/**
 * Decodes `a=1&b=2` as application/x-www-form-urlencoded does (`+` is a space,
 * `%XX` escapes; a malformed escape is kept as text, as URLSearchParams does), with
 * a fast path for the plain text signed requests are made of.
 */
export function parseParamsInto(raw: string, into: Map<string, string>): void {
  if (raw.length === 0) return;
  let start = 0;
  while (start <= raw.length) {
    let end = raw.indexOf('&', start);
    if (end < 0) end = raw.length;
    if (end > start) {
      const eq = raw.indexOf('=', start);
      const cut = eq < 0 || eq > end ? end : eq;
      const name = decodeFormComponent(raw.slice(start, cut));
      const value = cut === end ? '' : decodeFormComponent(raw.slice(cut + 1, end));
      if (into.has(name)) throw binanceError('DUPLICATE_PARAMETER', `Parameter: ${printable(name)}`);
      if (into.size >= MAX_PARAMS) throw binanceError('TOO_MANY_PARAMETERS');
      into.set(name, value);
    }
    start = end + 1;
  }
}

function decodeFormComponent(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    // a malformed escape: decode what is valid, keep the rest, as URLSearchParams does
    return [...new URLSearchParams(`x=${text}`).values()][0] ?? spaced;
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
