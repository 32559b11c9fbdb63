import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DEFAULT_REQUEST_LIMITS, RequestLimiter } from './request-limiter.js';
import { RingWindow } from './ring-window.js';
import { routeLimits } from './route-weights.js';

const T0 = 1_800_000_000_000;

describe('RingWindow', () => {
  it('forgets what left the window and stays O(1) after a long idle', () => {
    const w = new RingWindow(10_000, 6);
    w.add(T0, 5);
    w.add(T0 + 30_000, 3);
    assert.equal(w.total(T0 + 59_999), 8);
    assert.equal(w.total(T0 + 60_000), 3);
    assert.equal(w.total(T0 + 10 * 365 * 86_400_000), 0);
  });
});

describe('RequestLimiter', () => {
  const limits = { ...DEFAULT_REQUEST_LIMITS, weightPerMinutePerIp: 10, weightPerMinutePerKey: 6, ordersPer10sPerKey: 3, ordersPerMinutePerKey: 5 };

  it('counts weight per IP and per key, refuses past either, and frees up as the window slides', () => {
    const l = new RequestLimiter(limits);
    for (let i = 0; i < 6; i++) assert.equal(l.admit(T0, '1.1.1.1', 'k', 1, false).verdict, 'ok');
    assert.equal(l.admit(T0, '1.1.1.1', 'k', 1, false).usedWeight1m, 6);
    const d = l.admit(T0, '1.1.1.1', 'k', 1, false);
    assert.equal(d.verdict, 'weight');
    assert.ok(d.retryAfterS >= 1 && d.retryAfterS <= 10);
    assert.equal(l.admit(T0, '1.1.1.1', undefined, 4, false).verdict, 'ok', 'the IP has 4 of its 10 left without the key');
    assert.equal(l.admit(T0, '1.1.1.1', undefined, 1, false).verdict, 'weight', 'the IP is at its 10');
    assert.equal(l.admit(T0 + 60_000, '1.1.1.1', 'k', 6, false).verdict, 'ok', 'a minute later the window is free again');
  });

  it('keeps the IP budget for unkeyed requests and refuses order bursts per key (10 s and 1 min)', () => {
    const l = new RequestLimiter({ ...limits, weightPerMinutePerIp: 1_000, weightPerMinutePerKey: 1_000 });
    for (let i = 0; i < 3; i++) assert.equal(l.admit(T0, 'ip', 'k', 1, true).verdict, 'ok');
    const burst = l.admit(T0, 'ip', 'k', 1, true);
    assert.equal(burst.verdict, 'orders');
    assert.equal(burst.orderCount10s, 3);
    assert.equal(l.admit(T0, 'ip', 'other', 1, true).verdict, 'ok', 'another key has its own order budget');
    assert.equal(l.admit(T0 + 10_000, 'ip', 'k', 1, true).verdict, 'ok');
    assert.equal(l.admit(T0 + 10_000, 'ip', 'k', 1, true).verdict, 'ok');
    assert.equal(l.admit(T0 + 20_000, 'ip', 'k', 1, true).verdict, 'orders', '5 per minute');
  });

  it('bans an IP that keeps going after a 429, escalating each time, and lets it back after', () => {
    const l = new RequestLimiter({ ...limits, weightPerMinutePerKey: 1_000 });
    for (let i = 0; i < 10; i++) l.admit(T0, 'ip', undefined, 1, false);
    assert.equal(l.admit(T0, 'ip', undefined, 1, false).verdict, 'weight');
    assert.equal(l.admit(T0 + 1, 'ip', undefined, 1, false).verdict, 'weight');
    assert.equal(l.admit(T0 + 2, 'ip', undefined, 1, false).verdict, 'weight');
    const ban = l.admit(T0 + 3, 'ip', undefined, 1, false);
    assert.equal(ban.verdict, 'banned');
    assert.equal(ban.retryAfterS, 120);
    assert.equal(l.admit(T0 + 60_000, 'ip', undefined, 1, false).verdict, 'banned');
    assert.equal(l.admit(T0 + 60_000, 'other-ip', undefined, 1, false).verdict, 'ok');
    const back = T0 + 3 + 120_000;
    assert.equal(l.admit(back, 'ip', undefined, 1, false).verdict, 'ok');
    for (let i = 0; i < 9; i++) l.admit(back, 'ip', undefined, 1, false);
    for (let i = 0; i < 3; i++) l.admit(back + 1, 'ip', undefined, 1, false);
    assert.equal(l.admit(back + 2, 'ip', undefined, 1, false).retryAfterS, 240, 'the second ban is twice as long');
  });

  it('bounds its memory: a spray of IPs never tracks more than maxTrackedClients', () => {
    const l = new RequestLimiter({ ...limits, maxTrackedClients: 1_000 });
    for (let i = 0; i < 20_000; i++) l.admit(T0 + i, `10.0.${i >> 8}.${i & 255}`, undefined, 1, false);
    assert.ok(l.trackedClients <= 1_000, `${l.trackedClients}`);
  });
});

describe('route weights', () => {
  it("follow Binance's costs, including the ones that depend on the query", () => {
    const weight = (route: string, query: Record<string, unknown> = {}) => {
      const w = routeLimits(route).weight ?? 1;
      return typeof w === 'number' ? w : w(query);
    };
    assert.equal(weight('GET /fapi/v1/depth', { limit: '5' }), 2);
    assert.equal(weight('GET /fapi/v1/depth', { limit: '1000' }), 20);
    assert.equal(weight('GET /fapi/v1/depth'), 10);
    assert.equal(weight('GET /fapi/v1/openOrders'), 40);
    assert.equal(weight('GET /fapi/v1/openOrders', { symbol: 'BTCUSDT' }), 1);
    assert.equal(routeLimits('POST /fapi/v1/order').order, true);
    assert.equal(weight('GET /somewhere/else'), 1);
  });
});
