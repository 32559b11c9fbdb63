/**
 * The cross-margin (spot margin) SAPI routes over real HTTP on a real embedded
 * exchange: borrow and repay with a transaction id, the margin account with its
 * level and the three answers, LIMIT and MARKET orders (MARGIN_BUY borrowing the
 * shortfall), open orders by id and client id, cancels, and every refusal leaving
 * the spot stage's state hash where it was.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formatScaled, formatSteps } from '@perpcore/domain';
import { signed, startTestGateway, type TestGateway, USDT } from '../gateway-test-server.test-support.js';

const SAT = 100_000_000;

describe('cross-margin SAPI routes on the spot-margin stage', { timeout: 120_000 }, () => {
  let t: TestGateway;
  /** The pair's index (ticks of 0.1 USDT) and the maker's quotes around it (the simulation's 0.1 % either side). */
  let index: number;
  let ask: number;
  let bid: number;
  const spotHash = () => t.exchange.spotMargin!.engine.stateHash();
  const px = (ticks: number) => formatSteps(ticks, { mantissa: 1n, scale: 1 });

  before(async () => {
    t = await startTestGateway(29, { shockAtS: 0, crowdAccounts: 0 });
    t.exchange.step(100); // the spot pair has its index and the maker's quotes
    index = (await t.client.spotIndexTicks('BTC/USDT'))!;
    ask = Math.ceil((index * 1001) / 1000);
    bid = Math.floor((index * 999) / 1000);
    assert.deepEqual(await t.client.spotDeposit(t.keys.a.accountId, 'USDT', 10_000 * USDT), { ok: true });
    assert.deepEqual(await t.client.spotDeposit(t.keys.b.accountId, 'USDT', 10_000 * USDT), { ok: true });
  });
  after(async () => t.close());

  it('lists the pair with its grid and shows its book and index', async () => {
    const pairs = await signed(t.base, t.keys.a, 'GET', '/sapi/v1/margin/allPairs');
    assert.equal(pairs.status, 200, JSON.stringify(pairs.body));
    assert.deepEqual(pairs.body, [{ id: 1, symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', isMarginTrade: true, isBuyAllowed: true, isSellAllowed: true, tickSize: '0.1', stepSize: '0.001' }]);
    assert.deepEqual((await signed(t.base, t.keys.a, 'GET', '/sapi/v1/margin/pair', { symbol: 'BTCUSDT' })).body, pairs.body[0]);
    const depth = await signed(t.base, t.keys.a, 'GET', '/sapi/v1/margin/depth', { symbol: 'BTCUSDT', limit: 5 });
    assert.equal(depth.status, 200, JSON.stringify(depth.body));
    assert.equal(depth.body.indexPrice, px(index));
    assert.deepEqual(depth.body.bids[0], [px(bid), '100']);
    assert.deepEqual(depth.body.asks[0], [px(ask), '100']);
  });

  it('borrows and repays with increasing transaction ids, and the account shows Binance’s fields and the three answers', async () => {
    const a = t.keys.a;
    const borrowed = await signed(t.base, a, 'POST', '/sapi/v1/margin/borrow-repay', { asset: 'USDT', isIsolated: 'FALSE', amount: '20000', type: 'BORROW' });
    assert.equal(borrowed.status, 200, JSON.stringify(borrowed.body));
    assert.ok(Number.isSafeInteger(borrowed.body.tranId) && borrowed.body.tranId > 0);
    const account = await signed(t.base, a, 'GET', '/sapi/v1/margin/account');
    assert.equal(account.status, 200, JSON.stringify(account.body));
    const usdt = account.body.userAssets.find((x: { asset: string }) => x.asset === 'USDT');
    // no time has passed: no interest yet; free = own 10,000 + borrowed 20,000
    assert.deepEqual(usdt, { asset: 'USDT', borrowed: '20000', free: '30000', interest: '0', locked: '0', netAsset: '10000' });
    // equity 10,000 over used margin ceil(20,000 / 5) = 4,000: 2.5 (Kraken's level); called at 80 %, liquidated at 40 %
    assert.equal(account.body.marginLevel, '2.5');
    assert.deepEqual(
      [account.body.created, account.body.marginState, account.body.equity, account.body.usedMargin, account.body.acceptedCollateral, account.body.marginCallLevel, account.body.liquidationLevel],
      [true, 'HEALTHY', '10000', '4000', '30000', '0.8', '0.4'],
    );
    assert.equal(account.body.distanceToMarginCall, '6800'); // 10,000 − 0.8 × 4,000
    assert.equal(account.body.distanceToLiquidation, '8400'); // 10,000 − 0.4 × 4,000
    // totals in BTC at the index (one lot 100,000 sat is worth index × 100 units): 30,000 USDT of assets (rounded down), 20,000 of debt (rounded up)
    const assetSat = (30_000n * BigInt(USDT) * 100_000n) / (BigInt(index) * 100n);
    const debtSat = (20_000n * BigInt(USDT) * 100_000n + BigInt(index) * 100n - 1n) / (BigInt(index) * 100n);
    assert.deepEqual([account.body.totalAssetOfBtc, account.body.totalLiabilityOfBtc, account.body.totalNetAssetOfBtc], [formatScaled(assetSat, 8), formatScaled(debtSat, 8), formatScaled(assetSat - debtSat, 8)]);

    const repaid = await signed(t.base, a, 'POST', '/sapi/v1/margin/repay', { asset: 'USDT', amount: '1.5' });
    assert.equal(repaid.status, 200, JSON.stringify(repaid.body));
    assert.ok(repaid.body.tranId > borrowed.body.tranId);
    const after = await signed(t.base, a, 'GET', '/sapi/v1/margin/account');
    assert.equal(after.body.userAssets.find((x: { asset: string }) => x.asset === 'USDT').borrowed, '19998.5');
    const none = await signed(t.base, t.keys.poor, 'GET', '/sapi/v1/margin/account');
    assert.deepEqual([none.body.created, none.body.marginLevel, none.body.userAssets.map((x: { netAsset: string }) => x.netAsset)], [false, '999', ['0', '0']]);
  });

  it('answers maxBorrowable with the largest borrow the stage would accept: borrowing it is accepted, one unit more is refused', async () => {
    const b = t.keys.b;
    const max = await signed(t.base, b, 'GET', '/sapi/v1/margin/maxBorrowable', { asset: 'USDT' });
    assert.equal(max.status, 200, JSON.stringify(max.body));
    const accountId = b.accountId;
    const expected = await t.client.spotMaxBorrowable(accountId, 'USDT');
    assert.deepEqual(max.body, { amount: formatScaled(expected.amountUnits, 6), borrowLimit: '500000' });
    assert.ok(expected.amountUnits > 0);
    const before = spotHash();
    const tooMuch = await t.client.spotBorrow(accountId, 'USDT', expected.amountUnits + 1);
    assert.equal(tooMuch.ok, false, 'one unit more than maxBorrowable is refused');
    assert.equal(spotHash(), before);
    assert.equal((await t.client.spotBorrow(accountId, 'USDT', expected.amountUnits)).ok, true, 'maxBorrowable itself is accepted');
    const after = await signed(t.base, b, 'GET', '/sapi/v1/margin/maxBorrowable', { asset: 'USDT' });
    assert.equal(after.body.amount, '0', 'nothing more once it is borrowed');
    assert.ok((await t.client.spotRepay(accountId, 'USDT', expected.amountUnits)).ok);
    assert.equal((await signed(t.base, b, 'GET', '/sapi/v1/margin/maxBorrowable', { asset: 'DOGE' })).status, 400);
    assert.equal((await signed(t.base, b, 'GET', '/sapi/v1/margin/maxBorrowable', { asset: 'USDT', isolatedSymbol: 'BTCUSDT' })).status, 400);
  });

  it('rests a LIMIT order with the client id, finds it by either id, refuses a duplicate and another account, and cancels it once', async () => {
    const a = t.keys.a;
    const price = px(Math.floor(index * 0.9));
    const placed = await signed(t.base, a, 'POST', '/sapi/v1/margin/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', price, quantity: '0.002', newClientOrderId: 'my-bid-1' });
    assert.equal(placed.status, 200, JSON.stringify(placed.body));
    assert.deepEqual(
      [placed.body.symbol, placed.body.clientOrderId, placed.body.status, placed.body.price, placed.body.origQty, placed.body.executedQty, placed.body.cummulativeQuoteQty, placed.body.fills, placed.body.isIsolated],
      ['BTCUSDT', 'my-bid-1', 'NEW', price, '0.002', '0', '0', [], false],
    );
    const open = await signed(t.base, a, 'GET', '/sapi/v1/margin/openOrders', { symbol: 'BTCUSDT' });
    assert.deepEqual(open.body.map((o: { orderId: number; clientOrderId: string; origQty: string; status: string; type: string }) => [o.orderId, o.clientOrderId, o.origQty, o.status, o.type]), [[placed.body.orderId, 'my-bid-1', '0.002', 'NEW', 'LIMIT']]);
    const byClientId = await signed(t.base, a, 'GET', '/sapi/v1/margin/order', { symbol: 'BTCUSDT', origClientOrderId: 'my-bid-1' });
    assert.deepEqual(byClientId.body, open.body[0]);
    const account = await signed(t.base, a, 'GET', '/sapi/v1/margin/account');
    // the bid holds 2 lots × its price × 100 units (0.1 USDT × 0.001 BTC) of USDT
    assert.equal(account.body.userAssets.find((x: { asset: string }) => x.asset === 'USDT').locked, formatScaled(2 * Math.floor(index * 0.9) * 100, 6));

    const hash = spotHash();
    const duplicate = await signed(t.base, a, 'POST', '/sapi/v1/margin/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', price, quantity: '0.002', newClientOrderId: 'my-bid-1' });
    assert.deepEqual([duplicate.status, duplicate.body.code], [400, -2010]);
    const notHis = await signed(t.base, t.keys.b, 'DELETE', '/sapi/v1/margin/order', { symbol: 'BTCUSDT', orderId: placed.body.orderId });
    assert.deepEqual([notHis.status, notHis.body.code], [400, -2013]);
    assert.equal(spotHash(), hash);

    const canceled = await signed(t.base, a, 'DELETE', '/sapi/v1/margin/order', { symbol: 'BTCUSDT', orderId: placed.body.orderId });
    assert.equal(canceled.status, 200, JSON.stringify(canceled.body));
    assert.deepEqual([canceled.body.status, canceled.body.origClientOrderId, canceled.body.origQty], ['CANCELED', 'my-bid-1', '0.002']);
    assert.equal((await signed(t.base, a, 'DELETE', '/sapi/v1/margin/order', { symbol: 'BTCUSDT', orderId: placed.body.orderId })).body.code, -2013);
    assert.deepEqual((await signed(t.base, a, 'GET', '/sapi/v1/margin/openOrders')).body, []);

    // cancel-all of the pair
    for (const f of [0.8, 0.85]) {
      const r = await signed(t.base, a, 'POST', '/sapi/v1/margin/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', price: px(Math.floor(index * f)), quantity: '0.001', newOrderRespType: 'ACK' });
      assert.deepEqual(Object.keys(r.body).sort(), ['clientOrderId', 'isIsolated', 'orderId', 'symbol', 'transactTime']);
      assert.equal(r.body.clientOrderId, `perpcore-spot-${r.body.orderId}`);
    }
    const all = await signed(t.base, a, 'DELETE', '/sapi/v1/margin/openOrders', { symbol: 'BTCUSDT' });
    assert.deepEqual(all.body.map((o: { status: string }) => o.status), ['CANCELED', 'CANCELED']);
    const usdt = (await signed(t.base, a, 'GET', '/sapi/v1/margin/account')).body.userAssets.find((x: { asset: string }) => x.asset === 'USDT');
    assert.equal(usdt.locked, '0', 'every hold released');
  });

  it('fills a MARKET buy at the maker’s ask and a MARGIN_BUY market sell that borrows the BTC it lacks', async () => {
    const b = t.keys.b;
    const bought = await signed(t.base, b, 'POST', '/sapi/v1/margin/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' });
    assert.equal(bought.status, 200, JSON.stringify(bought.body));
    assert.deepEqual(
      [bought.body.status, bought.body.type, bought.body.executedQty, bought.body.cummulativeQuoteQty, bought.body.fills],
      ['FILLED', 'MARKET', '0.01', formatScaled(10 * ask * 100, 6), [{ price: px(ask), qty: '0.01', commission: '0', commissionAsset: 'USDT' }]],
    );
    assert.equal(bought.body.marginBuyBorrowAmount, undefined, 'it had the USDT: nothing borrowed');

    const sold = await signed(t.base, b, 'POST', '/sapi/v1/margin/order', { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.05', sideEffectType: 'MARGIN_BUY', newOrderRespType: 'RESULT' });
    assert.equal(sold.status, 200, JSON.stringify(sold.body));
    assert.deepEqual(
      [sold.body.status, sold.body.executedQty, sold.body.cummulativeQuoteQty, sold.body.marginBuyBorrowAmount, sold.body.marginBuyBorrowAsset, sold.body.fills],
      ['FILLED', '0.05', formatScaled(50 * bid * 100, 6), '0.04', 'BTC', undefined],
    );
    const account = await signed(t.base, b, 'GET', '/sapi/v1/margin/account');
    const btc = account.body.userAssets.find((x: { asset: string }) => x.asset === 'BTC');
    assert.deepEqual(btc, { asset: 'BTC', borrowed: '0.04', free: '0', interest: '0', locked: '0', netAsset: '-0.04' });
    const feed = account.body.priceFeeds.find((f: { asset: string }) => f.asset === 'BTC');
    assert.equal(feed.priceFeed, 'index:BTC/USDT');
    assert.equal(feed.indexPrice, px(index));
    // a short is called as the price rises: the call below the liquidation price
    assert.ok(Number(feed.marginCallPrice) > index / 10 && Number(feed.liquidationPrice) > Number(feed.marginCallPrice), JSON.stringify(feed));
    assert.equal(t.exchange.figures(1).conservationOk, true, t.exchange.figures(1).conservationProblems.join('; '));
    assert.equal(t.exchange.spotMargin!.engine.context.state.peekRow(b.accountId, 'BTC')?.principalUnits, 0.04 * SAT);
  });

  it('keeps the history the stage published: allOrders, myTrades, a finished order by id, interestHistory', async () => {
    const a = t.keys.a;
    const b = t.keys.b;
    type Order = { orderId: number; clientOrderId: string; status: string; type: string; timeInForce: string; executedQty: string; isWorking: boolean };
    // a's three resting bids, all cancelled (the test above), oldest first
    const aOrders = (await signed(t.base, a, 'GET', '/sapi/v1/margin/allOrders', { symbol: 'BTCUSDT' })).body as Order[];
    assert.deepEqual(aOrders.map((o) => [o.status, o.timeInForce, o.executedQty, o.isWorking]), [['CANCELED', 'GTC', '0', false], ['CANCELED', 'GTC', '0', false], ['CANCELED', 'GTC', '0', false]]);
    assert.equal(aOrders[0]!.clientOrderId, 'my-bid-1');
    assert.ok(aOrders[0]!.orderId < aOrders[1]!.orderId && aOrders[1]!.orderId < aOrders[2]!.orderId);
    // b's two MARKET orders, as the stage ran them: LIMIT IOC at the band price, filled
    const bOrders = (await signed(t.base, b, 'GET', '/sapi/v1/margin/allOrders', { symbol: 'BTCUSDT' })).body as Order[];
    assert.deepEqual(bOrders.map((o) => [o.status, o.type, o.timeInForce, o.executedQty]), [['FILLED', 'LIMIT', 'IOC', '0.01'], ['FILLED', 'LIMIT', 'IOC', '0.05']]);
    const [buy, sell] = bOrders as [Order, Order];
    const finished = await signed(t.base, b, 'GET', '/sapi/v1/margin/order', { symbol: 'BTCUSDT', orderId: buy.orderId });
    assert.deepEqual(finished.body, buy, 'a finished order is answered from the history');
    assert.deepEqual((await signed(t.base, b, 'GET', '/sapi/v1/margin/allOrders', { symbol: 'BTCUSDT', orderId: sell.orderId })).body, [sell]);
    assert.deepEqual((await signed(t.base, b, 'GET', '/sapi/v1/margin/allOrders', { symbol: 'BTCUSDT', limit: 1 })).body, [sell], 'without orderId: the most recent');

    type Trade = { id: number; orderId: number; price: string; qty: string; isBuyer: boolean; isMaker: boolean; commission: string; commissionAsset: string };
    const trades = (await signed(t.base, b, 'GET', '/sapi/v1/margin/myTrades', { symbol: 'BTCUSDT' })).body as Trade[];
    assert.deepEqual(
      trades.map((x) => [x.orderId, x.price, x.qty, x.isBuyer, x.isMaker, x.commission, x.commissionAsset]),
      [
        [buy.orderId, px(ask), '0.01', true, false, '0', 'BTC'],
        [sell.orderId, px(bid), '0.05', false, false, '0', 'USDT'],
      ],
    );
    assert.ok(trades[0]!.id < trades[1]!.id);
    assert.deepEqual((await signed(t.base, b, 'GET', '/sapi/v1/margin/myTrades', { symbol: 'BTCUSDT', fromId: trades[1]!.id })).body, [trades[1]]);
    assert.deepEqual((await signed(t.base, b, 'GET', '/sapi/v1/margin/myTrades', { symbol: 'BTCUSDT', orderId: buy.orderId })).body, [trades[0]]);
    assert.deepEqual((await signed(t.base, a, 'GET', '/sapi/v1/margin/myTrades', { symbol: 'BTCUSDT' })).body, [], 'another account sees none of them');
    // the finished order's figures agree with its trades
    assert.equal(buy.executedQty, trades[0]!.qty);

    // a's USDT debt accrues while time passes; the repay settles the interest into the debt first
    const debtBefore = t.exchange.spotMargin!.engine.context.state.peekRow(a.accountId, 'USDT')!.principalUnits;
    t.exchange.step(2_000);
    assert.deepEqual((await signed(t.base, a, 'GET', '/sapi/v1/margin/interestHistory')).body, { rows: [], total: 0 });
    assert.equal((await signed(t.base, a, 'POST', '/sapi/v1/margin/repay', { asset: 'USDT', amount: '1' })).status, 200);
    const history = await signed(t.base, a, 'GET', '/sapi/v1/margin/interestHistory', { asset: 'USDT' });
    assert.equal(history.status, 200, JSON.stringify(history.body));
    assert.equal(history.body.total, 1);
    const row = history.body.rows[0];
    assert.deepEqual([row.asset, row.rawAsset, row.principal, row.type, row.isolatedSymbol], ['USDT', 'USDT', formatScaled(debtBefore, 6), 'PERIODIC', '']);
    const debtAfterRepay = t.exchange.spotMargin!.engine.context.state.peekRow(a.accountId, 'USDT')!.principalUnits;
    // the interest was added to the debt, then 1 USDT repaid
    assert.equal(row.interest, formatScaled(debtAfterRepay + USDT - debtBefore, 6));
    assert.ok(debtAfterRepay + USDT > debtBefore, 'some interest accrued');
    assert.deepEqual((await signed(t.base, a, 'GET', '/sapi/v1/margin/interestHistory', { asset: 'BTC' })).body, { rows: [], total: 0 });
    assert.deepEqual((await signed(t.base, b, 'GET', '/sapi/v1/margin/interestHistory', { asset: 'USDT' })).body.total, 0, 'another account sees none of it');
  });

  it('refuses what it does not offer and bad input with Binance codes, changing nothing', async () => {
    const a = t.keys.a;
    const order = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', price: px(Math.floor(index * 0.9)), quantity: '0.001' };
    const cases: [string, string, Record<string, string>, number][] = [
      ['POST', '/sapi/v1/margin/borrow-repay', { asset: 'USDT', amount: '1', type: 'BORROW', isIsolated: 'TRUE', symbol: 'BTCUSDT' }, -1130],
      ['POST', '/sapi/v1/margin/borrow-repay', { asset: 'DOGE', amount: '1', type: 'BORROW' }, -1130],
      ['POST', '/sapi/v1/margin/borrow-repay', { asset: 'USDT', amount: '1.0000001', type: 'BORROW' }, -1111],
      ['POST', '/sapi/v1/margin/borrow-repay', { asset: 'USDT', amount: '1', type: 'LEND' }, -1130],
      ['POST', '/sapi/v1/margin/borrow-repay', { asset: 'USDT', amount: '400000', type: 'BORROW' }, -3044],
      ['POST', '/sapi/v1/margin/borrow-repay', { asset: 'USDT', amount: '25000', type: 'REPAY' }, -3015],
      ['POST', '/sapi/v1/margin/order', { ...order, sideEffectType: 'AUTO_REPAY' }, -1130],
      ['POST', '/sapi/v1/margin/order', { ...order, timeInForce: 'FOK' }, -1115],
      ['POST', '/sapi/v1/margin/order', { ...order, type: 'STOP_LOSS' }, -1116],
      ['POST', '/sapi/v1/margin/order', { ...order, price: `${order.price}5` }, -4014],
      ['POST', '/sapi/v1/margin/order', { ...order, quantity: '0.0015' }, -4023],
      ['POST', '/sapi/v1/margin/order', { ...order, quantity: '-1' }, -4003],
      ['POST', '/sapi/v1/margin/order', { ...order, symbol: 'ETHUSDT' }, -1121],
      ['POST', '/sapi/v1/margin/order', { ...order, newClientOrderId: 'has space' }, -1130],
      ['POST', '/sapi/v1/margin/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: order.price, quantity: '0.001' }, -1102],
      ['POST', '/sapi/v1/margin/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', price: order.price, quantity: '0.001' }, -1106],
      ['POST', '/sapi/v1/margin/order', { ...order, quoteOrderQty: '10' }, -1130],
      ['POST', '/sapi/v1/margin/order', { ...order, isIsolated: 'TRUE' }, -1130],
      ['POST', '/sapi/v1/margin/order', { ...order, reduceOnly: 'true' }, -1104],
      ['POST', '/sapi/v1/margin/order', { ...order, quantity: '1000' }, -2010], // 1,000 BTC: far past the USDT it holds
      ['GET', '/sapi/v1/margin/order', { symbol: 'BTCUSDT' }, -1102],
      ['GET', '/sapi/v1/margin/order', { symbol: 'BTCUSDT', orderId: '999999' }, -2013],
    ];
    const hash = spotHash();
    for (const [method, path, params, code] of cases) {
      const r = await signed(t.base, a, method, path, params);
      assert.equal(r.body.code, code, `${method} ${path} ${JSON.stringify(params)} → ${r.status} ${JSON.stringify(r.body)}`);
      assert.ok(r.status >= 400 && r.status < 500);
    }
    const readOnly = await signed(t.base, t.keys.aRead, 'POST', '/sapi/v1/margin/order', order);
    assert.ok(readOnly.status === 401 || readOnly.status === 400, JSON.stringify(readOnly.body));
    const poor = await signed(t.base, t.keys.poor, 'POST', '/sapi/v1/margin/order', order);
    assert.deepEqual([poor.status, poor.body.code], [400, -2010]);
    assert.equal(spotHash(), hash, 'no refusal changed the spot stage');
    assert.equal((await fetch(`${t.base}/sapi/v1/margin/account`)).status, 401, 'unsigned: refused');
  });
});
