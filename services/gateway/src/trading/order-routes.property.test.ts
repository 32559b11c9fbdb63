/**
 * Random and hostile parameter sets on POST/PUT/DELETE /fapi/v1/order, signed with a
 * valid key: never a 5xx, always a Binance `{code, msg}` body on refusal, and a
 * refused request leaves the core's state hash unchanged. (gw-security's fuzz test
 * covers transport-level hostility at volume.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { signed, startTestGateway, type TestGateway } from '../gateway-test-server.test-support.js';

const KEYS = ['symbol', 'side', 'type', 'timeInForce', 'quantity', 'price', 'stopPrice', 'newClientOrderId', 'newOrderRespType', 'reduceOnly', 'positionSide', 'workingType', 'orderId', 'origClientOrderId', 'closePosition', 'priceMatch', 'goodTillDate', 'x', '__proto__', 'constructor'];
const VALUES = ['BTCUSDT', 'ETHUSDT', 'btcusdt', 'BUY', 'SELL', 'LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'GTC', 'IOC', 'FOK', 'GTX', 'ACK', 'RESULT', 'true', 'false', 'BOTH', 'LONG', 'MARK_PRICE',
  '0', '-1', '0.001', '0.0001', '1', '1e3', '1000.5', '1000.55', '99999999999', 'NaN', 'Infinity', '', ' ', '0x10', '1,5', '１', '4503599627370497', '9007199254740993', 'a'.repeat(40), '<script>', '%00', 'null'];

describe('hostile order parameters (property, real HTTP)', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway(31);
  });
  after(async () => gw.close());

  it('never answers 5xx, and a refusal changes nothing', async () => {
    const params = fc.dictionary(fc.constantFrom(...KEYS), fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 12 })), { maxKeys: 10 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('POST', 'PUT', 'DELETE', 'GET'), params, async (method, p) => {
        const before = gw.exchange.stateHash();
        const res = await signed(gw.base, gw.keys.a, method, '/fapi/v1/order', p);
        assert.ok(res.status < 500, `${method} ${JSON.stringify(p)} → ${res.status} ${JSON.stringify(res.body)}`);
        if (res.status !== 200) {
          assert.equal(typeof res.body.code, 'number');
          assert.equal(typeof res.body.msg, 'string');
          assert.equal(gw.exchange.stateHash(), before, `${method} ${JSON.stringify(p)} refused but changed state`);
        }
      }),
      { numRuns: 1_000, seed: 1 },
    );
  });
});
