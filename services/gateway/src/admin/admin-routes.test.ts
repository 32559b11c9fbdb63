import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { SecurityServer } from '../suites/security-server.test-support.js';

describe('operator API over real HTTP and the real pipeline', () => {
  let s: SecurityServer;
  before(async () => {
    s = await SecurityServer.start();
  });
  after(() => s.close());

  const json = async (r: Response) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> });

  it('refuses every call without the bearer token, or with a wrong one, and changes nothing', async () => {
    const hash = s.coreStateHash();
    for (const token of [null, 'wrong', '', `${'x'}${'test-admin-token-0123456789abcdef'}`]) {
      const r = await json(await s.admin('POST', '/v1/admin/accounts', {}, token));
      assert.equal(r.status, 401);
      assert.equal(r.body.code, 'ADMIN_UNAUTHORIZED');
    }
    assert.equal((await s.admin('POST', '/v1/admin/deposits', { accountId: 1, asset: 'USDT', amount: '1' }, 'Bearer x')).status, 401);
    assert.equal(s.coreStateHash(), hash);
  });

  it('creates accounts and keys, lists keys without secrets, revokes a key at once', async () => {
    const a = await json(await s.admin('POST', '/v1/admin/accounts', {}));
    const b = await json(await s.admin('POST', '/v1/admin/accounts', {}));
    assert.equal(a.status, 200);
    assert.equal((b.body.accountId as number) - (a.body.accountId as number), 1);
    const key = await json(await s.admin('POST', '/v1/admin/api-keys', { accountId: a.body.accountId, permissions: ['read'] }));
    assert.match(key.body.apiKey as string, /^[A-Za-z0-9]{64}$/);
    assert.match(key.body.secretKey as string, /^[A-Za-z0-9]{64}$/);
    const listed = await json(await s.admin('GET', `/v1/admin/accounts/${a.body.accountId}`));
    assert.deepEqual((listed.body.apiKeys as { apiKey: string }[]).map((k) => k.apiKey), [key.body.apiKey]);
    assert.ok(!JSON.stringify(listed.body).includes(key.body.secretKey as string), 'a listing never shows a secret');
    const creds = { accountId: a.body.accountId as number, apiKey: key.body.apiKey as string, secretKey: key.body.secretKey as string };
    assert.equal((await s.signed('GET', '/fapi/v1/probe', creds)).status, 200);
    assert.equal((await s.signed('POST', '/fapi/v1/probe', creds)).status, 401, 'a read key cannot trade');
    assert.equal((await s.admin('DELETE', `/v1/admin/api-keys/${creds.apiKey}`)).status, 200);
    const after = await json(await s.signed('GET', '/fapi/v1/probe', creds));
    assert.deepEqual([after.status, after.body.code], [401, -2015]);
    assert.equal((await s.admin('DELETE', `/v1/admin/api-keys/${creds.apiKey}`)).status, 404);
    for (const bad of [{ accountId: a.body.accountId, permissions: ['withdraw'] }, { accountId: a.body.accountId, permissions: [] }, { accountId: a.body.accountId, permissions: ['read', 'read'] }, { accountId: '1', permissions: ['read'] }]) {
      assert.equal((await s.admin('POST', '/v1/admin/api-keys', bad)).status, 400, JSON.stringify(bad));
    }
    assert.equal((await s.admin('POST', '/v1/admin/api-keys', { accountId: 899_999, permissions: ['read'] })).status, 404);
  });

  it('credits deposits and debits withdrawals exactly, refusing what the core or the grid refuses', async () => {
    const { accountId } = await s.account(['read']);
    const dep = await json(await s.admin('POST', '/v1/admin/deposits', { accountId, asset: 'USDT', amount: '1000.000001' }));
    assert.deepEqual(dep, { status: 200, body: { accountId, asset: 'USDT', amount: '1000.000001', balanceAfter: '1000.000001' } });
    const hash = s.coreStateHash();
    const refused: [unknown, number, string][] = [
      [{ accountId, asset: 'USDT', amount: '0.0000001' }, 400, 'DOMAIN_OFF_GRID'],
      [{ accountId, asset: 'USDT', amount: '0' }, 400, 'ADMIN_INVALID_AMOUNT'],
      [{ accountId, asset: 'USDT', amount: '1e3' }, 400, 'ADMIN_INVALID_REQUEST'],
      [{ accountId, asset: 'USDT', amount: 5 }, 400, 'ADMIN_INVALID_REQUEST'],
      [{ accountId, asset: 'BTC', amount: '1' }, 400, 'ADMIN_UNKNOWN_ASSET'],
      [{ accountId: 424_242, asset: 'USDT', amount: '1' }, 404, 'ADMIN_UNKNOWN_ACCOUNT'],
      [{ accountId: 900_002, asset: 'USDT', amount: '1' }, 404, 'ADMIN_UNKNOWN_ACCOUNT'],
      [{ accountId, asset: 'USDT', amount: '99999999999999999999' }, 400, 'ADMIN_INVALID_AMOUNT'],
    ];
    for (const [body, status, code] of refused) {
      const r = await json(await s.admin('POST', '/v1/admin/deposits', body));
      assert.equal(r.status, status, JSON.stringify(body));
      assert.equal(r.body.code, code, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`);
    }
    const over = await json(await s.admin('POST', '/v1/admin/withdrawals', { accountId, asset: 'USDT', amount: '1000.000002' }));
    assert.equal(over.status, 400);
    assert.equal(over.body.code, 'RISK_INSUFFICIENT_BALANCE');
    assert.equal(s.coreStateHash(), hash, 'no refused transfer moved anything');
    const wd = await json(await s.admin('POST', '/v1/admin/withdrawals', { accountId, asset: 'USDT', amount: '0.000001' }));
    assert.equal(wd.body.balanceAfter, '1000');
  });

  it('halts and resumes a market: orders refused while halted, the book kept, cancels still allowed', async () => {
    const maker = await s.account(['read', 'trade'], '100000');
    s.index('BTCUSDT', '30000');
    assert.equal(s.order(maker.accountId, 'BTCUSDT', 'SELL', '30100', '1'), '');
    const halted = await json(await s.admin('POST', '/v1/admin/markets/BTCUSDT/halt', { reason: 'test' }));
    assert.deepEqual(halted, { status: 200, body: { market: 'BTCUSDT', halted: true } });
    assert.equal((await json(await s.admin('POST', '/v1/admin/markets/BTCUSDT/halt', {}))).body.code, 'MATCHING_MARKET_ALREADY_HALTED');
    assert.equal(s.order(maker.accountId, 'BTCUSDT', 'SELL', '30200', '1'), 'MATCHING_MARKET_HALTED');
    assert.equal(s.order(maker.accountId, 'ETHUSDT', 'SELL', '2100', '1'), 'RISK_NO_MARK_PRICE', 'other markets are not halted');
    assert.ok(s.pipeline.matching.engine.book('BTCUSDT')?.bestAskTicks?.() !== 0);
    assert.equal((await s.admin('POST', '/v1/admin/markets/NOPE/halt', {})).status, 404);
    assert.equal((await json(await s.admin('POST', '/v1/admin/markets/BTCUSDT/resume'))).body.halted, false);
    assert.equal(s.order(maker.accountId, 'BTCUSDT', 'SELL', '30200', '1'), '');
    const audit = s.pipeline.risk.engine.audit();
    assert.ok(audit.ok, `the refused orders' holds came back: ${audit.problems.join('; ')}`);
  });

  it('engages and releases a kill switch through the risk stage', async () => {
    const t = await s.account(['read', 'trade'], '100000');
    s.index('BTCUSDT', '30000');
    assert.equal(s.order(t.accountId, 'BTCUSDT', 'BUY', '29000', '1'), '');
    const on = await json(await s.admin('POST', `/v1/admin/accounts/${t.accountId}/kill-switch`, { engaged: true }));
    assert.deepEqual(on.body, { accountId: t.accountId, killSwitch: true });
    assert.equal(s.order(t.accountId, 'BTCUSDT', 'BUY', '29000', '1'), 'RISK_KILL_SWITCH_ENGAGED');
    assert.equal((await s.admin('POST', `/v1/admin/accounts/${t.accountId}/kill-switch`, { engaged: 'yes' })).status, 400);
    await s.admin('POST', `/v1/admin/accounts/${t.accountId}/kill-switch`, { engaged: false });
    assert.equal(s.order(t.accountId, 'BTCUSDT', 'BUY', '29000', '1'), '');
  });

  it('signs an account up as a backstop liquidator, changes its terms and removes it, through the risk stage', async () => {
    const t = await s.account(['read'], '50000');
    const path = `/v1/admin/accounts/${t.accountId}/backstop-liquidator`;
    const backstops = () => s.pipeline.risk.engine.state.backstopLiquidators;
    const on = await json(await s.admin('PUT', path, { enabled: true, maxPositionNotional: '250000.5' }));
    assert.deepEqual(on, { status: 200, body: { accountId: t.accountId, enabled: true, markets: [], maxPositionNotional: '250000.5' } });
    assert.deepEqual(backstops().get(t.accountId), { markets: [], marketIndexes: null, maxPositionNotionalUnits: 250_000_500_000 });
    const hash = s.coreStateHash();
    const refused: [unknown, number, string][] = [
      [{ enabled: true }, 400, 'ADMIN_INVALID_AMOUNT'],
      [{ enabled: true, maxPositionNotional: '0' }, 400, 'ADMIN_INVALID_AMOUNT'],
      [{ enabled: true, maxPositionNotional: '1.0000001' }, 400, 'DOMAIN_OFF_GRID'],
      [{ enabled: true, maxPositionNotional: '100', markets: ['DOGEUSDT'] }, 404, 'ADMIN_UNKNOWN_MARKET'],
      [{ enabled: true, maxPositionNotional: '100', markets: ['BTCUSDT', 'BTCUSDT'] }, 400, 'ADMIN_INVALID_REQUEST'],
      [{ enabled: 'yes', maxPositionNotional: '100' }, 400, 'ADMIN_INVALID_REQUEST'],
      [{ enabled: true, maxPositionNotional: '100', bonus: '1' }, 400, 'ADMIN_INVALID_REQUEST'],
    ];
    for (const [body, status, code] of refused) {
      const r = await json(await s.admin('PUT', path, body));
      assert.deepEqual([r.status, r.body.code], [status, code], JSON.stringify(body));
    }
    assert.equal((await s.admin('PUT', '/v1/admin/accounts/424242/backstop-liquidator', { enabled: false })).status, 404);
    assert.equal(s.coreStateHash(), hash, 'a refusal changes nothing');
    const btc = await json(await s.admin('PUT', path, { enabled: true, maxPositionNotional: '1000', markets: ['ETHUSDT', 'BTCUSDT'] }));
    assert.deepEqual(btc.body, { accountId: t.accountId, enabled: true, markets: ['BTCUSDT', 'ETHUSDT'], maxPositionNotional: '1000' });
    assert.deepEqual(backstops().get(t.accountId)?.markets, ['BTCUSDT', 'ETHUSDT']);
    const off = await json(await s.admin('PUT', path, { enabled: false }));
    assert.deepEqual(off.body, { accountId: t.accountId, enabled: false, markets: [] });
    assert.equal(backstops().has(t.accountId), false);
  });

  it("shows the insurance fund's balance from the risk stage", async () => {
    const r = await json(await s.admin('GET', '/v1/admin/insurance-funds'));
    assert.deepEqual(r.body.funds, [{ fundId: 'shared', accountId: 900_002, asset: 'USDT', balance: '1000', markets: ['BTCUSDT', 'ETHUSDT'] }]);
  });

  it('serves the OpenAPI document of the operator API only at /docs/json', async () => {
    const doc = (await (await fetch(`${s.url}/docs/json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    assert.match(doc.openapi, /^3\./);
    const paths = Object.keys(doc.paths).sort();
    assert.ok(paths.includes('/v1/admin/accounts') && paths.includes('/v1/admin/api-keys') && paths.includes('/v1/admin/deposits'), paths.join(' '));
    assert.ok(paths.every((p) => p.startsWith('/v1/admin/')), paths.join(' '));
  });
});
