import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MarginMode, OrderType, Side, TimeInForce } from '@perpcore/domain';
import { createLogger } from '@perpcore/observability';
import type { MatchingEventV1, OracleEventV1, RiskEventV1 } from '@perpcore/proto';
import { EmbeddedExchange } from '../embedded-exchange.js';
import type { ExchangeClient, PlaceOrderRequest } from './exchange-client.js';
import { limitOrders } from './limit-orders.test-support.js';
import { runLoanFlow, runPoolFlow } from './lending-flow.test-support.js';

const USDT = 1_000_000;

describe('EmbeddedExchangeClient (the typed client over the embedded pipeline)', () => {
  let exchange: EmbeddedExchange;
  let client: ExchangeClient;
  const limit = limitOrders(4_000_000_000_000_000);

  before(async () => {
    exchange = await EmbeddedExchange.create({ logger: createLogger('test', 'silent'), seed: 5, scenario: { loanBorrowers: 1 } }); // loan terms on
    client = await exchange.client('gateway-test');
  });
  after(async () => exchange.close());

  it('deposits and withdraws in integer units, answering with the balance after', async () => {
    const dep = await client.deposit(41, 'USDT', 1_000 * USDT);
    assert.equal(dep.rejection, null);
    assert.equal(dep.balanceAfterUnits, String(1_000 * USDT));
    const wd = await client.withdraw(41, 'USDT', 250 * USDT);
    assert.equal(wd.balanceAfterUnits, String(750 * USDT));
    const tooMuch = await client.withdraw(41, 'USDT', 10_000 * USDT);
    assert.equal(tooMuch.rejection?.stage, 'risk');
    assert.match(tooMuch.rejection?.code ?? '', /^RISK_/);
    const view = await client.account(41);
    assert.equal(view?.collateral.find((c) => c.asset === 'USDT')?.balanceUnits, 750 * USDT);
  });

  it('places, amends, fills and cancels, each answered with its events', async () => {
    await client.deposit(42, 'USDT', 100_000 * USDT);
    await client.deposit(43, 'USDT', 100_000 * USDT);
    // far below the simulated index so no simulated order crosses it
    const maker = await client.placeOrder(limit(42, Side.Buy, 100_000, 20));
    assert.equal(maker.rejection, null);
    assert.deepEqual(maker.matchingEvents.map((e) => e.event), ['accepted', 'bookDelta']);
    const amended = await client.amendOrder(42, 'BTCUSDT', maker.orderId, 100_001, 10);
    assert.equal(amended.rejection, null);
    assert.ok(amended.matchingEvents.some((e) => e.event === 'amended'));
    const book = await client.book('BTCUSDT', 1000);
    assert.ok(book?.bids.some(([p, q]) => p === 100_001 && q >= 10));

    const taker = await client.placeOrder(limit(43, Side.Sell, 100_001, 4, { timeInForce: TimeInForce.ImmediateOrCancel }));
    const fills = taker.matchingEvents.filter((e) => e.event === 'filled');
    assert.ok(fills.length >= 1);
    // risk settled both legs inside the same call
    assert.ok(taker.riskEvents.some((e) => e.event === 'positionSettled' && e.accountId === 42));
    assert.ok(taker.riskEvents.some((e) => e.event === 'positionSettled' && e.accountId === 43));

    const canceled = await client.cancelOrder(42, 'BTCUSDT', maker.orderId);
    assert.equal(canceled.rejection, null);
    assert.ok(canceled.matchingEvents.some((e) => e.event === 'canceled'));
    const again = await client.cancelOrder(42, 'BTCUSDT', maker.orderId);
    assert.notEqual(again.rejection, null);
  });

  it('reports pre-trade and book refusals with the stage and code, changing nothing', async () => {
    await client.deposit(44, 'USDT', 10 * USDT);
    const before = exchange.stateHash();
    const poor = await client.placeOrder(limit(44, Side.Buy, 300_000, 1_000));
    assert.deepEqual([poor.rejection?.stage, poor.rejection?.code], ['risk', 'RISK_INSUFFICIENT_MARGIN']);
    assert.equal(exchange.stateHash(), before);
    const foreign = await client.placeOrder(limit(42, Side.Buy, 100_000, 1));
    const notMine = await client.cancelOrder(43, 'BTCUSDT', foreign.orderId);
    assert.notEqual(notMine.rejection, null);
    await client.cancelAll(42, 'BTCUSDT');
  });

  it('changes leverage and margin mode through the risk stage', async () => {
    await client.deposit(45, 'USDT', 1_000 * USDT);
    const lev = await client.setLeverage(45, 'BTCUSDT', 7);
    assert.deepEqual([lev.rejection, lev.leverage], [null, 7]);
    const bad = await client.setLeverage(45, 'BTCUSDT', 500);
    assert.equal(bad.rejection?.stage, 'risk');
    const iso = await client.setMarginMode(45, 'BTCUSDT', MarginMode.Isolated);
    assert.deepEqual([iso.rejection, iso.marginMode], [null, MarginMode.Isolated]);
  });

  it('runs loans and the lending pool, each loan answer carrying the loan after it; the audit holds', async () => {
    exchange.step(200); // index prices for the collateral
    const accounts = { borrower: 51, supplier: 52, poolBorrower: 53, liquidator: 54, intruder: 55 };
    await runLoanFlow(client, accounts);
    await runPoolFlow(client, accounts);
    const audit = exchange.risk.engine.audit();
    assert.ok(audit.ok, audit.problems.join('; '));
  });

  it('delivers the matching, risk, oracle and liquidation streams to subscribers', async () => {
    const seen = { matching: [] as MatchingEventV1[], risk: [] as RiskEventV1[], oracle: [] as OracleEventV1[] };
    const sub = await client.subscribe({
      onMatchingEvent: (e) => seen.matching.push(e),
      onRiskEvent: (e) => seen.risk.push(e),
      onOracleEvent: (e) => seen.oracle.push(e),
    });
    exchange.step(2_000);
    await sub.close();
    const count = seen.matching.length;
    exchange.step(100);
    assert.ok(count > 0 && seen.risk.length > 0 && seen.oracle.length > 0);
    assert.equal(seen.matching.length, count, 'nothing after close');
    // per-market sequence has no gaps in what the subscriber saw
    const btc = seen.matching.filter((e) => e.market === 'BTCUSDT').map((e) => Number(e.seq));
    for (let i = 1; i < btc.length; i++) assert.equal(btc[i], (btc[i - 1] as number) + 1);
  });
});
