/**
 * A gateway for the security suites until gw-trading's gateway-server lands: the
 * real pipeline (matching, risk, liquidation over the in-process bus, codec on),
 * the guards (auth, limits, admin, ops) exactly as the server registers them, and
 * probe routes standing in for the signed trading routes (a `read` one weighing
 * what openOrders weighs, a `trade` one counted as an order, a key-only one, and
 * what ccxt's fetchBalance calls). Listens on a free port.
 */
import type { AddressInfo } from 'node:net';
import { Topics } from '@perpcore/bus';
import { createAssetSpec, formatAmount, OrderType, priceToTicks, qtyToLots, SelfTradePrevention, Side, TimeInForce, TriggerSource } from '@perpcore/domain';
import { createPipeline, type Pipeline } from '@perpcore/exchange';
import { defaultMarketSpecs, defaultSettleAsset, defaultSystemAccounts, defaultVenueMarkets } from '@perpcore/markets';
import { createLogger, type Logger } from '@perpcore/observability';
import { SCHEMA_MAJOR_V1, sideToWire, type MatchingCommandV1, type MatchingEventV1, type OracleEventV1, type RiskEventV1 } from '@perpcore/proto';
import fastify, { type FastifyInstance } from 'fastify';
import { adminToken } from '../admin/admin-token.js';
import { PipelineOperatorCore } from '../admin/pipeline-operator-core.js';
import { InMemoryAccountRegistry } from '../auth/account-registry.js';
import { callerOf, requireCaller } from '../auth/authenticated-request.js';
import { signPayload } from '../auth/request-signature.js';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from '../limits/request-limiter.js';
import { routeLimits } from '../limits/route-weights.js';
import { capConnections, DEFAULT_SERVER_HARDENING, type ConnectionCapStats, type ServerHardening } from '../limits/server-hardening.js';
import { gatewayServerOptions, registerGatewayGuards, type GatewayGuards } from '../ops/gateway-guards.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface SecurityServerOptions {
  hardening?: Partial<ServerHardening>;
  limits?: Partial<RequestLimits>;
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
    readonly core: PipelineOperatorCore,
    readonly guards: GatewayGuards,
    readonly connections: ConnectionCapStats,
    readonly registry: InMemoryAccountRegistry,
  ) {}

  static async start(options: SecurityServerOptions = {}): Promise<SecurityServer> {
    const logger = options.logger ?? createLogger('gateway-test', 'silent');
    const venue = defaultVenueMarkets(defaultMarketSpecs, { markMethod: 'INDEX' });
    const pipeline = await createPipeline({ logger: createLogger('core-test', 'silent'), venue, codecRoundTrip: true, insuranceFundSeedUnits: 1_000_000_000 });
    const funds = defaultSystemAccounts.insuranceFunds;
    const core = await PipelineOperatorCore.create({
      bus: pipeline.bus,
      assets: [createAssetSpec(defaultSettleAsset.asset, defaultSettleAsset.decimals)],
      markets: venue.map((m) => m.spec.symbol),
      insuranceFunds: () =>
        funds.map((f) => ({
          fundId: f.fundId,
          accountId: f.accountId,
          asset: defaultSettleAsset.asset,
          balanceUnits: pipeline.risk.engine.ledger.fundBalanceUnits(f.fundId),
          markets: venue.filter((m) => m.risk.insuranceFundId === f.fundId).map((m) => m.spec.symbol),
        })),
    });
    const hardening = { ...DEFAULT_SERVER_HARDENING, ...options.hardening };
    // the pino logger type is wider than fastify's base logger type: the instance is used through the base type
    const app = fastify(gatewayServerOptions(hardening, logger)) as unknown as FastifyInstance;
    const registry = new InMemoryAccountRegistry({ firstSystemAccountId: defaultSystemAccounts.feeAccountId });
    const guards = await registerGatewayGuards(app, {
      registry,
      core,
      adminToken: adminToken(ADMIN_TOKEN),
      hardening,
      limits: { ...DEFAULT_REQUEST_LIMITS, ...options.limits },
      metricsSources: {
        insuranceFunds: () => core.insuranceFunds().map((f) => ({ fundId: f.fundId, balance: f.balanceUnits / 10 ** defaultSettleAsset.decimals })),
        busLag: () => [],
      },
      riskHalted: () => (pipeline.risk.engine.halted ? pipeline.risk.engine.halt.describe() : ''),
      ready: () => true,
    });
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
    // what ccxt's fetchBalance calls (BINANCE-COMPAT §3), so the real client's signing is driven over HTTP
    app.get('/fapi/v3/account', { preHandler: requireCaller(guards.authenticator, { signed: true, permission: 'read' }), config: { limits: routeLimits('GET /fapi/v3/account') } }, async (request) => {
      const units = pipeline.risk.engine.accountReport(callerOf(request).accountId)?.collateral[0]?.balanceUnits ?? 0;
      const balance = formatAmount(defaultSettleAsset, units);
      return { assets: [{ asset: 'USDT', walletBalance: balance, marginBalance: balance, availableBalance: balance, initialMargin: '0', updateTime: Date.now() }] };
    });
    app.post('/fapi/v1/listenKeyProbe', { preHandler: requireCaller(guards.authenticator, { signed: false, permission: 'read' }) }, async (request) => ({ accountId: callerOf(request).accountId }));
    const connections = capConnections(app.server, hardening);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    const server = new SecurityServer(app, `http://127.0.0.1:${port}`, pipeline, core, guards, connections, registry);
    await pipeline.bus.subscribe(Topics.matchingEvents, { groupId: 'security-test' }, (m) => void server.matchingEvents.push(m.value));
    await pipeline.bus.subscribe(Topics.riskAccountEvents, { groupId: 'security-test' }, (m) => void server.riskEvents.push(m.value));
    // the metrics' event feed (the lead adapts ExchangeClient.subscribe to these callbacks)
    await pipeline.bus.subscribe(Topics.matchingEvents, { groupId: 'metrics' }, (m) => guards.metrics.onMatchingEvent(m.value));
    await pipeline.bus.subscribe(Topics.riskAccountEvents, { groupId: 'metrics' }, (m) => guards.metrics.onRiskEvent(m.value));
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
    await this.app.close();
    await this.core.close();
    await this.pipeline.close();
  }
}
