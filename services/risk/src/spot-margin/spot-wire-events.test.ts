/**
 * Spot margin on the wire: every engine event goes out as a RiskEventV1 on the
 * risk topics (in-process bus with every message encoded and decoded), and a fold
 * of the decoded envelopes alone rebuilds the engine's ledger hash, in any
 * interleaving of the partitions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InProcessBus, Topics } from '@perpcore/bus';
import { Side } from '@perpcore/domain';
import { type RiskEventV1, riskEventCodec } from '@perpcore/proto';
import { action, runActions } from './spot-margin-actions.test-support.js';
import type { SpotMarginEvent } from './spot-margin-events.js';
import { HOUR_NS, MAKER, createRecordedEngine, lots, seedMarket, ticks, usdt } from './spot-margin.test-support.js';
import { spotBusPublisher } from './spot-wire-events.js';
import { createSpotWireFold, spotAfterOf } from './spot-wire-fold.js';

const T0 = 1_000_000_000;
const TRADER = 7;
const SOURCE = 'spot-0';

/** An engine whose events go onto a codec-round-trip bus, and what a consumer of both risk topics decoded. */
async function wiredEngine() {
  const bus = new InProcessBus({ codecRoundTrip: true });
  const wire: RiskEventV1[] = [];
  for (const topic of [Topics.riskAccountEvents, Topics.riskMarketEvents]) {
    await bus.subscribe(topic, { groupId: 'probe', fromBeginning: true }, (m) => void wire.push(m.value));
  }
  const publisher = spotBusPublisher(bus, SOURCE);
  const rec = createRecordedEngine(undefined, (e: SpotMarginEvent) => publisher.onEvent(e));
  return { ...rec, bus, wire, publisher };
}

function foldHash(assets: readonly string[], events: readonly RiskEventV1[]): string {
  const fold = createSpotWireFold(assets);
  for (const e of events) assert.equal(fold.apply(e), true, e.event);
  return fold.ledgerHash();
}

describe('spot margin events on the wire', () => {
  it('healthy → call → liquidation: the fold of the decoded events equals the engine ledger at every stage', async () => {
    const { engine, events, bus, wire, publisher } = await wiredEngine();
    const assets = engine.context.assets;
    seedMarket(engine, T0, 30_000);
    engine.placeOrder({ accountId: MAKER, symbol: 'BTC/USDT', side: Side.Sell, priceTicks: ticks(30_000), qtyLots: lots(2), immediateOrCancel: false, autoBorrow: false }, T0);
    engine.deposit(TRADER, 'USDT', usdt(10_000), T0);
    engine.borrow(TRADER, 'USDT', usdt(45_000), T0);
    engine.placeOrder({ accountId: TRADER, symbol: 'BTC/USDT', side: Side.Buy, priceTicks: ticks(30_000), qtyLots: lots(1.5), immediateOrCancel: true, autoBorrow: false }, T0);
    engine.withdraw(TRADER, 'USDT', usdt(1_000_000), T0); // refused: still an event, nothing changed
    engine.placeOrder({ accountId: TRADER, symbol: 'BTC/USDT', side: Side.Buy, priceTicks: ticks(20_000), qtyLots: lots(0.1), immediateOrCancel: false, autoBorrow: false }, T0);
    engine.cancelAllOrders(TRADER, T0);
    engine.placeOrder({ accountId: MAKER, symbol: 'BTC/USDT', side: Side.Buy, priceTicks: ticks(24_990), qtyLots: lots(5), immediateOrCancel: false, autoBorrow: false }, T0);
    await bus.flush();
    assert.equal(foldHash(assets, wire), engine.ledgerHash(), 'healthy');

    engine.setIndexPrice('BTC/USDT', ticks(28_133.3), T0 + HOUR_NS);
    await bus.flush();
    assert.equal(engine.accountReport(TRADER)!.state, 'CALLED');
    assert.equal(foldHash(assets, wire), engine.ledgerHash(), 'called');
    const call = wire.find((e) => e.event === 'spotMarginStateChanged' && e.accountId === TRADER)!.spotMarginStateChanged!;
    assert.equal(call.triggerFeed, 'index:BTC/USDT');
    assert.equal(call.triggerPriceTicks, ticks(28_133.3));
    assert.equal(call.usedMarginUnits, String(usdt(9_000)));

    engine.setIndexPrice('BTC/USDT', ticks(25_000), T0 + 2 * HOUR_NS);
    await bus.flush();
    assert.equal(engine.watch.counters.liquidations, 1);
    assert.equal(foldHash(assets, wire), engine.ledgerHash(), 'after the liquidation');

    const trader = wire.filter((e) => e.accountId === TRADER).map((e) => e.event);
    for (const kind of ['spotDeposited', 'spotBorrowed', 'spotOrderPlaced', 'spotFilled', 'spotRejected', 'spotInterestSettled', 'spotRepaid', 'spotLiquidationFeeCharged']) {
      assert.ok(trader.includes(kind as RiskEventV1['event']), kind);
    }
    assert.ok(wire.some((e) => e.event === 'spotRepaid' && e.spotRepaid!.byLiquidation === true));
    // orders name themselves: the trader's IOC buy of 1.5 BTC at 30,000, and each cancel names the order it released
    const placed = wire.find((e) => e.event === 'spotOrderPlaced' && e.accountId === TRADER)!.spotOrderPlaced!;
    assert.deepEqual([placed.side, placed.priceTicks, placed.qtyLots, placed.heldUnits], [1, ticks(30_000), lots(1.5), usdt(45_000)]);
    const placedIds = new Set(wire.filter((e) => e.event === 'spotOrderPlaced').map((e) => Number(e.spotOrderPlaced!.orderId)));
    const canceled = wire.filter((e) => e.event === 'spotOrderCanceled');
    assert.ok(canceled.length > 0 && canceled.every((e) => placedIds.has(Number(e.spotOrderCanceled!.orderId)) && Number(e.spotOrderCanceled!.canceledLots) > 0));
    assert.ok(wire.some((e) => e.event === 'spotPoolFunded' && e.accountId === 0 && e.market === ''));
    assert.ok(wire.some((e) => e.event === 'spotIndexPriceSet' && e.market === 'BTC/USDT'));
    // every engine event went out once (a fill once more, on the maker's stream), spotSeq 1, 2, 3, …
    const fills = events.filter((e) => e.kind === 'SPOT_FILLED').length;
    assert.equal(wire.length, events.length + fills);
    assert.deepEqual([...new Set(wire.map((e) => Number(spotAfterOf(e)!.spotSeq)))], events.map((_, i) => i + 1));
    assert.equal(publisher.spotSeq, events.length);
    // per (source, account) and per (source, market) streams: 1, 2, 3, … with no gap
    const streams = new Map<string, number[]>();
    for (const e of wire) {
      const key = e.accountId !== 0 ? `a${e.accountId}` : `m${e.market}`;
      streams.set(key, [...(streams.get(key) ?? []), Number(e.seq)]);
      assert.equal(e.source, SOURCE);
    }
    for (const [key, seqs] of streams) assert.deepEqual(seqs, seqs.map((_, i) => i + 1), key);
  });

  it('the fold does not depend on the interleaving, a redelivery changes nothing, and a lost event shows', async () => {
    const { engine, bus, wire } = await wiredEngine();
    seedMarket(engine, T0, 30_000);
    engine.placeOrder({ accountId: MAKER, symbol: 'BTC/USDT', side: Side.Sell, priceTicks: ticks(30_000), qtyLots: lots(2), immediateOrCancel: false, autoBorrow: false }, T0);
    engine.deposit(TRADER, 'USDT', usdt(10_000), T0);
    engine.placeOrder({ accountId: TRADER, symbol: 'BTC/USDT', side: Side.Buy, priceTicks: ticks(30_000), qtyLots: lots(1.5), immediateOrCancel: true, autoBorrow: true }, T0);
    engine.advanceTime(T0 + 5 * HOUR_NS);
    await bus.flush();
    const assets = engine.context.assets;
    assert.equal(foldHash(assets, [...wire].reverse()), engine.ledgerHash());
    assert.equal(foldHash(assets, [...wire, ...wire.slice(3)]), engine.ledgerHash());
    const lastFill = wire.map((e) => e.event).lastIndexOf('spotFilled');
    // the fill went out on both accounts' streams: without both copies the rows are stale
    const withoutFill = wire.filter((e, i) => i !== lastFill && !(e.event === 'spotFilled' && e.spotFilled!.after!.spotSeq === wire[lastFill].spotFilled!.after!.spotSeq));
    assert.notEqual(foldHash(assets, withoutFill), engine.ledgerHash());
  });

  it('refuses a spot event without its after-values (a consumer must not fold half an event)', () => {
    const bytes = riskEventCodec.encode({ schemaMajor: 1, seq: 1, tsNs: T0, source: SOURCE, accountId: 1, market: '', event: 'spotDeposited', spotDeposited: { asset: 'USDT', amountUnits: 5 } } as RiskEventV1);
    const decoded = riskEventCodec.decode(bytes);
    assert.ok(decoded.ok);
    const fold = createSpotWireFold(['BTC', 'USDT']);
    assert.throws(() => fold.apply(decoded.value), /carries no after-values/);
    assert.equal(fold.apply({ schemaMajor: 1, seq: 1, tsNs: T0, source: 'risk-0', accountId: 1, market: '', event: 'commandRejected', commandRejected: { commandId: 1, code: 'X', message: '' } } as RiskEventV1), false);
  });

  it('property: random command streams, the decoded events folded in a random interleaving rebuild the ledger', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 60 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (actions, seed) => {
        const w = await wiredEngine();
        runActions(w, actions);
        await w.bus.flush();
        // interleave the two topics' 8 + 4 partitions at random, each partition in its own order
        const partitions = new Map<string, RiskEventV1[]>();
        for (const e of w.wire) {
          const key = e.accountId !== 0 ? `a${e.accountId % 8}` : `m${e.market}`;
          partitions.set(key, [...(partitions.get(key) ?? []), e]);
        }
        const queues = [...partitions.values()];
        const interleaved: RiskEventV1[] = [];
        let x = seed;
        while (queues.some((q) => q.length > 0)) {
          x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
          const open = queues.filter((q) => q.length > 0);
          interleaved.push(open[x % open.length].shift()!);
        }
        assert.equal(foldHash(w.engine.context.assets, interleaved), w.engine.ledgerHash());
      }),
      { numRuns: 40 },
    );
  });
});
