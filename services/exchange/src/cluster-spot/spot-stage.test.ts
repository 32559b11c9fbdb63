/**
 * The cluster's spot-margin stage through `KafkaExchangeClient` on one in-process
 * bus (the composition cluster-spot.js runs over Kafka; the broker run is in the
 * gateway's cluster test): custody, borrow and repay with transaction ids, a resting
 * maker and a MARGIN_BUY taker, the account, open orders and depth queries, a cancel;
 * a redelivered command applied once; a malformed one and a clock that went back;
 * an index path from healthy through the call to liquidation. The stage's state is
 * the embedded engine's for the same inputs (so both modes agree), and a snapshot
 * restores the state and the event numbering.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InProcessBus, Topics } from '@perpcore/bus';
import { Side } from '@perpcore/domain';
import { defaultMarketSpecs, defaultVenueMarkets } from '@perpcore/markets';
import { createLogger } from '@perpcore/observability';
import { SCHEMA_MAJOR_V1, type OracleEventV1, type RiskEventV1, type SpotCommandV1 } from '@perpcore/proto';
import { KafkaExchangeClient } from '../client/kafka-exchange-client.js';
import { applySpotInput, type SpotInput } from '../durability/spot-input.js';
import { embeddedSpotEngine, spotPoolSeed } from '../embedded-spot-margin.js';
import { serveSpotQueries } from './spot-query-answers.js';
import { SPOT_STAGE_HALTED, SpotStage } from './spot-stage.js';
import { SPOT_INVALID_COMMAND } from './spot-command-input.js';

const logger = createLogger('spot-stage-test', 'silent');
const T0 = 1_767_225_600_000_000_000;
const S = 1_000_000_000;
const USDT = 1_000_000;
const BTC = 100_000_000;
const PAIR = 'BTC/USDT';
const [MAKER, TRADER, OTHER] = [501, 502, 503];
/** BTCUSDT index in subticks (100 per 0.1 USDT tick). */
const subticksAt = (usdt: number) => usdt * 1_000;
const ticksAt = (usdt: number) => usdt * 10;

async function setUp(failOn: (input: SpotInput) => boolean = () => false) {
  const bus = new InProcessBus();
  const applied: SpotInput[] = [];
  const onInput = (input: SpotInput) => {
    // an internal fault inside the stage's apply, as a bug in the engine would raise
    if (failOn(input)) throw new Error(`injected fault on ${input.op}`);
    applied.push(input);
  };
  const stage = new SpotStage(bus, { source: 'spot-t', specs: defaultMarketSpecs, onInput }, logger);
  await stage.start();
  let nowNs = T0;
  const queries = await serveSpotQueries(bus, 'spot-t', stage, () => nowNs);
  const client = await KafkaExchangeClient.create({ bus, venue: defaultVenueMarkets(defaultMarketSpecs), source: 'spot-gw', timeoutMs: 2_000, nowNs: () => nowNs, spotStage: true });
  let indexSeq = 0;
  const index = (usdt: number) => {
    nowNs += S;
    bus.publish(Topics.oracleIndexPrices, { schemaMajor: SCHEMA_MAJOR_V1, seq: ++indexSeq, tsNs: nowNs, source: 'oracle-t', symbol: 'BTCUSDT', event: 'indexPrice', indexPrice: { priceSubticks: subticksAt(usdt), sources: [] } } as OracleEventV1);
  };
  const spotEvents: RiskEventV1[] = [];
  const collect = (e: RiskEventV1) => void (e.source === 'spot-t' && spotEvents.push(e));
  await bus.subscribe(Topics.riskAccountEvents, { groupId: 'watch' }, (m) => collect(m.value));
  await bus.subscribe(Topics.riskMarketEvents, { groupId: 'watch' }, (m) => collect(m.value));
  return {
    bus,
    stage,
    client,
    index,
    spotEvents,
    applied,
    advance: (ns: number) => void (nowNs += ns),
    now: () => nowNs,
    async close() {
      await client.close();
      await queries.close();
      await stage.close();
    },
  };
}

describe('cluster spot-margin stage through the client', () => {
  it('takes custody, borrows, trades with MARGIN_BUY, answers the queries, cancels; the same inputs give the embedded engine’s state', async () => {
    const t = await setUp();
    try {
      const { client, stage } = t;
      assert.deepEqual(client.spotPairs().map((p) => p.symbol), [PAIR]);
      assert.deepEqual(client.spotAssets().map((a) => [a.asset, a.decimals]), [['BTC', 8], ['USDT', 6]]);
      assert.equal(await client.spotIndexTicks(PAIR), null, 'no index yet');
      t.index(30_000);
      assert.equal(await client.spotIndexTicks(PAIR), ticksAt(30_000));
      assert.deepEqual(await client.spotDeposit(MAKER, 'BTC', 10 * BTC), { ok: true });
      assert.deepEqual(await client.spotDeposit(TRADER, 'USDT', 10_000 * USDT), { ok: true });
      // a maker's ask of 1 BTC (1,000 lots of 0.001) at 30,030
      const ask = await client.spotPlaceOrder({ accountId: MAKER, symbol: PAIR, side: Side.Sell, priceTicks: ticksAt(30_030), qtyLots: 1_000, immediateOrCancel: false, autoBorrow: false, clientOrderId: 'mm-1' });
      assert.ok(ask.ok && ask.placement.status === 'NEW' && ask.placement.restingLots === 1_000, JSON.stringify(ask));
      assert.deepEqual((await client.spotDepth(PAIR, 5))?.asks, [[ticksAt(30_030), 1_000]]);
      assert.deepEqual((await client.spotOpenOrders(MAKER)).map((o) => [o.orderId, o.clientOrderId, o.remainingLots]), [[ask.placement.orderId, 'mm-1', 1_000]]);
      // the trader buys 0.5 BTC (15,015 USDT) on 10,000 of its own: MARGIN_BUY borrows the 5,015 short
      const buy = await client.spotPlaceOrder({ accountId: TRADER, symbol: PAIR, side: Side.Buy, priceTicks: ticksAt(30_030), qtyLots: 500, immediateOrCancel: true, autoBorrow: true });
      assert.ok(buy.ok, JSON.stringify(buy));
      assert.deepEqual([buy.placement.status, buy.placement.filledLots, buy.placement.fills, buy.placement.borrowedAsset, buy.placement.borrowedUnits], ['FILLED', 500, [[ticksAt(30_030), 500]], 'USDT', 5_015 * USDT]);
      const report = await client.spotAccount(TRADER);
      assert.ok(report !== null);
      const row = (asset: string) => report.assets.find((a) => a.asset === asset);
      assert.deepEqual([row('BTC')?.balanceUnits, row('USDT')?.balanceUnits, row('USDT')?.debtUnits], [BTC / 2, 0, 5_015 * USDT]);
      assert.equal(report.state, stage.engine.accountReport(TRADER)?.state);
      assert.equal(await client.spotAccount(OTHER), null, 'an account without spot rows');
      assert.deepEqual(await client.spotMaxBorrowable(TRADER, 'USDT'), stage.engine.maxBorrowable(TRADER, 'USDT'));
      assert.ok((await client.spotMaxBorrowable(TRADER, 'USDT')).amountUnits > 100 * USDT);
      // borrow, then repay part: transaction ids grow
      const borrowed = await client.spotBorrow(TRADER, 'USDT', 100 * USDT);
      const repaid = await client.spotRepay(TRADER, 'USDT', 50 * USDT);
      assert.ok(borrowed.ok && repaid.ok && repaid.tranId > borrowed.tranId && borrowed.tranId > 0, JSON.stringify([borrowed, repaid]));
      assert.deepEqual(await client.spotRepay(TRADER, 'USDT', 1_000_000 * USDT), { ok: false, code: 'RISK_SPOT_REPAY_EXCEEDS_DEBT' });
      // another account's order is not its to cancel
      assert.equal((await client.spotCancelOrder(OTHER, ask.placement.orderId)).ok, false);
      assert.deepEqual(await client.spotCancelOrder(MAKER, ask.placement.orderId), { ok: true });
      assert.deepEqual(await client.spotOpenOrders(MAKER), []);
      assert.deepEqual(await client.spotCancelAll(MAKER), { ok: true });

      // the embedded engine fed the same inputs, at the times the stage applied them, ends in the same state
      const twin = embeddedSpotEngine(defaultMarketSpecs.find((m) => m.baseAsset === 'BTC')!);
      for (const { asset, amountUnits } of spotPoolSeed(defaultMarketSpecs.find((m) => m.baseAsset === 'BTC')!)) twin.fundPool(asset, amountUnits, 0);
      assert.deepEqual(t.applied.map((i) => i.op), ['index', 'deposit', 'deposit', 'order', 'order', 'borrow', 'repay', 'repay', 'cancel', 'cancel', 'cancelAll']);
      for (const input of t.applied) applySpotInput(twin, input);
      assert.equal(twin.stateHash(), stage.stateHash(), 'the cluster stage is the embedded engine over the same inputs');
      assert.ok(stage.engine.audit().ok, stage.engine.audit().problems.join('; '));
    } finally {
      await t.close();
    }
  });

  it('applies a redelivered command once, refuses a malformed one without a change, and applies a late clock at its own time', async () => {
    const t = await setUp();
    try {
      t.index(30_000);
      const command = (seq: number, tsNs: number, body: Partial<SpotCommandV1>) => ({ schemaMajor: SCHEMA_MAJOR_V1, seq, tsNs, source: 'raw-gw', accountId: TRADER, ...body }) as SpotCommandV1;
      const deposit = command(1, t.now(), { command: 'deposit', deposit: { asset: 'USDT', amountUnits: 7 * USDT } });
      t.bus.publish(Topics.gatewaySpotCommands, deposit);
      t.bus.publish(Topics.gatewaySpotCommands, deposit);
      assert.equal(t.stage.engine.accountReport(TRADER)?.assets.find((a) => a.asset === 'USDT')?.balanceUnits, 7 * USDT, 'credited once');
      assert.equal(t.stage.counters.duplicates, 1);
      const hash = t.stage.stateHash();
      t.bus.publish(Topics.gatewaySpotCommands, command(2, t.now(), { command: 'placeOrder', placeOrder: { symbol: PAIR, side: 0, priceTicks: 1, qtyLots: 1, immediateOrCancel: false, autoBorrow: false, clientOrderId: '' } }));
      assert.equal(t.stage.stateHash(), hash, 'an order without a side changes nothing');
      assert.equal(t.stage.counters.refused, 1);
      // a gateway whose clock is behind the stage's: applied at the stage's time, not refused
      t.bus.publish(Topics.gatewaySpotCommands, command(3, T0, { command: 'deposit', deposit: { asset: 'USDT', amountUnits: USDT } }));
      assert.equal(t.stage.engine.accountReport(TRADER)?.assets.find((a) => a.asset === 'USDT')?.balanceUnits, 8 * USDT);
      assert.ok(t.stage.engine.context.state.lastTsNs > T0);
      assert.equal(SPOT_INVALID_COMMAND, 'RISK_SPOT_INVALID_COMMAND');
    } finally {
      await t.close();
    }
  });

  it('calls and then liquidates a borrower as the index falls; a snapshot restores the state and numbers its events on', async () => {
    const t = await setUp();
    try {
      const { client } = t;
      t.index(30_000);
      assert.deepEqual(await client.spotDeposit(MAKER, 'USDT', 5_000_000 * USDT), { ok: true });
      assert.deepEqual(await client.spotDeposit(MAKER, 'BTC', 10 * BTC), { ok: true });
      assert.deepEqual(await client.spotDeposit(TRADER, 'USDT', 3_000 * USDT), { ok: true });
      const quote = async (usdt: number) => {
        assert.deepEqual(await client.spotCancelAll(MAKER), { ok: true });
        const bid = await client.spotPlaceOrder({ accountId: MAKER, symbol: PAIR, side: Side.Buy, priceTicks: ticksAt(usdt) - 30, qtyLots: 5_000, immediateOrCancel: false, autoBorrow: false });
        const ask = await client.spotPlaceOrder({ accountId: MAKER, symbol: PAIR, side: Side.Sell, priceTicks: ticksAt(usdt) + 30, qtyLots: 5_000, immediateOrCancel: false, autoBorrow: false });
        assert.ok(bid.ok && ask.ok, JSON.stringify([bid, ask]));
      };
      await quote(30_000);
      // 0.4 BTC (12,001.2 USDT) on 3,000 of its own: 9,001.2 borrowed at 5× max
      const buy = await client.spotPlaceOrder({ accountId: TRADER, symbol: PAIR, side: Side.Buy, priceTicks: ticksAt(30_000) + 30, qtyLots: 400, immediateOrCancel: true, autoBorrow: true });
      assert.ok(buy.ok && buy.placement.status === 'FILLED', JSON.stringify(buy));
      assert.equal((await client.spotAccount(TRADER))?.state, 'HEALTHY');
      const stateAt = async (usdt: number) => {
        t.index(usdt);
        await quote(usdt);
        return (await client.spotAccount(TRADER))?.state;
      };
      const path: string[] = [];
      for (const usdt of [28_000, 26_000, 25_000, 24_500, 24_000, 23_500, 23_000, 22_500]) path.push(`${usdt}:${await stateAt(usdt)}`);
      const states = path.map((p) => p.split(':')[1]);
      assert.ok(states.includes('CALLED'), `called on the way down: ${path.join(' ')}`);
      assert.ok(states.indexOf('CALLED') < Math.max(states.lastIndexOf('LIQUIDATING'), states.lastIndexOf('HEALTHY')), path.join(' '));
      const kinds = new Set(t.spotEvents.map((e) => e.event));
      assert.ok(kinds.has('spotMarginStateChanged'), [...kinds].join(', '));
      assert.ok(t.stage.engine.watch.counters.liquidations >= 1, `liquidated by 22,500: ${path.join(' ')}`);
      assert.ok(t.stage.engine.audit().ok, t.stage.engine.audit().problems.join('; '));

      // a snapshot into a fresh stage: the same state, and its next event numbered after the last
      const twin = new SpotStage(new InProcessBus(), { source: 'spot-t', specs: defaultMarketSpecs }, logger);
      const bytes = t.stage.exportState();
      twin.importState(bytes);
      assert.equal(twin.stateHash(), t.stage.stateHash());
      assert.deepEqual(twin.exportState(), bytes, 'byte for byte, the dedup memory and the event numbering included');
      assert.equal(twin.eventSeq, t.stage.eventSeq);
      const before = t.stage.eventSeq;
      twin.engine.deposit(OTHER, 'USDT', USDT, t.now() + S);
      assert.ok(twin.eventSeq > before, "the restored twin numbers on from the last event");
    } finally {
      await t.close();
    }
  });

  it('halts on an internal error: later commands are refused RISK_SPOT_STAGE_HALTED, index prices dropped; queries still answer; the perps side stays up', async () => {
    const t = await setUp((input) => input.op === 'withdraw');
    try {
      const { client, stage } = t;
      t.index(30_000);
      assert.deepEqual(await client.spotDeposit(TRADER, 'USDT', 100 * USDT), { ok: true });
      const hash = stage.stateHash();
      assert.deepEqual(await client.spotWithdraw(TRADER, 'USDT', USDT), { ok: false, code: SPOT_STAGE_HALTED });
      assert.match(stage.halted, /injected fault on withdraw/);
      assert.deepEqual(await client.spotDeposit(TRADER, 'USDT', USDT), { ok: false, code: SPOT_STAGE_HALTED }, 'nothing is applied after the halt');
      t.index(29_000);
      assert.equal(stage.counters.indexPricesDropped, 1);
      assert.equal(stage.stateHash(), hash, 'the state is the one before the faulting input');
      assert.equal(await client.spotIndexTicks(PAIR), ticksAt(30_000), 'queries still answer, from the state before the fault');
      assert.equal(client.halted(), '', 'the perps side is not halted by the spot stage: its own ledger');
    } finally {
      await t.close();
    }
  });
});
