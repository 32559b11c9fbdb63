/**
 * A gateway on a real embedded exchange for the integration tests: real HTTP on a
 * free loopback port, the auth stand-in with a key per test account (A, B, and a
 * read-only key of A), money deposited through the core's client.
 *
 * Until gw-streams' market-data plugin is merged, `fixtureMarketData` serves the
 * two public endpoints the ccxt flow needs (exchangeInfo, depth) from the client,
 * test-only; the lead drops it for the real plugin at merge.
 */
import { createHmac } from 'node:crypto';
import { formatPrice, formatQty } from '@perpcore/domain';
import { EmbeddedExchange, type ExchangeClient } from '@perpcore/exchange';
import { createLogger } from '@perpcore/observability';
import type { FastifyPluginAsync } from 'fastify';
import { type ApiKeyRecord, keyMapAuthenticator, type Permission } from './auth/authenticated-request.js';
import { createGatewayServer, type GatewayServer } from './gateway-server.js';

export const USDT = 1_000_000;

export interface TestKey {
  readonly apiKey: string;
  readonly secret: string;
  readonly accountId: number;
}

export interface TestGateway {
  readonly exchange: EmbeddedExchange;
  readonly client: ExchangeClient;
  readonly server: GatewayServer;
  readonly base: string;
  readonly keys: { a: TestKey; b: TestKey; aRead: TestKey; poor: TestKey };
  close(): Promise<void>;
}

export function fixtureMarketData(client: ExchangeClient): FastifyPluginAsync {
  return async (app) => {
    app.get('/fapi/v1/exchangeInfo', async () => ({
      timezone: 'UTC',
      serverTime: Date.now(),
      symbols: client.markets().map(({ spec }) => ({
        symbol: spec.symbol,
        pair: spec.symbol,
        contractType: 'PERPETUAL',
        status: 'TRADING',
        baseAsset: spec.baseAsset,
        quoteAsset: spec.settleAsset,
        marginAsset: spec.settleAsset,
        pricePrecision: spec.tick.scale,
        quantityPrecision: spec.lot.scale,
        onboardDate: 1767225600000,
        orderTypes: ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET'],
        timeInForce: ['GTC', 'IOC', 'FOK', 'GTX'],
        filters: [
          { filterType: 'PRICE_FILTER', tickSize: spec.tickSize, minPrice: spec.tickSize, maxPrice: formatPrice(spec, spec.maxPriceTicks) },
          { filterType: 'LOT_SIZE', stepSize: spec.lotSize, minQty: spec.lotSize, maxQty: formatQty(spec, spec.maxQtyLots) },
          { filterType: 'MARKET_LOT_SIZE', stepSize: spec.lotSize, minQty: spec.lotSize, maxQty: formatQty(spec, spec.maxQtyLots) },
        ],
      })),
    }));
    app.get<{ Querystring: { symbol?: string; limit?: string } }>('/fapi/v1/depth', async (request) => {
      const spec = client.markets().find((m) => m.spec.symbol === request.query.symbol)?.spec;
      if (spec === undefined) return { code: -1121, msg: 'Invalid symbol.' };
      const book = await client.book(spec.symbol, Number(request.query.limit ?? 100));
      const level = ([p, q]: readonly [number, number]) => [formatPrice(spec, p), formatQty(spec, q)];
      return { lastUpdateId: 1, E: Date.now(), T: Date.now(), bids: book?.bids.map(level) ?? [], asks: book?.asks.map(level) ?? [] };
    });
  };
}

export async function startTestGateway(seed = 11): Promise<TestGateway> {
  const exchange = await EmbeddedExchange.create({ logger: createLogger('test', 'silent'), seed });
  const client = await exchange.client('gateway-test');
  const mk = (accountId: number, name: string): TestKey => ({ apiKey: `key-${name}-${accountId}`, secret: `secret-${name}-${accountId}`, accountId });
  const keys = { a: mk(7_001, 'a'), b: mk(7_002, 'b'), aRead: mk(7_001, 'aread'), poor: mk(7_003, 'poor') };
  const both: ReadonlySet<Permission> = new Set(['read', 'trade']);
  const records = new Map<string, ApiKeyRecord>([
    [keys.a.apiKey, { accountId: keys.a.accountId, secretKey: keys.a.secret, permissions: both }],
    [keys.b.apiKey, { accountId: keys.b.accountId, secretKey: keys.b.secret, permissions: both }],
    [keys.aRead.apiKey, { accountId: keys.aRead.accountId, secretKey: keys.aRead.secret, permissions: new Set(['read']) }],
    [keys.poor.apiKey, { accountId: keys.poor.accountId, secretKey: keys.poor.secret, permissions: both }],
  ]);
  const server = await createGatewayServer({ client, auth: keyMapAuthenticator(records), logger: createLogger('test', 'silent'), plugins: [fixtureMarketData(client)] });
  await client.deposit(keys.a.accountId, 'USDT', 1_000_000 * USDT);
  await client.deposit(keys.b.accountId, 'USDT', 1_000_000 * USDT);
  await client.deposit(keys.poor.accountId, 'USDT', 10 * USDT);
  const base = await server.listen(0);
  return {
    exchange,
    client,
    server,
    base,
    keys,
    async close() {
      await server.close();
      await exchange.close();
    },
  };
}

export interface SignedResponse {
  status: number;
  body: any;
}

/** A signed call as ccxt makes it: GET/DELETE in the query, POST/PUT in a form body; signature last. */
export async function signed(base: string, key: TestKey, method: string, path: string, params: Record<string, string | number | boolean> = {}): Promise<SignedResponse> {
  const qs = new URLSearchParams({ timestamp: String(Date.now()), ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])), recvWindow: '10000' }).toString();
  const signature = createHmac('sha256', key.secret).update(qs).digest('hex');
  const payload = `${qs}&signature=${signature}`;
  const inBody = method === 'POST' || method === 'PUT';
  const res = await fetch(`${base}${path}${inBody ? '' : `?${payload}`}`, {
    method,
    headers: { 'X-MBX-APIKEY': key.apiKey, ...(inBody ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(inBody ? { body: payload } : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the test asserts on the raw text
  }
  return { status: res.status, body };
}
