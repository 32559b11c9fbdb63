import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OrderType, Side, TimeInForce } from '@perpcore/domain';
import { EmbeddedExchange, type ExchangeClient, type PlaceOrderRequest } from '@perpcore/exchange';
import { createLogger } from '@perpcore/observability';
import { OrderIdAllocator } from './order-id-allocator.js';
import { OrderReadModel } from './order-read-model.js';

const USDT = 1_000_000;

describe('OrderReadModel (folded from the client’s events)', () => {
  let exchange: EmbeddedExchange;
  let client: ExchangeClient;
  const model = new OrderReadModel({ closedLimit: 3, fillLimit: 4 });
  const ids = new OrderIdAllocator();
  const place = (accountId: number, side: Side, priceTicks: number, qtyLots: number, extra: Partial<PlaceOrderRequest> = {}) => {
    const orderId = ids.next();
    model.notePlacement(orderId, { clientOrderId: extra.clientOrderId ?? '', triggerSource: 0 });
    return client.placeOrder({ orderId, accountId, market: 'BTCUSDT', side, type: OrderType.Limit, timeInForce: TimeInForce.GoodTillCancel, priceTicks, qtyLots, ...extra });
  };

  before(async () => {
    exchange = await EmbeddedExchange.create({ logger: createLogger('test', 'silent'), seed: 9 });
    client = await exchange.client('gateway-test');
    await client.subscribe({ onMatchingEvent: (e) => model.onMatchingEvent(e), onRiskEvent: (e) => model.onRiskEvent(e) });
    for (const a of [61, 62]) await client.deposit(a, 'USDT', 100_000 * USDT);
  });
  after(async () => exchange.close());

  it('tracks status, executed qty, exact cumulative quote, fees and realized PnL per leg', async () => {
    const maker = await place(61, Side.Buy, 100_000, 10, { clientOrderId: 'maker-1' });
    assert.equal(model.order(61, maker.orderId)?.status, 'NEW');
    assert.equal(model.account(61).byClientOrderId('maker-1')?.orderId, maker.orderId);
    await place(62, Side.Sell, 100_000, 4, { timeInForce: TimeInForce.ImmediateOrCancel });
    const m = model.order(61, maker.orderId);
    assert.deepEqual([m?.status, m?.executedLots, m?.cumTickLots], ['PARTIALLY_FILLED', 4, 400_000]);
    const takerFill = model.account(62).fills().at(-1);
    assert.equal(takerFill?.maker, false);
    assert.ok((takerFill?.feeUnits ?? 0) > 0, 'taker fee from risk settlement');
    assert.equal(model.account(61).fills().at(-1)?.maker, true);
    // privacy: the taker's leg names only its own order
    assert.deepEqual(Object.keys(takerFill ?? {}).filter((k) => /maker(Account|Order)|counter/i.test(k)), []);
    assert.notEqual(takerFill?.orderId, maker.orderId);

    await place(62, Side.Sell, 100_000, 6, { timeInForce: TimeInForce.ImmediateOrCancel });
    assert.equal(model.order(61, maker.orderId)?.status, 'FILLED');
    assert.equal(model.account(61).open.has(maker.orderId), false);
  });

  it('folds only the accounts it tracks', async () => {
    const only61 = new OrderReadModel(undefined, (id) => id === 61);
    const sub = await client.subscribe({ onMatchingEvent: (e) => only61.onMatchingEvent(e), onRiskEvent: (e) => only61.onRiskEvent(e) });
    const maker = await place(61, Side.Buy, 100_000, 2);
    await place(62, Side.Sell, 100_000, 2, { timeInForce: TimeInForce.ImmediateOrCancel });
    await sub.close();
    assert.equal(only61.order(61, maker.orderId)?.status, 'FILLED');
    assert.equal(only61.account(61).fills().length, 1);
    assert.equal(only61.account(62).fills().length, 0);
    assert.equal(only61.account(62).closed.size, 0);
  });

  it('marks IOC remainders EXPIRED, user cancels CANCELED, and bounds what it keeps', async () => {
    const ioc = await place(62, Side.Buy, 1, 5, { timeInForce: TimeInForce.ImmediateOrCancel });
    assert.equal(model.order(62, ioc.orderId)?.status, 'EXPIRED');
    const resting = await place(61, Side.Buy, 100_000, 1, { clientOrderId: 'c-1' });
    await client.cancelOrder(61, 'BTCUSDT', resting.orderId);
    assert.equal(model.order(61, resting.orderId)?.status, 'CANCELED');
    for (let i = 0; i < 5; i++) {
      const r = await place(61, Side.Buy, 100_000, 1);
      await client.cancelOrder(61, 'BTCUSDT', r.orderId);
    }
    assert.equal(model.account(61).closed.size, 3);
    assert.equal(model.account(61).byClientOrderId('c-1'), undefined, 'forgotten with its order');
    assert.ok(model.account(61).fills().length <= 4);
    assert.equal(model.order(62, resting.orderId), undefined, "another account's order is not found");
  });

  it('names an order no request noted (a journal replay) from its place command, and drops the note of a refused one', async () => {
    const replayed = new OrderReadModel();
    const sub = await client.subscribe({ onMatchingEvent: (e) => replayed.onMatchingEvent(e), onRiskEvent: (e) => replayed.onRiskEvent(e), onOrderCommand: (c) => replayed.onOrderCommand(c) });
    // no notePlacement: only the command carries the client order id
    const orderId = ids.next();
    await client.placeOrder({ orderId, accountId: 61, market: 'BTCUSDT', side: Side.Buy, type: OrderType.Limit, timeInForce: TimeInForce.GoodTillCancel, priceTicks: 100_000, qtyLots: 1, clientOrderId: 'from-journal' });
    assert.equal(replayed.account(61).byClientOrderId('from-journal')?.orderId, orderId);
    assert.equal(replayed.order(61, orderId)?.clientOrderId, 'from-journal');
    const refused = await client.placeOrder({ orderId: ids.next(), accountId: 61, market: 'BTCUSDT', side: Side.Buy, type: OrderType.Limit, timeInForce: TimeInForce.GoodTillCancel, priceTicks: 100_000, qtyLots: 10 ** 9, clientOrderId: 'too-big' });
    assert.notEqual(refused.rejection, null, 'the core refused it');
    assert.equal((replayed as unknown as { notes: Map<number, unknown> }).notes.size, 0, 'no note outlives its order');
    await sub.close();
    await client.cancelOrder(61, 'BTCUSDT', orderId);
  });
});

describe('OrderReadModel over a Kafka replay (the place command and the events in either order)', () => {
  const accepted = (orderId: number, seq: number) =>
    ({ market: 'BTCUSDT', seq, tsNs: seq * 1_000, event: 'accepted', accepted: { orderId, accountId: 71, side: 1, type: 1, timeInForce: 1, priceTicks: 100, qtyLots: 2, triggerPriceTicks: 0, reduceOnly: false, liquidationId: 0 } }) as never;
  const command = (orderId: number, clientOrderId: string) => ({ command: 'place', place: { orderId, accountId: 71, clientOrderId, triggerSource: 0 } }) as never;

  it('names an order by its client id whether the command came before or after its accepted event', () => {
    const model = new OrderReadModel();
    model.onOrderCommand(command(11, 'before'));
    model.onMatchingEvent(accepted(11, 1));
    model.onMatchingEvent(accepted(12, 2));
    assert.equal(model.account(71).byClientOrderId('after'), undefined, 'not named before its command is seen');
    model.onOrderCommand(command(12, 'after'));
    assert.deepEqual([model.account(71).byClientOrderId('before')?.orderId, model.account(71).byClientOrderId('after')?.orderId], [11, 12]);
    assert.equal(model.order(71, 12)?.clientOrderId, 'after');
    // a copy of the command changes nothing, and never renames an order
    model.onOrderCommand(command(12, 'other'));
    assert.equal(model.order(71, 12)?.clientOrderId, 'after');
    assert.equal(model.account(71).byClientOrderId('other'), undefined);
  });
});
