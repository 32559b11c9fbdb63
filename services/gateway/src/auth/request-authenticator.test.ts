import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import ccxt from 'ccxt';
import { BinanceError } from '../binance/binance-error.js';
import { InMemoryAccountRegistry } from './account-registry.js';
import { generateApiCredentials } from './api-credentials.js';
import { RequestAuthenticator } from './request-authenticator.js';
import { signPayload } from './request-signature.js';

const NOW_MS = 1_800_000_000_000;

function setup(permissions: ('read' | 'trade')[] = ['read', 'trade']) {
  const registry = new InMemoryAccountRegistry({ firstSystemAccountId: 900_000 });
  registry.apply({ kind: 'createAccount', accountId: 1 });
  const creds = generateApiCredentials();
  registry.apply({ kind: 'createKey', ...creds, accountId: 1, permissions, createdAtMs: NOW_MS });
  let now = NOW_MS;
  const auth = new RequestAuthenticator({ registry, nowMs: () => now });
  return { registry, creds, auth, setNow: (ms: number) => (now = ms) };
}

function codeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof BinanceError, `expected a BinanceError, got ${String(error)}`);
    return error.code;
  }
  assert.fail('expected a refusal');
}

function signedQuery(secret: string, params: string): string {
  return `${params}&signature=${signPayload(secret, params)}`;
}

/** ccxt's own signer (the real third-party client) building the request for `path`. */
function ccxtSigned(creds: { apiKey: string; secretKey: string }, method: string, params: Record<string, string>, nowMs: number) {
  const ex = new ccxt.binanceusdm({ apiKey: creds.apiKey, secret: creds.secretKey, urls: { api: { fapiPrivate: 'http://127.0.0.1:1/fapi/v1' } } as never });
  ex.milliseconds = () => nowMs;
  const r = ex.sign('order', 'fapiPrivate', method, params) as { url: string; body?: string; headers: Record<string, string> };
  const at = r.url.indexOf('?');
  return { apiKeyHeader: r.headers['X-MBX-APIKEY'], rawQuery: at < 0 ? '' : r.url.slice(at + 1), rawBody: r.body ?? '' };
}

describe('RequestAuthenticator', () => {
  it('accepts what ccxt signs, GET in the query and POST in the form body, and strips the auth parameters', () => {
    const { auth, creds } = setup();
    const get = auth.authenticate(ccxtSigned(creds, 'GET', { symbol: 'BTCUSDT' }, NOW_MS), { signed: true, permission: 'read' });
    assert.equal(get.caller.accountId, 1);
    assert.deepEqual([...get.params], [['symbol', 'BTCUSDT']]);
    const post = auth.authenticate(ccxtSigned(creds, 'POST', { symbol: 'BTCUSDT', side: 'BUY', quantity: '0.01', newClientOrderId: 'x-cvBPrNm9abc' }, NOW_MS), { signed: true, permission: 'trade' });
    assert.deepEqual(Object.fromEntries(post.params), { symbol: 'BTCUSDT', side: 'BUY', quantity: '0.01', newClientOrderId: 'x-cvBPrNm9abc' });
  });

  it('signs query then body when a request carries both (Binance totalParams)', () => {
    const { auth, creds } = setup();
    const rawQuery = 'symbol=BTCUSDT&timestamp=' + NOW_MS;
    const body = 'side=BUY';
    const rawBody = `${body}&signature=${signPayload(creds.secretKey, rawQuery + body)}`;
    const r = auth.authenticate({ apiKeyHeader: creds.apiKey, rawQuery, rawBody }, { signed: true, permission: 'trade' });
    assert.equal(r.params.get('side'), 'BUY');
  });

  it('refuses keys: missing or malformed -2014, unknown or revoked -2015, without the permission -2015', () => {
    const { auth, creds, registry } = setup(['read']);
    const q = signedQuery(creds.secretKey, `timestamp=${NOW_MS}`);
    assert.equal(codeOf(() => auth.authenticate({ apiKeyHeader: undefined, rawQuery: q, rawBody: '' }, { signed: true, permission: 'read' })), -2014);
    assert.equal(codeOf(() => auth.authenticate({ apiKeyHeader: 'short', rawQuery: q, rawBody: '' }, { signed: true, permission: 'read' })), -2014);
    assert.equal(codeOf(() => auth.authenticate({ apiKeyHeader: [creds.apiKey, creds.apiKey], rawQuery: q, rawBody: '' }, { signed: true, permission: 'read' })), -2014);
    assert.equal(codeOf(() => auth.authenticate({ apiKeyHeader: 'A'.repeat(64), rawQuery: q, rawBody: '' }, { signed: true, permission: 'read' })), -2015);
    assert.equal(codeOf(() => auth.authenticate({ apiKeyHeader: creds.apiKey, rawQuery: q, rawBody: '' }, { signed: true, permission: 'trade' })), -2015);
    assert.equal(auth.authenticate({ apiKeyHeader: creds.apiKey, rawQuery: q, rawBody: '' }, { signed: true, permission: 'read' }).caller.accountId, 1);
    registry.apply({ kind: 'revokeKey', apiKey: creds.apiKey });
    assert.equal(codeOf(() => auth.authenticate({ apiKeyHeader: creds.apiKey, rawQuery: q, rawBody: '' }, { signed: true, permission: 'read' })), -2015);
  });

  it('refuses a bad, missing, doubled or other key\'s signature, and any byte changed after signing', () => {
    const { auth, creds } = setup();
    const other = generateApiCredentials();
    const p = `symbol=BTCUSDT&timestamp=${NOW_MS}`;
    const call = (rawQuery: string) => () => auth.authenticate({ apiKeyHeader: creds.apiKey, rawQuery, rawBody: '' }, { signed: true, permission: 'read' });
    assert.equal(codeOf(call(p)), -1102);
    assert.equal(codeOf(call(`${p}&signature=${'0'.repeat(64)}`)), -1022);
    assert.equal(codeOf(call(`${p}&signature=xyz`)), -1022);
    assert.equal(codeOf(call(signedQuery(other.secretKey, p))), -1022);
    assert.equal(codeOf(call(signedQuery(creds.secretKey, p).replace('BTCUSDT', 'ETHUSDT'))), -1022);
    const s = signedQuery(creds.secretKey, p);
    assert.equal(codeOf(call(`${s}&${s.slice(s.indexOf('signature='))}`)), -1101);
    assert.equal(codeOf(call(signedQuery(creds.secretKey, `${p}&symbol=ETHUSDT`))), -1101);
  });

  it('refuses a timestamp outside the window: older than recvWindow, more than 1 s ahead, recvWindow above 60 s', () => {
    const { auth, creds, setNow } = setup();
    const call = (params: string) => () => auth.authenticate({ apiKeyHeader: creds.apiKey, rawQuery: signedQuery(creds.secretKey, params), rawBody: '' }, { signed: true, permission: 'read' });
    setNow(NOW_MS + 5_000);
    call(`timestamp=${NOW_MS}`)(); // exactly the default 5,000 ms window
    setNow(NOW_MS + 5_001);
    assert.equal(codeOf(call(`timestamp=${NOW_MS}`)), -1021);
    call(`timestamp=${NOW_MS}&recvWindow=60000`)();
    assert.equal(codeOf(call(`timestamp=${NOW_MS}&recvWindow=60001`)), -1131);
    assert.equal(codeOf(call(`timestamp=${NOW_MS}&recvWindow=0`)), -1102);
    assert.equal(codeOf(call(`timestamp=${NOW_MS}&recvWindow=1e4`)), -1102);
    setNow(NOW_MS);
    call(`timestamp=${NOW_MS + 1_000}`)();
    assert.equal(codeOf(call(`timestamp=${NOW_MS + 1_001}`)), -1021);
    assert.equal(codeOf(call('timestamp=-5')), -1102);
    assert.equal(codeOf(call('timestamp=NaN')), -1102);
    assert.equal(codeOf(call('symbol=BTCUSDT')), -1102);
    // a replay long after signing: the identical bytes are refused
    const replay = call(`timestamp=${NOW_MS}`);
    replay();
    setNow(NOW_MS + 3_600_000);
    assert.equal(codeOf(replay), -1021);
  });

  it('refuses a trade request replayed byte for byte inside its window, but not reads or a request re-signed', () => {
    const { auth, creds, setNow } = setup();
    const signedInput = (params: string) => ({ apiKeyHeader: creds.apiKey, rawQuery: '', rawBody: signedQuery(creds.secretKey, params) });
    const order = signedInput(`symbol=BTCUSDT&side=BUY&timestamp=${NOW_MS}`);
    auth.authenticate(order, { signed: true, permission: 'trade' });
    assert.equal(codeOf(() => auth.authenticate(order, { signed: true, permission: 'trade' })), -1022);
    auth.authenticate(signedInput(`symbol=BTCUSDT&side=BUY&timestamp=${NOW_MS + 1}`), { signed: true, permission: 'trade' });
    const read = signedInput(`symbol=BTCUSDT&timestamp=${NOW_MS}`);
    auth.authenticate(read, { signed: true, permission: 'read' });
    auth.authenticate(read, { signed: true, permission: 'read' });
    setNow(NOW_MS + 10_000);
    assert.equal(codeOf(() => auth.authenticate(order, { signed: true, permission: 'trade' })), -1021, 'after its window the replay is a stale timestamp');
    assert.ok(auth.replays.size <= 3);
  });

  it('a request refused before the replay check leaves nothing recorded (it can be sent again once fixed)', () => {
    const { auth, creds, registry } = setup(['read']);
    const order = { apiKeyHeader: creds.apiKey, rawQuery: '', rawBody: signedQuery(creds.secretKey, `symbol=BTCUSDT&timestamp=${NOW_MS}`) };
    assert.equal(codeOf(() => auth.authenticate(order, { signed: true, permission: 'trade' })), -2015);
    assert.equal(auth.replays.size, 0);
    void registry;
  });

  it('unsigned routes need only a live key with the permission', () => {
    const { auth, creds } = setup(['read']);
    assert.equal(auth.authenticate({ apiKeyHeader: creds.apiKey, rawQuery: '', rawBody: '' }, { signed: false, permission: 'read' }).caller.accountId, 1);
    assert.equal(codeOf(() => auth.authenticate({ apiKeyHeader: creds.apiKey, rawQuery: '', rawBody: '' }, { signed: false, permission: 'trade' })), -2015);
  });
});

describe('InMemoryAccountRegistry', () => {
  it('replays its snapshot into the same state and refuses bad commands without changing anything', () => {
    const { registry, creds } = setup();
    registry.apply({ kind: 'createAccount', accountId: 2 });
    const before = JSON.stringify(registry.snapshot());
    assert.throws(() => registry.apply({ kind: 'createKey', ...generateApiCredentials(), accountId: 3, permissions: ['read'], createdAtMs: 0 }), /does not exist/);
    assert.throws(() => registry.apply({ kind: 'createKey', ...generateApiCredentials(), accountId: 2, permissions: ['withdraw' as 'read'], createdAtMs: 0 }), /subset/);
    assert.throws(() => registry.apply({ kind: 'createKey', ...generateApiCredentials(), accountId: 2, permissions: [], createdAtMs: 0 }), /subset/);
    assert.throws(() => registry.apply({ kind: 'createKey', ...creds, accountId: 2, permissions: ['read'], createdAtMs: 0 }), /already exists/);
    assert.throws(() => registry.apply({ kind: 'createAccount', accountId: 900_000 }), /outside/);
    assert.throws(() => registry.apply({ kind: 'revokeKey', apiKey: 'nope' }), /no such/);
    assert.equal(JSON.stringify(registry.snapshot()), before);
    const copy = InMemoryAccountRegistry.fromSnapshot(JSON.parse(before), { firstSystemAccountId: 900_000 });
    assert.equal(JSON.stringify(copy.snapshot()), before);
    assert.equal(copy.nextAccountId(), 3);
    assert.equal(copy.keyOf(creds.apiKey)?.accountId, 1);
    assert.equal(new InMemoryAccountRegistry({ firstSystemAccountId: 900_000, firstAccountId: 100_000 }).nextAccountId(), 100_000);
  });

  it('generates 64-character keys and secrets over [A-Za-z0-9], never the same twice', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const c = generateApiCredentials();
      assert.match(c.apiKey, /^[A-Za-z0-9]{64}$/);
      assert.match(c.secretKey, /^[A-Za-z0-9]{64}$/);
      assert.ok(!seen.has(c.apiKey) && !seen.has(c.secretKey));
      seen.add(c.apiKey).add(c.secretKey);
    }
  });
});
