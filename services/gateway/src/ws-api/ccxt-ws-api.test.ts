/**
 * Unmodified ccxt.pro `binanceusdm` (npm ccxt 4.5.84) trading over the gateway's
 * WebSocket API (its `ws-api` URL pinned to /ws-fapi/v1, BINANCE-COMPAT §1):
 * createOrderWs → fetchOrderWs → editOrderWs → cancelOrderWs, fetchBalanceWs,
 * fetchPositionsWs, a crossing order from a second account, and a refusal
 * surfacing as ccxt's exception class.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ccxt from 'ccxt';
import { startTestGateway, type TestGateway, type TestKey } from '../gateway-test-server.test-support.js';
import { localBinanceUrls, unrefLongTimers } from '../test-support/ccxt-urls.test-support.js';

const SYMBOL = 'BTC/USDT:USDT';

function binanceusdmPro(base: string, key: TestKey) {
  return new ccxt.pro.binanceusdm({
    apiKey: key.apiKey,
    secret: key.secret,
    urls: localBinanceUrls(base),
    enableRateLimit: false,
    options: { fetchCurrencies: false, adjustForTimeDifference: false, recvWindow: 10000 },
  });
}

describe('ccxt.pro binanceusdm over the WebSocket API (embedded gateway)', () => {
  let gw: TestGateway;
  let restore: () => void;
  before(async () => {
    restore = unrefLongTimers();
    gw = await startTestGateway(37);
    gw.exchange.step(2_000);
  });
  after(async () => {
    await gw.close();
    restore();
  });

  it('createOrderWs → fetchOrderWs → editOrderWs → cancelOrderWs, balance, positions, a cross', async () => {
    const alice = binanceusdmPro(gw.base, gw.keys.a);
    const bob = binanceusdmPro(gw.base, gw.keys.b);
    try {
      // ccxt needs its http agent loaded before it opens a plain ws:// socket
      for (const c of [alice, bob]) {
        await c.loadHttpProxyAgent();
        await c.loadMarkets();
      }
      const book = await alice.fetchOrderBook(SYMBOL, 5);
      const price = Math.floor((book.bids[0]?.[0] as number) * 0.97);
      // createOrderWs forwards its params verbatim next to the mapped ones, so the unified
      // `clientOrderId` / `postOnly` would arrive as unknown parameters (-1104, as over REST):
      // the Binance names go instead
      const order = await alice.createOrderWs(SYMBOL, 'limit', 'buy', 0.01, price, { newClientOrderId: 'ccxt-ws-1' });
      assert.deepEqual([order.status, order.clientOrderId, order.price, order.amount, order.filled], ['open', 'ccxt-ws-1', price, 0.01, 0]);
      const fetched = await alice.fetchOrderWs(order.id as string, SYMBOL);
      assert.deepEqual([fetched.id, fetched.status], [order.id, 'open']);
      const edited = await alice.editOrderWs(order.id as string, SYMBOL, 'limit', 'buy', 0.02, price + 1);
      assert.deepEqual([edited.id, edited.price, edited.amount], [order.id, price + 1, 0.02]);
      const canceled = await alice.cancelOrderWs(order.id as string, SYMBOL);
      assert.equal(canceled.status, 'canceled');

      const balance = await alice.fetchBalanceWs();
      assert.equal((balance.total as unknown as Record<string, number>).USDT, 1_000_000);

      const now = await alice.fetchOrderBook(SYMBOL, 5);
      const makerPrice = Number(alice.priceToPrecision(SYMBOL, (now.bids[0]?.[0] as number) + 0.1));
      const resting = await alice.createOrderWs(SYMBOL, 'limit', 'sell', 0.003, makerPrice, { timeInForce: 'GTX' });
      assert.equal(resting.status, 'open');
      const taker = await bob.createOrderWs(SYMBOL, 'limit', 'buy', 0.003, makerPrice, { timeInForce: 'IOC', newOrderRespType: 'RESULT' });
      assert.deepEqual([taker.status, taker.filled], ['closed', 0.003]);
      const bobLong = (await bob.fetchPositionsWs([SYMBOL])).find((p) => p.symbol === SYMBOL);
      assert.deepEqual([bobLong?.side, bobLong?.contracts], ['long', 0.003]);

      const wrong = binanceusdmPro(gw.base, { ...gw.keys.a, secret: 'wrong' });
      wrong.markets = alice.markets;
      wrong.marketsById = alice.marketsById;
      await wrong.loadHttpProxyAgent();
      try {
        await assert.rejects(wrong.createOrderWs(SYMBOL, 'limit', 'buy', 0.001, price), ccxt.AuthenticationError);
      } finally {
        await wrong.close();
      }
    } finally {
      await alice.close();
      await bob.close();
    }
  });
});
