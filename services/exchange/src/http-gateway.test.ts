import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@perpcore/observability';
import { EmbeddedExchange } from './embedded-exchange.js';

describe('HTTP gateway (real HTTP on loopback)', () => {
  let exchange: EmbeddedExchange;
  let base = '';
  before(async () => {
    exchange = await EmbeddedExchange.create({ logger: createLogger('test', 'silent'), seed: 3 });
    base = await exchange.listen(0);
    for (const account of ['7', '8', '9']) {
      const res = await postTo('/v1/deposits', { asset: 'USDT', amount: '1000000' }, account);
      assert.equal((res.body.events as { event: string }[])[0]?.event, 'commandAccepted');
    }
  });
  after(async () => exchange.close());

  const postTo = async (path: string, body: unknown, account: string | null = '7') => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (account !== null) headers['x-account-id'] = account;
    const res = await fetch(`${base}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const post = (body: unknown, account: string | null = '7') => postTo('/v1/orders', body, account);

  it('places a limit order from decimal strings and shows it on the book', async () => {
    const res = await post({ market: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: '100.5', quantity: '0.25' });
    assert.equal(res.status, 200);
    const events = res.body.events as { event: string; price?: string; qty?: string }[];
    assert.equal(events[0]?.event, 'accepted');
    assert.equal(events[0]?.price, '100.5');
    assert.equal(events[0]?.qty, '0.25');
    const book = (await (await fetch(`${base}/v1/markets/BTCUSDT/book?depth=5`)).json()) as { bids: [string, string][] };
    assert.deepEqual(book.bids[0], ['100.5', '0.25']);
  });

  it('crosses and reports the fill in decimals', async () => {
    await post({ market: 'ETHUSDT', side: 'SELL', type: 'LIMIT', price: '2000.01', quantity: '1.5' }, '8');
    const res = await post({ market: 'ETHUSDT', side: 'BUY', type: 'LIMIT', price: '2000.01', quantity: '1', timeInForce: 'IOC' }, '9');
    const fill = (res.body.events as { event: string; price?: string; qty?: string }[]).find((e) => e.event === 'filled');
    assert.equal(fill?.price, '2000.01');
    assert.equal(fill?.qty, '1');
  });

  it('refuses bad input with a clear code and changes nothing', async () => {
    const before = exchange.stateHash();
    const cases: [unknown, string | null, number, string][] = [
      [{ market: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: '100.55', quantity: '1' }, '7', 400, 'DOMAIN_OFF_GRID'],
      [{ market: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: '100', quantity: '0.0001' }, '7', 400, 'DOMAIN_OFF_GRID'],
      [{ market: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: 'NaN', quantity: '1' }, '7', 400, 'DOMAIN_INVALID_DECIMAL'],
      [{ market: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: '-5', quantity: '1' }, '7', 400, 'DOMAIN_PRICE_OUT_OF_RANGE'],
      [{ market: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: '100', quantity: '0' }, '7', 400, 'DOMAIN_QTY_OUT_OF_RANGE'],
      [{ market: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: '100', quantity: '99999999' }, '7', 400, 'DOMAIN_QTY_OUT_OF_RANGE'],
      [{ market: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: 100, quantity: '1' }, '7', 400, 'GATEWAY_INVALID_REQUEST'],
      [{ market: 'BTCUSDT', side: 'UP', type: 'LIMIT', price: '100', quantity: '1' }, '7', 400, 'GATEWAY_INVALID_REQUEST'],
      [{ market: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: '100', quantity: '1', extra: 1 }, '7', 400, 'GATEWAY_INVALID_REQUEST'],
      [{ market: 'BTCUSDT', side: 'BUY', type: 'MARKET', price: '100', quantity: '1' }, '7', 400, 'GATEWAY_INVALID_PRICE'],
      [{ market: 'DOGEUSDT', side: 'BUY', type: 'LIMIT', price: '100', quantity: '1' }, '7', 404, 'GATEWAY_UNKNOWN_MARKET'],
      [{ market: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: '100', quantity: '1' }, null, 401, 'GATEWAY_MISSING_ACCOUNT'],
      ['{"market": "BTCUSDT", ', '7', 400, 'GATEWAY_INVALID_REQUEST'],
    ];
    for (const [body, account, status, code] of cases) {
      const res = await post(body, account);
      assert.equal(res.status, status, JSON.stringify(body));
      assert.equal(res.body.code, code, JSON.stringify(body));
    }
    assert.equal(exchange.stateHash(), before);
  });

  it('gates orders on margin in the risk stage and answers the three questions per account', async () => {
    await postTo('/v1/deposits', { asset: 'USDT', amount: '10' }, '11');
    const res = await post({ market: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: '30000', quantity: '1' }, '11');
    const events = res.body.events as { event: string; stage?: string; code?: string }[];
    assert.deepEqual(events.map((e) => [e.event, e.stage, e.code]), [['rejected', 'risk', 'RISK_INSUFFICIENT_MARGIN']]);
    const view = (await (await fetch(`${base}/v1/accounts/11`)).json()) as { acceptedCollateralUnits: number; cross: Record<string, unknown> };
    assert.equal(view.acceptedCollateralUnits, 10_000_000);
    assert.ok('cross' in view);
    assert.equal((await fetch(`${base}/v1/accounts/12345`)).status, 404);
  });

  it('refuses bad deposits', async () => {
    const cases: [unknown, number, string][] = [
      [{ asset: 'USDT', amount: '0.0000001' }, 400, 'DOMAIN_OFF_GRID'],
      [{ asset: 'USDT', amount: '-1' }, 400, 'GATEWAY_INVALID_AMOUNT'],
      [{ asset: 'DOGE', amount: '1' }, 400, 'GATEWAY_UNKNOWN_ASSET'],
      [{ asset: 'USDT', amount: 1 }, 400, 'GATEWAY_INVALID_REQUEST'],
    ];
    for (const [body, status, code] of cases) {
      const res = await postTo('/v1/deposits', body, '7');
      assert.equal(res.status, status, JSON.stringify(body));
      assert.equal(res.body.code, code, JSON.stringify(body));
    }
  });

  it("refuses to cancel another account's order", async () => {
    const placed = await post({ market: 'BTCUSDT', side: 'SELL', type: 'LIMIT', price: '999', quantity: '1' }, '7');
    const id = placed.body.orderId as string;
    const res = await fetch(`${base}/v1/orders/BTCUSDT/${id}`, { method: 'DELETE', headers: { 'x-account-id': '8' } });
    const body = (await res.json()) as { events: { event: string; code?: string }[] };
    assert.equal(body.events[0]?.event, 'rejected');
    assert.equal(body.events[0]?.code, 'MATCHING_NOT_ORDER_OWNER');
    const own = await fetch(`${base}/v1/orders/BTCUSDT/${id}`, { method: 'DELETE', headers: { 'x-account-id': '7' } });
    assert.equal(((await own.json()) as { events: { event: string }[] }).events[0]?.event, 'canceled');
  });
});
