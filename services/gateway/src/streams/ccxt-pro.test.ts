/**
 * Unmodified ccxt.pro `binanceusdm` (configured as BINANCE-COMPAT §1) against the
 * market-data REST, the WebSocket streams and the listenKey routes, over a real
 * embedded core whose simulated makers and takers keep changing the book.
 *
 * Until gw-trading's positionRisk exists, `watchPositions.fetchPositionsSnapshot` is
 * off (the first private watch would call it) and the user events are published
 * through the hub's `publishToAccount`, in the shapes gw-trading will send.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ccxt from 'ccxt';
import { Side } from '@perpcore/domain';
import { openStreamsServer, testApiKey, type StreamsServer } from '../test-support/gateway-streams-server.test-support.js';
import { settle } from '../test-support/ws-client.test-support.js';
import { localBinanceUrls } from '../test-support/ccxt-urls.test-support.js';
import { systemStreamClock } from './stream-clock.js';

const SYMBOL = 'BTC/USDT:USDT';
const ACCOUNT = 61;

function clientOptions(http: string): Record<string, unknown> {
  return {
    apiKey: testApiKey(ACCOUNT),
    secret: 'not-checked-by-the-stand-in',
    urls: localBinanceUrls(http),
    options: {
      fetchCurrencies: false,
      adjustForTimeDifference: false,
      watchPositions: { fetchPositionsSnapshot: false },
      watchBalance: { fetchBalanceSnapshot: false },
    },
  };
}

/** Calls `poke` every 100 ms until `watch` resolves (at most 20 s). */
async function untilResolved<T>(watch: Promise<T>, poke: () => void): Promise<T> {
  let settled = false;
  const timer = setInterval(() => settled || poke(), 100);
  try {
    return await Promise.race([watch, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('watch did not resolve within 20 s')), 20_000).unref())]);
  } finally {
    settled = true;
    clearInterval(timer);
  }
}

describe('ccxt.pro binanceusdm against the market-data REST and WebSocket streams', { timeout: 120_000 }, () => {
  let s: StreamsServer;
  let pro: InstanceType<typeof ccxt.pro.binanceusdm>;
  let stepper: NodeJS.Timeout | undefined;
  const startFlow = () => {
    stepper = setInterval(() => s.core.exchange.step(3), 15);
  };
  const stopFlow = () => clearInterval(stepper);

  // ccxt arms its listenKey keepalive (PUT every 20 min) with a plain setTimeout that
  // close() does not clear, which would keep this test process alive for 20 minutes:
  // long timers armed during this suite are unref'd (the client itself is unmodified)
  const realSetTimeout = globalThis.setTimeout;
  before(async () => {
    globalThis.setTimeout = ((fn: () => void, ms?: number, ...args: unknown[]) => {
      const timer = realSetTimeout(fn, ms, ...(args as []));
      if ((ms ?? 0) >= 60_000) timer.unref();
      return timer;
    }) as typeof setTimeout;
    s = await openStreamsServer({ seed: 9, clock: systemStreamClock });
    s.core.exchange.step(300);
    pro = new ccxt.pro.binanceusdm(clientOptions(s.http) as never);
    await pro.loadHttpProxyAgent();
  });
  after(async () => {
    stopFlow();
    await pro.close();
    await s.close();
    globalThis.setTimeout = realSetTimeout;
  });

  it('loads markets and reads the book, trades, ticker and funding through REST', async () => {
    const markets = await pro.loadMarkets();
    const btc = markets[SYMBOL];
    assert.ok(btc, 'BTC/USDT:USDT listed');
    assert.equal(btc.swap, true);
    assert.equal(btc.linear, true);
    assert.equal(btc.precision.price, 0.1);
    assert.equal(btc.limits.cost?.min, 5);
    const book = await pro.fetchOrderBook(SYMBOL, 5);
    assert.equal(book.bids.length, 5);
    assert.ok((book.bids[0][0] as number) < (book.asks[0][0] as number));
    const trades = await pro.fetchTrades(SYMBOL, undefined, 20);
    assert.ok(trades.length > 0);
    const ticker = await pro.fetchTicker(SYMBOL);
    assert.equal(ticker.last, trades.at(-1)?.price);
    const funding = await pro.fetchFundingRate(SYMBOL);
    assert.ok((funding.markPrice ?? 0) > 0);
    assert.ok((funding.indexPrice ?? 0) > 0);
  });

  it('watchOrderBook stays in sync with the core book while orders change it (no ChecksumError)', async () => {
    startFlow();
    let updates = 0;
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      await untilResolved(pro.watchOrderBook(SYMBOL), () => undefined);
      updates++;
    }
    stopFlow();
    await settle(400); // the last 100 ms diff is out and applied
    const ob = pro.orderbooks[SYMBOL];
    const core = s.core.exchange.matching.engine.book('BTCUSDT');
    const levels = (side: Side) => {
      const out: number[][] = [];
      core?.forEachLevel(side, 50, (p, q) => void out.push([p / 10, q / 1000]));
      return out;
    };
    assert.ok(updates > 5, `order book updates (${updates})`);
    assert.deepEqual(Array.from(ob.bids.slice(0, 50), ([p, q]) => [p, q]), levels(Side.Buy));
    assert.deepEqual(Array.from(ob.asks.slice(0, 50), ([p, q]) => [p, q]), levels(Side.Sell));
    assert.equal(ob.nonce, s.core.model.market('BTCUSDT')?.lastUpdateId);
  });

  it('watchTrades, watchTicker (miniTicker) and watchMarkPrice', async () => {
    startFlow();
    try {
      const none = () => undefined;
      const trades = await untilResolved(pro.watchTrades(SYMBOL), none);
      assert.ok(trades.length > 0 && (trades[0].price ?? 0) > 0);
      const ticker = await untilResolved(pro.watchTicker(SYMBOL), none);
      assert.ok((ticker.last ?? 0) > 0);
      const mark = await untilResolved(pro.watchMarkPrice(SYMBOL), none);
      assert.ok((mark.markPrice ?? 0) > 0);
    } finally {
      stopFlow();
    }
  });

  it('the user-data stream: watchOrders and watchBalance receive what is published to the account', async () => {
    const order = () => {
      const now = Date.now();
      return {
        e: 'ORDER_TRADE_UPDATE', E: now, T: now,
        o: { s: 'BTCUSDT', c: 'my-1', S: 'BUY', o: 'LIMIT', f: 'GTC', q: '0.010', p: '30000', ap: '0', sp: '0', x: 'NEW', X: 'NEW', i: 77, l: '0', z: '0', L: '0', n: '0', N: 'USDT', T: now, t: 0, m: false, R: false, ps: 'BOTH' },
      };
    };
    // ccxt posts the listenKey, then connects /private/ws?listenKey=…; until its session is
    // attached a published event reaches nobody, so publish until the watch resolves
    const got = await untilResolved(pro.watchOrders(SYMBOL), () => s.hub.publishToAccount(ACCOUNT, order()));
    assert.equal(got[0].id, '77');
    assert.equal(got[0].clientOrderId, 'my-1');
    assert.equal(got[0].status, 'open');
    const update = () => ({ e: 'ACCOUNT_UPDATE', E: Date.now(), T: Date.now(), a: { m: 'DEPOSIT', B: [{ a: 'USDT', wb: '1000', cw: '1000', bc: '0' }], P: [] } });
    const b = await untilResolved(pro.watchBalance(), () => s.hub.publishToAccount(ACCOUNT, update()));
    assert.equal(b.USDT?.total, 1000);
  });
});
