/**
 * The gateway while the risk stage is halted (services/risk stage-halt.ts): every
 * signed trading and account route answers 503 -1001 and sends nothing to the
 * core. The internal error is forced as in services/exchange risk-halt.test.ts: the
 * fee account's balance is written a few units below 2^53 (test-only), so the
 * next fee credit fails the fill plan.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signed, startTestGateway, type TestGateway } from './gateway-test-server.test-support.js';

describe('the gateway over a halted risk stage', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway(19);
  });
  after(async () => gw.close());

  it('answers 503 -1001 on every trading and account route once risk halted, changing nothing', async () => {
    const call = (method: string, path: string, params: Record<string, string | number> = {}) => signed(gw.base, gw.keys.a, method, path, params);
    const s = gw.exchange.risk.engine.state;
    s.accounts.balances[0][s.feeSlot] = Number.MAX_SAFE_INTEGER - 1;
    s.depositedUnits[0] += BigInt(Number.MAX_SAFE_INTEGER - 1);
    await signed(gw.base, gw.keys.b, 'POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '1', price: '100' });
    await call('POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'IOC', quantity: '1', price: '100' });
    assert.notEqual(gw.client.halted(), '');
    const hash = gw.exchange.stateHash();
    const answers = [
      await call('POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '1', price: '90' }),
      await call('DELETE', '/fapi/v1/allOpenOrders', { symbol: 'BTCUSDT' }),
      await call('POST', '/fapi/v1/leverage', { symbol: 'BTCUSDT', leverage: 3 }),
      await call('GET', '/fapi/v3/account'),
      await call('GET', '/fapi/v1/openOrders'),
    ];
    assert.deepEqual(answers.map((a) => [a.status, a.body.code]), Array(5).fill([503, -1001]));
    assert.equal(gw.exchange.stateHash(), hash);
  });
});
