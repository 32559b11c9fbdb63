/**
 * fast-check generators of hostile HTTP requests for the fuzz test: malformed and
 * mutated forms and JSON, huge numbers, NaN, unicode, wrong types, missing and
 * duplicated parameters, bad and valid-but-tampered signatures, wrong methods,
 * content types and paths, oversize bodies. Valid credentials appear often
 * enough that the requests reach past authentication into the routes.
 */
import fc from 'fast-check';
import { signPayload } from '../auth/request-signature.js';
import type { ProtectedRoute } from './protected-routes.js';

export interface FuzzCredentials {
  readonly apiKey: string;
  readonly secretKey: string;
  readonly adminToken: string;
  readonly accountId: number;
  /** Put where a route names a key to revoke: a sacrificial key, so the run keeps its own. */
  readonly victimApiKey: string;
}

export interface HostileRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

const nasty = fc.oneof(
  fc.constantFrom('', 'NaN', '-0', 'Infinity', '-1', '0', '1e308', '9'.repeat(400), '0x10', '1.', '.5', '1,5', '١٢٣', 'null', 'true', '[]', '{}', '%00', '%', '%zz', '\u0000', '🚀', 'é', '<script>', "'; DROP TABLE", '../../etc/passwd', ' 1', '1 '),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String),
);

const paramName = fc.oneof(
  fc.constantFrom('symbol', 'side', 'type', 'quantity', 'price', 'timeInForce', 'orderId', 'origClientOrderId', 'newClientOrderId', 'accountId', 'timestamp', 'recvWindow', 'signature', 'limit', 'leverage', '__proto__', 'constructor', 'prototype'),
  fc.string({ minLength: 1, maxLength: 12 }),
);

const params = fc.array(fc.tuple(paramName, nasty), { maxLength: 10 });

const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.record({ accountId: fc.oneof(fc.integer(), fc.double(), nasty, fc.constant(null)), asset: fc.oneof(nasty, fc.constantFrom('USDT', 'BTC')), amount: fc.oneof(nasty, fc.constantFrom('1', '0.000001', '1000')), permissions: fc.oneof(fc.array(nasty, { maxLength: 3 }), nasty), engaged: fc.oneof(fc.boolean(), nasty), reason: nasty }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 60 }),
  fc.constantFrom('{', '{"a":', '[1,2', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', 'null', '1e999', '"\\ud800"'),
);

function encode(pairs: readonly (readonly [string, string])[]): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** Header values fetch accepts (Latin-1, no CR/LF/NUL). */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

export function hostileRequest(routes: readonly ProtectedRoute[], c: FuzzCredentials): fc.Arbitrary<HostileRequest> {
  const route = fc.constantFrom(...routes);
  const extraPaths = fc.constantFrom('/fapi/v1/probe', '/fapi/v1/%2e%2e/probe', '/v1/admin/../admin/accounts', '/v1/admin/accounts/%00', '/v1/admin/accounts/99999999999999999999', '/v1/admin/api-keys/' + 'x'.repeat(300), '/health', '/ready', '/docs/json', '/nope', '//', '/fapi/v1/probe/', `/${'a'.repeat(3000)}`);
  return fc
    .record({
      route,
      // mostly the route's own path and method, so requests reach the routes; sometimes not
      altPath: fc.oneof({ arbitrary: fc.constant(null), weight: 5 }, { arbitrary: extraPaths, weight: 1 }),
      method: fc.oneof({ arbitrary: fc.constant(null), weight: 6 }, { arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'), weight: 1 }),
      params,
      validTimestamp: fc.boolean(),
      sign: fc.constantFrom('valid', 'valid-then-tamper', 'garbage', 'none', 'twice'),
      key: fc.constantFrom('valid', 'garbage', 'none', 'two'),
      bearer: fc.constantFrom('valid', 'garbage', 'none', 'apikey'),
      contentType: fc.constantFrom('form', 'json', 'text', 'none', 'multipart', 'form-charset'),
      json: jsonish,
      garbageKey: nasty,
      oversize: fc.integer({ min: 0, max: 40 }),
      inQuery: fc.boolean(),
      tamper: nasty,
    })
    .map((g) => {
      const pairs: [string, string][] = g.params.map(([k, v]) => [k, v]);
      if (g.validTimestamp) pairs.unshift(['timestamp', String(Date.now())]);
      let text = encode(pairs);
      if (g.sign === 'valid' || g.sign === 'valid-then-tamper' || g.sign === 'twice') {
        const signature = signPayload(c.secretKey, text);
        text = `${text}${text === '' ? '' : '&'}signature=${signature}`;
        if (g.sign === 'twice') text += `&signature=${signature}`;
        if (g.sign === 'valid-then-tamper') text = `${text}&${encode([['symbol', g.tamper]])}`;
      } else if (g.sign === 'garbage') text += `&signature=${encodeURIComponent(g.tamper)}`;
      const headers: Record<string, string> = {};
      if (g.key === 'valid') headers['X-MBX-APIKEY'] = c.apiKey;
      else if (g.key === 'garbage') headers['X-MBX-APIKEY'] = headerSafe(g.garbageKey);
      else if (g.key === 'two') headers['X-MBX-APIKEY'] = `${c.apiKey}, ${c.apiKey}`;
      if (g.bearer === 'valid') headers.authorization = `Bearer ${c.adminToken}`;
      else if (g.bearer === 'garbage') headers.authorization = headerSafe(`Bearer ${g.garbageKey}`);
      else if (g.bearer === 'apikey') headers.authorization = `Bearer ${c.apiKey}`;
      const method = g.method ?? g.route.method;
      const path = (g.altPath ?? g.route.path).replace(':victimAccountId', String(c.accountId)).replace(':victimApiKey', c.victimApiKey);
      let body: string | undefined;
      const withBody = method !== 'GET' && method !== 'HEAD';
      if (withBody && !g.inQuery) {
        body = g.route.auth === 'admin' || g.contentType === 'json' ? g.json : text;
        if (g.oversize > 35) body = `${body}&pad=${'x'.repeat(200_000)}`;
      }
      if (body !== undefined) {
        const types: Record<string, string | undefined> = {
          form: 'application/x-www-form-urlencoded',
          json: 'application/json',
          text: 'text/plain',
          none: undefined,
          multipart: 'multipart/form-data; boundary=x',
          'form-charset': 'application/x-www-form-urlencoded; charset=utf-8',
        };
        const type = g.route.auth === 'admin' && g.contentType === 'form' ? 'application/json' : types[g.contentType];
        if (type !== undefined) headers['content-type'] = type;
      }
      const query = body === undefined && text !== '' ? `?${text}` : '';
      return { method, path: `${path}${query}`, headers, body };
    });
}
