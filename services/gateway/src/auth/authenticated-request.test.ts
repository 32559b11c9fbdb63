import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { BinanceError } from '../binance/binance-error.js';
import { keyMapAuthenticator, requireCaller } from './authenticated-request.js';

describe('auth stand-in: HMAC-SHA256 of query + form body, X-MBX-APIKEY, timestamp + recvWindow', () => {
  let app: FastifyInstance;
  let base = '';
  const now = 1_800_000_000_000;
  before(async () => {
    app = Fastify();
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (req, body, done) => {
      req.rawBody = body as string;
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    app.setErrorHandler((e, _q, reply) => (e instanceof BinanceError ? reply.status(e.httpStatus).send(e.body()) : reply.status(500).send({})));
    const auth = keyMapAuthenticator(new Map([['k1', { accountId: 42, secretKey: 's1', permissions: new Set(['read', 'trade'] as const) }]]), () => now);
    app.post('/p', { preHandler: requireCaller(auth, { signed: true, permission: 'trade' }) }, async (req) => ({ account: req.caller?.accountId }));
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => app.close());

  const sign = (s: string) => createHmac('sha256', 's1').update(s).digest('hex');
  const post = (query: string, body: string, key = 'k1') =>
    fetch(`${base}/p${query === '' ? '' : `?${query}`}`, { method: 'POST', headers: { 'X-MBX-APIKEY': key, 'content-type': 'application/x-www-form-urlencoded' }, body }).then(async (r) => [r.status, await r.json()]);

  it('accepts the signature over the query string followed by the body (Binance totalParams)', async () => {
    const query = `symbol=BTCUSDT&timestamp=${now}`;
    const body = 'side=BUY&quantity=1';
    assert.deepEqual(await post(`${query}&signature=${sign(query + body)}`, body), [200, { account: 42 }]);
    const inBody = `timestamp=${now}&side=BUY&recvWindow=5000`;
    assert.deepEqual(await post('', `${inBody}&signature=${sign(inBody)}`), [200, { account: 42 }]);
  });

  it('refuses a changed parameter, a missing or doubled signature, a stale or future timestamp, an unknown key', async () => {
    const ok = `timestamp=${now}&qty=1`;
    const cases: [Promise<unknown[]>, number][] = [
      [post('', `timestamp=${now}&qty=2&signature=${sign(ok)}`), -1022],
      [post('', ok), -1022],
      [post('', `${ok}&signature=${sign(ok)}&signature=${sign(ok)}`), -1022],
      [post('', `timestamp=${now - 6_000}&signature=${sign(`timestamp=${now - 6_000}`)}`), -1021],
      [post('', `timestamp=${now + 1_001}&signature=${sign(`timestamp=${now + 1_001}`)}`), -1021],
      [post('', `timestamp=${now}&recvWindow=60001&signature=${sign(`timestamp=${now}&recvWindow=60001`)}`), -1130],
      [post('', `${ok}&signature=${sign(ok)}`, 'nope'), -2015],
      [post('', `${ok}&signature=${sign(ok)}`, ''), -2014],
    ];
    for (const [res, code] of cases) assert.equal(((await res)[1] as { code: number }).code, code);
  });
});
