/**
 * The real third-party client (ccxt binanceusdm, configured as BINANCE-COMPAT §1
 * says) against the gateway over HTTP: its signed requests pass, and its
 * failures surface as the exceptions its users expect (-1022 and -2015 as
 * AuthenticationError, -1021 as InvalidNonce).
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import ccxt from 'ccxt';
import { SecurityServer } from '../suites/security-server.test-support.js';

function client(url: string, apiKey: string, secret: string, options: Record<string, unknown> = {}) {
  const api = { fapiPublic: `${url}/fapi/v1`, fapiPublicV2: `${url}/fapi/v2`, fapiPublicV3: `${url}/fapi/v3`, fapiPrivate: `${url}/fapi/v1`, fapiPrivateV2: `${url}/fapi/v2`, fapiPrivateV3: `${url}/fapi/v3`, public: `${url}/api/v3`, private: `${url}/api/v3`, sapi: `${url}/sapi/v1` };
  const ex = new ccxt.binanceusdm({ apiKey, secret, urls: { api } as never, options: { fetchCurrencies: false, adjustForTimeDifference: false, ...options } });
  // exchangeInfo is the market-data routes' (gw-streams): no markets are needed for a balance
  ex.setMarkets([]);
  return ex;
}

describe('ccxt against the authenticator over HTTP', () => {
  let s: SecurityServer;
  before(async () => {
    s = await SecurityServer.start();
  });
  after(() => s.close());

  it('fetchBalance signs its way in and reads the caller\'s own balance', async () => {
    const c = await s.account(['read'], '1234.5');
    const balance = await client(s.url, c.apiKey, c.secretKey).fetchBalance();
    assert.equal((balance.total as unknown as Record<string, number>).USDT, 1234.5);
  });

  it('a wrong secret is AuthenticationError (-1022), a revoked key AuthenticationError (-2015), a skewed clock InvalidNonce (-1021)', async () => {
    const c = await s.account(['read'], '1');
    await assert.rejects(client(s.url, c.apiKey, 'x'.repeat(64)).fetchBalance(), (e: Error) => e instanceof ccxt.AuthenticationError && /-1022/.test(e.message));
    await assert.rejects(client(s.url, c.apiKey, c.secretKey, { timeDifference: 120_000 }).fetchBalance(), (e: Error) => e instanceof ccxt.InvalidNonce && /-1021/.test(e.message));
    await s.admin('DELETE', `/v1/admin/api-keys/${c.apiKey}`);
    await assert.rejects(client(s.url, c.apiKey, c.secretKey).fetchBalance(), (e: Error) => e instanceof ccxt.AuthenticationError && /-2015/.test(e.message));
  });

  it("ccxt's listenKey request shape (key header, form content type, empty body) passes a key-only route", async () => {
    const c = await s.account(['read']);
    const request = client(s.url, c.apiKey, c.secretKey).sign('listenKey', 'fapiPrivate', 'POST', {}) as { body: string; headers: Record<string, string> };
    assert.equal(request.body, '');
    const r = await fetch(`${s.url}/fapi/v1/listenKeyProbe`, { method: 'POST', headers: request.headers, body: request.body });
    assert.deepEqual(await r.json(), { accountId: c.accountId });
  });
});
