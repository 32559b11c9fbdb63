/**
 * The test server until the merge: a bare fastify instance with the public market-data
 * routes, the WebSocket streams and the listenKey routes registered the way
 * gateway-server.ts will, over a real embedded core, on a free loopback port.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { publicMarketRoutes } from '../market-data/public-routes.js';
import { apiKeyAccount, listenKeyRoutes } from '../streams/listen-key-routes.js';
import { StreamHub, type StreamHubOptions } from '../streams/stream-hub.js';
import { streamRoutes } from '../streams/ws-routes.js';
import { openCoreDriver, type CoreDriver, type CoreDriverOptions } from './core-driver.test-support.js';
import { ManualClock } from './manual-clock.test-support.js';

export interface StreamsServer {
  core: CoreDriver;
  /** The hub's clock unless the options named another one. */
  clock: ManualClock;
  hub: StreamHub;
  app: FastifyInstance;
  http: string;
  ws: string;
  close(): Promise<void>;
}

/** API keys of the stand-in auth: `key-<accountId>` names the account. */
export const testApiKey = (accountId: number): string => `key${accountId}`;

export async function openStreamsServer(options: CoreDriverOptions & Omit<Partial<StreamHubOptions>, 'model'> = {}): Promise<StreamsServer> {
  const core = await openCoreDriver(options);
  // the hub runs on the clock given (e.g. the system's), else on a manual one the test moves
  const clock = new ManualClock();
  const hub = new StreamHub({ ...options, model: core.model, clock: options.clock ?? clock });
  const app = Fastify();
  await app.register(publicMarketRoutes, { model: core.model, venue: core.venue, nowMs: () => Date.now() });
  await app.register(streamRoutes, { hub });
  const lookup = (key: string) => (/^key[0-9]{1,9}$/.test(key) ? Number(key.slice(3)) : undefined);
  await app.register(listenKeyRoutes, { hub, accountOf: apiKeyAccount(lookup) });
  const http = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    core, clock, hub, app, http, ws: http.replace('http://', 'ws://'),
    async close() {
      await app.close();
      await core.close();
    },
  };
}
