/**
 * The hostile-request fuzz test: ≥ 10,000 seeded requests (fast-check) at every
 * protected route and some that exist nowhere. For each: no 5xx, an answer in the
 * error shape when refused, and no change to the core's state hashes or the
 * registry when refused. After the run the server still serves. (WebSocket frames
 * join this test with gw-streams' server.)
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { hostileRequest, type HostileRequest } from './hostile-requests.test-support.js';
import { PROTECTED_ROUTES } from './protected-routes.js';
import { ADMIN_TOKEN, type Credentials, SecurityServer } from './security-server.test-support.js';

const REQUESTS = 10_000;
const SEED = 20_261_203;

describe('hostile requests (fuzz)', () => {
  let s: SecurityServer;
  let c: Credentials;
  let sacrificial: Credentials;
  before(async () => {
    s = await SecurityServer.start({ limits: { weightPerMinutePerIp: 1e9, weightPerMinutePerKey: 1e9, ordersPer10sPerKey: 1e9, ordersPerMinutePerKey: 1e9 } });
    c = await s.account(['read', 'trade'], '1000');
    sacrificial = await s.account(['read']);
    s.index('BTCUSDT', '30000');
    s.order(c.accountId, 'BTCUSDT', 'BUY', '29000', '0.01');
  });
  after(() => s.close());

  it(`${REQUESTS.toLocaleString('en-US')} malformed, mutated and hostile requests: no 5xx, no crash, no state change when refused`, async () => {
    const requests = fc.sample(hostileRequest(PROTECTED_ROUTES, { apiKey: c.apiKey, secretKey: c.secretKey, adminToken: ADMIN_TOKEN, accountId: c.accountId, victimApiKey: sacrificial.apiKey }), { seed: SEED, numRuns: REQUESTS });
    const statuses = new Map<number, number>();
    let accepted = 0;
    const msByStatus = new Map<number, number>();
    // the state after one request is the state before the next (requests go one at a time)
    let before = s.businessStateHash();
    const send = async (r: HostileRequest) => {
      const t0 = performance.now();
      const res = await fetch(`${s.url}${r.path}`, { method: r.method, headers: r.headers, body: r.body }).catch((error: unknown) => error as Error);
      if (res instanceof Error) {
        // the client refused to send it (e.g. a header value fetch will not encode): not a server answer
        assert.ok(res instanceof TypeError || /fetch failed/.test(res.message), `${r.method} ${r.path.slice(0, 120)}: ${res.message}`);
        return;
      }
      const text = await res.text();
      msByStatus.set(res.status, (msByStatus.get(res.status) ?? 0) + performance.now() - t0);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(res.status < 500, `${res.status} for ${r.method} ${r.path.slice(0, 200)} ${JSON.stringify(r.headers)} ${r.body?.slice(0, 200)}: ${text.slice(0, 300)}`);
      const afterHash = s.businessStateHash();
      if (res.status >= 400) assert.equal(afterHash, before, `refused ${r.method} ${r.path.slice(0, 120)} changed the state`);
      before = afterHash;
      if (res.status >= 400) {
        if (r.method !== 'HEAD' && res.status !== 431) {
          const body = JSON.parse(text) as { code?: unknown };
          assert.ok(body.code !== undefined, `refusal without a code: ${text.slice(0, 200)}`);
        }
      } else accepted++;
    };
    for (const r of requests) await send(r);
    const health = await fetch(`${s.url}/health`);
    assert.equal(health.status, 200, 'the server still serves');
    const total = [...statuses.values()].reduce((x, y) => x + y, 0);
    assert.ok(total >= REQUESTS * 0.95, `${total} answered`);
    assert.ok(accepted > 0 && accepted < total, `some requests pass authentication (${accepted}), most are refused`);
    process.stderr.write(`hostile requests: ${total} answered, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((x, y) => x[0] - y[0])))}, ms by status ${JSON.stringify(Object.fromEntries([...msByStatus].map(([k, v]) => [k, Math.round(v)])))}\n`);
  });
});
