/**
 * The composed gateway (createGatewayServer: guards, operator API, trading and
 * account routes, market data, streams, listenKeys) for the security suites, on
 * the real pipeline (matching, risk, liquidation over the in-process bus, codec
 * on) through the core's client, plus probe routes that echo what
 * authentication hands a route (a signed `read` and `trade` one and a key-only
 * one). Listens on a free port.
 */
import type { AddressInfo } from 'node:net';
import { Topics } from '@perpcore/bus';
import { OrderType, priceToTicks, qtyToLots, SelfTradePrevention, Side, TimeInForce, TriggerSource } from '@perpcore/domain';
import { createPipeline, pipelineClient, type Pipeline } from '@perpcore/exchange';
import { defaultMarketSpecs, defaultSystemAccounts, defaultVenueMarkets } from '@perpcore/markets';
import { createLogger, type Logger } from '@perpcore/observability';
import { SCHEMA_MAJOR_V1, sideToWire, type MatchingCommandV1, type MatchingEventV1, type OracleEventV1, type RiskEventV1 } from '@perpcore/proto';
import type { FastifyInstance } from 'fastify';
import { adminToken } from '../admin/admin-token.js';
import type { OperatorCorePort } from '../admin/operator-core-port.js';
import { createGatewayServer, type GatewayServer } from '../gateway-server.js';
import { InMemoryAccountRegistry } from '../auth/account-registry.js';
import { callerOf, requireCaller } from '../auth/authenticated-request.js';
import { signPayload } from '../auth/request-signature.js';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from '../limits/request-limiter.js';
import { routeLimits } from '../limits/route-weights.js';
import type { ConnectionCapStats, ServerHardening } from '../limits/server-hardening.js';
import type { GatewayGuards } from '../ops/gateway-guards.js';
import type { SessionLimits } from '../streams/ws-session.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface SecurityServerOptions {
  hardening?: Partial<ServerHardening>;
  limits?: Partial<RequestLimits>;
  streamLimits?: Partial<SessionLimits>;
  logger?: Logger;
}

export interface Credentials {
  accountId: number;
  apiKey: string;
  secretKey: string;
}

export class SecurityServer {
  readonly matchingEvents: MatchingEventV1[] = [];
  readonly riskEvents: RiskEventV1[] = [];
  private orderSeq = 0;
  private orderId = 1;
  private indexSeq = 0;

  private constructor(
    readonly app: FastifyInstance,
    readonly url: string,
    readonly pipeline: Pipeline,
    readonly gateway: GatewayServer,
    readonly core: OperatorCorePort,
    readonly guards: GatewayGuards,
    readonly connections: ConnectionCapStats,
    readonly registry: InMemoryAccountRegistry,
  ) {}

  static async start(options: SecurityServerOptions = {}): Promise<SecurityServer> {
    const logger = options.logger ?? createLogger('gateway-test', 'silent');
    const venue = defaultVenueMarkets(defaultMarketSpecs, { markMethod: 'INDEX' });
    const pipeline = await createPipeline({ logger: createLogger('core-test', 'silent'), venue, codecRoundTrip: true, insuranceFundSeedUnits: 1_000_000_000 });
    const client = await pipelineClient(pipeline, { source: 'gateway-0' });
    const registry = new InMemoryAccountRegistry({ firstSystemAccountId: defaultSystemAccounts.feeAccountId });
    const gateway = await createGatewayServer({
      client,
      logger,
      registry,
      adminToken: adminToken(ADMIN_TOKEN),
      ...(options.hardening === undefined ? {} : { hardening: options.hardening }),
      limits: { ...DEFAULT_REQUEST_LIMITS, ...options.limits },
      ...(options.streamLimits === undefined ? {} : { streamLimits: options.streamLimits }),
    });
    const { app, guards } = gateway;
    const core = gateway.operatorCore;
    // stand-ins for the signed trading routes (gw-trading's), to drive the authenticator end to end
    app.get('/fapi/v1/probe', { preHandler: requireCaller(guards.authenticator, { signed: true, permission: 'read' }), config: { limits: routeLimits('GET /fapi/v1/openOrders') } }, async (request) => ({
      accountId: callerOf(request).accountId,
      params: Object.fromEntries(request.signedParams ?? []),
    }));
    app.post('/fapi/v1/probe', { preHandler: requireCaller(guards.authenticator, { signed: true, permission: 'trade' }), config: { limits: { weight: 1, order: true } } }, async (request) => ({
      accountId: callerOf(request).accountId,
      params: Object.fromEntries(request.signedParams ?? []),
      query: request.query,
      body: request.body ?? null,
    }));
    app.post('/fapi/v1/listenKeyProbe', { preHandler: requireCaller(guards.authenticator, { signed: false, permission: 'read' }) }, async (request) => ({ accountId: callerOf(request).accountId }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    const server = new SecurityServer(app, `http://127.0.0.1:${port}`, pipeline, gateway, core, guards, gateway.connections, registry);
    await pipeline.bus.subscribe(Topics.matchingEvents, { groupId: 'security-test' }, (m) => void server.matchingEvents.push(m.value));
    await pipeline.bus.subscribe(Topics.riskAccountEvents, { groupId: 'security-test' }, (m) => void server.riskEvents.push(m.value));
    return server;
  }

  /** The core's state: every refused request must leave it as it was. */
  coreStateHash(): string {
    return `${this.pipeline.matching.engine.stateHash()}#${this.pipeline.risk.engine.stateHash()}`;
  }

  /**
   * Like `stateHash` but without matching's event sequence numbers: a refusal that
   * matching answers (a halted market, a resume of a running one) publishes a
   * reject event and so consumes one, by design, as the risk stage's hash already
   * leaves its own sequences out. Books, trade ids and halts are all in.
   */
  businessStateHash(): string {
    const books = this.pipeline.markets.map((m) => {
      const stream = this.pipeline.matching.engine.stream(m.symbol);
      return `${m.symbol}:${stream?.tradeSeq}:${stream?.halted}:${stream?.book.stateHash()}`;
    });
    return `${books.join('|')}#${this.pipeline.risk.engine.stateHash()}#${JSON.stringify(this.registry.snapshot())}`;
  }

  /** The core's state and the gateway's registry: what a refused request must not change. */
  stateHash(): string {
    return `${this.coreStateHash()}#${JSON.stringify(this.registry.snapshot())}`;
  }

  /** An operator call; `token` null sends no Authorization header. */
  admin(method: string, path: string, body?: unknown, token: string | null = ADMIN_TOKEN): Promise<Response> {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${this.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }

  /** An account with a key (and a deposit when `usdt` is given), through the operator API. */
  async account(permissions: ('read' | 'trade')[] = ['read', 'trade'], usdt?: string): Promise<Credentials> {
    const { accountId } = (await (await this.admin('POST', '/v1/admin/accounts', {})).json()) as { accountId: number };
    const key = (await (await this.admin('POST', '/v1/admin/api-keys', { accountId, permissions })).json()) as { apiKey: string; secretKey: string };
    if (usdt !== undefined) {
      const r = await this.admin('POST', '/v1/admin/deposits', { accountId, asset: 'USDT', amount: usdt });
      if (r.status !== 200) throw new Error(`deposit failed: ${await r.text()}`);
    }
    return { accountId, apiKey: key.apiKey, secretKey: key.secretKey };
  }

  /** A signed request as ccxt sends it: GET/DELETE in the query, POST/PUT in a form body. */
  signed(method: string, path: string, c: Credentials, params: Record<string, string> = {}, timestampMs = Date.now()): Promise<Response> {
    const text = new URLSearchParams({ timestamp: String(timestampMs), ...params, recvWindow: '10000' }).toString();
    const signedText = `${text}&signature=${signPayload(c.secretKey, text)}`;
    const inBody = method === 'POST' || method === 'PUT';
    return fetch(`${this.url}${path}${inBody ? '' : `?${signedText}`}`, {
      method,
      headers: { 'X-MBX-APIKEY': c.apiKey, ...(inBody ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: inBody ? signedText : undefined,
    });
  }

  /** Sets the index (and with markMethod INDEX the mark) of a market. */
  index(market: string, price: string): void {
    const spec = this.pipeline.markets.find((m) => m.symbol === market);
    if (spec === undefined) throw new Error(market);
    const subticks = priceToTicks(spec, price) * this.pipeline.subticksPerTick(market);
    this.pipeline.bus.publish(Topics.oracleIndexPrices, {
      schemaMajor: SCHEMA_MAJOR_V1,
      seq: ++this.indexSeq,
      tsNs: Date.now() * 1_000_000 + this.indexSeq,
      source: 'oracle-test',
      symbol: market,
      event: 'indexPrice',
      indexPrice: { priceSubticks: subticks, sources: [{ source: 'test', priceSubticks: subticks, weightE8: 100_000_000, used: true }] },
    } as OracleEventV1);
  }

  /** A limit order straight onto the gateway's order topic (the trading routes' path); returns the reject code or ''. */
  order(accountId: number, market: string, side: 'BUY' | 'SELL', price: string, qty: string): string {
    const spec = this.pipeline.markets.find((m) => m.symbol === market);
    if (spec === undefined) throw new Error(market);
    const cmd = { schemaMajor: SCHEMA_MAJOR_V1, market, seq: ++this.orderSeq, tsNs: Date.now() * 1_000_000, source: 'gateway-test' } as MatchingCommandV1;
    cmd.command = 'place';
    const orderId = this.orderId++;
    cmd.place = {
      orderId, accountId, side: sideToWire(side === 'BUY' ? Side.Buy : Side.Sell), type: OrderType.Limit, timeInForce: TimeInForce.GoodTillCancel,
      priceTicks: priceToTicks(spec, price), qtyLots: qtyToLots(spec, qty), triggerPriceTicks: 0, triggerSource: TriggerSource.LastTrade,
      selfTradePrevention: SelfTradePrevention.CancelTaker, reduceOnly: false, clientOrderId: '', liquidationId: 0,
    };
    const r0 = this.riskEvents.length;
    const m0 = this.matchingEvents.length;
    this.pipeline.bus.publish(Topics.gatewayOrderCommands, cmd);
    const risk = this.riskEvents.slice(r0).find((e) => e.event === 'orderRejected')?.orderRejected?.code;
    const matching = this.matchingEvents.slice(m0).find((e) => e.event === 'rejected' && e.rejected?.orderId === orderId)?.rejected?.code;
    return risk ?? matching ?? '';
  }

  async close(): Promise<void> {
    await this.gateway.close();
    await this.pipeline.close();
  }
}
