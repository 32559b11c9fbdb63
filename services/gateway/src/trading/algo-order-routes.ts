/**
 * Conditional orders through Binance's algo API (where unmodified ccxt sends every
 * stop / take-profit: BINANCE-COMPAT §3, trap 6): POST/GET/DELETE
 * /fapi/v1/algoOrder, GET /fapi/v1/openAlgoOrders (and its alias algoOpenOrders),
 * DELETE /fapi/v1/algoOpenOrders. An algo order is the core's STOP_MARKET,
 * STOP_LIMIT, TAKE_PROFIT_MARKET or TAKE_PROFIT_LIMIT order with its trigger;
 * `algoId` is its order id. Status: NEW until the trigger is crossed, TRIGGERED
 * while it works in the book, FINISHED once it filled or expired after triggering,
 * CANCELED, or EXPIRED when it expired untriggered.
 */
import { formatPrice, formatQty, type MarketSpec } from '@perpcore/domain';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireCaller } from '../auth/authenticated-request.js';
import { binanceError } from '../binance/binance-error.js';
import { isConditional, type OrderRecord } from '../read-model/order-record.js';
import { BinanceParams } from './binance-params.js';
import type { OrderDesk } from './order-desk.js';
import { binanceOrderType, binanceSide, binanceTif } from './order-enums.js';
import { nsToMs } from './order-json.js';
import { readNewOrder } from './order-request.js';
import { callerAccount, marketSpec, type TradingDeps } from './trading-deps.js';

const ALGO_IDS = { id: 'algoId', clientId: 'clientAlgoId' };

export function algoStatus(o: OrderRecord): string {
  if (o.status === 'CANCELED') return 'CANCELED';
  if (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED') return o.triggered ? 'TRIGGERED' : 'NEW';
  if (o.status === 'EXPIRED' && !o.triggered) return 'EXPIRED';
  return 'FINISHED';
}

export function algoJson(spec: MarketSpec, o: OrderRecord): Record<string, unknown> {
  return {
    algoId: o.orderId,
    clientAlgoId: o.clientOrderId,
    algoType: 'CONDITIONAL',
    orderType: binanceOrderType(o.type),
    symbol: o.market,
    side: binanceSide(o.side),
    positionSide: 'BOTH',
    timeInForce: binanceTif(o.timeInForce),
    quantity: formatQty(spec, o.origQtyLots),
    algoStatus: algoStatus(o),
    triggerPrice: formatPrice(spec, o.triggerPriceTicks),
    price: o.priceTicks > 0 ? formatPrice(spec, o.priceTicks) : '0',
    selfTradePreventionMode: 'EXPIRE_TAKER',
    workingType: o.triggerSource === 2 ? 'MARK_PRICE' : 'CONTRACT_PRICE',
    priceMatch: 'NONE',
    closePosition: false,
    priceProtect: false,
    reduceOnly: o.reduceOnly,
    createTime: nsToMs(o.timeNs),
    updateTime: nsToMs(o.updateNs),
    triggerTime: 0,
    goodTillDate: 0,
  };
}

export function registerAlgoOrderRoutes(app: FastifyInstance, deps: TradingDeps, desk: OrderDesk): void {
  const { client, model } = deps;
  const read = { preHandler: requireCaller(deps.auth, { signed: true, permission: 'read' }) };
  const trade = { preHandler: requireCaller(deps.auth, { signed: true, permission: 'trade' }) };
  const findAlgo = (accountId: number, p: BinanceParams) => {
    const order = desk.find(accountId, p, ALGO_IDS, binanceError('NO_SUCH_ORDER'));
    if (!isConditional(order.type)) throw binanceError('NO_SUCH_ORDER');
    return order;
  };
  const json = (o: OrderRecord) => algoJson(marketSpec(client, o.market), o);
  const openAlgo = (accountId: number, symbol: string | undefined) =>
    [...model.account(accountId).open.values()].filter((o) => isConditional(o.type) && !o.triggered && (symbol === undefined || o.market === symbol));

  app.post('/fapi/v1/algoOrder', trade, async (request) => {
    const p = BinanceParams.of(request);
    const req = readNewOrder(p, client, 'algo');
    p.done();
    return json(await desk.place(callerAccount(request), req));
  });

  app.get('/fapi/v1/algoOrder', read, async (request) => {
    const p = BinanceParams.of(request);
    const order = findAlgo(callerAccount(request), p);
    p.optional('symbol');
    p.done();
    return json(order);
  });

  app.delete('/fapi/v1/algoOrder', trade, async (request) => {
    const p = BinanceParams.of(request);
    const accountId = callerAccount(request);
    const order = findAlgo(accountId, p);
    p.optional('symbol');
    p.done();
    if (order.triggered) throw binanceError('CANCEL_REJECTED', 'The algo order already triggered; cancel its order instead.');
    await desk.cancel(accountId, order);
    return { algoId: order.orderId, clientAlgoId: order.clientOrderId, code: '200', msg: 'success' };
  });

  const listOpen = async (request: FastifyRequest) => {
    const p = BinanceParams.of(request);
    const symbol = p.optional('symbol');
    if (symbol !== undefined) marketSpec(client, symbol);
    p.optional('algoType');
    p.done();
    return openAlgo(callerAccount(request), symbol).map(json);
  };
  app.get('/fapi/v1/openAlgoOrders', read, listOpen);
  app.get('/fapi/v1/algoOpenOrders', read, listOpen);

  app.delete('/fapi/v1/algoOpenOrders', trade, async (request) => {
    const p = BinanceParams.of(request);
    const spec = marketSpec(client, p.required('symbol'));
    p.done();
    const accountId = callerAccount(request);
    for (const o of openAlgo(accountId, spec.symbol)) await desk.cancel(accountId, o);
    return { code: 200, msg: 'The operation of cancel all open order is done.' };
  });
}
