import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { Side } from '@perpcore/domain';
import { fastFunding, openCoreDriver, type CoreDriver } from '../test-support/core-driver.test-support.js';
import { getJson } from '../test-support/http.test-support.js';
import type { MarketState } from './market-state.js';
import { publicMarketRoutes } from './public-routes.js';
import { publicRouteWeights } from './route-weights.js';

describe('public market-data REST (real HTTP over a real embedded core)', () => {
  let core: CoreDriver;
  let app: FastifyInstance;
  let base = '';
  before(async () => {
    core = await openCoreDriver({ seed: 11, riskOverrides: fastFunding });
    app = Fastify();
    await app.register(publicMarketRoutes, { model: core.model, venue: core.venue, nowMs: () => Date.now() });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    core.exchange.step(1_200); // 24 s of simulated order flow: two funding settlements
  });
  after(async () => {
    await app.close();
    await core.close();
  });
  const btc = () => core.model.market('BTCUSDT') as MarketState;

  it('ping, time and exchangeInfo with the filters and fields ccxt reads', async () => {
    assert.deepEqual((await getJson(base, '/fapi/v1/ping')).body, {});
    const t = (await getJson(base, '/fapi/v1/time')).body as { serverTime: number };
    assert.ok(Math.abs(t.serverTime - Date.now()) < 5_000);
    const info = (await getJson(base, '/fapi/v1/exchangeInfo')).body as { symbols: Record<string, unknown>[]; rateLimits: unknown[] };
    const s = info.symbols.find((x) => x.symbol === 'BTCUSDT') as Record<string, unknown>;
    assert.equal(s.contractType, 'PERPETUAL');
    assert.equal(s.status, 'TRADING');
    assert.equal(s.marginAsset, 'USDT');
    assert.equal(s.pricePrecision, 1);
    assert.equal(s.quantityPrecision, 3);
    assert.ok((s.orderTypes as string[]).includes('STOP_MARKET'));
    const filters: Record<string, Record<string, unknown>> = Object.fromEntries((s.filters as Record<string, unknown>[]).map((f) => [String(f.filterType), f]));
    assert.deepEqual(filters.PRICE_FILTER, { filterType: 'PRICE_FILTER', minPrice: '0.1', maxPrice: '1000000', tickSize: '0.1' });
    assert.deepEqual(filters.LOT_SIZE, { filterType: 'LOT_SIZE', minQty: '0.001', maxQty: '1000', stepSize: '0.001' });
    assert.equal(filters.MARKET_LOT_SIZE.maxQty, '1000');
    assert.deepEqual(filters.MIN_NOTIONAL, { filterType: 'MIN_NOTIONAL', notional: '5' });
    assert.deepEqual(filters.PERCENT_PRICE, { filterType: 'PERCENT_PRICE', multiplierUp: '1.05', multiplierDown: '0.95', multiplierDecimal: '8' });
    assert.equal(filters.MAX_NUM_ORDERS.limit, 200);
    assert.equal(info.rateLimits.length, 3);
  });

  it('depth is the read model book, in decimals, with lastUpdateId from the matching stream', async () => {
    const d = (await getJson(base, '/fapi/v1/depth?symbol=BTCUSDT&limit=5')).body as { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] };
    assert.equal(d.lastUpdateId, btc().lastUpdateId);
    assert.equal(d.bids.length, 5);
    const book = core.exchange.matching.engine.book('BTCUSDT');
    const top: [string, string][] = [];
    book?.forEachLevel(Side.Buy, 5, (p, q) => void top.push([(p / 10).toString(), (q / 1000).toString()]));
    assert.deepEqual(d.bids, top);
    assert.ok(Number(d.bids[0][0]) < Number(d.asks[0][0]));
    const full = (await getJson(base, '/fapi/v1/depth?symbol=BTCUSDT')).body as { bids: unknown[] };
    assert.equal(full.bids.length, Math.min(500, btc().book.levelCount(Side.Buy)));
  });

  it('trades, aggTrades, tickers and the book ticker agree with each other', async () => {
    const trades = (await getJson(base, '/fapi/v1/trades?symbol=BTCUSDT&limit=1000')).body as { id: number; price: string; qty: string; quoteQty: string; isBuyerMaker: boolean }[];
    assert.ok(trades.length > 0, 'the simulation traded');
    for (let i = 1; i < trades.length; i++) assert.equal(trades[i].id, trades[i - 1].id + 1);
    const aggs = (await getJson(base, '/fapi/v1/aggTrades?symbol=BTCUSDT&limit=1000')).body as { a: number; q: string; f: number; l: number }[];
    assert.equal(aggs.at(-1)?.l, trades.at(-1)?.id);
    assert.ok(!('M' in (aggs[0] as object)));
    const lastAgg = aggs.at(-1) as { q: string; f: number; l: number };
    const sumLots = trades.filter((t) => t.id >= lastAgg.f && t.id <= lastAgg.l).reduce((s, t) => s + Math.round(Number(t.qty) * 1000), 0);
    assert.equal(Math.round(Number(lastAgg.q) * 1000), sumLots);
    const fromId = (await getJson(base, `/fapi/v1/aggTrades?symbol=BTCUSDT&fromId=${lastAgg.f === aggs[0].f ? aggs[0].a : aggs[1].a}&limit=2`)).body as { a: number }[];
    assert.equal(fromId.length, 2);
    const t24 = (await getJson(base, '/fapi/v1/ticker/24hr?symbol=BTCUSDT')).body as Record<string, string | number>;
    assert.equal(t24.lastPrice, trades.at(-1)?.price);
    assert.equal(t24.count, btc().ticker.stats(btc().lastEventMs).count);
    assert.match(String(t24.quoteVolume), /^\d+(\.\d+)?$/);
    const all = (await getJson(base, '/fapi/v1/ticker/24hr')).body as unknown[];
    assert.equal(all.length, 2);
    const price = (await getJson(base, '/fapi/v1/ticker/price?symbol=BTCUSDT')).body as { price: string };
    assert.equal(price.price, trades.at(-1)?.price);
    const bt = (await getJson(base, '/fapi/v1/ticker/bookTicker?symbol=BTCUSDT')).body as { bidPrice: string; askPrice: string };
    const d = (await getJson(base, '/fapi/v1/depth?symbol=BTCUSDT&limit=5')).body as { bids: [string, string][]; asks: [string, string][] };
    assert.equal(bt.bidPrice, d.bids[0][0]);
    assert.equal(bt.askPrice, d.asks[0][0]);
  });

  it('premiumIndex and fundingRate from the risk stage’s mark and funding events', async () => {
    const p = (await getJson(base, '/fapi/v1/premiumIndex?symbol=BTCUSDT')).body as Record<string, string | number>;
    assert.notEqual(p.markPrice, '0');
    assert.notEqual(p.indexPrice, '0');
    assert.equal(p.markPrice, p.estimatedSettlePrice);
    assert.ok(Number(p.nextFundingTime) > btc().fundingHistory.last()!.fundingTimeMs);
    assert.equal(p.interestRate, '0.0001');
    const rows = (await getJson(base, '/fapi/v1/fundingRate?symbol=BTCUSDT')).body as { fundingTime: number; fundingRate: string; markPrice: string }[];
    assert.ok(rows.length >= 2, `funding settled (${rows.length})`);
    assert.equal(rows[1].fundingTime - rows[0].fundingTime, 10_000);
    const limited = (await getJson(base, `/fapi/v1/fundingRate?symbol=BTCUSDT&startTime=${rows[0].fundingTime}&limit=1`)).body as unknown[];
    assert.deepEqual(limited, [rows[0]]);
  });

  it('refuses bad input with Binance codes and changes nothing', async () => {
    const before = btc().lastUpdateId;
    const cases: [string, number, number][] = [
      ['/fapi/v1/depth?symbol=DOGEUSDT', 400, -1121],
      ['/fapi/v1/depth?symbol=btcusdt', 400, -1121],
      ['/fapi/v1/depth', 400, -1102],
      ['/fapi/v1/depth?symbol=BTCUSDT&limit=7', 400, -1130],
      ['/fapi/v1/depth?symbol=BTCUSDT&limit=-5', 400, -1100],
      ['/fapi/v1/depth?symbol=BTCUSDT&limit=', 400, -1102],
      ['/fapi/v1/depth?symbol=BTCUSDT&symbol=ETHUSDT', 400, -1102],
      ['/fapi/v1/depth?symbol=BTCUSDT&foo=1', 400, -1104],
      ['/fapi/v1/trades?symbol=BTCUSDT&limit=1001', 400, -1130],
      ['/fapi/v1/aggTrades?symbol=BTCUSDT&startTime=0&endTime=3600001', 400, -1130],
      ['/fapi/v1/aggTrades?symbol=BTCUSDT&fromId=1e3', 400, -1100],
      ['/fapi/v1/ticker/24hr?symbol=', 400, -1102],
      ['/fapi/v1/premiumIndex?symbol=X', 400, -1121],
    ];
    for (const [path, status, code] of cases) {
      const r = await getJson(base, path);
      assert.equal(r.status, status, path);
      assert.equal((r.body as { code: number }).code, code, path);
    }
    assert.equal(btc().lastUpdateId, before);
  });

  it('declares request weights per route as data', () => {
    assert.equal(publicRouteWeights['/fapi/v1/depth']({ limit: '1000' }), 20);
    assert.equal(publicRouteWeights['/fapi/v1/depth']({}), 10);
    assert.equal(publicRouteWeights['/fapi/v1/ticker/24hr']({}), 40);
    const route = app.printRoutes({ includeHooks: false });
    assert.match(route, /depth/);
  });
});
