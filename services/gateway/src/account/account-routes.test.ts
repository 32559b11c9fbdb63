import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signed, startTestGateway, type TestGateway } from '../gateway-test-server.test-support.js';

describe('signed /fapi account endpoints (real HTTP, embedded core)', () => {
  let gw: TestGateway;
  let call: (key: 'a' | 'b' | 'aRead' | 'poor', method: string, path: string, params?: Record<string, string | number | boolean>) => ReturnType<typeof signed>;

  before(async () => {
    gw = await startTestGateway(13);
    call = (key, method, path, params = {}) => signed(gw.base, gw.keys[key], method, path, params);
  });
  after(async () => gw.close());

  it('sets leverage through the risk stage and answers the tier cap', async () => {
    const ok = await call('a', 'POST', '/fapi/v1/leverage', { symbol: 'BTCUSDT', leverage: 10 });
    assert.deepEqual(ok.body, { leverage: 10, maxNotionalValue: '20000000', symbol: 'BTCUSDT' });
    assert.equal((await call('a', 'POST', '/fapi/v1/leverage', { symbol: 'BTCUSDT', leverage: 126 })).body.code, -4028);
    assert.equal((await call('a', 'POST', '/fapi/v1/leverage', { symbol: 'ETHUSDT', leverage: 120 })).body.code, -4028, 'above the tier max: risk refuses');
    assert.equal((await call('aRead', 'POST', '/fapi/v1/leverage', { symbol: 'BTCUSDT', leverage: 3 })).body.code, -2015);
  });

  it('changes margin type, answering -4046 with the exact text when it is already set', async () => {
    const same = await call('a', 'POST', '/fapi/v1/marginType', { symbol: 'ETHUSDT', marginType: 'CROSSED' });
    assert.deepEqual([same.status, same.body], [400, { code: -4046, msg: 'No need to change margin type.' }]);
    assert.deepEqual((await call('a', 'POST', '/fapi/v1/marginType', { symbol: 'ETHUSDT', marginType: 'ISOLATED' })).body, { code: 200, msg: 'success' });
    assert.equal((await call('a', 'POST', '/fapi/v1/marginType', { symbol: 'ETHUSDT', marginType: 'ISOLATED' })).body.code, -4046);
  });

  it('serves the tier table as leverageBracket', async () => {
    const res = await call('a', 'GET', '/fapi/v1/leverageBracket', { symbol: 'BTCUSDT' });
    assert.equal(res.body.symbol, 'BTCUSDT');
    assert.deepEqual(res.body.brackets[0], { bracket: 1, initialLeverage: 125, notionalCap: 50000, notionalFloor: 0, maintMarginRatio: 0.004, cum: 0 });
    assert.equal(((await call('a', 'GET', '/fapi/v1/leverageBracket')).body as unknown[]).length, 2);
  });

  it('reports balances, account and positions in exact decimal strings; adds isolated margin', async () => {
    const bal = (await call('b', 'GET', '/fapi/v2/balance')).body[0];
    assert.deepEqual([bal.asset, bal.balance, bal.availableBalance], ['USDT', '1000000', '1000000']);
    assert.ok(bal.updateTime > 0);
    // an isolated ETH long for A at 100 against B
    await call('b', 'POST', '/fapi/v1/order', { symbol: 'ETHUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '2', price: '100' });
    const fill = await call('a', 'POST', '/fapi/v1/order', { symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quantity: '2', newOrderRespType: 'RESULT' });
    assert.equal(fill.body.status, 'FILLED', JSON.stringify(fill.body));
    const rows = (await call('a', 'GET', '/fapi/v3/positionRisk')).body as Record<string, string>[];
    const eth = rows.find((r) => r.symbol === 'ETHUSDT') as Record<string, string>;
    assert.deepEqual([eth.positionAmt, eth.entryPrice, eth.positionSide], ['2', '100', 'BOTH']);
    assert.ok(Number(eth.isolatedMargin) > 0 && Number(eth.markPrice) > 0);
    assert.ok(Number(eth.notional) > 0, 'long: positive notional');
    const bRow = ((await call('b', 'GET', '/fapi/v2/positionRisk')).body as Record<string, string>[]).find((r) => r.symbol === 'ETHUSDT') as Record<string, string>;
    assert.deepEqual([bRow.positionAmt, bRow.marginType, bRow.isolatedMargin], ['-2', 'cross', '0']);
    assert.ok(Number(bRow.notional) < 0, 'short: negative notional');

    const before = Number(eth.isolatedWallet);
    const added = await call('a', 'POST', '/fapi/v1/positionMargin', { symbol: 'ETHUSDT', amount: '10', type: 1 });
    assert.deepEqual(added.body, { amount: 10, code: 200, msg: 'Successfully modify position margin.', type: 1 });
    const afterAdd = ((await call('a', 'GET', '/fapi/v3/positionRisk', { symbol: 'ETHUSDT' })).body as Record<string, string>[])[0] as Record<string, string>;
    assert.equal(Number(afterAdd.isolatedWallet), before + 10);
    assert.equal((await call('a', 'POST', '/fapi/v1/positionMargin', { symbol: 'ETHUSDT', amount: '100000', type: 2 })).body.code, -4051);
    assert.equal((await call('b', 'POST', '/fapi/v1/positionMargin', { symbol: 'ETHUSDT', amount: '1', type: 1 })).body.code, -4086, 'a cross position has no bucket');

    const acct = (await call('a', 'GET', '/fapi/v3/account')).body;
    assert.equal(acct.assets[0].asset, 'USDT');
    assert.ok(acct.assets[0].updateTime > 0);
    assert.equal(acct.positions.length, 1);
    assert.ok(Number(acct.totalWalletBalance) < 1_000_000 && Number(acct.totalWalletBalance) > 999_000, 'minus the taker fee');
    const v2 = (await call('a', 'GET', '/fapi/v2/account')).body;
    assert.equal(v2.canTrade, true);
    assert.equal(v2.positions[0].leverage, '20');
  });

  it('each account reads only its own balances and positions', async () => {
    const accountB = (await call('b', 'GET', '/fapi/v3/account')).body;
    assert.deepEqual(accountB.positions.map((p: Record<string, string>) => [p.symbol, p.positionAmt, p.isolatedWallet]), [['ETHUSDT', '-2', '0']]);
    const poor = (await call('poor', 'GET', '/fapi/v3/account')).body;
    assert.deepEqual([poor.totalWalletBalance, poor.positions], ['10', []]);
    assert.deepEqual((await call('poor', 'GET', '/fapi/v3/positionRisk')).body, []);
  });
});
