/**
 * With account A's credentials, every way of reading or touching account B fails:
 * for each protected route (protected-routes.ts) the suite tries no key, B's key
 * signed with A's secret, A's key signed with B's secret, A's key aimed at B's
 * resources, a read key on trade routes, a revoked key, and for the operator API
 * every trader credential in place of the bearer token. Nothing refused may change
 * the core's state or the registry.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { signPayload } from '../auth/request-signature.js';
import { PROTECTED_ROUTES, routePath, type ProtectedRoute, type Victim } from './protected-routes.js';
import { type Credentials, SecurityServer } from './security-server.test-support.js';

interface Attempt {
  apiKey?: string;
  secretKey?: string;
  bearer?: string;
  params?: Record<string, string>;
}

describe('authorization: A can never read or touch B', () => {
  let s: SecurityServer;
  let a: Credentials;
  let aRead: Credentials;
  let aRevoked: Credentials;
  let b: Credentials;
  let victim: Victim;
  before(async () => {
    s = await SecurityServer.start();
    a = await s.account(['read', 'trade'], '1000');
    b = await s.account(['read', 'trade'], '1000');
    s.index('BTCUSDT', '30000');
    // B's things for A to aim at: a resting order (by id and client id) and a listenKey
    const placed = await s.signed('POST', '/fapi/v1/order', b, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: '29500', newClientOrderId: 'victim-order' });
    const order = (await placed.json()) as { orderId: number; clientOrderId: string };
    assert.equal(placed.status, 200, JSON.stringify(order));
    const key = (await (await fetch(`${s.url}/fapi/v1/listenKey`, { method: 'POST', headers: { 'X-MBX-APIKEY': b.apiKey } })).json()) as { listenKey: string };
    victim = { accountId: b.accountId, apiKey: b.apiKey, orderId: order.orderId, clientOrderId: order.clientOrderId, listenKey: key.listenKey };
    aRead = { ...(await createKey(a.accountId, ['read'])) };
    aRevoked = { ...(await createKey(a.accountId, ['read', 'trade'])) };
    await s.admin('DELETE', `/v1/admin/api-keys/${aRevoked.apiKey}`);
  });
  after(() => s.close());

  async function createKey(accountId: number, permissions: ('read' | 'trade')[]): Promise<Credentials> {
    const r = (await (await s.admin('POST', '/v1/admin/api-keys', { accountId, permissions })).json()) as { apiKey: string; secretKey: string };
    return { accountId, apiKey: r.apiKey, secretKey: r.secretKey };
  }

  async function send(route: ProtectedRoute, attempt: Attempt): Promise<{ status: number; body: Record<string, unknown> }> {
    const url = `${s.url}${routePath(route, victim)}`;
    const headers: Record<string, string> = {};
    if (attempt.apiKey !== undefined) headers['X-MBX-APIKEY'] = attempt.apiKey;
    if (attempt.bearer !== undefined) headers.authorization = `Bearer ${attempt.bearer}`;
    let query = '';
    let body: string | undefined;
    if (route.auth === 'admin') {
      const json = route.adminBody?.(victim);
      if (json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(json);
      }
    } else {
      const text = new URLSearchParams({ ...(route.auth === 'signed' ? { timestamp: String(Date.now()) } : {}), ...attempt.params }).toString();
      const signed = route.auth === 'signed' && attempt.secretKey !== undefined ? `${text}&signature=${signPayload(attempt.secretKey, text)}` : text;
      if (route.method === 'GET' || route.method === 'DELETE') query = signed === '' ? '' : `?${signed}`;
      else {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = signed;
      }
    }
    const r = await fetch(`${url}${query}`, { method: route.method, headers, body });
    const text = await r.text();
    return { status: r.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  }

  for (const route of PROTECTED_ROUTES) {
    it(`${route.method} ${route.path}: ${route.name}`, async () => {
      const hash = s.stateHash();
      const refused = async (attempt: Attempt, why: string, codes: unknown[]) => {
        const r = await send(route, attempt);
        assert.ok(r.status === 401 || r.status === 400, `${why}: status ${r.status} ${JSON.stringify(r.body)}`);
        assert.ok(codes.includes(r.body.code), `${why}: code ${JSON.stringify(r.body)}`);
        assert.equal(s.stateHash(), hash, `${why}: a refused request changed the state`);
      };
      if (route.auth === 'admin') {
        await refused({}, 'no token', ['ADMIN_UNAUTHORIZED']);
        await refused({ bearer: a.apiKey }, "A's API key as the token", ['ADMIN_UNAUTHORIZED']);
        await refused({ bearer: a.secretKey }, "A's secret as the token", ['ADMIN_UNAUTHORIZED']);
        await refused({ apiKey: a.apiKey, secretKey: a.secretKey }, "A's signed key headers", ['ADMIN_UNAUTHORIZED']);
        return;
      }
      const victimParams = route.victimParams?.(victim) ?? {};
      await refused({ params: victimParams }, 'no key', [-2014]);
      await refused({ apiKey: aRevoked.apiKey, secretKey: aRevoked.secretKey, params: victimParams }, "A's revoked key", [-2015]);
      if (route.auth === 'signed') {
        await refused({ apiKey: b.apiKey, secretKey: a.secretKey, params: victimParams }, "B's key signed with A's secret", [-1022]);
        await refused({ apiKey: a.apiKey, secretKey: b.secretKey, params: victimParams }, "A's key signed with B's secret", [-1022]);
        await refused({ apiKey: a.apiKey, params: victimParams }, "A's key without a signature", [-1102]);
      }
      if (route.permission === 'trade') await refused({ apiKey: aRead.apiKey, secretKey: aRead.secretKey, params: victimParams }, "A's read-only key on a trade route", [-2015]);
      // A's own valid credentials aimed at B: the answer is about A, never B
      const own = await send(route, { apiKey: a.apiKey, secretKey: a.secretKey, params: victimParams });
      if (own.status === 200 && own.body.accountId !== undefined) assert.equal(own.body.accountId, a.accountId, `A's request acted for ${String(own.body.accountId)}`);
      else assert.ok(own.status === 200 || (own.status >= 400 && own.status < 500), JSON.stringify(own.body));
      const answer = JSON.stringify(own.body);
      assert.ok(!answer.includes(b.apiKey), "the answer names B's key");
      assert.ok(!answer.includes(String(victim.orderId)) && !answer.includes(victim.listenKey ?? '-'), `the answer names B's order or listenKey: ${answer.slice(0, 300)}`);
      // and B's things are as they were
      const still = (await (await s.signed('GET', '/fapi/v1/order', b, { symbol: 'BTCUSDT', orderId: String(victim.orderId) })).json()) as { status: string; origQty: string; price: string };
      assert.deepEqual([still.status, still.origQty, still.price], ['NEW', '0.001', '29500'], "B's order was touched");
      assert.equal(s.gateway.hub.listenKeys.accountOf(victim.listenKey ?? ''), b.accountId, "B's listenKey was touched");
    });
  }
});
