/**
 * A gateway on a real embedded exchange for the integration tests: real HTTP on a
 * free loopback port, the operator's registry holding a key per test account (A,
 * B, a read-only key of A, a poor account), money deposited through the core's client.
 * The server is the composed gateway (createGatewayServer), market data and
 * streams included.
 */
import { createHmac } from 'node:crypto';
import { EmbeddedExchange, type EmbeddedExchangeOptions, type ExchangeClient } from '@perpcore/exchange';
import { createLogger } from '@perpcore/observability';
import { adminToken } from './admin/admin-token.js';
import { InMemoryAccountRegistry } from './auth/account-registry.js';
import { generateApiCredentials } from './auth/api-credentials.js';
import type { Permission } from './auth/authenticated-request.js';
import { createGatewayServer, type GatewayServer, type GatewayServerOptions } from './gateway-server.js';

export const USDT = 1_000_000;
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

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

export function testRegistry(): InMemoryAccountRegistry {
  return new InMemoryAccountRegistry({ firstSystemAccountId: 900_001, firstAccountId: 100_000 });
}

/** A key of `accountId` (created in the registry if new), as the operator API would store it. */
export function testKey(registry: InMemoryAccountRegistry, accountId: number, permissions: Permission[] = ['read', 'trade']): TestKey {
  if (!registry.hasAccount(accountId)) registry.apply({ kind: 'createAccount', accountId });
  const c = generateApiCredentials();
  registry.apply({ kind: 'createKey', apiKey: c.apiKey, secretKey: c.secretKey, accountId, permissions, createdAtMs: 0 });
  return { apiKey: c.apiKey, secret: c.secretKey, accountId };
}

/** The server options every test gateway shares: silent, the test token, limits out of the way. */
export function testServerOptions(client: ExchangeClient, registry: InMemoryAccountRegistry): GatewayServerOptions {
  return {
    client,
    registry,
    adminToken: adminToken(TEST_ADMIN_TOKEN),
    logger: createLogger('test', 'silent'),
    // the suites send far more than a real client would: limits are tested on their own
    limits: { weightPerMinutePerIp: 1_000_000, weightPerMinutePerKey: 1_000_000, ordersPer10sPerKey: 1_000_000, ordersPerMinutePerKey: 1_000_000 },
  };
}

/** `scenario`: the simulated market's settings (e.g. `{ loanBorrowers: 1 }` turns the loan terms on). */
export async function startTestGateway(seed = 11, scenario?: EmbeddedExchangeOptions['scenario']): Promise<TestGateway> {
  const exchange = await EmbeddedExchange.create({ logger: createLogger('test', 'silent'), seed, ...(scenario === undefined ? {} : { scenario }) });
  const client = await exchange.client('gateway-test');
  const registry = testRegistry();
  const mk = (accountId: number, permissions: Permission[]) => testKey(registry, accountId, permissions);
  const keys = { a: mk(7_001, ['read', 'trade']), b: mk(7_002, ['read', 'trade']), aRead: mk(7_001, ['read']), poor: mk(7_003, ['read', 'trade']) };
  const server = await createGatewayServer(testServerOptions(client, registry));
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
  headers: Headers;
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
  return { status: res.status, body, headers: res.headers };
}
