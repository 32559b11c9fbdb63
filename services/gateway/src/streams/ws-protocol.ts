/**
 * The WebSocket control protocol (Binance): one JSON object per frame,
 * `{"method": M, "params": [...], "id": N}` with M one of SUBSCRIBE, UNSUBSCRIBE,
 * LIST_SUBSCRIPTIONS, SET_PROPERTY, GET_PROPERTY. Replies: `{"result":null,"id":N}`
 * (LIST_SUBSCRIPTIONS: the names; GET_PROPERTY: the value). Errors use Binance's
 * codes in the form ccxt reads, `{"error":{"code":C,"msg":…},"id":N}`:
 * 0 unknown property, 1 invalid value type, 2 invalid request, 3 invalid JSON.
 * A bad frame changes nothing: a SUBSCRIBE whose params are not all valid streams
 * subscribes to none of them.
 */
import type { StreamHub } from './stream-hub.js';
import type { StreamDescriptor } from './stream-names.js';
import type { WsSession } from './ws-session.js';

const METHODS = ['SUBSCRIBE', 'UNSUBSCRIBE', 'LIST_SUBSCRIPTIONS', 'SET_PROPERTY', 'GET_PROPERTY'] as const;
const MAX_FRAME_CHARS = 16_384;
const MAX_PARAMS = 200;
const LISTEN_KEY = /^[0-9a-f]{64}$/;

export type RequestId = number | string | null;

function fail(session: WsSession, id: RequestId, code: number, msg: string): void {
  session.reply({ error: { code, msg }, id });
}

/** A Binance request id: a non-negative integer, a short plain string, or null; undefined when malformed. */
export function readId(value: unknown): RequestId | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && value.length > 0 && value.length <= 64 && /^[A-Za-z0-9_.:-]+$/.test(value)) return value;
  return undefined;
}

export function handleControlFrame(hub: StreamHub, session: WsSession, text: string | null): void {
  if (text === null || text.length > MAX_FRAME_CHARS) return fail(session, null, 3, 'Invalid JSON: expected a text frame of at most 16384 characters');
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return fail(session, null, 3, 'Invalid JSON: expected value');
  }
  if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) return fail(session, null, 3, 'Invalid JSON: expected an object');
  const { method, params, id: rawId } = frame as { method?: unknown; params?: unknown; id?: unknown };
  const id = readId(rawId);
  if (id === undefined) return fail(session, null, 2, 'Invalid request: request ID must be an unsigned integer or a short string');
  if (typeof method !== 'string') return fail(session, id, 2, 'Invalid request: missing field `method`');
  if (!(METHODS as readonly string[]).includes(method)) return fail(session, id, 2, `Invalid request: unknown variant ${JSON.stringify(method.slice(0, 40))}, expected one of ${METHODS.join(', ')}`);
  const list = params === undefined ? [] : params;
  if (!Array.isArray(list) || list.length > MAX_PARAMS) return fail(session, id, 2, 'Invalid request: params must be an array of at most 200 items');
  switch (method) {
    case 'SUBSCRIBE':
      return subscribe(hub, session, id, list);
    case 'UNSUBSCRIBE':
      if (!list.every((p) => typeof p === 'string')) return fail(session, id, 2, 'Invalid request: stream names must be strings');
      for (const name of list as string[]) hub.market.unsubscribe(session, name);
      return session.reply({ result: null, id });
    case 'LIST_SUBSCRIPTIONS': {
      const names = [...session.streams];
      if (session.listenKey !== undefined) names.push(session.listenKey);
      return session.reply({ result: names, id });
    }
    case 'SET_PROPERTY':
      if (list[0] !== 'combined') return fail(session, id, 0, 'Unknown property');
      if (typeof list[1] !== 'boolean') return fail(session, id, 1, 'Invalid value type: expected Boolean');
      session.combined = list[1];
      return session.reply({ result: null, id });
    default:
      if (list[0] !== 'combined') return fail(session, id, 0, 'Unknown property');
      return session.reply({ result: session.combined, id });
  }
}

function subscribe(hub: StreamHub, session: WsSession, id: RequestId, params: unknown[]): void {
  const streams: StreamDescriptor[] = [];
  const keys: string[] = [];
  for (const p of params) {
    if (typeof p !== 'string') return fail(session, id, 2, 'Invalid request: stream names must be strings');
    const desc = hub.market.resolve(p);
    if (desc !== undefined) streams.push(desc);
    else if (LISTEN_KEY.test(p) && hub.listenKeys.accountOf(p) !== undefined) keys.push(p);
    else return fail(session, id, 2, `Invalid request: unknown stream ${JSON.stringify(p.slice(0, 80))}`);
  }
  const fresh = streams.filter((d) => !session.streams.has(d.name));
  if (fresh.length > session.subscriptionRoom) return fail(session, id, 2, 'Invalid request: too many streams for one connection');
  if (keys.length > 1 || (keys.length === 1 && session.listenKey !== undefined && session.listenKey !== keys[0])) {
    return fail(session, id, 2, 'Invalid request: one listenKey per connection');
  }
  for (const d of fresh) hub.market.subscribe(session, d);
  if (keys.length === 1) hub.attachUser(session, keys[0], false);
  session.reply({ result: null, id });
}
