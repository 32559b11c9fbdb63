/**
 * What keeps slow or greedy connections from holding the server: fastify/Node
 * server options (header, request and idle timeouts, header and body size) and a
 * connection cap, total and per remote address. Node checks the header and
 * request timeouts on a timer (`connectionsCheckingInterval`), so a socket that
 * trickles bytes is dropped within timeout + interval, and until then costs a
 * file descriptor, not the event loop.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ServerHardening {
  /** Whole header section must arrive within this (slowloris). */
  readonly headersTimeoutMs: number;
  /** Whole request (headers and body) must arrive within this. */
  readonly requestTimeoutMs: number;
  /** A socket with no traffic for this long is closed. */
  readonly idleTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly connectionsCheckingIntervalMs: number;
  readonly maxHeaderBytes: number;
  readonly bodyLimitBytes: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerIp: number;
}

export const DEFAULT_SERVER_HARDENING: ServerHardening = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  idleTimeoutMs: 60_000,
  keepAliveTimeoutMs: 30_000,
  connectionsCheckingIntervalMs: 1_000,
  maxHeaderBytes: 16_384,
  bodyLimitBytes: 65_536,
  maxConnections: 10_000,
  maxConnectionsPerIp: 500,
};

/** The fastify constructor options that carry the hardening. */
export function hardenedFastifyOptions(h: ServerHardening) {
  return {
    bodyLimit: h.bodyLimitBytes,
    connectionTimeout: h.idleTimeoutMs,
    keepAliveTimeout: h.keepAliveTimeoutMs,
    requestTimeout: h.requestTimeoutMs,
    routerOptions: { maxParamLength: 200 },
    http: { headersTimeout: h.headersTimeoutMs, requestTimeout: h.requestTimeoutMs, connectionsCheckingInterval: h.connectionsCheckingIntervalMs, maxHeaderSize: h.maxHeaderBytes },
  };
}

export interface ConnectionCapStats {
  open: number;
  refused: number;
}

/** Caps connections on a listening (or about to listen) server; returns live counts for /metrics. */
export function capConnections(server: Server, h: ServerHardening): ConnectionCapStats {
  const stats: ConnectionCapStats = { open: 0, refused: 0 };
  const perIp = new Map<string, number>();
  server.maxConnections = h.maxConnections;
  server.on('connection', (socket: Socket) => {
    const ip = socket.remoteAddress ?? '';
    const n = (perIp.get(ip) ?? 0) + 1;
    if (n > h.maxConnectionsPerIp) {
      stats.refused++;
      socket.destroy();
      return;
    }
    perIp.set(ip, n);
    stats.open++;
    socket.once('close', () => {
      stats.open--;
      const left = (perIp.get(ip) ?? 1) - 1;
      if (left === 0) perIp.delete(ip);
      else perIp.set(ip, left);
    });
  });
  return stats;
}
