/**
 * The WebSocket endpoints (a fastify plugin over @fastify/websocket), at the paths
 * Binance and ccxt.pro use (BINANCE-COMPAT §4):
 *
 * | path | what |
 * |------|------|
 * | `/ws`, `/ws/<stream>[/<stream>…]` | raw payloads; streams from the path and/or SUBSCRIBE |
 * | `/ws/<listenKey>` | the account's user-data stream |
 * | `/stream?streams=a/b/…` | combined envelopes `{stream, data}` |
 * | `/public/…`, `/market/…`, `/private/…` + any of the above | the same (ccxt's rewritten URLs); a numeric segment (`/public/ws/3`, ccxt's per-subscription index) is ignored |
 *
 * Register it on the root instance: it is not encapsulated (see the end of this file).
 *
 * Query flags: `listenKey=<key>` (user-data session, as ccxt's `/private/ws?listenKey=`),
 * `cancelOnDisconnect=true` (on a user-data session: when it closes, the composition's
 * `onSessionClosed(accountId)` cancels the account's open orders).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import type { WebSocket } from 'ws';
import type { SessionOpen, StreamHub } from './stream-hub.js';

export interface StreamRoutesOptions {
  hub: StreamHub;
  /** Largest control frame accepted (bytes); larger ones close the socket (1009). */
  maxPayloadBytes?: number;
}

const PREFIXES = ['', '/public', '/market', '/private'] as const;
const LISTEN_KEY = /^[0-9a-f]{64}$/;
const INDEX_SEGMENT = /^[0-9]{1,9}$/;

/** A malformed %-escape is kept as sent: it names no stream, so the session closes 1008. */
function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function sessionOpen(request: FastifyRequest, combined: boolean): SessionOpen {
  const url = new URL(request.url, 'http://localhost');
  const streams: string[] = [];
  let listenKey: string | undefined = url.searchParams.get('listenKey') ?? undefined;
  const pathStreams = url.pathname.split(/\/(?:ws|stream)(?:\/|$)/)[1] ?? '';
  const queryStreams = url.searchParams.get('streams') ?? '';
  for (const part of [...pathStreams.split('/'), ...queryStreams.split('/')]) {
    const segment = safeDecode(part);
    if (segment === '' || INDEX_SEGMENT.test(segment)) continue;
    if (LISTEN_KEY.test(segment) && listenKey === undefined) listenKey = segment;
    else streams.push(segment);
  }
  const open: SessionOpen = { combined, streams, cancelOnDisconnect: url.searchParams.get('cancelOnDisconnect') === 'true' };
  if (listenKey !== undefined) open.listenKey = listenKey;
  return open;
}

export const streamRoutes: FastifyPluginAsync<StreamRoutesOptions> = async (app: FastifyInstance, opts: StreamRoutesOptions) => {
  if (!app.hasDecorator('websocketServer')) await app.register(websocket, { options: { maxPayload: opts.maxPayloadBytes ?? 65_536 } });
  const handler = (combined: boolean) => (socket: WebSocket, request: FastifyRequest) => void opts.hub.open(socket, sessionOpen(request, combined));
  for (const prefix of PREFIXES) {
    app.get(`${prefix}/ws`, { websocket: true }, handler(false));
    app.get(`${prefix}/ws/*`, { websocket: true }, handler(false));
    app.get(`${prefix}/stream`, { websocket: true }, handler(true));
    app.get(`${prefix}/stream/*`, { websocket: true }, handler(true));
  }
  app.addHook('onClose', async () => opts.hub.close());
  // fastify answers an upgrade request whose path has a malformed %-escape with a 400
  // from its router, outside every hook, so @fastify/websocket never releases that
  // socket: end it once the answer is written
  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
    if (hasMalformedPath(request.url ?? '/')) socket.end();
  });
};

function hasMalformedPath(url: string): boolean {
  try {
    decodeURIComponent(url.split('?')[0]);
    return false;
  } catch {
    return true;
  }
}

// Registered without encapsulation (what fastify-plugin does): @fastify/websocket's hooks
// must cover every route of the server, including the not-found handler, or an upgrade
// request to an unknown path gets its 404 and keeps its socket open (found by the URL fuzz).
(streamRoutes as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
