/**
 * Signed order endpoints under /fapi/v1 (Binance USDⓈ-M names, enums, fields):
 * POST/PUT/GET/DELETE order, batchOrders, openOrders, openOrder, allOpenOrders
 * (DELETE), allOrders, userTrades. Reads need the key's `read` permission, every
 * change `trade`. An account only ever sees and touches its own orders and fills.
 */
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../auth/authenticated-request.js';
import { BinanceError, binanceError } from '../binance/binance-error.js';
import type { OrderRecord } from '../read-model/order-record.js';
import { isConditional } from '../read-model/order-record.js';
import { BinanceParams } from './binance-params.js';
import type { OrderDesk } from './order-desk.js';
import { orderAckJson, orderJson, userTradeJson, nsToMs } from './order-json.js';
import { readNewOrder } from './order-request.js';
import { callerAccount, marketSpec, type TradingDeps } from './trading-deps.js';

const ORDER_IDS = { id: 'orderId', clientId: 'origClientOrderId' };
const MAX_BATCH = 5;

export function registerOrderRoutes(app: FastifyInstance, deps: TradingDeps, desk: OrderDesk): void {
  const { client, model } = deps;
  const read = { preHandler: requireCaller(deps.auth, { signed: true, permission: 'read' }) };
  const trade = { preHandler: requireCaller(deps.auth, { signed: true, permission: 'trade' }) };
  const json = (o: OrderRecord) => orderJson(marketSpec(client, o.market), o);

  app.post('/fapi/v1/order', trade, async (request) => {
    const p = BinanceParams.of(request);
    const req = readNewOrder(p, client, 'order');
    p.done();
    const order = await desk.place(callerAccount(request), req);
    return req.respType === 'ACK' ? orderAckJson(req.spec, order) : json(order);
  });

  app.post('/fapi/v1/batchOrders', trade, async (request) => {
    const p = BinanceParams.of(request);
    const text = p.required('batchOrders');
    p.done();
    let items: unknown;
    try {
      items = JSON.parse(text);
    } catch {
      throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'batchOrders' is not JSON.");
    }
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCH) throw binanceError('INVALID_PARAMETER', `batchOrders must hold 1..${MAX_BATCH} orders.`);
    const accountId = callerAccount(request);
    const out: unknown[] = [];
    // in order, each on its own: one item's refusal is its result, the others still go
    for (const item of items) {
      try {
        const ip = BinanceParams.fromObjects(stringified(item));
        const req = readNewOrder(ip, client, 'order');
        ip.done();
        const order = await desk.place(accountId, req);
        out.push(req.respType === 'ACK' ? orderAckJson(req.spec, order) : json(order));
      } catch (error) {
        if (!(error instanceof BinanceError)) throw error;
        out.push(error.body());
      }
    }
    return out;
  });

  app.put('/fapi/v1/order', trade, async (request) => {
    const p = BinanceParams.of(request);
    const accountId = callerAccount(request);
    const spec = marketSpec(client, p.required('symbol'));
    const order = desk.find(accountId, p, ORDER_IDS, binanceError('NO_SUCH_ORDER'));
    const side = p.required('side');
    const qtyLots = p.qtyLots(spec, 'quantity');
    const priceTicks = p.priceTicks(spec, 'price');
    const priceMatch = p.optional('priceMatch');
    p.done();
    if (order.market !== spec.symbol || order.status === 'FILLED' || order.status === 'CANCELED' || order.status === 'EXPIRED') throw binanceError('NO_SUCH_ORDER');
    if (priceMatch !== undefined && priceMatch !== 'NONE') throw binanceError('UNSUPPORTED_OPERATION', 'priceMatch is not supported.');
    if (isConditional(order.type) || order.priceTicks === 0) throw binanceError('UNSUPPORTED_OPERATION', 'Only LIMIT orders can be modified.');
    if (side !== (order.side === 1 ? 'BUY' : 'SELL')) throw binanceError('INVALID_SIDE', 'The side must be the order’s side.');
    if (qtyLots === undefined || priceTicks === undefined) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameters 'quantity' and 'price' must be sent.");
    return json(await desk.amend(accountId, order, priceTicks, qtyLots));
  });

  app.get('/fapi/v1/order', read, async (request) => {
    const p = BinanceParams.of(request);
    const spec = marketSpec(client, p.required('symbol'));
    const order = desk.find(callerAccount(request), p, ORDER_IDS, binanceError('NO_SUCH_ORDER'));
    p.done();
    if (order.market !== spec.symbol) throw binanceError('NO_SUCH_ORDER');
    return json(order);
  });

  app.delete('/fapi/v1/order', trade, async (request) => {
    const p = BinanceParams.of(request);
    const spec = marketSpec(client, p.required('symbol'));
    const accountId = callerAccount(request);
    const order = desk.find(accountId, p, ORDER_IDS, binanceError('CANCEL_REJECTED'));
    p.done();
    if (order.market !== spec.symbol) throw binanceError('CANCEL_REJECTED');
    return json(await desk.cancel(accountId, order));
  });

  app.get('/fapi/v1/openOrder', read, async (request) => {
    const p = BinanceParams.of(request);
    const spec = marketSpec(client, p.required('symbol'));
    const accountId = callerAccount(request);
    const order = desk.find(accountId, p, ORDER_IDS, binanceError('NO_SUCH_ORDER'));
    p.done();
    if (order.market !== spec.symbol || !model.account(accountId).open.has(order.orderId)) throw binanceError('NO_SUCH_ORDER');
    return json(order);
  });

  app.get('/fapi/v1/openOrders', read, async (request) => {
    const p = BinanceParams.of(request);
    const symbol = p.optional('symbol');
    if (symbol !== undefined) marketSpec(client, symbol);
    p.done();
    const open = [...model.account(callerAccount(request)).open.values()];
    return open.filter((o) => (symbol === undefined || o.market === symbol) && !(isConditional(o.type) && !o.triggered)).map(json);
  });

  app.delete('/fapi/v1/allOpenOrders', trade, async (request) => {
    const p = BinanceParams.of(request);
    const spec = marketSpec(client, p.required('symbol'));
    p.done();
    await desk.cancelAll(callerAccount(request), spec.symbol);
    return { code: 200, msg: 'The operation of cancel all open order is done.' };
  });

  app.get('/fapi/v1/allOrders', read, async (request) => {
    const p = BinanceParams.of(request);
    const spec = marketSpec(client, p.required('symbol'));
    const fromId = p.integer('orderId');
    const fromOrderId = fromId ?? 0;
    const window = timeWindow(p);
    const limit = p.integer('limit', 1000) ?? 500;
    p.done();
    const account = model.account(callerAccount(request));
    const orders = [...account.closed.values(), ...account.open.values()]
      .filter((o) => o.market === spec.symbol && o.orderId >= fromOrderId && window(nsToMs(o.timeNs)))
      .sort((a, b) => a.orderId - b.orderId);
    // from an orderId: the first `limit` from it; otherwise the most recent `limit` (Binance)
    return (fromId === undefined ? orders.slice(Math.max(0, orders.length - limit)) : orders.slice(0, limit)).map(json);
  });

  app.get('/fapi/v1/userTrades', read, async (request) => {
    const p = BinanceParams.of(request);
    const spec = marketSpec(client, p.required('symbol'));
    const orderId = p.integer('orderId');
    const fromId = p.integer('fromId');
    const window = timeWindow(p);
    const limit = p.integer('limit', 1000) ?? 500;
    p.done();
    const fills = model
      .account(callerAccount(request))
      .fills()
      .filter((f) => f.market === spec.symbol && (orderId === undefined || f.orderId === orderId) && (fromId === undefined || f.tradeSeq >= fromId) && window(nsToMs(f.tsNs)));
    const picked = fromId === undefined ? fills.slice(Math.max(0, fills.length - limit)) : fills.slice(0, limit);
    return picked.map((f) => userTradeJson(spec, f));
  });
}

/** startTime / endTime (ms, inclusive) as a predicate. */
export function timeWindow(p: BinanceParams): (ms: number) => boolean {
  const start = p.integer('startTime');
  const end = p.integer('endTime');
  if (start !== undefined && end !== undefined && end < start) throw binanceError('INVALID_PARAMETER', 'startTime must not be after endTime.');
  return (ms) => (start === undefined || ms >= start) && (end === undefined || ms <= end);
}

/**
 * A batch item's values as the strings a form would have carried. Booleans and
 * whole numbers are taken as their text; a fractional JSON number is refused,
 * since it was parsed as a float already (prices and quantities go as strings).
 */
function stringified(item: unknown): Record<string, string> {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', 'Each batch item must be an object.');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(item as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' && Number.isSafeInteger(v)) out[k] = String(v);
    else if (typeof v === 'boolean') out[k] = String(v);
    else throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', `Parameter '${k.slice(0, 40)}' was malformed.`);
  }
  return out;
}
