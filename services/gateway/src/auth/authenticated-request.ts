/**
 * The authentication port (gw-common seam), in its minimal stand-in form until
 * gw-security's full version replaces this file at merge: a real HMAC-SHA256 check
 * over a key map passed in, X-MBX-APIKEY, timestamp + recvWindow. No rate limits,
 * no replay cache, no key registry (those are gw-security's).
 *
 * The signed payload is Binance's `totalParams`: the raw query string followed by
 * the raw form body, with the `signature` parameter removed. Routes read their
 * parameters from `request.query` merged with the form body; `timestamp`,
 * `recvWindow` and `signature` are auth's.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, preHandlerHookHandler } from 'fastify';
import { binanceError } from '../binance/binance-error.js';

export type Permission = 'read' | 'trade';

export interface CallerIdentity {
  accountId: number;
  apiKey: string;
  permissions: ReadonlySet<Permission>;
}

export interface ApiKeyRecord {
  readonly accountId: number;
  readonly secretKey: string;
  readonly permissions: ReadonlySet<Permission>;
}

export interface RequestAuthenticator {
  findKey(apiKey: string): ApiKeyRecord | undefined;
  /** Wall-clock ms (timestamps are the client's wall clock, not event time). */
  nowMs(): number;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: CallerIdentity;
    /** The raw application/x-www-form-urlencoded body, for the signature. */
    rawBody?: string;
  }
}

export function keyMapAuthenticator(keys: ReadonlyMap<string, ApiKeyRecord>, nowMs: () => number = Date.now): RequestAuthenticator {
  return { findKey: (apiKey) => keys.get(apiKey), nowMs };
}

const MAX_RECV_WINDOW_MS = 60_000;
const DEFAULT_RECV_WINDOW_MS = 5_000;

export function requireCaller(auth: RequestAuthenticator, opts: { signed: boolean; permission: Permission }): preHandlerHookHandler {
  return async (request: FastifyRequest) => {
    const header = request.headers['x-mbx-apikey'];
    if (typeof header !== 'string' || header === '') throw binanceError('BAD_API_KEY_FMT');
    const key = auth.findKey(header);
    if (key === undefined || !key.permissions.has(opts.permission)) throw binanceError('REJECTED_MBX_KEY');
    if (opts.signed) verifySignature(request, key.secretKey, auth.nowMs());
    request.caller = { accountId: key.accountId, apiKey: header, permissions: key.permissions };
  };
}

function verifySignature(request: FastifyRequest, secretKey: string, nowMs: number): void {
  const q = request.url.indexOf('?');
  const query = q < 0 ? '' : request.url.slice(q + 1);
  const body = request.rawBody ?? '';
  // the parameters fastify already parsed (query string; the form body by the gateway's parser)
  const signature = values(request.query, 'signature').concat(values(request.body, 'signature'));
  if (signature.length !== 1 || !/^[0-9a-fA-F]{64}$/.test(signature[0] as string)) throw binanceError('INVALID_SIGNATURE');
  // Binance's totalParams: the query string then the body, each without its signature parameter
  const payload = withoutSignature(query) + withoutSignature(body);
  const expected = createHmac('sha256', secretKey).update(payload).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature[0] as string, 'hex'))) throw binanceError('INVALID_SIGNATURE');
  const timestamps = values(request.query, 'timestamp').concat(values(request.body, 'timestamp'));
  const recvWindows = values(request.query, 'recvWindow').concat(values(request.body, 'recvWindow'));
  const timestamp = timestamps.length === 1 ? (timestamps[0] as string) : '';
  if (!/^\d{1,16}$/.test(timestamp)) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'timestamp' was empty.");
  const recvText = recvWindows.length === 0 ? undefined : recvWindows.length === 1 ? recvWindows[0] : '';
  const recvWindow = recvText === undefined ? DEFAULT_RECV_WINDOW_MS : /^\d{1,6}$/.test(recvText as string) ? Number(recvText) : Number.NaN;
  if (!(recvWindow > 0 && recvWindow <= MAX_RECV_WINDOW_MS)) throw binanceError('INVALID_PARAMETER', 'recvWindow must be within (0, 60000].');
  const ts = Number(timestamp);
  if (ts > nowMs + 1_000 || nowMs - ts > recvWindow) throw binanceError('INVALID_TIMESTAMP');
}

/** A parsed parameter's values: none, one, or (repeated) several. */
function values(source: unknown, name: string): string[] {
  if (source === null || typeof source !== 'object') return [];
  const v = (source as Record<string, unknown>)[name];
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function withoutSignature(params: string): string {
  return params.replace(/(^|&)signature=[^&]*/, '').replace(/^&/, '');
}
