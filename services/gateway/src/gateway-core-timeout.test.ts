/**
 * When the stages do not answer (cluster mode: risk down, or far behind), the
 * gateway on a `KafkaExchangeClient` answers 408 `-1007` ("send status unknown"),
 * never a 5xx, and keeps serving. The client runs over a real in-process bus with
 * no stage subscribed, so every command and query goes unanswered.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InProcessBus } from '@perpcore/bus';
import { CoreTimeoutError, KafkaExchangeClient } from '@perpcore/exchange';
import { defaultMarketSpecs, defaultVenueMarkets } from '@perpcore/markets';
import { createLogger } from '@perpcore/observability';
import { createGatewayServer, type GatewayServer } from './gateway-server.js';
import { signed, type TestKey, testKey, testRegistry, testServerOptions } from './gateway-test-server.test-support.js';

describe('gateway over a core that does not answer', () => {
  const registry = testRegistry();
  const key: TestKey = testKey(registry, 7_201);
  let client: KafkaExchangeClient;
  let server: GatewayServer;
  let base = '';

  before(async () => {
    const bus = new InProcessBus();
    client = await KafkaExchangeClient.create({ bus, venue: defaultVenueMarkets(defaultMarketSpecs), source: 'gateway-timeout-test', timeoutMs: 150, nowNs: () => Date.now() * 1e6 });
    server = await createGatewayServer(testServerOptions(client, registry));
    base = await server.listen(0);
  });
  after(async () => {
    await server.close();
    await client.close();
  });

  it('rejects the client calls with CoreTimeoutError', async () => {
    await assert.rejects(client.deposit(key.accountId, 'USDT', 1), CoreTimeoutError);
    await assert.rejects(client.account(key.accountId), CoreTimeoutError);
    await assert.rejects(client.cancelOrder(key.accountId, 'BTCUSDT', 5), CoreTimeoutError);
  });

  it('answers 408 -1007 on trading and account routes', async () => {
    const order = await signed(base, key, 'POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', price: '50000.0', quantity: '0.001' });
    const account = await signed(base, key, 'GET', '/fapi/v2/account');
    const leverage = await signed(base, key, 'POST', '/fapi/v1/leverage', { symbol: 'BTCUSDT', leverage: 5 });
    for (const r of [order, account, leverage]) {
      assert.equal(r.status, 408, JSON.stringify(r.body));
      assert.equal(r.body.code, -1007);
    }
    // the order was never answered, so it is not listed as open (its outcome is unknown)
    const open = await signed(base, key, 'GET', '/fapi/v1/openOrders', { symbol: 'BTCUSDT' });
    assert.equal(open.status, 200);
    assert.deepEqual(open.body, []);
  });
});
