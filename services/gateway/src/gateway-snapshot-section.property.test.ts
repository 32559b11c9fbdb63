/**
 * The gateway's snapshot section (gateway-snapshot-section.ts) as an invariant: for a
 * random stream of orders, cancels and simulated-market steps cut at a random point,
 * a fresh gateway restored from the section captured at the cut and fed the rest of
 * the stream holds exactly the state of the gateway that ran uninterrupted, byte for
 * byte (read models, id allocator, market data, risk feed, the spot-margin history:
 * spot orders rest, fill against each other and the simulated maker, and are
 * cancelled in the same stream). Both gateways read one
 * exchange; the second one is built at the cut, as a restart builds it before the
 * journal tail. The streams' clock is manual, so no wall-clock tick closes an
 * aggTrade in one gateway and not the other.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { OrderType, Side, TimeInForce } from '@perpcore/domain';
import { EmbeddedExchange, type EmbeddedExchangeClient } from '@perpcore/exchange';
import { createLogger } from '@perpcore/observability';
import { encodeValue } from '@perpcore/snapshot';
import { createGatewayServer, type GatewayServer } from './gateway-server.js';
import { gatewaySnapshotSection } from './gateway-snapshot-section.js';
import { testKey, testRegistry, testServerOptions, USDT } from './gateway-test-server.test-support.js';
import { OrderIdAllocator } from './read-model/order-id-allocator.js';
import { ManualClock } from './test-support/manual-clock.test-support.js';

const ACCOUNTS = [7_001, 7_002] as const;
const SAT = 100_000_000;

type Op =
  | { kind: 'place'; account: 0 | 1; buy: boolean; offsetPermille: number; qtyLots: number; ioc: boolean; named: boolean }
  | { kind: 'cancel'; account: 0 | 1; pick: number }
  | { kind: 'step'; steps: number }
  | { kind: 'spotPlace'; account: 0 | 1; buy: boolean; offsetPermille: number; qtyLots: number; ioc: boolean; named: boolean }
  | { kind: 'spotCancel'; account: 0 | 1; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('place' as const), account: fc.constantFrom(0 as const, 1 as const), buy: fc.boolean(), offsetPermille: fc.integer({ min: -30, max: 30 }), qtyLots: fc.integer({ min: 1, max: 6 }), ioc: fc.boolean(), named: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), account: fc.constantFrom(0 as const, 1 as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('step' as const), steps: fc.integer({ min: 1, max: 30 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('spotPlace' as const), account: fc.constantFrom(0 as const, 1 as const), buy: fc.boolean(), offsetPermille: fc.integer({ min: -3, max: 3 }), qtyLots: fc.integer({ min: 1, max: 6 }), ioc: fc.boolean(), named: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('spotCancel' as const), account: fc.constantFrom(0 as const, 1 as const), pick: fc.nat() }) },
);

async function apply(op: Op, i: number, exchange: EmbeddedExchange, client: EmbeddedExchangeClient, gateway: GatewayServer, ids: OrderIdAllocator): Promise<void> {
  if (op.kind === 'step') return void exchange.step(op.steps);
  const accountId = ACCOUNTS[op.account];
  if (op.kind === 'spotCancel') {
    const open = (await client.spotOpenOrders(accountId)).map((o) => o.orderId).sort((a, b) => a - b);
    if (open.length > 0) await client.spotCancelOrder(accountId, open[op.pick % open.length] as number);
    return;
  }
  if (op.kind === 'spotPlace') {
    // within the maker's 0.1 % quotes around the index: some cross the other account's orders or the maker's, some rest
    const index = (await client.spotIndexTicks('BTC/USDT')) ?? 300_000;
    await client.spotPlaceOrder({
      accountId,
      symbol: 'BTC/USDT',
      side: op.buy ? Side.Buy : Side.Sell,
      priceTicks: index + Math.trunc((index * op.offsetPermille) / 1_000),
      qtyLots: op.qtyLots,
      immediateOrCancel: op.ioc,
      autoBorrow: false,
      ...(op.named ? { clientOrderId: `s-${i}` } : {}),
    });
    return;
  }
  if (op.kind === 'cancel') {
    const open = [...gateway.trading.deps.model.account(accountId).open.keys()].sort((a, b) => a - b);
    if (open.length > 0) await client.cancelOrder(accountId, 'BTCUSDT', open[op.pick % open.length] as number);
    return;
  }
  // around the best bid (the simulated market's book): some orders cross it, some rest
  const book = await client.book('BTCUSDT', 1);
  const refTicks = book?.bids[0]?.[0] ?? book?.asks[0]?.[0] ?? 300_000;
  await client.placeOrder({
    orderId: ids.next(),
    accountId,
    market: 'BTCUSDT',
    side: op.buy ? Side.Buy : Side.Sell,
    type: OrderType.Limit,
    timeInForce: op.ioc ? TimeInForce.ImmediateOrCancel : TimeInForce.GoodTillCancel,
    priceTicks: refTicks + Math.trunc((refTicks * op.offsetPermille) / 1_000),
    qtyLots: op.qtyLots,
    clientOrderId: op.named ? `c-${i}` : '',
  });
}

describe('the gateway snapshot section (property)', () => {
  it('restored at any cut and fed the rest of the stream, it equals the uninterrupted gateway byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: 30 }), fc.nat(), async (ops, cutSeed) => {
        const exchange = await EmbeddedExchange.create({ logger: createLogger('test', 'silent'), seed: 5 });
        const registry = testRegistry();
        for (const id of ACCOUNTS) testKey(registry, id);
        const clock = new ManualClock();
        // both gateways' clients in one stream family (`gateway-0`, `gateway-0@…`), as one gateway before and after a restart
        const client = await exchange.client('gateway-0');
        const uninterrupted = await createGatewayServer({ ...testServerOptions(client, registry), streamClock: clock });
        const restarted: GatewayServer[] = [];
        try {
          const operator = await exchange.client('operator');
          for (const id of ACCOUNTS) {
            await operator.deposit(id, 'USDT', 1_000_000 * USDT);
            await operator.spotDeposit(id, 'USDT', 1_000_000 * USDT);
            await operator.spotDeposit(id, 'BTC', 10 * SAT);
          }
          exchange.step(100); // the spot pair has its index and the maker's quotes
          const ids = new OrderIdAllocator(() => 0);
          const cut = cutSeed % (ops.length + 1);
          for (let i = 0; i < cut; i++) await apply(ops[i] as Op, i, exchange, client, uninterrupted, ids);
          const captured = gatewaySnapshotSection(uninterrupted).capture();
          const twin = await createGatewayServer({ ...testServerOptions(await exchange.client('gateway-0@1'), registry), streamClock: clock });
          restarted.push(twin);
          gatewaySnapshotSection(twin).restore(captured);
          for (let i = cut; i < ops.length; i++) await apply(ops[i] as Op, i, exchange, client, uninterrupted, ids);
          assert.deepEqual(encodeValue(gatewaySnapshotSection(twin).capture()), encodeValue(gatewaySnapshotSection(uninterrupted).capture()), `cut at ${cut} of ${ops.length}`);
        } finally {
          for (const g of restarted) await g.close();
          await uninterrupted.close();
          await exchange.close();
        }
      }),
      { numRuns: 12, seed: 7 },
    );
  });
});
