/**
 * End to end on `npm start`'s composition (startEmbeddedGateway, as main.ts runs
 * it): keys made through the operator API, then unmodified ccxt `binanceusdm`
 * over REST and ccxt.pro over WebSocket: markets → book → balance → limit → open
 * orders → amend → cancel → a crossing order from a second account → positions →
 * trades → a WebSocket book and the user-data stream (watchOrders sees the fill).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ccxt from 'ccxt';
import { EmbeddedExchange } from '@perpcore/exchange';
import { createLogger } from '@perpcore/observability';
import { type EmbeddedGateway, startEmbeddedGateway } from './embedded-gateway.js';
import { localBinanceUrls, unrefLongTimers } from './test-support/ccxt-urls.test-support.js';

const SYMBOL = 'BTC/USDT:USDT';
const TOKEN = 'e2e-operator-token-0123456789abcdef';

const options = { fetchCurrencies: false, adjustForTimeDifference: false, recvWindow: 10000, warnOnFetchOpenOrdersWithoutSymbol: false };

describe('npm start’s gateway end to end: operator API, ccxt over REST, ccxt.pro over WebSocket', { timeout: 120_000 }, () => {
  let exchange: EmbeddedExchange;
  let gw: EmbeddedGateway;
  let stepper: NodeJS.Timeout | undefined;
  let restoreTimers = () => undefined as void;
  before(async () => {
    restoreTimers = unrefLongTimers();
    exchange = await EmbeddedExchange.create({ logger: createLogger('test', 'silent'), seed: 41, scenario: { shockAtS: 0, crowdAccounts: 0 } });
    gw = await startEmbeddedGateway(exchange, { port: 0, logger: createLogger('test', 'silent'), env: { PERPCORE_ADMIN_TOKEN: TOKEN } });
    exchange.step(2_000); // the simulated makers quote (main steps between requests the same way)
  });
  after(async () => {
    clearInterval(stepper);
    await gw.server.close();
    await exchange.close();
    restoreTimers();
  });

  const admin = async (path: string, body: unknown) => {
    const r = await fetch(`${gw.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await r.json()) as Record<string, unknown>;
    assert.equal(r.status, 200, JSON.stringify(json));
    return json;
  };
  const trader = async () => {
    const { accountId } = (await admin('/v1/admin/accounts', {})) as { accountId: number };
    const key = (await admin('/v1/admin/api-keys', { accountId, permissions: ['read', 'trade'] })) as { apiKey: string; secretKey: string };
    await admin('/v1/admin/deposits', { accountId, asset: 'USDT', amount: '100000' });
    return { accountId, apiKey: key.apiKey, secret: key.secretKey };
  };

  it('trades the whole flow and streams the book and the fill', async () => {
    assert.equal(gw.admin.generated, undefined, 'the token came from PERPCORE_ADMIN_TOKEN');
    const a = await trader();
    const b = await trader();
    assert.ok(a.accountId >= 100_000 && b.accountId === a.accountId + 1);
    const alice = new ccxt.pro.binanceusdm({ apiKey: a.apiKey, secret: a.secret, urls: localBinanceUrls(gw.url), enableRateLimit: false, options: { ...options, watchBalance: { fetchBalanceSnapshot: false } } } as never);
    const bob = new ccxt.binanceusdm({ apiKey: b.apiKey, secret: b.secret, urls: localBinanceUrls(gw.url), enableRateLimit: false, options } as never);
    try {
      await alice.loadHttpProxyAgent(); // ccxt.pro's requirement for ws:// URLs
      const markets = await alice.loadMarkets();
      assert.equal(markets[SYMBOL]?.id, 'BTCUSDT');
      await bob.loadMarkets();
      const book = await alice.fetchOrderBook(SYMBOL, 20);
      const bestBid = book.bids[0]?.[0] as number;
      assert.ok(bestBid > 0 && (book.asks[0]?.[0] as number) > bestBid);
      const balance = (await alice.fetchBalance()) as unknown as { total: Record<string, number> };
      assert.equal(balance.total.USDT, 100_000);

      const price = Math.floor(bestBid * 0.97);
      const order = await alice.createOrder(SYMBOL, 'limit', 'buy', 0.01, price, { clientOrderId: 'e2e-1' });
      assert.deepEqual([order.status, order.clientOrderId], ['open', 'e2e-1']);
      assert.deepEqual((await alice.fetchOpenOrders(SYMBOL)).map((o) => o.id), [order.id]);
      const edited = await alice.editOrder(order.id as string, SYMBOL, 'limit', 'buy', 0.02, price + 1);
      assert.deepEqual([edited.price, edited.amount], [price + 1, 0.02]);
      assert.equal((await alice.cancelOrder(order.id as string, SYMBOL)).status, 'canceled');
      assert.deepEqual(await alice.fetchOpenOrders(SYMBOL), []);

      // the WebSocket book, while the simulated market keeps changing it
      stepper = setInterval(() => exchange.step(3), 15);
      let books = 0;
      const until = Date.now() + 2_000;
      while (Date.now() < until) {
        const ob = await alice.watchOrderBook(SYMBOL);
        assert.ok(ob.bids.length > 0 && ob.asks.length > 0);
        books++;
      }
      clearInterval(stepper);
      assert.ok(books > 3, `book updates (${books})`);

      // the user-data stream is attached before alice's order rests
      const firstWatch = alice.watchOrders(SYMBOL);
      const deadline = Date.now() + 10_000;
      while (gw.server.hub.listenKeys.keyOf(a.accountId) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 500)); // its session connects after the key is made

      const now = await alice.fetchOrderBook(SYMBOL, 5);
      const makerPrice = Number(alice.priceToPrecision(SYMBOL, (now.bids[0]?.[0] as number) + 0.1));
      assert.ok(makerPrice < (now.asks[0]?.[0] as number), 'the simulated spread is wider than one tick');
      const resting = await alice.createOrder(SYMBOL, 'limit', 'sell', 0.003, makerPrice, { postOnly: true });
      assert.equal(resting.status, 'open');
      const taker = await bob.createOrder(SYMBOL, 'limit', 'buy', 0.003, makerPrice, { timeInForce: 'IOC' });
      assert.deepEqual([taker.status, taker.filled], ['closed', 0.003]);

      let seen = await firstWatch;
      while (!seen.some((o) => o.id === resting.id && o.filled === 0.003)) seen = await alice.watchOrders(SYMBOL);
      const filled = seen.find((o) => o.id === resting.id);
      assert.deepEqual([filled?.status, filled?.price], ['closed', makerPrice]);

      const aliceShort = (await alice.fetchPositions([SYMBOL])).find((p) => p.symbol === SYMBOL);
      const bobLong = (await bob.fetchPositions([SYMBOL])).find((p) => p.symbol === SYMBOL);
      assert.deepEqual([aliceShort?.side, aliceShort?.contracts], ['short', 0.003]);
      assert.deepEqual([bobLong?.side, bobLong?.contracts], ['long', 0.003]);
      const trades = await bob.fetchMyTrades(SYMBOL);
      assert.deepEqual([trades.at(-1)?.order, trades.at(-1)?.price, trades.at(-1)?.takerOrMaker], [taker.id, makerPrice, 'taker']);
    } finally {
      await alice.close();
    }
  });
});
