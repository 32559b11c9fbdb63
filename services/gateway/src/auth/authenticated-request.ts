/**
 * The authentication port the /fapi routes consume (gw-common.md seams):
 * `requireCaller(auth, {signed, permission})` is a fastify hook that verifies the
 * caller (request-authenticator.ts) and sets `request.caller`; a refusal is a
 * `BinanceError` thrown to the server's error handler, and the route never runs.
 *
 * Parameters: after the hook, `request.signedParams` holds the query merged with
 * the form body as strings, without `timestamp`, `recvWindow` and `signature`,
 * decoded from the very text the signature covers. Routes read their parameters
 * from it (BinanceParams.of), never from `request.query` / `request.body`, which
 * still hold the auth parameters: a route on this hook takes no JSON schema.
 * A request carrying the delegated-call header (delegated-calls.ts) is verified
 * from what its token parked instead of its own query and body.
 */
import type { FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { DELEGATED_CALL_HEADER } from './delegated-calls.js';
import type { RequestAuthenticator } from './request-authenticator.js';
import { rawQueryOf } from './request-params.js';

export type Permission = 'read' | 'trade';

export interface CallerIdentity {
  accountId: number;
  apiKey: string;
  permissions: ReadonlySet<Permission>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireCaller`; undefined on public routes. */
    caller?: CallerIdentity;
    /** Set by `requireCaller`: query + form body, auth parameters removed. */
    signedParams?: ReadonlyMap<string, string>;
  }
}

export function requireCaller(auth: RequestAuthenticator, opts: { signed: boolean; permission: Permission }): preHandlerHookHandler {
  // a callback hook: an async one costs a promise and a microtask on every request
  const hook = (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void => {
    try {
      const delegated = request.headers[DELEGATED_CALL_HEADER];
      const result =
        delegated === undefined
          ? auth.authenticate({ apiKeyHeader: request.headers['x-mbx-apikey'], rawQuery: rawQueryOf(request.raw.url), rawBody: request.rawBody ?? '' }, opts)
          : auth.authenticateDelegated(typeof delegated === 'string' ? delegated : '', opts);
      request.caller = result.caller;
      request.signedParams = result.params;
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  };
  return hook as unknown as preHandlerHookHandler;
}

/** The caller a `requireCaller` hook set; throws if a route forgot the hook (an internal fault, never a silent anonymous call). */
export function callerOf(request: FastifyRequest): CallerIdentity {
  const caller = request.caller;
  if (caller === undefined) throw new Error(`route ${request.routeOptions.url ?? request.url} runs without requireCaller`);
  return caller;
}

