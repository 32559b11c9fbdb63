/** The operator stream's bounds, over real sockets (a `ws` server): the auth deadline, the session cap, shutdown. */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { adminToken } from '../admin/admin-token.js';
import { systemStreamClock } from '../streams/stream-clock.js';
import { WsClient } from '../test-support/ws-client.test-support.js';
import { OperatorStream } from './operator-stream.js';

const TOKEN = 'operator-stream-token-0123456789';

describe('the operator stream’s bounds', () => {
  let server: WebSocketServer;
  let stream: OperatorStream;
  let url: string;

  before(async () => {
    stream = new OperatorStream({ token: adminToken(TOKEN), clock: systemStreamClock, snapshot: () => ({ markets: [] }), maxSessions: 2, authTimeoutMs: 200 });
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    server.on('connection', (socket, request) => stream.open(socket, request.headers.authorization));
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('closes a session that sends no AUTH frame within the deadline', async () => {
    const client = await WsClient.open(url);
    assert.equal(await client.closed(2_000), 4401);
    assert.deepEqual(
      client.frames.map((f) => (f as { code: string }).code),
      ['ADMIN_UNAUTHORIZED'],
    );
  });

  it('refuses sessions over the cap (1013), authenticated or not, and broadcasts only to authenticated ones', async () => {
    const a = await WsClient.open(url);
    a.send({ method: 'AUTH', token: TOKEN });
    await a.next((f) => f.type === 'snapshot');
    const waiting = await WsClient.open(url); // not yet authenticated: it still holds a place
    const third = await WsClient.open(url);
    assert.equal(await third.closed(), 1013);
    stream.broadcast({ type: 'tick', n: 1 });
    await a.next((f) => f.type === 'tick');
    assert.equal(waiting.frames.length, 0, 'an unauthenticated session gets nothing');
    assert.equal(stream.sessionCount, 1);
    stream.close();
    assert.equal(await a.closed(), 1001);
    assert.equal(await waiting.closed(), 1001);
  });
});
