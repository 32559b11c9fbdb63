import { strict as assert } from 'node:assert';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SecurityServer } from '../suites/security-server.test-support.js';

describe('request limits over HTTP', () => {
  let s: SecurityServer;
  before(async () => {
    s = await SecurityServer.start({ limits: { weightPerMinutePerIp: 40, weightPerMinutePerKey: 30, ordersPer10sPerKey: 5, ordersPerMinutePerKey: 8, strikesBeforeBan: 3 } });
  });
  after(() => s.close());

  it('sends X-MBX-USED-WEIGHT-1M on every answer and the order counts on order routes; 429 -1015 past the order rate', async () => {
    const c = await s.account(['read', 'trade']);
    const first = await s.signed('GET', '/fapi/v1/probe', c, { symbol: 'BTCUSDT' });
    assert.equal(first.status, 200);
    const w1 = Number(first.headers.get('x-mbx-used-weight-1m'));
    const second = await s.signed('GET', '/fapi/v1/probe', c, { symbol: 'BTCUSDT' });
    assert.equal(Number(second.headers.get('x-mbx-used-weight-1m')), w1 + 1, 'openOrders with a symbol weighs 1');
    const all = await s.signed('GET', '/fapi/v1/probe', c);
    assert.equal(all.status, 429, 'without a symbol it weighs 40: past the key\'s 30');
    assert.equal(Number(all.headers.get('x-mbx-used-weight-1m')), w1 + 1);
    const notFound = await fetch(`${s.url}/fapi/v1/nothing`);
    assert.equal(notFound.status, 404);
    assert.ok(notFound.headers.get('x-mbx-used-weight-1m') !== null, 'even on a 404');
    for (let i = 1; i <= 5; i++) {
      const r = await s.signed('POST', '/fapi/v1/probe', c);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('x-mbx-order-count-10s'), String(i));
      assert.equal(r.headers.get('x-mbx-order-count-1m'), String(i));
    }
    const refused = await s.signed('POST', '/fapi/v1/probe', c);
    assert.equal(refused.status, 429);
    assert.deepEqual(await refused.json(), { code: -1015, msg: 'Too many new orders.' });
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  });

  it('429 -1003 with Retry-After past the weight, then 418 for a client that keeps going', async () => {
    // a fresh IP budget is not available on loopback: spend what is left of it
    let r: Response;
    let guard = 0;
    do r = await fetch(`${s.url}/fapi/v1/nothing`);
    while (r.status !== 429 && ++guard < 100);
    assert.equal(r.status, 429);
    assert.equal(((await r.json()) as { code: number }).code, -1003);
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${s.url}/fapi/v1/nothing`)).status);
    assert.ok(statuses.includes(418), statuses.join(','));
    const banned = await fetch(`${s.url}/health`);
    assert.equal(banned.status, 200, 'health checks are exempt');
    const still = await fetch(`${s.url}/fapi/v1/nothing`);
    assert.equal(still.status, 418);
    assert.equal(Number(still.headers.get('retry-after')), 120);
    assert.deepEqual(await still.json(), { code: -1003, msg: 'Way too many requests; IP banned. Banned for 120 s.' });
    const operator = await s.admin('GET', '/v1/admin/insurance-funds');
    assert.equal(operator.status, 418, 'the ban is by address, the operator API included');
    assert.equal(((await operator.json()) as { code: string }).code, 'ADMIN_RATE_LIMITED');
    assert.ok(Number(operator.headers.get('retry-after')) > 0);
  });
});

describe('server hardening', () => {
  it('a few hundred sockets trickling bytes do not hold the server, and are dropped at the header timeout', async () => {
    const s = await SecurityServer.start({ hardening: { headersTimeoutMs: 1_500, requestTimeoutMs: 2_000, connectionsCheckingIntervalMs: 250, maxConnectionsPerIp: 1_000 } });
    const port = Number(new URL(s.url).port);
    const slow: Socket[] = [];
    const closed: boolean[] = [];
    for (let i = 0; i < 300; i++) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      const index = i;
      closed.push(false);
      socket.on('close', () => (closed[index] = true));
      socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
      slow.push(socket);
    }
    const trickle = setInterval(() => {
      for (const socket of slow) if (!socket.destroyed) socket.write('X-A: b\r\n');
    }, 200);
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const t0 = performance.now();
      const r = await fetch(`${s.url}/health`);
      assert.equal(r.status, 200, 'a normal client is served while 300 sockets trickle');
      assert.ok(performance.now() - t0 < 1_000);
      const deadline = Date.now() + 6_000;
      while (closed.some((c) => !c) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(closed.filter((c) => c).length, 300, 'every trickling socket was dropped');
    } finally {
      clearInterval(trickle);
      for (const socket of slow) socket.destroy();
      await s.close();
    }
  });

  it('caps connections per address and refuses oversize bodies and headers with 4xx', async () => {
    const s = await SecurityServer.start({ hardening: { maxConnectionsPerIp: 5, bodyLimitBytes: 1_024, maxHeaderBytes: 2_048 } });
    const port = Number(new URL(s.url).port);
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => {});
        sockets.push(socket);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.ok(s.connections.refused >= 5, `refused ${s.connections.refused}`);
      assert.ok(s.connections.open <= 5);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const big = await fetch(`${s.url}/fapi/v1/probe`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `a=${'x'.repeat(4_096)}` });
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as { code: number }).code, -1000);
    const hugeHeader = await fetch(`${s.url}/health`, { headers: { 'x-big': 'y'.repeat(4_096) } }).then((r) => r.status, () => 431);
    assert.equal(hugeHeader, 431);
    await s.close();
  });
});
