/**
 * The Kafka client's folds, fed by the real embedded pipeline's events (no broker):
 * the book folded from matching events equals the engine's book after a simulated
 * run; each order command is seen finished by `OrderCompletion` with the same
 * refusal the embedded client reports (resting, filled, IOC remainder, cancel,
 * amend, risk and matching refusals, cancel-all); and the risk process's query
 * answer equals the embedded account view and changes no state hash.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OrderType, Side, TimeInForce } from '@perpcore/domain';
import { createLogger } from '@perpcore/observability';
import { SCHEMA_MAJOR_V1, type GatewayQueryV1 } from '@perpcore/proto';
import { answerQuery } from '../account-query-responder.js';
import { EmbeddedExchange } from '../embedded-exchange.js';
import { BookFold } from './book-fold.js';
import type { CommandRejection, ExchangeClient } from './exchange-client.js';
import { limitOrders } from './limit-orders.test-support.js';
import { type OrderCommandKind, OrderCompletion } from './order-completion.js';

const USDT = 1_000_000;
const NOT_FINISHED = 'not finished';

describe('Kafka client folds over the embedded pipeline', () => {
  let exchange: EmbeddedExchange;
  let client: ExchangeClient;
  const markets = ['BTCUSDT', 'ETHUSDT'];
  const fold = new BookFold(markets);
  const completion = new OrderCompletion();
  const limit = limitOrders(6_000_000_000_000_000);
  /** Registers the command with the completion fold, runs it, and returns what the fold concluded. */
  const tracked = async (kind: OrderCommandKind, orderId: number, run: () => Promise<{ rejection: CommandRejection | null }>) => {
    let outcome: CommandRejection | null | typeof NOT_FINISHED = NOT_FINISHED;
    completion.add({ kind, orderId, matching: [], risk: [], restingInput: null, finish: (r) => (outcome = r) });
    const result = await run();
    completion.remove(orderId);
    return { outcome, rejection: result.rejection };
  };

  before(async () => {
    exchange = await EmbeddedExchange.create({ logger: createLogger('test', 'silent'), seed: 9 });
    client = await exchange.client('folds-test');
    await client.subscribe({
      onMatchingEvent: (e) => {
        fold.apply(e);
        completion.onMatchingEvent(e);
      },
      onRiskEvent: (e) => completion.onRiskEvent(e),
    });
    exchange.step(4_000);
    await client.deposit(8_001, 'USDT', 1_000_000 * USDT);
    await client.deposit(8_002, 'USDT', 1_000_000 * USDT);
  });
  after(async () => exchange.close());

  it('folds the same book as the engine holds', async () => {
    for (const m of markets) {
      const engine = await client.book(m, 1_000);
      const folded = fold.snapshot(m, 1_000);
      assert.ok((engine?.bids.length ?? 0) > 0 && (engine?.asks.length ?? 0) > 0, `${m} has a two-sided book after the run`);
      assert.deepEqual(folded, engine, m);
    }
    assert.equal(fold.snapshot('NOPE', 5), null);
  });

  it('sees every order command finish, with the refusal the stages gave', async () => {
    const book = await client.book('BTCUSDT', 1);
    const bestBid = book?.bids[0]?.[0] ?? 0;
    const bestAsk = book?.asks[0]?.[0] ?? 0;
    assert.ok(bestBid > 0 && bestAsk > bestBid);
    const resting = limit(8_001, Side.Buy, bestBid - 50, 3);
    const rest = await tracked('place', resting.orderId, () => client.placeOrder(resting));
    assert.deepEqual(rest, { outcome: null, rejection: null }, 'resting: finished at its own book level');

    const amended = await tracked('amend', resting.orderId, () => client.amendOrder(8_001, 'BTCUSDT', resting.orderId, bestBid - 60, 2));
    assert.deepEqual(amended, { outcome: null, rejection: null });
    const canceled = await tracked('cancel', resting.orderId, () => client.cancelOrder(8_001, 'BTCUSDT', resting.orderId));
    assert.deepEqual(canceled, { outcome: null, rejection: null });

    const unknown = await tracked('cancel', resting.orderId, () => client.cancelOrder(8_001, 'BTCUSDT', resting.orderId));
    assert.equal(unknown.rejection?.stage, 'matching');
    assert.deepEqual(unknown.outcome, unknown.rejection, "matching's refusal");

    const taker = limit(8_002, Side.Buy, bestAsk, 1, { timeInForce: TimeInForce.ImmediateOrCancel });
    assert.deepEqual(await tracked('place', taker.orderId, () => client.placeOrder(taker)), { outcome: null, rejection: null }, 'filled or IOC remainder canceled');

    const huge = limit(8_002, Side.Buy, bestBid - 50, 999_999);
    const refused = await tracked('place', huge.orderId, () => client.placeOrder(huge));
    assert.equal(refused.rejection?.stage, 'risk');
    assert.deepEqual(refused.outcome, refused.rejection, "risk's pre-trade refusal");

    const stop = limit(8_001, Side.Buy, 0, 1, { type: OrderType.StopMarket, triggerPriceTicks: bestAsk + 500 });
    assert.deepEqual(await tracked('place', stop.orderId, () => client.placeOrder(stop)), { outcome: null, rejection: null }, 'a conditional order finishes when accepted');
  });

  it('sees a cancel-all finish once every live order of the account in the market is gone', async () => {
    const bestBid = (await client.book('BTCUSDT', 1))?.bids[0]?.[0] ?? 0;
    for (const offset of [70, 80]) await client.placeOrder(limit(8_001, Side.Buy, bestBid - offset, 1));
    const live = completion.liveOrdersOf(8_001, 'BTCUSDT');
    assert.equal(live.size, 3, 'two resting orders and the untriggered stop');
    let outcome: CommandRejection | null | typeof NOT_FINISHED = NOT_FINISHED;
    const pending = { accountId: 8_001, market: 'BTCUSDT', waitingFor: live, matching: [], finish: (r: CommandRejection | null) => (outcome = r) };
    completion.addCancelAll(pending);
    const r = await client.cancelAll(8_001, 'BTCUSDT');
    assert.equal(r.rejection, null);
    assert.equal(outcome, null);
    assert.equal(completion.liveOrdersOf(8_001, 'BTCUSDT').size, 0);
  });

  it("answers an account query with the embedded view, changing no state", async () => {
    const query = { schemaMajor: SCHEMA_MAJOR_V1, seq: 1, tsNs: 1, source: 'gateway-x', query: 'account', account: { accountId: 8_002 } } as GatewayQueryV1;
    const before = exchange.stateHash();
    const reply = answerQuery(query, 'risk-0', {
      accountReport: (id) => exchange.risk.engine.accountReport(id),
      adlBucket: (m, id) => exchange.liquidation.engine.adlBucket(m, id) ?? undefined,
      halted: () => '',
      nowNs: () => 2,
    });
    assert.equal(exchange.stateHash(), before, 'a query changes nothing');
    assert.deepEqual([reply.replyTo, reply.seq, reply.account?.found], ['gateway-x', 1, true]);
    const parsed = JSON.parse(reply.account?.reportJson ?? '') as { adlBuckets: [string, number][] };
    const view = await client.account(8_002);
    assert.ok(view !== null);
    assert.deepEqual({ ...parsed, adlBuckets: new Map(parsed.adlBuckets) }, JSON.parse(JSON.stringify({ ...view, adlBuckets: [] }), (k, v) => (k === 'adlBuckets' ? view.adlBuckets : v)));
    const missing = answerQuery({ ...query, account: { accountId: 99_999 } } as GatewayQueryV1, 'risk-0', { accountReport: () => null, adlBucket: () => undefined, halted: () => 'halted: test', nowNs: () => 3 });
    assert.deepEqual([missing.account?.found, missing.account?.reportJson, missing.halted], [false, '', 'halted: test']);
  });
});
