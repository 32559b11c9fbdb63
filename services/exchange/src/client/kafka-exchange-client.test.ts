/**
 * `KafkaExchangeClient` correlates answers from the stages' events alone: here it
 * runs over the embedded pipeline's real bus (every stage subscribed, the risk
 * engine answering account queries through `serveAccountQueries`), so each call's
 * answer is checked against what the stages did, without a broker (the broker run
 * is services/gateway gateway-cluster-kafka.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OrderType, Side, TimeInForce } from '@perpcore/domain';
import { createLogger } from '@perpcore/observability';
import { serveAccountQueries } from '../account-query-responder.js';
import { EmbeddedExchange } from '../embedded-exchange.js';
import { defaultMarketSpecs, defaultVenueMarkets } from '@perpcore/markets';
import { KafkaExchangeClient } from './kafka-exchange-client.js';
import { limitOrders } from './limit-orders.test-support.js';
import { runLoanFlow, runPoolFlow } from './lending-flow.test-support.js';

const USDT = 1_000_000;

describe('KafkaExchangeClient over the pipeline (answers from events only)', () => {
  let exchange: EmbeddedExchange;
  let client: KafkaExchangeClient;
  const limit = limitOrders(7_000_000_000_000_000);

  before(async () => {
    exchange = await EmbeddedExchange.create({ logger: createLogger('test', 'silent'), seed: 13, scenario: { loanBorrowers: 1 } }); // loan terms on
    exchange.step(3_000);
    await serveAccountQueries(exchange.bus, 'risk-queries', 'risk-0', {
      accountReport: (id) => exchange.risk.engine.accountReport(id),
      adlBucket: (m, id) => exchange.liquidation.engine.adlBucket(m, id) ?? undefined,
      liquidationCandidates: () => exchange.risk.engine.liquidationCandidates(),
      halted: () => '',
      nowNs: () => 1,
    });
    client = await KafkaExchangeClient.create({ bus: exchange.bus, venue: defaultVenueMarkets(defaultMarketSpecs), source: 'gateway-kafka-test', timeoutMs: 1_000, nowNs: () => exchange.nowNs() });
  });
  after(async () => {
    await client.close();
    await exchange.close();
  });

  it('answers account commands by command id, and account() from the query reply', async () => {
    const dep = await client.deposit(9_001, 'USDT', 500_000 * USDT);
    assert.deepEqual([dep.rejection, dep.balanceAfterUnits], [null, String(500_000 * USDT)]);
    const tooMuch = await client.withdraw(9_001, 'USDT', 1_000_000 * USDT);
    assert.equal(tooMuch.rejection?.stage, 'risk');
    const view = await client.account(9_001);
    assert.equal(view?.collateral[0]?.balanceUnits, 500_000 * USDT);
    assert.equal(await client.account(9_999), null, 'an account risk never saw');
    await client.deposit(9_002, 'USDT', 500_000 * USDT);
  });

  it("answers loan and pool commands with their effects: the account's events from the answer's firstEventSeq", async () => {
    const accounts = { borrower: 9_011, supplier: 9_012, poolBorrower: 9_013, liquidator: 9_014, intruder: 9_015 };
    await runLoanFlow(client, accounts);
    await runPoolFlow(client, accounts);
  });

  it('finishes order commands as the book answered them', async () => {
    const folded = await client.book('BTCUSDT', 5);
    assert.ok(folded !== null && folded.bids.length > 0, 'the book is folded from the replayed matching events');
    const bestBid = folded.bids[0][0];
    const bestAsk = folded.asks[0][0];
    const resting = limit(9_001, Side.Buy, bestBid - 40, 2);
    const placed = await client.placeOrder(resting);
    assert.equal(placed.rejection, null);
    assert.ok(placed.matchingEvents.some((e) => e.event === 'accepted'));
    assert.ok((await client.book('BTCUSDT', 100))?.bids.some(([p, q]) => p === bestBid - 40 && q >= 2));
    assert.equal((await client.amendOrder(9_001, 'BTCUSDT', resting.orderId, bestBid - 45, 1)).rejection, null);
    assert.equal((await client.cancelOrder(9_001, 'BTCUSDT', resting.orderId)).rejection, null);
    assert.equal((await client.cancelOrder(9_001, 'BTCUSDT', resting.orderId)).rejection?.stage, 'matching');
    const taker = await client.placeOrder(limit(9_002, Side.Buy, bestAsk, 1, { timeInForce: TimeInForce.ImmediateOrCancel }));
    assert.equal(taker.rejection, null);
    assert.ok(taker.matchingEvents.some((e) => e.event === 'filled' && Number(e.filled?.takerOrderId) === taker.orderId));
    const refused = await client.placeOrder(limit(9_002, Side.Buy, bestBid - 40, 999_999));
    assert.equal(refused.rejection?.stage, 'risk');
    const stop = await client.placeOrder(limit(9_001, Side.Buy, 0, 1, { type: OrderType.StopMarket, triggerPriceTicks: bestAsk + 400 }));
    assert.equal(stop.rejection, null, 'a conditional order is finished when accepted');
    await client.placeOrder(limit(9_001, Side.Buy, bestBid - 60, 1));
    const all = await client.cancelAll(9_001, 'BTCUSDT');
    assert.equal(all.rejection, null);
    assert.equal(all.matchingEvents.filter((e) => e.event === 'canceled').length, 2, 'the resting order and the untriggered stop');
  });
});
