/**
 * Signed cross-margin (spot margin) endpoints in Binance's SAPI margin conventions,
 * on the core's spot-margin stage (issue 13.1 through the gateway): the parameter
 * names, enums and response fields Binance's margin clients parse.
 *
 * - `POST /sapi/v1/margin/borrow-repay` (type BORROW | REPAY) and the older `POST
 *   /sapi/v1/margin/loan` / `…/repay`: answer `{tranId}`, the spot stage's event
 *   sequence after the command.
 * - `GET /sapi/v1/margin/account`: Binance's cross-margin account (margin level,
 *   totals in BTC, per asset free / locked / borrowed / interest / netAsset) and,
 *   beside its fields, the three answers: accepted collateral after haircuts, the
 *   index each asset's trigger follows with its call and liquidation prices, and
 *   the distance to the call and to liquidation.
 * - `POST/DELETE/GET /sapi/v1/margin/order`, `GET/DELETE /sapi/v1/margin/openOrders`:
 *   LIMIT (GTC, IOC) and MARKET orders. `sideEffectType` MARGIN_BUY borrows the
 *   shortfall first (through the borrow's checks); NO_SIDE_EFFECT needs the funds.
 *   A MARKET order is an IOC at the pair's protection band around the index (the
 *   liquidation's own limit), so it never trades far from the trigger feed.
 * - `GET /sapi/v1/margin/allPairs`, `GET /sapi/v1/margin/pair`, and the book at
 *   `GET /sapi/v1/margin/depth` (the project's path: Binance serves the spot book
 *   under /api/v3, which here would shadow nothing but is not this API's).
 *
 * - History, folded from the spot stage's events (spot-history.ts, retained per
 *   account: every open order and the last 1,000 finished orders, trades and interest
 *   settlements): `GET /sapi/v1/margin/allOrders`, `GET /sapi/v1/margin/myTrades`,
 *   `GET /sapi/v1/margin/interestHistory`; `GET /sapi/v1/margin/order` answers a
 *   retained finished order too. A MARKET order is there as what the stage ran: a
 *   LIMIT IOC at its band price.
 *
 * What is not offered is refused, never ignored: isolated margin, AUTO_REPAY and
 * AUTO_BORROW_REPAY, FOK, quoteOrderQty, stop orders. No commission is charged on
 * spot fills (myTrades: commission "0").
 * Amounts are decimal strings in the asset's decimals, prices and quantities on the
 * pair's grid, refused off it (never rounded). A venue without a spot stage (the
 * cluster) answers -1121 with that reason.
 */
import { type AssetSpec, formatScaled, formatSteps, Side } from '@perpcore/domain';
import type { ExchangeClient, SpotAssetReport, SpotOpenOrder, SpotPlacement } from '@perpcore/exchange';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireCaller } from '../auth/authenticated-request.js';
import { type BinanceError, binanceError } from '../binance/binance-error.js';
import { BinanceParams } from '../trading/binance-params.js';
import { callerAccount, type TradingDeps } from '../trading/trading-deps.js';
import { type SpotInterestRow, type SpotOrderRow, spotOrderStatus, type SpotTradeRow } from './spot-history.js';
import { requireSpotSymbol, type SpotSymbol, spotSymbols } from './spot-symbol.js';
import { timeWindow } from '../trading/order-routes.js';

/** The margin level Binance shows for an account without debt. */
const NO_DEBT_LEVEL = '999';
const E8 = 100_000_000n;

/** A spot stage refusal in Binance's margin terms. */
export function spotRejectError(code: string): BinanceError {
  const detail = `(${code})`;
  switch (code) {
    case 'RISK_SPOT_INSUFFICIENT_BALANCE':
      return binanceError('INSUFFICIENT_BALANCE_FOR_ACTION', detail);
    case 'RISK_SPOT_BORROW_LIMIT':
    case 'RISK_SPOT_ACCOUNT_DEBT_LIMIT':
      return binanceError('MARGIN_BORROW_EXCEEDS_MAX', detail);
    case 'RISK_SPOT_INSUFFICIENT_MARGIN':
      return binanceError('MARGIN_LEVEL_TOO_LOW', detail);
    case 'RISK_SPOT_LIQUIDATING':
    case 'RISK_SPOT_ASSET_NOT_BORROWABLE':
      return binanceError('MARGIN_BORROW_NOT_ALLOWED', detail);
    case 'RISK_SPOT_REPAY_EXCEEDS_DEBT':
      return binanceError('MARGIN_REPAY_EXCEEDS_BORROW', detail);
    case 'RISK_SPOT_UNKNOWN_ORDER':
    case 'RISK_SPOT_NOT_ORDER_OWNER':
      return binanceError('CANCEL_REJECTED', detail);
    case 'RISK_SPOT_NO_INDEX_PRICE':
      return binanceError('MARKET_CLOSED', detail);
    case 'SPOT_NOT_LISTED':
      return binanceError('BAD_SYMBOL', 'This venue runs no spot-margin market.');
    case 'RISK_STAGE_HALTED':
    case 'RISK_SPOT_STAGE_HALTED':
      return binanceError('DISCONNECTED');
    case 'RISK_SPOT_INVALID_COMMAND':
    default:
      return binanceError('INVALID_PARAMETER', detail);
  }
}

function ok<R extends { ok: boolean }>(r: R): Extract<R, { ok: true }> {
  if (!r.ok) throw spotRejectError((r as unknown as { code: string }).code);
  return r as Extract<R, { ok: true }>;
}

const sideName = (side: Side) => (side === Side.Buy ? 'BUY' : 'SELL');
const nsToMs = (ns: number) => Math.floor(ns / 1e6);

export function registerMarginRoutes(app: FastifyInstance, deps: TradingDeps): void {
  const { client, spotHistory } = deps;
  const read = { preHandler: requireCaller(deps.auth, { signed: true, permission: 'read' }) };
  const trade = { preHandler: requireCaller(deps.auth, { signed: true, permission: 'trade' }) };
  const symbols = spotSymbols(client);
  // fixed for the gateway's life: the pairs in listing order, by the stage's own pair name and by base coin
  const listed = [...symbols.values()];
  const byPair = new Map(listed.map((x) => [x.pair.symbol, x]));
  const byBase = new Map(listed.map((x) => [x.base.asset, x]));
  const assetOf = (p: BinanceParams, name: string): AssetSpec => {
    const code = p.required(name);
    const asset = client.spotAssets().find((a) => a.asset === code);
    if (asset === undefined) throw binanceError('INVALID_PARAMETER', `Parameter '${name}': ${code.slice(0, 16)} is not a margin asset of this venue.`);
    return asset;
  };
  const crossOnly = (p: BinanceParams) => {
    if (p.bool('isIsolated') === true) throw binanceError('INVALID_PARAMETER', 'Isolated margin is not offered: cross margin only.');
  };
  const qty = (s: SpotSymbol, lots: number) => formatSteps(lots, s.lot);
  const price = (s: SpotSymbol, ticks: number) => formatSteps(ticks, s.tick);
  const quote = (s: SpotSymbol, units: number) => formatScaled(units, s.quote.decimals);
  /** The fields an open and a finished order show alike (the same names and decimal strings). */
  const orderFieldsJson = (s: SpotSymbol, o: SpotOrderFigures) => ({
    symbol: s.symbol,
    orderId: o.orderId,
    clientOrderId: clientIdOf(o.orderId, o.clientOrderId),
    price: price(s, o.priceTicks),
    origQty: qty(s, o.origLots),
    executedQty: qty(s, o.filledLots),
    cummulativeQuoteQty: quote(s, o.filledQuoteUnits),
  });
  const openOrderJson = (s: SpotSymbol, o: SpotOpenOrder) => ({
    ...orderFieldsJson(s, o),
    status: o.filledLots > 0 ? 'PARTIALLY_FILLED' : 'NEW',
    timeInForce: 'GTC',
    type: 'LIMIT',
    side: sideName(o.side),
    stopPrice: '0',
    icebergQty: '0',
    isWorking: true,
    isIsolated: false,
    selfTradePreventionMode: 'EXPIRE_TAKER',
    time: nsToMs(o.placedTsNs),
    updateTime: nsToMs(o.placedTsNs),
  });

  const historyOrderJson = (s: SpotSymbol, o: SpotOrderRow) => {
    const status = spotOrderStatus(o);
    return {
      ...orderFieldsJson(s, o),
      status,
      timeInForce: o.immediateOrCancel ? 'IOC' : 'GTC',
      type: 'LIMIT',
      side: sideName(o.side),
      stopPrice: '0',
      icebergQty: '0',
      isWorking: status === 'NEW' || status === 'PARTIALLY_FILLED',
      isIsolated: false,
      selfTradePreventionMode: 'EXPIRE_TAKER',
      time: nsToMs(o.placedTsNs),
      updateTime: nsToMs(o.updateTsNs),
    };
  };
  const tradeJson = (s: SpotSymbol, t: SpotTradeRow) => ({
    symbol: s.symbol,
    id: t.tradeId,
    orderId: t.orderId,
    price: price(s, t.priceTicks),
    qty: qty(s, t.qtyLots),
    commission: '0',
    // Binance names the asset a commission would be taken in: what the side receives
    commissionAsset: t.isBuyer ? s.base.asset : s.quote.asset,
    time: nsToMs(t.tsNs),
    isBuyer: t.isBuyer,
    isMaker: t.isMaker,
    isBestMatch: true,
    isIsolated: false,
  });
  const interestJson = (i: SpotInterestRow) => {
    const asset = client.spotAssets().find((a) => a.asset === i.asset);
    const decimals = asset?.decimals ?? 0;
    return {
      txId: i.txId,
      interestAccuredTime: nsToMs(i.tsNs),
      asset: i.asset,
      rawAsset: i.asset,
      principal: formatScaled(i.principalUnits, decimals),
      interest: formatScaled(i.interestUnits, decimals),
      // accrued on a compounding index since the debt was last touched, settled into it at a borrow, a repay or a liquidation step
      type: 'PERIODIC',
      isolatedSymbol: '',
    };
  };

  // --- borrow and repay -------------------------------------------------------------
  const borrowOrRepay = async (request: FastifyRequest, kind: 'BORROW' | 'REPAY' | undefined) => {
    const p = BinanceParams.of(request);
    const type = kind ?? p.oneOf('type', ['BORROW', 'REPAY']);
    if (type === undefined) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'type' was empty.");
    const asset = assetOf(p, 'asset');
    const units = p.amountUnits('amount', asset.decimals);
    crossOnly(p);
    p.optional('symbol'); // isolated margin's pair: meaningless in cross margin, as on Binance
    p.done();
    const accountId = callerAccount(request);
    const answer = ok(type === 'BORROW' ? await client.spotBorrow(accountId, asset.asset, units) : await client.spotRepay(accountId, asset.asset, units));
    request.log.info({ accountId, asset: asset.asset, amountUnits: units, type }, 'margin: borrow-repay');
    return { tranId: answer.tranId };
  };
  app.post('/sapi/v1/margin/borrow-repay', trade, (request) => borrowOrRepay(request, undefined));
  app.post('/sapi/v1/margin/loan', trade, (request) => borrowOrRepay(request, 'BORROW'));
  app.post('/sapi/v1/margin/repay', trade, (request) => borrowOrRepay(request, 'REPAY'));

  app.get('/sapi/v1/margin/maxBorrowable', read, async (request) => {
    const p = BinanceParams.of(request);
    const asset = assetOf(p, 'asset');
    if (p.optional('isolatedSymbol') !== undefined) throw binanceError('INVALID_PARAMETER', 'Isolated margin is not offered: cross margin only.');
    p.done();
    const max = await client.spotMaxBorrowable(callerAccount(request), asset.asset);
    // the largest amount a borrow would accept now (rounded to the asset's units, so never above it), and the account's limit
    return { amount: formatScaled(max.amountUnits, asset.decimals), borrowLimit: formatScaled(max.limitUnits, asset.decimals) };
  });

  // --- the account ------------------------------------------------------------------
  app.get('/sapi/v1/margin/account', read, async (request) => {
    const p = BinanceParams.of(request);
    p.done();
    const accountId = callerAccount(request);
    const report = await client.spotAccount(accountId);
    // values of the three answers are in the settle asset: the pairs' quote
    const settle = listed[0]?.quote ?? client.spotAssets()[0];
    const settleAmount = (units: number) => formatScaled(units, settle?.decimals ?? 0);
    const byAsset = new Map<string, SpotAssetReport>((report?.assets ?? []).map((a) => [a.asset, a]));
    const userAssets = client.spotAssets().map((a) => {
      const r = byAsset.get(a.asset);
      const balance = r?.balanceUnits ?? 0;
      const held = r?.heldUnits ?? 0;
      const debt = r?.debtUnits ?? 0;
      const principal = Math.min(r?.principalUnits ?? 0, debt);
      const amount = (units: number) => formatScaled(units, a.decimals);
      return { asset: a.asset, borrowed: amount(principal), free: amount(balance - held), interest: amount(debt - principal), locked: amount(held), netAsset: amount(balance - debt) };
    });
    const totals = await btcTotals(listed[0], client, report?.assets ?? []);
    return {
      created: report !== null,
      borrowEnabled: true,
      marginLevel: report?.levelE8 == null ? NO_DEBT_LEVEL : formatScaled(report.levelE8, 8),
      totalAssetOfBtc: totals.asset,
      totalLiabilityOfBtc: totals.liability,
      totalNetAssetOfBtc: totals.net,
      tradeEnabled: true,
      transferInEnabled: true,
      transferOutEnabled: true,
      accountType: 'MARGIN_1',
      userAssets,
      // beyond Binance's fields: the three answers, in the settle asset and the pairs' prices
      marginState: report?.state ?? 'HEALTHY',
      acceptedCollateral: settleAmount(report?.acceptedCollateralUnits ?? 0),
      equity: settleAmount(report?.equityUnits ?? 0),
      usedMargin: settleAmount(report?.usedMarginUnits ?? 0),
      marginCallLevel: formatScaled(report?.marginCallLevelE8 ?? 0, 8),
      liquidationLevel: formatScaled(report?.liquidationLevelE8 ?? 0, 8),
      distanceToMarginCall: settleAmount(report?.distanceToCallUnits ?? 0),
      distanceToLiquidation: settleAmount(report?.distanceToLiquidationUnits ?? 0),
      priceFeeds: (report?.assets ?? [])
        .filter((a) => a.priceFeed !== 'settle')
        .map((a) => {
          const s = byBase.get(a.asset);
          const px = (t: number | null) => (t === null || s === undefined ? null : price(s, t));
          return { asset: a.asset, priceFeed: a.priceFeed, indexPrice: px(a.indexPriceTicks), marginCallPrice: px(a.callPriceTicks), liquidationPrice: px(a.liquidationPriceTicks) };
        }),
    };
  });

  // --- pairs and the book -----------------------------------------------------------
  const pairJson = (s: SpotSymbol, id: number) => ({
    id,
    symbol: s.symbol,
    base: s.base.asset,
    quote: s.quote.asset,
    isMarginTrade: true,
    isBuyAllowed: true,
    isSellAllowed: true,
    // beyond Binance's row: the grid its orders must be on
    tickSize: formatSteps(1, s.tick),
    stepSize: formatSteps(1, s.lot),
  });
  app.get('/sapi/v1/margin/allPairs', read, async (request) => {
    BinanceParams.of(request).done();
    return listed.map((s, i) => pairJson(s, i + 1));
  });
  app.get('/sapi/v1/margin/pair', read, async (request) => {
    const p = BinanceParams.of(request);
    const s = requireSpotSymbol(symbols, p.required('symbol'));
    p.done();
    return pairJson(s, listed.indexOf(s) + 1);
  });
  app.get('/sapi/v1/margin/depth', read, async (request) => {
    const p = BinanceParams.of(request);
    const s = requireSpotSymbol(symbols, p.required('symbol'));
    const limit = p.integer('limit', 1_000) ?? 100;
    p.done();
    const depth = await client.spotDepth(s.pair.symbol, Math.max(1, limit));
    const level = ([t, l]: readonly [number, number]) => [price(s, t), qty(s, l)];
    const index = await client.spotIndexTicks(s.pair.symbol);
    return { symbol: s.symbol, indexPrice: index === null ? null : price(s, index), bids: (depth?.bids ?? []).map(level), asks: (depth?.asks ?? []).map(level) };
  });

  // --- orders -----------------------------------------------------------------------
  app.post('/sapi/v1/margin/order', trade, async (request) => {
    const p = BinanceParams.of(request);
    const s = requireSpotSymbol(symbols, p.required('symbol'));
    crossOnly(p);
    const side = p.oneOf('side', ['BUY', 'SELL'], 'INVALID_SIDE');
    if (side === undefined) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'side' was empty.");
    const type = p.oneOf('type', ['LIMIT', 'MARKET'], 'INVALID_ORDER_TYPE');
    if (type === undefined) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'type' was empty.");
    if (p.optional('quoteOrderQty') !== undefined) throw binanceError('INVALID_PARAMETER', "Parameter 'quoteOrderQty': give the quantity in the base asset.");
    const qtyLots = p.gridQtyLots('quantity', s.lot, s.pair.maxQtyLots);
    if (qtyLots === undefined) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'quantity' was empty.");
    const limitTicks = p.gridPriceTicks('price', s.tick, s.pair.maxPriceTicks);
    const tif = p.oneOf('timeInForce', ['GTC', 'IOC'], 'INVALID_TIF');
    const effect = p.oneOf('sideEffectType', ['NO_SIDE_EFFECT', 'MARGIN_BUY', 'AUTO_REPAY', 'AUTO_BORROW_REPAY']) ?? 'NO_SIDE_EFFECT';
    if (effect === 'AUTO_REPAY' || effect === 'AUTO_BORROW_REPAY') throw binanceError('INVALID_PARAMETER', `Parameter 'sideEffectType': ${effect} is not offered; repay through POST /sapi/v1/margin/borrow-repay.`);
    const clientOrderId = p.optional('newClientOrderId');
    if (clientOrderId !== undefined && !/^[.A-Z:/a-z0-9_-]{1,36}$/.test(clientOrderId)) throw binanceError('INVALID_PARAMETER', "Parameter 'newClientOrderId'.");
    const respType = p.oneOf('newOrderRespType', ['ACK', 'RESULT', 'FULL']) ?? 'FULL';
    // the spot book always expires the taker of a self-trade: the only mode offered
    p.oneOf('selfTradePreventionMode', ['EXPIRE_TAKER']);
    p.done();
    if (type === 'LIMIT' && limitTicks === undefined) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'price' was empty.");
    if (type === 'LIMIT' && tif === undefined) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'timeInForce' was empty.");
    if (type === 'MARKET' && (limitTicks !== undefined || tif !== undefined)) throw binanceError('PARAM_NOT_REQUIRED', 'A MARKET order takes no price and no timeInForce.');
    const accountId = callerAccount(request);
    if (clientOrderId !== undefined && (await client.spotOpenOrders(accountId)).some((o) => o.clientOrderId === clientOrderId)) {
      throw binanceError('NEW_ORDER_REJECTED', 'Duplicate order sent: an open order has this newClientOrderId.');
    }
    const orderSide = side === 'BUY' ? Side.Buy : Side.Sell;
    const priceTicks = limitTicks ?? (await marketLimitTicks(client, s, orderSide));
    const placed = ok(
      await client.spotPlaceOrder({
        accountId,
        symbol: s.pair.symbol,
        side: orderSide,
        priceTicks,
        qtyLots,
        immediateOrCancel: type === 'MARKET' || tif === 'IOC',
        autoBorrow: effect === 'MARGIN_BUY',
        ...(clientOrderId === undefined ? {} : { clientOrderId }),
      }),
    ).placement;
    request.log.info({ accountId, symbol: s.symbol, orderId: placed.orderId, status: placed.status }, 'margin: order placed');
    return placementJson(s, placed, { clientOrderId: clientIdOf(placed.orderId, clientOrderId ?? ''), type, tif: type === 'MARKET' ? 'GTC' : (tif as string), side, respType, transactTime: nsToMs(client.nowNs()), price: type === 'MARKET' ? '0' : price(s, priceTicks) });
  });

  /** The caller's open order of `s` that `name` names, if any. */
  const openOrderNamed = async (accountId: number, s: SpotSymbol, name: OrderName): Promise<SpotOpenOrder | undefined> =>
    (await client.spotOpenOrders(accountId)).find((o) => o.symbol === s.pair.symbol && namedBy(o, name));
  /** The caller's open order named by orderId or origClientOrderId (-2013 when none is open). */
  const openOrderOf = async (p: BinanceParams, accountId: number, s: SpotSymbol): Promise<SpotOpenOrder> => {
    const found = await openOrderNamed(accountId, s, requireNamed(orderNameOf(p)));
    if (found === undefined) throw binanceError('NO_SUCH_ORDER', 'No open order of this account matches (finished orders are not kept).');
    return found;
  };
  const canceledJson = (s: SpotSymbol, o: SpotOpenOrder) => {
    const { time: _time, updateTime: _updateTime, isWorking: _isWorking, stopPrice: _stopPrice, icebergQty: _icebergQty, ...rest } = openOrderJson(s, o);
    return { ...rest, origClientOrderId: rest.clientOrderId, status: 'CANCELED' };
  };

  app.delete('/sapi/v1/margin/order', trade, async (request) => {
    const p = BinanceParams.of(request);
    const s = requireSpotSymbol(symbols, p.required('symbol'));
    crossOnly(p);
    p.optional('newClientOrderId'); // Binance's id for the cancel itself: nothing to keep it for
    const accountId = callerAccount(request);
    const order = await openOrderOf(p, accountId, s);
    p.done();
    ok(await client.spotCancelOrder(accountId, order.orderId));
    request.log.info({ accountId, symbol: s.symbol, orderId: order.orderId }, 'margin: order cancelled');
    return canceledJson(s, order);
  });

  app.get('/sapi/v1/margin/order', read, async (request) => {
    const p = BinanceParams.of(request);
    const s = requireSpotSymbol(symbols, p.required('symbol'));
    crossOnly(p);
    const name = orderNameOf(p);
    p.done();
    requireNamed(name);
    const accountId = callerAccount(request);
    // open: the stage's own answer; finished: the retained history
    const open = await openOrderNamed(accountId, s, name);
    if (open !== undefined) return openOrderJson(s, open);
    const finished = spotHistory
      .orders(accountId, s.pair.symbol)
      .filter((o) => namedBy(o, name))
      .pop();
    if (finished === undefined) throw binanceError('NO_SUCH_ORDER', 'No order of this account matches (finished orders are kept for the last 1,000 per account).');
    return historyOrderJson(s, finished);
  });

  app.get('/sapi/v1/margin/allOrders', read, async (request) => {
    const p = BinanceParams.of(request);
    const s = requireSpotSymbol(symbols, p.required('symbol'));
    crossOnly(p);
    const fromId = p.integer('orderId');
    const window = timeWindow(p);
    const limit = p.integer('limit', 500) ?? 500;
    p.done();
    if (limit < 1) throw binanceError('INVALID_PARAMETER', "Parameter 'limit' must be 1..500.");
    const orders = spotHistory.orders(callerAccount(request), s.pair.symbol).filter((o) => o.orderId >= (fromId ?? 0) && window(nsToMs(o.placedTsNs)));
    // from an orderId: the first `limit` from it; otherwise the most recent `limit` (Binance)
    return (fromId === undefined ? orders.slice(Math.max(0, orders.length - limit)) : orders.slice(0, limit)).map((o) => historyOrderJson(s, o));
  });

  app.get('/sapi/v1/margin/myTrades', read, async (request) => {
    const p = BinanceParams.of(request);
    const s = requireSpotSymbol(symbols, p.required('symbol'));
    crossOnly(p);
    const orderId = p.integer('orderId');
    const fromId = p.integer('fromId');
    const window = timeWindow(p);
    const limit = p.integer('limit', 1000) ?? 500;
    p.done();
    if (limit < 1) throw binanceError('INVALID_PARAMETER', "Parameter 'limit' must be 1..1000.");
    const trades = spotHistory
      .trades(callerAccount(request), s.pair.symbol)
      .filter((t) => (orderId === undefined || t.orderId === orderId) && (fromId === undefined || t.tradeId >= fromId) && window(nsToMs(t.tsNs)));
    return (fromId === undefined ? trades.slice(Math.max(0, trades.length - limit)) : trades.slice(0, limit)).map((t) => tradeJson(s, t));
  });

  app.get('/sapi/v1/margin/interestHistory', read, async (request) => {
    const p = BinanceParams.of(request);
    const asset = p.optional('asset') === undefined ? undefined : assetOf(p, 'asset');
    if (p.optional('isolatedSymbol') !== undefined) throw binanceError('INVALID_PARAMETER', 'Isolated margin is not offered: cross margin only.');
    const window = timeWindow(p);
    const current = p.integer('current') ?? 1;
    const size = p.integer('size', 100) ?? 10;
    p.done();
    if (current < 1 || size < 1) throw binanceError('INVALID_PARAMETER', "Parameters 'current' and 'size' start at 1.");
    // newest first, in pages of `size` (Binance's shape: rows and the total that matched)
    const rows = spotHistory
      .interest(callerAccount(request))
      .filter((i) => (asset === undefined || i.asset === asset.asset) && window(nsToMs(i.tsNs)))
      .reverse();
    return { rows: rows.slice((current - 1) * size, current * size).map(interestJson), total: rows.length };
  });

  app.get('/sapi/v1/margin/openOrders', read, async (request) => {
    const p = BinanceParams.of(request);
    const symbol = p.optional('symbol');
    const only = symbol === undefined ? undefined : requireSpotSymbol(symbols, symbol);
    crossOnly(p);
    p.done();
    return (await client.spotOpenOrders(callerAccount(request)))
      .filter((o) => only === undefined || o.symbol === only.pair.symbol)
      .map((o) => openOrderJson(byPair.get(o.symbol)!, o));
  });

  app.delete('/sapi/v1/margin/openOrders', trade, async (request) => {
    const p = BinanceParams.of(request);
    const s = requireSpotSymbol(symbols, p.required('symbol'));
    crossOnly(p);
    p.done();
    const accountId = callerAccount(request);
    const open = (await client.spotOpenOrders(accountId)).filter((o) => o.symbol === s.pair.symbol);
    // one cancel per order of this pair: a cancel-all would also take the account's orders on other pairs
    for (const o of open) ok(await client.spotCancelOrder(accountId, o.orderId));
    request.log.info({ accountId, symbol: s.symbol, canceled: open.length }, 'margin: open orders cancelled');
    return open.map((o) => canceledJson(s, o));
  });
}

/** True when an order is the one `orderId` and / or `origClientOrderId` name (either may be absent, not both). */
/** What an open order (the stage's) and a retained finished one (the history's) both carry. */
type SpotOrderFigures = Pick<SpotOpenOrder, 'orderId' | 'clientOrderId' | 'priceTicks' | 'origLots' | 'filledLots' | 'filledQuoteUnits'>;

/** How a query or cancel names its order: `orderId`, `origClientOrderId`, or both (both must then match). */
interface OrderName {
  readonly orderId: number | undefined;
  readonly origClientOrderId: string | undefined;
}

function orderNameOf(p: BinanceParams): OrderName {
  return { orderId: p.integer('orderId'), origClientOrderId: p.optional('origClientOrderId') };
}

/** -1102 when the request names no order at all. */
function requireNamed(name: OrderName): OrderName {
  if (name.orderId === undefined && name.origClientOrderId === undefined) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'orderId' or 'origClientOrderId' was empty.");
  return name;
}

function namedBy(o: { orderId: number; clientOrderId: string }, { orderId, origClientOrderId }: OrderName): boolean {
  return (orderId === undefined || o.orderId === orderId) && (origClientOrderId === undefined || clientIdOf(o.orderId, o.clientOrderId) === origClientOrderId);
}

/** The client order id Binance would show: the client's own, or one derived from the order id (deterministic, so replays agree). */
function clientIdOf(orderId: number, clientOrderId: string): string {
  return clientOrderId === '' ? `perpcore-spot-${orderId}` : clientOrderId;
}

/** A MARKET order's limit: the index moved by the pair's protection band, outward, on the grid (-4000 before the first index). */
async function marketLimitTicks(client: ExchangeClient, s: SpotSymbol, side: Side): Promise<number> {
  const index = await client.spotIndexTicks(s.pair.symbol);
  if (index === null) throw binanceError('MARKET_CLOSED', 'No index price yet for this pair.');
  const band = BigInt(s.pair.priceBandE8);
  const i = BigInt(index);
  // a buy may pay up to index × (1 + band), rounded down (never past the band); a sell down to index × (1 − band), rounded up
  const ticks = side === Side.Buy ? (i * (E8 + band)) / E8 : (i * (E8 - band) + E8 - 1n) / E8;
  return Math.max(1, Math.min(Number(ticks), s.pair.maxPriceTicks));
}

interface PlacementShape {
  readonly clientOrderId: string;
  readonly type: 'LIMIT' | 'MARKET';
  readonly tif: string;
  readonly side: 'BUY' | 'SELL';
  readonly respType: 'ACK' | 'RESULT' | 'FULL';
  readonly transactTime: number;
  readonly price: string;
}

function placementJson(s: SpotSymbol, placed: SpotPlacement, shape: PlacementShape): Record<string, unknown> {
  const ack = { symbol: s.symbol, orderId: placed.orderId, clientOrderId: shape.clientOrderId, isIsolated: false, transactTime: shape.transactTime };
  if (shape.respType === 'ACK') return ack;
  const result = {
    ...ack,
    price: shape.price,
    origQty: formatSteps(placed.origLots, s.lot),
    executedQty: formatSteps(placed.filledLots, s.lot),
    cummulativeQuoteQty: formatScaled(placed.filledQuoteUnits, s.quote.decimals),
    status: placed.status,
    timeInForce: shape.tif,
    type: shape.type,
    side: shape.side,
    selfTradePreventionMode: 'EXPIRE_TAKER',
    ...(placed.borrowedUnits > 0 ? { marginBuyBorrowAmount: formatScaled(placed.borrowedUnits, placed.borrowedAsset === s.base.asset ? s.base.decimals : s.quote.decimals), marginBuyBorrowAsset: placed.borrowedAsset } : {}),
  };
  if (shape.respType === 'RESULT') return result;
  return {
    ...result,
    fills: placed.fills.map(([t, l]) => ({ price: formatSteps(t, s.tick), qty: formatSteps(l, s.lot), commission: '0', commissionAsset: s.quote.asset })),
  };
}

/** The account's balances and debts valued in the pairs' base coin (BTC), at the index: assets rounded down, debts up. */
async function btcTotals(s: SpotSymbol | undefined, client: ExchangeClient, assets: readonly SpotAssetReport[]): Promise<{ asset: string; liability: string; net: string }> {
  // the index the report valued the base at, when it has a base row: the totals and the three answers then agree
  const index = s === undefined ? null : (assets.find((a) => a.asset === s.base.asset)?.indexPriceTicks ?? (await client.spotIndexTicks(s.pair.symbol)));
  if (s === undefined || index === null || index <= 0) return { asset: '0', liability: '0', net: '0' };
  // base units of `units` of `asset`: the base itself, or quote units × base per lot / (index × quote per lot-tick)
  const inBase = (asset: string, units: number, up: boolean): bigint => {
    if (asset === s.base.asset) return BigInt(units);
    if (asset !== s.quote.asset) return 0n;
    const n = BigInt(units) * BigInt(s.pair.baseUnitsPerLot);
    const d = BigInt(index) * BigInt(s.pair.quoteUnitsPerLotTick);
    return up ? (n + d - 1n) / d : n / d;
  };
  let total = 0n;
  let liability = 0n;
  for (const a of assets) {
    total += inBase(a.asset, a.balanceUnits, false);
    liability += inBase(a.asset, a.debtUnits, true);
  }
  const d = s.base.decimals;
  return { asset: formatScaled(total, d), liability: formatScaled(liability, d), net: formatScaled(total - liability, d) };
}
