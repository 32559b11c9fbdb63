import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'node:net';
import { sendJson } from '../test-support/http.test-support.js';
import { openStreamsServer, testApiKey, type StreamsServer } from '../test-support/gateway-streams-server.test-support.js';
import { settle, WsClient } from '../test-support/ws-client.test-support.js';

const HOUR_MS = 3_600_000;

describe('user-data streams and session limits (real ws over loopback)', () => {
  let s: StreamsServer;
  const cancelled: number[] = [];
  before(async () => {
    s = await openStreamsServer({ hooks: { onSessionClosed: (accountId) => void cancelled.push(accountId) }, maxSessions: 8, limits: { maxBufferedBytes: 256 * 1024, maxPendingFrames: 64 } });
  });
  after(async () => s.close());

  /** Moves the clock a minute at a time, letting the clients answer the server's pings in between. */
  const advanceAnswering = async (ms: number) => {
    for (let left = ms; left > 0; left -= 60_000) {
      s.clock.advance(Math.min(60_000, left));
      await settle(5);
    }
  };

  const listenKey = async (method: string, accountId: number | null) => {
    const headers: Record<string, string> = accountId === null ? {} : { 'x-mbx-apikey': testApiKey(accountId) };
    return sendJson(s.http, method, '/fapi/v1/listenKey', headers);
  };

  it('POST/PUT/DELETE listenKey: one live key per account, Binance refusals', async () => {
    assert.deepEqual([(await listenKey('POST', null)).status, ((await listenKey('POST', null)).body as { code: number }).code], [401, -2014]);
    const unknown = await sendJson(s.http, 'POST', '/fapi/v1/listenKey', { 'x-mbx-apikey': 'nobody' });
    assert.deepEqual([unknown.status, (unknown.body as { code: number }).code], [401, -2015]);
    const k1 = ((await listenKey('POST', 1)).body as { listenKey: string }).listenKey;
    assert.match(k1, /^[0-9a-f]{64}$/);
    assert.equal(((await listenKey('POST', 1)).body as { listenKey: string }).listenKey, k1, 'the live key is returned again');
    assert.deepEqual((await listenKey('PUT', 1)).body, { listenKey: k1 });
    const none = await listenKey('PUT', 3);
    assert.deepEqual([none.status, (none.body as { code: number }).code], [400, -1125]);
    assert.deepEqual((await listenKey('DELETE', 1)).body, {});
    assert.equal(s.hub.listenKeys.accountOf(k1), undefined);
  });

  it('events go to every live session of the account and to no other account', async () => {
    const k1 = ((await listenKey('POST', 11)).body as { listenKey: string }).listenKey;
    const k2 = ((await listenKey('POST', 12)).body as { listenKey: string }).listenKey;
    const a = await WsClient.open(`${s.ws}/private/ws?listenKey=${k1}`);
    const a2 = await WsClient.open(`${s.ws}/stream?streams=${k1}`);
    const b = await WsClient.open(`${s.ws}/ws/${k2}`);
    await settle();
    s.hub.publishToAccount(11, { e: 'ORDER_TRADE_UPDATE', E: 1, o: { i: 7 } });
    s.hub.publishToAccount(12, { e: 'ACCOUNT_UPDATE', E: 2 });
    assert.deepEqual(await a.next((f) => f.e === 'ORDER_TRADE_UPDATE'), { e: 'ORDER_TRADE_UPDATE', E: 1, o: { i: 7 } });
    assert.deepEqual(await a2.next((f) => f.stream === k1), { stream: k1, data: { e: 'ORDER_TRADE_UPDATE', E: 1, o: { i: 7 } } });
    assert.equal((await b.next((f) => f.e === 'ACCOUNT_UPDATE')).E, 2);
    await settle();
    assert.ok(!b.frames.some((f) => (f as { e: string }).e === 'ORDER_TRADE_UPDATE'));
    assert.ok(!a.frames.some((f) => (f as { e: string }).e === 'ACCOUNT_UPDATE'));
    // a listenKey can also be subscribed on an open connection
    const late = await WsClient.open(`${s.ws}/ws`);
    assert.deepEqual(await late.call('SUBSCRIBE', [k2], 1), { result: null, id: 1 });
    s.hub.publishToAccount(12, { e: 'MARGIN_CALL', E: 3 });
    assert.equal((await late.next((f) => f.e === 'MARGIN_CALL')).E, 3);
    for (const c of [a, a2, b, late]) c.close();
    await settle();
  });

  it('keys expire 60 min after the last keepalive: listenKeyExpired, then close 4001; an unknown key closes at once', async () => {
    const k1 = ((await listenKey('POST', 21)).body as { listenKey: string }).listenKey;
    const k2 = ((await listenKey('POST', 22)).body as { listenKey: string }).listenKey;
    const a = await WsClient.open(`${s.ws}/private/ws?listenKey=${k1}`);
    const b = await WsClient.open(`${s.ws}/private/ws?listenKey=${k2}`);
    await advanceAnswering(HOUR_MS / 2);
    assert.equal((await listenKey('PUT', 22)).status, 200);
    await advanceAnswering(HOUR_MS / 2 + 1_000);
    const expired = await a.next((f) => f.e === 'listenKeyExpired');
    assert.equal(expired.listenKey, k1);
    assert.ok(typeof expired.E === 'number');
    assert.equal(await a.closed(), 4001);
    assert.equal(s.hub.listenKeys.accountOf(k2), 22, 'the key kept alive lives on');
    assert.equal(b.closeCode, undefined);
    const stale = await WsClient.open(`${s.ws}/private/ws?listenKey=${k1}`);
    assert.equal(await stale.closed(), 4001);
    b.close();
    await settle();
  });

  it('cancel-on-disconnect: the hook fires for sessions that asked for it, only', async () => {
    const k = ((await listenKey('POST', 31)).body as { listenKey: string }).listenKey;
    const plain = await WsClient.open(`${s.ws}/private/ws?listenKey=${k}`);
    const guarded = await WsClient.open(`${s.ws}/private/ws?listenKey=${k}&cancelOnDisconnect=true`);
    plain.close();
    await plain.closed();
    await settle();
    assert.deepEqual(cancelled, []);
    guarded.close();
    await guarded.closed();
    await settle();
    assert.deepEqual(cancelled, [31]);
  });

  it('a client that stops reading is closed 1008 and never grows the server’s memory', async () => {
    const k = ((await listenKey('POST', 41)).body as { listenKey: string }).listenKey;
    const slow = await WsClient.open(`${s.ws}/private/ws?listenKey=${k}`);
    const healthy = await WsClient.open(`${s.ws}/ws/btcusdt@trade`);
    await settle();
    const before = s.hub.sessionCount;
    const raw = (slow.socket as unknown as { _socket: Socket })._socket;
    raw.pause();
    const padding = 'x'.repeat(16 * 1024);
    for (let i = 0; i < 2_000; i++) s.hub.publishToAccount(41, { e: 'ORDER_TRADE_UPDATE', E: i, padding });
    await settle(100);
    assert.equal(s.hub.sessionCount, before - 1, 'the slow session is gone from the hub');
    // at most maxPendingFrames frames were accepted for it, not 2,000
    raw.resume();
    assert.equal(await slow.closed(10_000), 1008);
    assert.ok(slow.frames.length <= 64, `frames received ${slow.frames.length}`);
    assert.equal(healthy.closeCode, undefined, 'other sessions are untouched');
    healthy.close();
  });

  it('keepalive: the server pings every interval; a client that stops answering is terminated, one that answers stays', async () => {
    const mute = await WsClient.open(`${s.ws}/ws/btcusdt@trade`);
    const live = await WsClient.open(`${s.ws}/ws/btcusdt@trade`);
    let pings = 0;
    live.socket.on('ping', () => void pings++);
    await settle(50);
    (mute.socket as unknown as { _socket: Socket })._socket.pause(); // reads nothing, so never pongs
    s.clock.advance(180_000);
    await settle(100);
    assert.equal(pings, 1);
    s.clock.advance(180_000);
    await settle(100);
    assert.equal(pings, 2, 'the answering client is pinged again');
    (mute.socket as unknown as { _socket: Socket })._socket.resume();
    assert.equal(await mute.closed(), 1006, 'terminated without a close frame');
    assert.equal(live.closeCode, undefined);
    live.close();
    await settle(50);
  });

  it('caps sessions: over maxSessions a connection is closed 1013', async () => {
    const open: WsClient[] = [];
    await settle(100);
    for (let tries = 0; s.hub.sessionCount < 8 && tries < 50; tries++) {
      open.push(await WsClient.open(`${s.ws}/ws`));
      await settle(5);
    }
    const extra = await WsClient.open(`${s.ws}/ws`);
    assert.equal(await extra.closed(), 1013);
    for (const c of open) c.close();
  });
});
