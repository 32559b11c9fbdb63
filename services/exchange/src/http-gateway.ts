/**
 * The HTTP edge of the embedded exchange (fastify): decimal strings in and out,
 * integer ticks, lots and units behind it. Requests are validated twice: by JSON
 * schema (shape, no unknown fields) and by the market grid (`priceToTicks`,
 * `qtyToLots`: off-tick or off-lot is refused, never rounded). A bad request gets
 * a 400 with a stage-prefixed code and changes nothing.
 *
 * Authentication is out of scope here: the caller names its account in the
 * `x-account-id` header; the book refuses to cancel another account's order.
 *
 * Embedded mode is synchronous end to end, so a POST answers with the events its
 * order produced (accepted / rejected / fills / cancel of the remainder).
 *
 * A halted risk stage (services/risk stage-halt.ts; `riskHalted` says why): every
 * order, cancel, deposit, withdrawal and account query answers 503
 * RISK_STAGE_HALTED with the reason, and /v1/health answers 503 `halted`, so a
 * load balancer takes the venue out. The market list and the books (matching's
 * state, not risk's) stay readable.
 */
import {
  DomainError,
  formatPrice,
  formatQty,
  OrderType,
  priceToTicks,
  qtyToLots,
  requireAccountId,
  SelfTradePrevention,
  Side,
  TimeInForce,
  TriggerSource,
  type MarketSpec,
} from '@perpcore/domain';
import { type Bus, type Topic } from '@perpcore/bus';
import { Fastify, type FastifyInstance } from './fastify-instance.js';
import { SCHEMA_MAJOR_V1, sideToWire, type AccountCommandV1, type MatchingCommandV1, type MatchingEventV1, type RiskEventV1 } from '@perpcore/proto';
import { amountToUnits, createAssetSpec, formatAmount } from '@perpcore/domain';
import type { OrderBook } from '@perpcore/orderbook';

export interface HttpGatewayDeps {
  bus: Bus;
  orderTopic: Topic<MatchingCommandV1>;
  /** Where deposits and withdrawals go (the risk stage), when it runs. */
  accountTopic?: Topic<AccountCommandV1>;
  /** Assets accepted for deposits, with their decimals. */
  assets?: readonly { asset: string; decimals: number }[];
  markets: readonly MarketSpec[];
  book(symbol: string): OrderBook | undefined;
  /** Collects the matching events published while a request's command is processed. */
  capture: EventCapture;
  /** Per-account view (risk's three questions), when the risk stage runs. */
  accountView?: (accountId: number) => unknown;
  /** '' while the risk stage runs, else why it halted: the edge then answers 503. */
  riskHalted?: () => string;
  /** Event time stamped on commands (embedded: the simulation's clock). */
  nowNs?: () => number;
  firstOrderId?: number;
}

const SIDES: Record<string, Side> = { BUY: Side.Buy, SELL: Side.Sell };
const TYPES: Record<string, OrderType> = {
  LIMIT: OrderType.Limit,
  MARKET: OrderType.Market,
  STOP_MARKET: OrderType.StopMarket,
  STOP_LIMIT: OrderType.StopLimit,
  TAKE_PROFIT_MARKET: OrderType.TakeProfitMarket,
  TAKE_PROFIT_LIMIT: OrderType.TakeProfitLimit,
};
const TIFS: Record<string, TimeInForce> = {
  GTC: TimeInForce.GoodTillCancel,
  IOC: TimeInForce.ImmediateOrCancel,
  FOK: TimeInForce.FillOrKill,
  POST_ONLY: TimeInForce.PostOnly,
};
const STPS: Record<string, SelfTradePrevention> = {
  NONE: SelfTradePrevention.None,
  CANCEL_TAKER: SelfTradePrevention.CancelTaker,
  CANCEL_MAKER: SelfTradePrevention.CancelMaker,
  CANCEL_BOTH: SelfTradePrevention.CancelBoth,
};

const decimalString = { type: 'string', minLength: 1, maxLength: 40 } as const;
const placeOrderSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['market', 'side', 'type', 'quantity'],
  properties: {
    market: { type: 'string', minLength: 1, maxLength: 32 },
    side: { enum: Object.keys(SIDES) },
    type: { enum: Object.keys(TYPES) },
    timeInForce: { enum: Object.keys(TIFS) },
    price: decimalString,
    quantity: decimalString,
    triggerPrice: decimalString,
    triggerSource: { enum: ['LAST_TRADE', 'MARK_PRICE'] },
    selfTradePrevention: { enum: Object.keys(STPS) },
    reduceOnly: { type: 'boolean' },
    clientOrderId: { type: 'string', maxLength: 36 },
  },
} as const;

interface PlaceOrderBody {
  market: string;
  side: string;
  type: string;
  timeInForce?: string;
  price?: string;
  quantity: string;
  triggerPrice?: string;
  triggerSource?: string;
  selfTradePrevention?: string;
  reduceOnly?: boolean;
  clientOrderId?: string;
}

/**
 * Filled by the composition root's subscriptions only while `active` (no growth
 * between requests): the matching events and the risk stage's account events that
 * one request's command produced.
 */
export class EventCapture {
  active = false;
  readonly events: MatchingEventV1[] = [];
  readonly riskEvents: RiskEventV1[] = [];

  offer(event: MatchingEventV1): void {
    if (this.active) this.events.push(event);
  }

  offerRisk(event: RiskEventV1): void {
    if (this.active) this.riskEvents.push(event);
  }
}

class GatewayError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function createHttpGateway(deps: HttpGatewayDeps): FastifyInstance {
  // no type coercion and no silent stripping of unknown fields: a number where a decimal
  // string belongs, or a misspelt field, is a 400, not a guess
  const app = Fastify({ logger: false, bodyLimit: 16_384, ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } } });
  const markets = new Map(deps.markets.map((m) => [m.symbol, m]));
  let nextOrderId = deps.firstOrderId ?? 1_000_000_000_000_000;
  let seq = 0;

  const accountOf = (header: unknown): number => {
    const n = typeof header === 'string' && /^\d{1,10}$/.test(header) ? Number(header) : Number.NaN;
    try {
      return requireAccountId(n);
    } catch {
      throw new GatewayError(401, 'GATEWAY_MISSING_ACCOUNT', 'x-account-id header must name an account id (1..4294967295)');
    }
  };
  const marketOf = (symbol: string): MarketSpec => {
    const spec = markets.get(symbol);
    if (spec === undefined) throw new GatewayError(404, 'GATEWAY_UNKNOWN_MARKET', `market ${JSON.stringify(symbol)} is not listed`);
    return spec;
  };
  const capture = <T>(publish: () => void, pick: () => T): T => {
    deps.capture.active = true;
    try {
      publish();
    } finally {
      deps.capture.active = false;
    }
    const out = pick();
    deps.capture.events.length = 0;
    deps.capture.riskEvents.length = 0;
    return out;
  };
  const renderRisk = (e: RiskEventV1): Record<string, unknown> => {
    const body = e[e.event] as unknown as Record<string, unknown>;
    if (e.event === 'orderRejected') return { event: 'rejected', stage: 'risk', orderId: String(body.orderId), code: body.code, message: body.message };
    if (e.event === 'commandRejected') return { event: 'rejected', stage: 'risk', code: body.code, message: body.message };
    return { event: e.event, stage: 'risk', ...body };
  };
  const send = (spec: MarketSpec, fill: (cmd: MatchingCommandV1) => void): Record<string, unknown>[] => {
    const cmd = { schemaMajor: SCHEMA_MAJOR_V1, market: spec.symbol, seq: ++seq, tsNs: (deps.nowNs ?? (() => Date.now() * 1_000_000))(), source: 'gateway-http' } as MatchingCommandV1;
    fill(cmd);
    return capture(
      () => deps.bus.publish(deps.orderTopic, cmd),
      () => [
        ...deps.capture.riskEvents.filter((e) => e.event === 'orderRejected').map(renderRisk),
        ...deps.capture.events.map((e) => render(spec, e)),
      ],
    );
  };
  const render = (spec: MarketSpec, e: MatchingEventV1) => {
    const body = e[e.event] as unknown as Record<string, unknown>;
    const out: Record<string, unknown> = { event: e.event, seq: e.seq };
    for (const [k, v] of Object.entries(body ?? {})) {
      if (typeof v === 'number' && /PriceTicks$/.test(k)) out[k.replace(/Ticks$/, '')] = formatPrice(spec, v);
      else if (typeof v === 'number' && /Lots$/.test(k)) out[k.replace(/Lots$/, '')] = formatQty(spec, v);
      else if (k === 'priceTicks' && typeof v === 'number') out.price = formatPrice(spec, v);
      else if ((k === 'side' || k === 'takerSide') && typeof v === 'number') out[k] = v === 1 ? 'BUY' : 'SELL';
      else out[k] = v;
    }
    return out;
  };

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof GatewayError) return reply.status(error.statusCode).send({ code: error.code, message: error.message });
    if (error instanceof DomainError) return reply.status(400).send({ code: error.code, message: error.message });
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.status(status).send({ code: 'GATEWAY_INVALID_REQUEST', message: (error as Error).message });
    }
    return reply.status(500).send({ code: 'GATEWAY_INTERNAL', message: 'internal error' });
  });

  const riskHalted = deps.riskHalted ?? (() => '');
  app.addHook('onRequest', async (request, reply) => {
    const reason = riskHalted();
    if (reason === '') return;
    if (request.method === 'GET' && request.url.startsWith('/v1/markets')) return;
    if (request.url.startsWith('/v1/health')) return reply.status(503).send({ status: 'halted', reason });
    return reply.status(503).send({ code: 'RISK_STAGE_HALTED', message: `the exchange is halted, nothing was applied: ${reason}` });
  });

  app.get('/v1/health', async () => ({ status: 'ok' }));

  app.get('/v1/markets', async () => ({
    markets: deps.markets.map((m) => ({ symbol: m.symbol, baseAsset: m.baseAsset, settleAsset: m.settleAsset, tickSize: m.tickSize, lotSize: m.lotSize })),
  }));

  app.get<{ Params: { symbol: string }; Querystring: { depth?: string } }>('/v1/markets/:symbol/book', async (request) => {
    const spec = marketOf(request.params.symbol);
    const depthText = request.query.depth ?? '10';
    if (!/^\d{1,3}$/.test(depthText) || Number(depthText) < 1) throw new GatewayError(400, 'GATEWAY_INVALID_DEPTH', 'depth must be an integer in 1..999');
    const book = deps.book(spec.symbol) as OrderBook;
    const levels = (side: Side) => {
      const out: [string, string][] = [];
      book.forEachLevel(side, Number(depthText), (p, q) => out.push([formatPrice(spec, p), formatQty(spec, q)]));
      return out;
    };
    const last = book.lastTradeTicks();
    return { market: spec.symbol, bids: levels(Side.Buy), asks: levels(Side.Sell), lastTrade: last > 0 ? formatPrice(spec, last) : null };
  });

  app.post<{ Body: PlaceOrderBody }>('/v1/orders', { schema: { body: placeOrderSchema } }, async (request) => {
    const accountId = accountOf(request.headers['x-account-id']);
    const b = request.body;
    const spec = marketOf(b.market);
    const type = TYPES[b.type] as OrderType;
    const needsPrice = type === OrderType.Limit || type === OrderType.StopLimit || type === OrderType.TakeProfitLimit;
    const needsTrigger = type !== OrderType.Limit && type !== OrderType.Market;
    if (needsPrice !== (b.price !== undefined)) {
      throw new GatewayError(400, 'GATEWAY_INVALID_PRICE', needsPrice ? `${b.type} orders need a price` : `${b.type} orders take no price`);
    }
    if (needsTrigger !== (b.triggerPrice !== undefined)) {
      throw new GatewayError(400, 'GATEWAY_INVALID_TRIGGER', needsTrigger ? `${b.type} orders need a triggerPrice` : `${b.type} orders take no triggerPrice`);
    }
    const priceTicks = b.price === undefined ? 0 : priceToTicks(spec, b.price);
    const qtyLots = qtyToLots(spec, b.quantity);
    const triggerPriceTicks = b.triggerPrice === undefined ? 0 : priceToTicks(spec, b.triggerPrice, 'triggerPrice');
    const orderId = nextOrderId++;
    const events = send(spec, (cmd) => {
      cmd.command = 'place';
      cmd.place = {
        orderId,
        accountId,
        side: sideToWire(SIDES[b.side] as Side),
        type,
        timeInForce: TIFS[b.timeInForce ?? (type === OrderType.Market ? 'IOC' : 'GTC')] as TimeInForce,
        priceTicks,
        qtyLots,
        triggerPriceTicks,
        triggerSource: b.triggerSource === 'MARK_PRICE' ? TriggerSource.MarkPrice : TriggerSource.LastTrade,
        selfTradePrevention: STPS[b.selfTradePrevention ?? 'CANCEL_TAKER'] as SelfTradePrevention,
        reduceOnly: b.reduceOnly ?? false,
        clientOrderId: b.clientOrderId ?? '',
        liquidationId: 0,
      };
    });
    return { orderId: String(orderId), events };
  });

  app.delete<{ Params: { market: string; orderId: string } }>('/v1/orders/:market/:orderId', async (request) => {
    const accountId = accountOf(request.headers['x-account-id']);
    const spec = marketOf(request.params.market);
    const orderIdText = request.params.orderId;
    const orderId = /^\d{1,16}$/.test(orderIdText) ? Number(orderIdText) : Number.NaN;
    if (!Number.isSafeInteger(orderId) || orderId < 1) throw new GatewayError(400, 'GATEWAY_INVALID_ORDER_ID', `order id ${JSON.stringify(orderIdText)} is invalid`);
    const events = send(spec, (cmd) => {
      cmd.command = 'cancel';
      cmd.cancel = { orderId, accountId };
    });
    return { orderId: String(orderId), events };
  });

  const assets = new Map((deps.assets ?? []).map((a) => [a.asset, createAssetSpec(a.asset, a.decimals)]));
  let accountSeq = 0;
  const transferSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['asset', 'amount'],
    properties: { asset: { type: 'string', minLength: 1, maxLength: 12 }, amount: decimalString },
  } as const;
  const transfer = (kind: 'deposit' | 'withdraw') => async (request: { headers: Record<string, unknown>; body: { asset: string; amount: string } }) => {
    const accountId = accountOf(request.headers['x-account-id']);
    if (deps.accountTopic === undefined) throw new GatewayError(404, 'GATEWAY_NO_RISK_STAGE', 'the risk stage is not running');
    const asset = assets.get(request.body.asset);
    if (asset === undefined) throw new GatewayError(400, 'GATEWAY_UNKNOWN_ASSET', `asset ${JSON.stringify(request.body.asset)} is not accepted`);
    const units = amountToUnits(asset, request.body.amount);
    if (units <= 0n || units > BigInt(Number.MAX_SAFE_INTEGER)) throw new GatewayError(400, 'GATEWAY_INVALID_AMOUNT', `amount must be within (0, ${formatAmount(asset, Number.MAX_SAFE_INTEGER)}]`);
    const cmd = { schemaMajor: SCHEMA_MAJOR_V1, accountId, seq: ++accountSeq, tsNs: (deps.nowNs ?? (() => Date.now() * 1_000_000))(), source: 'gateway-http', commandId: accountSeq } as AccountCommandV1;
    cmd.command = kind;
    cmd[kind] = { asset: asset.asset, amountUnits: Number(units) };
    const topic = deps.accountTopic;
    const events = capture(
      () => deps.bus.publish(topic, cmd),
      () => deps.capture.riskEvents.filter((e) => e.event === 'commandAccepted' || e.event === 'commandRejected').map(renderRisk),
    );
    return { events };
  };
  app.post<{ Body: { asset: string; amount: string } }>('/v1/deposits', { schema: { body: transferSchema } }, transfer('deposit'));
  app.post<{ Body: { asset: string; amount: string } }>('/v1/withdrawals', { schema: { body: transferSchema } }, transfer('withdraw'));

  app.get<{ Params: { id: string } }>('/v1/accounts/:id', async (request) => {
    const accountId = accountOf(request.params.id);
    if (deps.accountView === undefined) throw new GatewayError(404, 'GATEWAY_NO_RISK_STAGE', 'the risk stage is not running');
    const view = deps.accountView(accountId);
    if (view === undefined) throw new GatewayError(404, 'RISK_UNKNOWN_ACCOUNT', `account ${accountId} is unknown`);
    return view;
  });

  return app;
}
