import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { OrderType, Side, TimeInForce, priceToTicks, qtyToLots } from '@perpcore/domain';
import { pipelineClient } from '@perpcore/exchange';
import { SecurityServer } from '../suites/security-server.test-support.js';

describe('POST /v1/admin/stress over real HTTP and the real pipeline', () => {
  let s: SecurityServer;
  let trader = 0;
  const json = async (r: Response) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> });

  before(async () => {
    s = await SecurityServer.start();
    s.index('BTCUSDT', '30000');
    const maker = await s.account(['read', 'trade'], '1000000');
    const long = await s.account(['read', 'trade'], '2000');
    trader = long.accountId;
    const client = await pipelineClient(s.pipeline, { source: 'stress-test' });
    const spec = s.pipeline.markets.find((m) => m.symbol === 'BTCUSDT');
    assert.ok(spec);
    const order = (orderId: number, accountId: number, side: Side) => ({ orderId, accountId, market: 'BTCUSDT', side, type: OrderType.Limit, timeInForce: TimeInForce.GoodTillCancel, priceTicks: priceToTicks(spec, '30000'), qtyLots: qtyToLots(spec, '1') });
    assert.equal((await client.placeOrder(order(7_001, maker.accountId, Side.Sell))).rejection, null);
    assert.equal((await client.placeOrder(order(7_002, trader, Side.Buy))).rejection, null);
  });
  after(() => s.close());

  it('answers the risk stage’s report for a −10% shock, changing nothing', async () => {
    const hash = s.stateHash();
    const request = { shocks: [{ market: 'BTCUSDT', shockBps: -1_000 }] };
    const r = await json(await s.admin('POST', '/v1/admin/stress', request));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(s.stateHash(), hash);
    assert.deepEqual(r.body, JSON.parse(JSON.stringify(s.pipeline.risk.engine.stress(request))));
    const scopes = r.body.scopes as { accountId: number; stateAfter: string }[];
    assert.deepEqual(scopes.map((x) => [x.accountId, x.stateAfter]), [[trader, 'LIQUIDATING']]);
  });

  it('takes an absolute mark as an exact decimal on the tick grid', async () => {
    const byPrice = await json(await s.admin('POST', '/v1/admin/stress', { shocks: [{ market: 'BTCUSDT', markPrice: '27000' }] }));
    const byBps = await json(await s.admin('POST', '/v1/admin/stress', { shocks: [{ market: 'BTCUSDT', shockBps: -1_000 }] }));
    assert.equal(byPrice.status, 200);
    assert.deepEqual(byPrice.body.scopes, byBps.body.scopes, '27,000 is 30,000 − 10%');
  });

  it('refuses bad input with 400 and a clear code, and without the operator token with 401', async () => {
    const hash = s.stateHash();
    const refused: [unknown, string, RegExp][] = [
      [{ shocks: [{ market: 'DOGEUSDT', shockBps: -100 }] }, 'RISK_STRESS_UNKNOWN_MARKET', /DOGEUSDT/],
      [{ shocks: [{ market: 'BTCUSDT', shockBps: -10_000 }] }, 'RISK_STRESS_SHOCK_OUT_OF_RANGE', /beyond ±100%/],
      [{ shocks: [{ market: 'BTCUSDT', shockBps: 20_000 }] }, 'RISK_STRESS_SHOCK_OUT_OF_RANGE', /beyond ±100%/],
      [{ shocks: [{ market: 'BTCUSDT', shockBps: 'NaN' }] }, 'ADMIN_INVALID_REQUEST', /integer/],
      [{ shocks: [{ market: 'BTCUSDT', shockBps: -0.5 }] }, 'ADMIN_INVALID_REQUEST', /integer/],
      [{ shocks: [] }, 'ADMIN_INVALID_REQUEST', /fewer than 1/],
      [{ shocks: [{ market: 'BTCUSDT' }] }, 'RISK_STRESS_INVALID_REQUEST', /exactly one/],
      [{ shocks: [{ market: 'BTCUSDT', markPrice: '27000.00001' }] }, 'DOMAIN_OFF_GRID', /markPrice/],
      [{ shocks: [{ market: 'BTCUSDT', shockBps: -100 }], haircuts: [{ asset: 'DOGE', ratioE8: 1 }] }, 'RISK_STRESS_UNKNOWN_ASSET', /DOGE/],
      [{ shocks: [{ market: 'BTCUSDT', shockBps: -100 }], extra: 1 }, 'ADMIN_INVALID_REQUEST', /additional/],
    ];
    for (const [body, code, message] of refused) {
      const r = await json(await s.admin('POST', '/v1/admin/stress', body));
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.code, code, JSON.stringify(r.body));
      assert.match(String(r.body.message), message);
    }
    assert.equal((await s.admin('POST', '/v1/admin/stress', { shocks: [{ market: 'BTCUSDT', shockBps: -100 }] }, null)).status, 401);
    assert.equal(s.stateHash(), hash);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${s.url}/docs/json`)).json()) as { paths: Record<string, unknown> };
    assert.ok(doc.paths['/v1/admin/stress'], Object.keys(doc.paths).join(' '));
  });
});
