import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@perpcore/observability';
import { ADMIN_TOKEN, SecurityServer } from '../suites/security-server.test-support.js';
import { signPayload } from '../auth/request-signature.js';

describe('operations', () => {
  const lines: string[] = [];
  let s: SecurityServer;
  before(async () => {
    s = await SecurityServer.start({ logger: createLogger('gateway-test', 'trace', { destination: { write: (line: string) => lines.push(line) } }) });
  });
  after(() => s.close());

  it('/health, /ready and /metrics answer; metrics count requests by route and status, rejects by code, the fund', async () => {
    assert.deepEqual(await (await fetch(`${s.url}/health`)).json(), { status: 'ok' });
    assert.deepEqual(await (await fetch(`${s.url}/ready`)).json(), { status: 'ready' });
    const c = await s.account(['read', 'trade'], '1000');
    await s.signed('GET', '/fapi/v1/probe', c);
    await fetch(`${s.url}/fapi/v1/probe?timestamp=1&signature=00`, { headers: { 'X-MBX-APIKEY': c.apiKey } });
    s.index('BTCUSDT', '30000');
    assert.equal(s.order(c.accountId, 'BTCUSDT', 'BUY', '29000', '0.01'), '');
    assert.equal(s.order(c.accountId, 'BTCUSDT', 'BUY', '29000', '100'), 'RISK_INSUFFICIENT_MARGIN');
    const text = await (await fetch(`${s.url}/metrics`)).text();
    assert.match(text, /perpcore_gateway_requests_total\{route="\/fapi\/v1\/probe",method="GET",status="200"\} 1/);
    assert.match(text, /perpcore_gateway_requests_total\{route="\/fapi\/v1\/probe",method="GET",status="400"\} 1/);
    assert.match(text, /perpcore_gateway_request_duration_seconds_bucket\{le="0.1",route="\/fapi\/v1\/probe"\} 2/);
    assert.match(text, /perpcore_gateway_refusals_total\{code="-1022"\} 1/);
    assert.match(text, /perpcore_insurance_fund_balance\{fund="shared"\} 1000/);
    assert.match(text, /perpcore_orders_accepted_total\{market="BTCUSDT"\} 1/);
    assert.match(text, /perpcore_rejects_total\{code="RISK_INSUFFICIENT_MARGIN"\} 1/);
    for (const name of ['perpcore_orders_accepted_total', 'perpcore_fills_total', 'perpcore_rejects_total', 'perpcore_margin_calls_total', 'perpcore_liquidations_total', 'perpcore_bus_lag_messages']) {
      assert.ok(text.includes(`# TYPE ${name}`), name);
    }
  });

  it('answers with a request id (keeping a valid one the caller sent) and logs it', async () => {
    const r = await fetch(`${s.url}/health`, { headers: { 'x-request-id': 'trace-abc-123' } });
    assert.equal(r.headers.get('x-request-id'), 'trace-abc-123');
    const generated = (await fetch(`${s.url}/health`, { headers: { 'x-request-id': 'bad id!' } })).headers.get('x-request-id');
    assert.match(generated ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(lines.some((l) => l.includes('"reqId":"trace-abc-123"') && l.includes('"route":"/health"')));
  });

  it('no secret ever reaches a log line: API secrets, the admin token, signatures, full API keys', async () => {
    const c = await s.account(['read', 'trade'], '10');
    const secrets = [c.secretKey, ADMIN_TOKEN, c.apiKey];
    const good = await s.signed('GET', '/fapi/v1/probe', c, { symbol: 'BTCUSDT' });
    assert.equal(good.status, 200);
    const text = `symbol=BTCUSDT&timestamp=${Date.now()}`;
    const signature = signPayload(c.secretKey, text);
    secrets.push(signature);
    await fetch(`${s.url}/fapi/v1/probe?${text}&signature=${signature}`, { headers: { 'X-MBX-APIKEY': c.apiKey } });
    const forged = signPayload('not-the-secret', text);
    secrets.push(forged);
    await fetch(`${s.url}/fapi/v1/probe?${text}&signature=${forged}`, { headers: { 'X-MBX-APIKEY': c.apiKey } });
    await fetch(`${s.url}/fapi/v1/probe`, { method: 'POST', headers: { 'X-MBX-APIKEY': c.apiKey, 'content-type': 'application/x-www-form-urlencoded' }, body: `${text}&signature=${signature}` });
    await s.admin('POST', '/v1/admin/api-keys', { accountId: c.accountId, permissions: ['read'], secretKey: c.secretKey });
    await s.admin('DELETE', `/v1/admin/api-keys/${c.apiKey}`);
    await s.admin('GET', '/v1/admin/insurance-funds', undefined, `${ADMIN_TOKEN}x`);
    await fetch(`${s.url}/fapi/v1/probe?${text}&signature=${signature}`, { headers: { 'X-MBX-APIKEY': c.apiKey } });
    assert.ok(lines.length > 10, `${lines.length} log lines`);
    for (const line of lines) for (const secret of secrets) assert.ok(!line.includes(secret), `a log line holds a secret: ${line.slice(0, 200)}`);
    assert.ok(lines.some((l) => l.includes('admin: API key revoked')), 'the admin actions are logged (by key hint)');
  });

  it('/health answers 503 halted once the risk stage halts, and /ready follows', async () => {
    s.pipeline.risk.engine.haltOnInternalError(new Error('test fault'), { kind: 'time', source: 'ops-test', seq: 1, market: '', accountId: 0, tsNs: 1 });
    const health = await fetch(`${s.url}/health`);
    assert.equal(health.status, 503);
    const body = (await health.json()) as { status: string; reason: string };
    assert.equal(body.status, 'halted');
    assert.match(body.reason, /test fault/);
    assert.equal((await fetch(`${s.url}/ready`)).status, 503);
  });
});
