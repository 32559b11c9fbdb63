/**
 * The order operations behind the routes, on the core's client and the read model.
 *
 * Idempotency: a new order whose client id (newClientOrderId / clientAlgoId) names
 * an order the account's read model still holds (open, or closed within the
 * retention window: the last 1,000 closed orders per account) is answered with
 * that order and never sent again. A retry that arrives while the first attempt
 * is still in flight waits for it and gets the same answer. A refused order is not
 * remembered (it never executed), so its retry is tried afresh.
 *
 * Lookups are always within the caller's account: another account's order id or
 * client id is answered as unknown, exactly as an id that never existed.
 */
import type { OrderCommandResult } from '@perpcore/exchange';
import { type BinanceError, binanceError } from '../binance/binance-error.js';
import type { OrderRecord } from '../read-model/order-record.js';
import { checkOrderFilters, orderFiltersOf } from '../limits/order-filters.js';
import type { BinanceParams } from './binance-params.js';
import { coreRejectError, type RejectContext } from './core-rejects.js';
import type { NewOrderRequest } from './order-request.js';
import type { TradingDeps } from './trading-deps.js';

export class OrderDesk {
  private readonly inFlight = new Map<string, Promise<OrderRecord>>();

  constructor(private readonly deps: TradingDeps) {}

  place(accountId: number, req: NewOrderRequest): Promise<OrderRecord> {
    if (req.clientOrderId === '') return this.send(accountId, req, '');
    const existing = this.deps.model.account(accountId).byClientOrderId(req.clientOrderId);
    if (existing !== undefined) return Promise.resolve(existing);
    const key = `${accountId}|${req.clientOrderId}`;
    const pending = this.inFlight.get(key);
    if (pending !== undefined) return pending;
    const attempt = this.send(accountId, req, req.clientOrderId).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, attempt);
    return attempt;
  }

  /** The caller's order named by `orderId` or the client id parameter, or the refusal. */
  find(accountId: number, p: BinanceParams, names: { id: string; clientId: string }, missing: BinanceError): OrderRecord {
    const orderId = p.integer(names.id);
    const clientId = p.optional(names.clientId);
    if (orderId === undefined && clientId === undefined) {
      throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', `Parameter '${names.id}' or '${names.clientId}' must be sent.`);
    }
    const account = this.deps.model.account(accountId);
    const order = orderId !== undefined ? account.get(orderId) : account.byClientOrderId(clientId as string);
    if (order === undefined || (clientId !== undefined && order.clientOrderId !== clientId)) throw missing;
    return order;
  }

  async cancel(accountId: number, order: OrderRecord): Promise<OrderRecord> {
    if (!this.deps.model.account(accountId).open.has(order.orderId)) throw binanceError('CANCEL_REJECTED');
    this.check(await this.deps.client.cancelOrder(accountId, order.market, order.orderId), 'cancel');
    return order;
  }

  async amend(accountId: number, order: OrderRecord, priceTicks: number, qtyLots: number): Promise<OrderRecord> {
    const remainingLots = qtyLots - order.executedLots;
    if (remainingLots <= 0) throw binanceError('QTY_LESS_THAN_ZERO', 'The new quantity must exceed the executed quantity.');
    if (priceTicks === order.priceTicks && qtyLots === order.origQtyLots) throw binanceError('NO_NEED_TO_MODIFY');
    this.check(await this.deps.client.amendOrder(accountId, order.market, order.orderId, priceTicks, remainingLots), 'amend');
    return order;
  }

  async cancelAll(accountId: number, market: string): Promise<void> {
    const r = await this.deps.client.cancelAll(accountId, market);
    if (r.rejection !== null) throw coreRejectError(r.rejection, 'cancel');
  }

  /** The market's exchangeInfo filters (limits/order-filters.ts) before anything reaches the core. */
  private checkFilters(accountId: number, req: NewOrderRequest): void {
    const market = req.spec.symbol;
    let openOrders = 0;
    for (const o of this.deps.model.account(accountId).open.values()) if (o.market === market) openOrders++;
    const failed = checkOrderFilters(
      orderFiltersOf(req.spec),
      { isMarket: req.priceTicks === 0, priceTicks: req.priceTicks, qtyLots: req.qtyLots, reduceOnly: req.reduceOnly },
      { openOrders, markTicks: this.deps.marks.markTicks(market) },
    );
    if (failed !== '') throw binanceError(failed);
  }

  private async send(accountId: number, req: NewOrderRequest, clientOrderId: string): Promise<OrderRecord> {
    const { client, model, ids } = this.deps;
    this.checkFilters(accountId, req);
    const orderId = ids.next();
    // the gateway names an order the client did not (Binance does too), so every order can be looked up by client id
    const cid = clientOrderId === '' ? `pc-${orderId.toString(36)}` : clientOrderId;
    model.notePlacement(orderId, { clientOrderId: cid, triggerSource: req.triggerSource });
    let result: OrderCommandResult;
    try {
      result = await client.placeOrder({
        orderId,
        accountId,
        market: req.spec.symbol,
        side: req.side,
        type: req.type,
        timeInForce: req.timeInForce,
        priceTicks: req.priceTicks,
        qtyLots: req.qtyLots,
        triggerPriceTicks: req.triggerPriceTicks,
        ...(req.triggerSource === 0 ? {} : { triggerSource: req.triggerSource }),
        selfTradePrevention: req.selfTradePrevention,
        reduceOnly: req.reduceOnly,
        clientOrderId: cid,
      });
    } finally {
      model.forgetPlacement(orderId);
    }
    this.check(result, 'place');
    const order = model.order(accountId, orderId);
    // the core accepted it, so its accepted event must have been folded: anything else is a fault, not a refusal
    if (order === undefined) throw new Error(`order ${orderId} was not refused but never reached the read model`);
    return order;
  }

  private check(result: { rejection: OrderCommandResult['rejection'] }, context: RejectContext): void {
    if (result.rejection !== null) throw coreRejectError(result.rejection, context);
  }
}
