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
  const signature = [...new URLSearchParams(query).getAll('signature'), ...new URLSearchParams(body).getAll('signature')];
  if (signature.length !== 1 || !/^[0-9a-fA-F]{64}$/.test(signature[0] as string)) throw binanceError('INVALID_SIGNATURE');
  // Binance's totalParams: the query string then the body, each without its signature parameter
  const payload = withoutSignature(query) + withoutSignature(body);
  const expected = createHmac('sha256', secretKey).update(payload).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature[0] as string, 'hex'))) throw binanceError('INVALID_SIGNATURE');
  const params = new URLSearchParams(`${query}&${body}`);
  const timestamp = params.get('timestamp');
  const recvText = params.get('recvWindow');
  if (timestamp === null || !/^\d{1,16}$/.test(timestamp)) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'timestamp' was empty.");
  const recvWindow = recvText === null ? DEFAULT_RECV_WINDOW_MS : /^\d{1,6}$/.test(recvText) ? Number(recvText) : Number.NaN;
  if (!(recvWindow > 0 && recvWindow <= MAX_RECV_WINDOW_MS)) throw binanceError('INVALID_PARAMETER', 'recvWindow must be within (0, 60000].');
  const ts = Number(timestamp);
  if (ts > nowMs + 1_000 || nowMs - ts > recvWindow) throw binanceError('INVALID_TIMESTAMP');
}

function withoutSignature(params: string): string {
  return params.replace(/(^|&)signature=[^&]*/, '').replace(/^&/, '');
}
