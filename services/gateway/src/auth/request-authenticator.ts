/**
 * Who is calling: the API key (`X-MBX-APIKEY`) and, for SIGNED routes, the
 * request's HMAC signature and its time window (BINANCE-COMPAT.md §2).
 *
 * Checks, in order; the first that fails is the answer and nothing is done:
 * 1. key header present and 64 × [A-Za-z0-9] (-2014), and a live key (-2015);
 * 2. signed only: parameters parse without duplicates (-1101); exactly one
 *    `signature` (-1102), a `timestamp` of digits (-1102), a `recvWindow` of
 *    digits (-1102) at most 60,000 ms (-1131; default 5,000);
 * 3. signed only: HMAC-SHA256 of query + body under the key's secret (-1022);
 * 4. signed only: `timestamp` ≤ now + 1,000 ms and now − timestamp ≤ recvWindow
 *    (-1021): a request replayed after its window is refused;
 * 5. the key holds the route's permission (-2015, Binance's answer for a key
 *    without the right);
 * 6. signed `trade` routes only: the same signature was not already executed
 *    within its window (replay-guard.ts; -1022 "already used"). Signatures of
 *    refused requests are not recorded, so a request refused for its
 *    permission or its window can be fixed and sent again.
 *
 * The signature is checked before the window so an unauthenticated caller learns
 * nothing about the server's clock. No secret, signature or key is ever put into
 * an error text.
 *
 * A delegated call (delegated-calls.ts: the WebSocket API's requests, run through
 * the REST routes) goes through the same checks in the same order; only the
 * signed text differs: Binance's WebSocket API signs the parameters sorted by
 * name (`apiKey` included), not a query string as sent.
 */
import { binanceError } from '../binance/binance-error.js';
import type { AccountRegistry, ApiKeyRecord } from './account-registry.js';
import { API_KEY_PATTERN } from './api-credentials.js';
import type { CallerIdentity, Permission } from './authenticated-request.js';
import { DelegatedCalls } from './delegated-calls.js';
import { parseParams } from './request-params.js';
import { ReplayGuard } from './replay-guard.js';
import { signatureMatches, splitSignature } from './request-signature.js';

export const DEFAULT_RECV_WINDOW_MS = 5_000;
export const MAX_RECV_WINDOW_MS = 60_000;
/** How far ahead of the server's clock a timestamp may be (Binance: 1 s). */
export const MAX_CLOCK_AHEAD_MS = 1_000;
/** The parameters authentication consumes; routes never see them. */
export const AUTH_PARAMS: readonly string[] = ['timestamp', 'recvWindow', 'signature'];

export interface AuthenticationInput {
  readonly apiKeyHeader: string | string[] | undefined;
  /** The URL query text as sent (after `?`). */
  readonly rawQuery: string;
  /** The form body text as sent ('' when none). */
  readonly rawBody: string;
}

export interface AuthenticationResult {
  readonly caller: CallerIdentity;
  /** Query and body parameters, without timestamp, recvWindow and signature. */
  readonly params: ReadonlyMap<string, string>;
}

export interface RequestAuthenticatorDeps {
  readonly registry: AccountRegistry;
  /** The server's clock, ms since the epoch. */
  readonly nowMs?: () => number;
}

const DIGITS = /^\d{1,16}$/;

interface SignedCheck {
  readonly params: Map<string, string>;
  readonly signature: string;
  readonly expiresAtMs: number;
  readonly nowMs: number;
}



export class RequestAuthenticator {
  private readonly nowMs: () => number;
  readonly replays = new ReplayGuard();
  readonly delegated = new DelegatedCalls();

  constructor(private readonly deps: RequestAuthenticatorDeps) {
    this.nowMs = deps.nowMs ?? Date.now;
  }

  /** The live key a header names, without a signature check (unsigned routes). */
  identify(apiKeyHeader: string | string[] | undefined): ApiKeyRecord {
    if (typeof apiKeyHeader !== 'string' || !API_KEY_PATTERN.test(apiKeyHeader)) throw this.refuse('BAD_API_KEY_FMT');
    const key = this.deps.registry.keyOf(apiKeyHeader);
    if (key === undefined) throw this.refuse('REJECTED_MBX_KEY');
    return key;
  }

  authenticate(input: AuthenticationInput, opts: { signed: boolean; permission: Permission }): AuthenticationResult {
    const key = this.identify(input.apiKeyHeader);
    const signed = opts.signed ? this.verifySigned(key, input) : undefined;
    return this.admit(key, signed, signed?.params ?? this.parse(input.rawQuery, input.rawBody), opts);
  }

  /** A delegated call's request (its token, from the delegated-call header): refused as an unknown key when the token names none. */
  authenticateDelegated(token: string, opts: { signed: boolean; permission: Permission }): AuthenticationResult {
    const input = this.delegated.take(token);
    if (input === undefined) throw this.refuse('REJECTED_MBX_KEY');
    const key = this.identify(input.apiKey);
    const params = new Map(input.params);
    if (!opts.signed) return this.admit(key, undefined, params, opts);
    if (input.signature === undefined) throw this.refuse('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'signature'");
    return this.admit(key, this.checkSigned(key, params, input.payload, input.signature), params, opts);
  }

  private admit(key: ApiKeyRecord, signed: SignedCheck | undefined, params: Map<string, string>, opts: { permission: Permission }): AuthenticationResult {
    if (!key.permissions.has(opts.permission)) throw this.refuse('REJECTED_MBX_KEY');
    if (signed !== undefined && opts.permission === 'trade' && !this.replays.admit(signed.signature, signed.expiresAtMs, signed.nowMs)) {
      throw this.refuse('INVALID_SIGNATURE', 'Signature already used.');
    }
    return { caller: { accountId: key.accountId, apiKey: key.apiKey, permissions: key.permissions }, params };
  }

  private verifySigned(key: ApiKeyRecord, input: AuthenticationInput): SignedCheck {
    const query = splitSignature(input.rawQuery);
    const body = splitSignature(input.rawBody);
    const params = this.parse(query.unsigned, body.unsigned);
    if (query.count + body.count !== 1) {
      throw this.refuse(query.count + body.count === 0 ? 'MANDATORY_PARAM_EMPTY_OR_MALFORMED' : 'DUPLICATE_PARAMETER', "Parameter 'signature'");
    }
    // Binance's totalParams: the query then the body, as sent
    return this.checkSigned(key, params, query.unsigned + body.unsigned, (query.signature ?? body.signature) as string);
  }

  /** Steps 2–4 on the parameters and the text that was signed; takes the auth parameters out of `params`. */
  private checkSigned(key: ApiKeyRecord, params: Map<string, string>, payload: string, signature: string): SignedCheck {
    const timestampText = params.get('timestamp');
    if (timestampText === undefined || !DIGITS.test(timestampText)) throw this.refuse('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'timestamp'");
    const recvText = params.get('recvWindow');
    let recvWindowMs = DEFAULT_RECV_WINDOW_MS;
    if (recvText !== undefined) {
      if (!DIGITS.test(recvText) || Number(recvText) < 1) throw this.refuse('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'recvWindow'");
      recvWindowMs = Number(recvText);
      if (recvWindowMs > MAX_RECV_WINDOW_MS) throw this.refuse('BAD_RECV_WINDOW');
    }
    if (!signatureMatches(key.secretKey, payload, signature)) throw this.refuse('INVALID_SIGNATURE');
    const timestampMs = Number(timestampText);
    const now = this.nowMs();
    if (timestampMs > now + MAX_CLOCK_AHEAD_MS || now - timestampMs > recvWindowMs) throw this.refuse('INVALID_TIMESTAMP');
    for (const name of AUTH_PARAMS) params.delete(name);
    // past this the window check refuses the same bytes anyway
    return { params, signature: signature.toLowerCase(), expiresAtMs: Math.max(timestampMs, now) + recvWindowMs + MAX_CLOCK_AHEAD_MS, nowMs: now };
  }

  private parse(rawQuery: string, rawBody: string): Map<string, string> {
    return parseParams(rawQuery, rawBody);
  }

  /** Refusals are counted by code where they are answered (the server's onError hook, /metrics). */
  private refuse(name: Parameters<typeof binanceError>[0], detail?: string): Error {
    return binanceError(name, detail);
  }
}
