/**
 * One WebSocket API request frame, `{"id": …, "method": "order.place", "params": {…}}`
 * (Binance: id an integer, a string or null; params an object, may be omitted),
 * read into text parameters, or the Binance refusal for it. Values are taken as
 * the text they are signed as: strings as sent, whole numbers and booleans as
 * their JSON text; a fractional JSON number is refused, since it was parsed as a
 * float already (prices and quantities go as strings, as with batchOrders).
 */
import { type BinanceError, binanceError } from '../binance/binance-error.js';
import { MAX_PARAMS } from '../auth/request-params.js';
import { readId, type RequestId } from '../streams/ws-protocol.js';
import { type WsApiRoute, wsApiRoute } from './ws-api-methods.js';

/** Longest request frame read (characters); a longer one is refused, a frame over the socket's maxPayload closes it (1009). */
export const MAX_REQUEST_CHARS = 16_384;
const PARAM_NAME = /^[A-Za-z0-9_]{1,64}$/;

export interface WsApiRequest {
  readonly id: RequestId;
  readonly method: string;
  readonly route: WsApiRoute;
  /** Every parameter sent, as text, in the order sent. */
  readonly params: ReadonlyMap<string, string>;
}

export interface WsApiFrameError {
  readonly id: RequestId;
  readonly error: BinanceError;
}

export function readRequestFrame(text: string): WsApiRequest | WsApiFrameError {
  if (text.length > MAX_REQUEST_CHARS) return { id: null, error: binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', `Request frames are at most ${MAX_REQUEST_CHARS} characters.`) };
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return { id: null, error: binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', 'The request is not JSON.') };
  }
  if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) return { id: null, error: binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', 'The request must be a JSON object.') };
  const f = frame as Record<string, unknown>;
  const id = readId(f.id);
  if (id === undefined) return { id: null, error: binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'id' must be an integer, a string of at most 64 characters, or null.") };
  for (const k of Object.keys(f)) if (k !== 'id' && k !== 'method' && k !== 'params') return { id, error: binanceError('UNKNOWN_PARAM', `Unknown request field '${printable(k)}'.`) };
  if (typeof f.method !== 'string') return { id, error: binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'method' must be a string.") };
  const route = wsApiRoute(f.method);
  if (route === undefined) return { id, error: binanceError('UNSUPPORTED_OPERATION', `Unknown method '${printable(f.method)}'.`) };
  const params = readParams(f.params);
  return params instanceof Map ? { id, method: f.method, route, params } : { id, error: params as BinanceError };
}

function readParams(value: unknown): Map<string, string> | BinanceError {
  const out = new Map<string, string>();
  if (value === undefined) return out;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'params' must be an object.");
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (!PARAM_NAME.test(k)) return binanceError('ILLEGAL_CHARS', `Parameter name '${printable(k)}'.`);
    if (out.size >= MAX_PARAMS) return binanceError('TOO_MANY_PARAMETERS');
    if (typeof v === 'string') out.set(k, v);
    else if ((typeof v === 'number' && Number.isSafeInteger(v)) || typeof v === 'boolean') out.set(k, String(v));
    else return binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', `Parameter '${k}' was malformed.`);
  }
  return out;
}

/** Text from the client as it may appear in an error: short and plain. */
function printable(text: string): string {
  return text.replace(/[^\w./-]/g, '?').slice(0, 40);
}
