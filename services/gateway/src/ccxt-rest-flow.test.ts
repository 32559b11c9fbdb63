/**
 * Unmodified ccxt `binanceusdm` (npm ccxt 4.5.84) driving a whole trading flow over
 * real HTTP against the gateway on the embedded core, configured as in
 * BINANCE-COMPAT.md §1: markets → book → balance → limit order → open orders →
 * amend → cancel → a crossing order from a second account → positions → trades.
 * Every URL group is pinned to the local server, so a stray call fails locally.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ccxt from 'ccxt';
import { startTestGateway, type TestGateway, type TestKey } from './gateway-test-server.test-support.js';
import { localBinanceUrls } from './test-support/ccxt-urls.test-support.js';

function binanceusdm(base: string, key: TestKey) {
  return new ccxt.binanceusdm({
    apiKey: key.apiKey,
    secret: key.secret,
    urls: localBinanceUrls(base),
    enableRateLimit: false,
    options: { fetchCurrencies: false, adjustForTimeDifference: false, recvWindow: 10000, fetchOpenOrders: { warnWithoutSymbol: false }, warnOnFetchOpenOrdersWithoutSymbol: false },
  });
}

describe('ccxt binanceusdm against the gateway (REST flow, embedded mode)', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway(23);
    gw.exchange.step(2_000); // the simulated makers quote
  });
  after(async () => gw.close());

  it('markets → book → balance → limit → open orders → amend → cancel → cross → positions → trades', async () => {
    const alice = binanceusdm(gw.base, gw.keys.a);
    const bob = binanceusdm(gw.base, gw.keys.b);
    const symbol = 'BTC/USDT:USDT';

    const markets = await alice.loadMarkets();
    assert.equal(markets[symbol]?.id, 'BTCUSDT');
    assert.equal(markets[symbol]?.precision.price, 0.1);
    await bob.loadMarkets();

    const book = await alice.fetchOrderBook(symbol, 50);
    assert.ok(book.bids.length > 0 && book.asks.length > 0, 'the simulated makers quote');
    const bestBid = book.bids[0]?.[0] as number;

    const balance = await alice.fetchBalance();
    assert.equal((balance.total as unknown as Record<string, number>).USDT, 1_000_000);
    assert.equal((balance.free as unknown as Record<string, number>).USDT, 1_000_000);

    // rests below the best bid, inside the 5% PERCENT_PRICE band around mark
    const price = Math.floor(bestBid * 0.97);
    const order = await alice.createOrder(symbol, 'limit', 'buy', 0.01, price, { clientOrderId: 'ccxt-flow-1' });
    assert.deepEqual([order.status, order.clientOrderId, order.price, order.amount, order.filled], ['open', 'ccxt-flow-1', price, 0.01, 0]);

    const open = await alice.fetchOpenOrders(symbol);
    assert.deepEqual(open.map((o) => o.id), [order.id]);

    const edited = await alice.editOrder(order.id as string, symbol, 'limit', 'buy', 0.02, price + 1);
    assert.deepEqual([edited.id, edited.price, edited.amount], [order.id, price + 1, 0.02]);

    const canceled = await alice.cancelOrder(order.id as string, symbol);
    assert.equal(canceled.status, 'canceled');
    assert.deepEqual(await alice.fetchOpenOrders(symbol), []);

    // a crossing pair between the two accounts inside the simulated spread: alice's post-only sell
    // becomes the best ask, so bob's IOC buy at that price meets only her
    const now = await alice.fetchOrderBook(symbol, 5);
    const makerPrice = Number(alice.priceToPrecision(symbol, (now.bids[0]?.[0] as number) + 0.1));
    assert.ok(makerPrice < (now.asks[0]?.[0] as number), 'the simulated spread is wider than one tick');
    const resting = await alice.createOrder(symbol, 'limit', 'sell', 0.003, makerPrice, { postOnly: true });
    assert.equal(resting.status, 'open');
    const taker = await bob.createOrder(symbol, 'limit', 'buy', 0.003, makerPrice, { timeInForce: 'IOC' });
    assert.deepEqual([taker.status, taker.filled, taker.average], ['closed', 0.003, makerPrice]);

    const aliceShort = (await alice.fetchPositions([symbol])).find((p) => p.symbol === symbol);
    const bobLong = (await bob.fetchPositions([symbol])).find((p) => p.symbol === symbol);
    assert.deepEqual([aliceShort?.side, aliceShort?.contracts, aliceShort?.entryPrice], ['short', 0.003, makerPrice]);
    assert.deepEqual([bobLong?.side, bobLong?.contracts, bobLong?.entryPrice], ['long', 0.003, makerPrice]);

    const bobTrades = await bob.fetchMyTrades(symbol);
    const t = bobTrades.at(-1);
    assert.deepEqual([t?.order, t?.side, t?.price, t?.amount, t?.takerOrMaker, t?.fee?.currency], [taker.id, 'buy', makerPrice, 0.003, 'taker', 'USDT']);
    assert.ok((t?.fee?.cost ?? 0) > 0);
    const aliceTrades = await alice.fetchMyTrades(symbol);
    assert.deepEqual([aliceTrades.at(-1)?.order, aliceTrades.at(-1)?.takerOrMaker], [resting.id, 'maker']);
  });

  it('surfaces the gateway’s refusals as ccxt’s exception classes', async () => {
    const poor = binanceusdm(gw.base, gw.keys.poor);
    await poor.loadMarkets();
    const bid = (await poor.fetchOrderBook('BTC/USDT:USDT', 5)).bids[0]?.[0] as number;
    await assert.rejects(poor.createOrder('BTC/USDT:USDT', 'limit', 'buy', 5, Math.floor(bid * 0.99)), ccxt.InsufficientFunds);
    // the PERCENT_PRICE filter (5% around mark) is refused before the core sees the order
    await assert.rejects(poor.createOrder('BTC/USDT:USDT', 'limit', 'buy', 0.001, Math.floor(bid * 0.5)), ccxt.BadRequest);
    await assert.rejects(poor.cancelOrder('4503599627370497', 'BTC/USDT:USDT'), ccxt.OrderNotFound);
    await assert.rejects(poor.setMarginMode('cross', 'BTC/USDT:USDT'), ccxt.MarginModeAlreadySet);
    const wrong = binanceusdm(gw.base, { ...gw.keys.poor, secret: 'wrong' });
    wrong.markets = poor.markets;
    await assert.rejects(wrong.fetchBalance(), ccxt.AuthenticationError);
  });
});
