/**
 * `npm start --data-dir D --snapshot-every N` with the gateway, restarted from a
 * snapshot (real HTTP on loopback, the entry point's own composition): what a
 * Binance client saw before the snapshot is still there after the restart, and
 * it behaves as if the process had never stopped. All orders but one are placed
 * before the snapshot, so a gateway whose read models only see the events after
 * the snapshot (the journal tail) knows none of them; the one in the tail must come
 * back with its client order id, which the core's events do not carry.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { closeEmbeddedCore, snapshotIfDue } from '@perpcore/exchange';
import { encodeValue } from '@perpcore/snapshot';
import { signed, type TestKey } from './gateway-test-server.test-support.js';
import { startNpmGateway, type NpmGateway } from './test-support/npm-gateway.test-support.js';

const TOKEN = 'snapshot-restart-operator-token';
const SYMBOL = 'BTCUSDT';
const dirs: string[] = [];
const running: NpmGateway[] = [];

async function start(dir: string): Promise<NpmGateway> {
  const g = await startNpmGateway(dir, TOKEN);
  running.push(g);
  return g;
}

async function stop(g: NpmGateway): Promise<void> {
  running.splice(running.indexOf(g), 1);
  await g.gateway.close();
  await closeEmbeddedCore(g.core);
}

async function admin(base: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const r = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await r.json()) as Record<string, unknown>;
  assert.equal(r.status, 200, `${path}: ${JSON.stringify(json)}`);
  return json;
}

/** An account with a trading key and `usdt` deposited, made through the operator API (journaled in DIR/registry). */
async function trader(base: string, usdt: string): Promise<TestKey> {
  const accountId = Number((await admin(base, '/v1/admin/accounts', {})).accountId);
  const key = await admin(base, '/v1/admin/api-keys', { accountId, permissions: ['read', 'trade'] });
  await admin(base, '/v1/admin/deposits', { accountId, asset: 'USDT', amount: usdt });
  return { apiKey: String(key.apiKey), secret: String(key.secretKey), accountId };
}

async function publicGet(base: string, path: string): Promise<any> {
  const r = await fetch(`${base}${path}`);
  assert.equal(r.status, 200, path);
  return r.json();
}

async function ok(base: string, key: TestKey, method: string, path: string, params: Record<string, string> = {}): Promise<any> {
  const r = await signed(base, key, method, path, params);
  assert.equal(r.status, 200, `${method} ${path} ${JSON.stringify(params)}: ${JSON.stringify(r.body)}`);
  return r.body;
}

function limit(side: 'BUY' | 'SELL', quantity: string, price: number, newClientOrderId: string): Record<string, string> {
  return { symbol: SYMBOL, side, type: 'LIMIT', timeInForce: 'GTC', quantity, price: String(price), newClientOrderId, newOrderRespType: 'RESULT' };
}

/** What a Binance client reads of one account and the market: compared before and after the restart. */
async function views(base: string, key: TestKey) {
  const depth = await publicGet(base, `/fapi/v1/depth?symbol=${SYMBOL}&limit=20`);
  const ticker = await publicGet(base, `/fapi/v1/ticker/24hr?symbol=${SYMBOL}`);
  return {
    openOrders: await ok(base, key, 'GET', '/fapi/v1/openOrders', { symbol: SYMBOL }),
    allOrders: await ok(base, key, 'GET', '/fapi/v1/allOrders', { symbol: SYMBOL }),
    userTrades: await ok(base, key, 'GET', '/fapi/v1/userTrades', { symbol: SYMBOL }),
    trades: await publicGet(base, `/fapi/v1/trades?symbol=${SYMBOL}`),
    aggTrades: await publicGet(base, `/fapi/v1/aggTrades?symbol=${SYMBOL}`),
    depth: { lastUpdateId: depth.lastUpdateId, bids: depth.bids, asks: depth.asks },
    ticker: { count: ticker.count, volume: ticker.volume, lastPrice: ticker.lastPrice, firstId: ticker.firstId, lastId: ticker.lastId },
  };
}

/** The order read model and the id allocator of a captured gateway section (gateway-snapshot-section.ts), encoded. */
function readModelBytes(section: unknown): Uint8Array {
  const fields = (section as [number, [string, unknown][]])[1];
  return encodeValue(fields.filter(([name]) => name === 'orders' || name === 'ids'));
}

describe("npm start's gateway restarted from a snapshot", () => {
  after(async () => {
    for (const g of [...running]) await stop(g);
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every order, trade, client order id and the public market data from before the snapshot, and continues from them', async () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'gateway-snapshot-'));
    dirs.push(dir);
    const first = await start(dir);
    const alice = await trader(first.base, '2000');
    const bob = await trader(first.base, '2000');
    const mark = Number((await publicGet(first.base, `/fapi/v1/premiumIndex?symbol=${SYMBOL}`)).markPrice);
    assert.ok(mark > 0, 'the core has a mark price');
    const bidTicks = Math.floor(mark * 0.98);
    const askTicks = Math.floor(mark * 1.01);

    const resting = await ok(first.base, alice, 'POST', '/fapi/v1/order', limit('BUY', '0.005', bidTicks, 'alice-rest'));
    assert.equal(resting.status, 'NEW');
    await ok(first.base, bob, 'POST', '/fapi/v1/order', limit('SELL', '0.003', askTicks, 'bob-ask'));
    const taken = await ok(first.base, alice, 'POST', '/fapi/v1/order', limit('BUY', '0.003', askTicks, 'alice-take'));
    assert.equal(taken.status, 'FILLED', JSON.stringify(taken));

    const written = await snapshotIfDue(first.core, true);
    assert.ok(written !== null, 'a snapshot was written');
    const tailTicks = Math.floor(mark * 0.97);
    const tail = await ok(first.base, alice, 'POST', '/fapi/v1/order', limit('BUY', '0.001', tailTicks, 'alice-tail'));
    const before = await views(first.base, alice);
    assert.equal(before.openOrders.length, 2);
    assert.equal(before.userTrades.length, 1);
    assert.ok(before.trades.length >= 1 && before.depth.lastUpdateId > 0);
    const restingInBook = first.core.exchange.matching.engine.book(SYMBOL)!.restingOrderCount();
    const idsBefore = [resting.orderId, taken.orderId, tail.orderId, ...before.allOrders.map((o: { orderId: number }) => o.orderId)];
    const readModelBefore = readModelBytes(first.section.capture());
    await stop(first);

    const second = await start(dir);
    assert.equal(second.core.recovery?.snapshotSeq, written.journalSeq, 'the restart restored the snapshot');
    assert.equal(second.core.recovery?.replayedRecords, 1, 'one input after the snapshot (the tail order): everything else below comes from the snapshot');
    const base = second.base;
    // the market data moved on: catching up, the restart ran the simulated market's next step
    assert.deepEqual(readModelBytes(second.section.capture()), readModelBefore, "the restarted gateway's read model is the stopped one's, byte for byte");

    assert.deepEqual(await views(base, alice), before, 'openOrders, allOrders, userTrades, trades, aggTrades, depth and the 24 h ticker as before the restart');
    const byClientId = await ok(base, alice, 'GET', '/fapi/v1/order', { symbol: SYMBOL, origClientOrderId: 'alice-rest' });
    assert.equal(byClientId.orderId, resting.orderId);
    assert.equal(byClientId.status, 'NEW');
    assert.equal((await ok(base, alice, 'GET', '/fapi/v1/order', { symbol: SYMBOL, origClientOrderId: 'alice-take' })).status, 'FILLED');
    assert.equal((await ok(base, alice, 'GET', '/fapi/v1/order', { symbol: SYMBOL, origClientOrderId: 'alice-tail' })).orderId, tail.orderId, 'the tail order, replayed, has its client order id');

    // a client retrying after the restart gets its original orders back, and nothing executes again
    const retriedRest = await ok(base, alice, 'POST', '/fapi/v1/order', limit('BUY', '0.005', bidTicks, 'alice-rest'));
    assert.equal(retriedRest.orderId, resting.orderId);
    const retriedTake = await ok(base, alice, 'POST', '/fapi/v1/order', limit('BUY', '0.003', askTicks, 'alice-take'));
    assert.equal(retriedTake.orderId, taken.orderId);
    assert.equal(retriedTake.status, 'FILLED');
    assert.equal((await ok(base, alice, 'POST', '/fapi/v1/order', limit('BUY', '0.001', tailTicks, 'alice-tail'))).orderId, tail.orderId);
    assert.equal(second.core.exchange.matching.engine.book(SYMBOL)!.restingOrderCount(), restingInBook, 'no order was placed twice');
    assert.deepEqual(await ok(base, alice, 'GET', '/fapi/v1/userTrades', { symbol: SYMBOL }), before.userTrades, 'and none traded twice');

    // a fill after the restart updates the order resting since before the snapshot, and the market data continues
    const hit = await ok(base, bob, 'POST', '/fapi/v1/order', limit('SELL', '0.002', bidTicks, 'bob-hit'));
    assert.equal(hit.status, 'FILLED', JSON.stringify(hit));
    const partly = await ok(base, alice, 'GET', '/fapi/v1/order', { symbol: SYMBOL, origClientOrderId: 'alice-rest' });
    assert.equal(partly.status, 'PARTIALLY_FILLED');
    assert.equal(partly.executedQty, '0.002');
    const after = await views(base, alice);
    assert.equal(after.userTrades.length, 2);
    assert.equal(after.userTrades[1].orderId, resting.orderId);
    assert.equal(after.trades.length, before.trades.length + 1);
    assert.equal(after.trades.at(-1).id, before.trades.at(-1).id + 1, 'trade ids continue');
    assert.ok(after.depth.lastUpdateId > before.depth.lastUpdateId, 'depth lastUpdateId continues from the snapshot');
    const level = (bids: [string, string][]) => bids.find(([p]) => Number(p) === bidTicks)?.[1];
    assert.equal(level(before.depth.bids), '0.005');
    assert.equal(level(after.depth.bids), '0.003', 'the resting level lost what was filled');
    assert.equal(after.ticker.count, before.ticker.count + 1);

    // cancel by client order id; new order ids never repeat one issued before the restart
    const canceled = await ok(base, alice, 'DELETE', '/fapi/v1/order', { symbol: SYMBOL, origClientOrderId: 'alice-rest' });
    assert.equal(canceled.status, 'CANCELED');
    assert.equal((await ok(base, alice, 'DELETE', '/fapi/v1/order', { symbol: SYMBOL, origClientOrderId: 'alice-tail' })).status, 'CANCELED');
    assert.deepEqual(await ok(base, alice, 'GET', '/fapi/v1/openOrders', { symbol: SYMBOL }), []);
    const fresh = await ok(base, alice, 'POST', '/fapi/v1/order', limit('BUY', '0.001', bidTicks, 'alice-fresh'));
    assert.ok(idsBefore.every((id) => fresh.orderId > id), `order id ${fresh.orderId} above every id issued before the restart`);
  });
});
