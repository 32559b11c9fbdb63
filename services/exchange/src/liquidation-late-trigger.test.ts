/**
 * The ladder reading risk's breach events in cluster order. In cluster mode a
 * `LiquidationTriggeredV1` reaches the ladder over Kafka (risk → risk.account-events.v1
 * → the ladder in the same process), seconds behind risk at high order rates, while
 * index prices reach risk on their own topic. So the ladder can read a trigger after
 * the mark has recovered. Risk still holds the scope LIQUIDATING (sticky until the
 * ladder releases it), so the ladder must carry that liquidation to an end: RISK-SPEC
 * §8.1–8.2, cancel and re-check, abort when the level is above the line. Ignoring the
 * trigger left the scope LIQUIDATING for good with no ladder on it — the cluster's
 * "N triggered, N − k completed".
 *
 * `HeldTriggers` is that delivery order on the in-process pipeline: the liquidation
 * service's breach events are held back until the test releases them; everything else
 * reaches it at once, as in the cluster.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Bus, type BusMessage, type InProcessBus, type MessageHandler, type SubscribeOptions, type Subscription, type Topic, Topics } from '@perpcore/bus';
import { aliceLong1BtcAt30k, type TestVenue } from './test-venue.test-support.js';

const ALICE = 2; // see aliceLong1BtcAt30k

class HeldTriggers implements Bus {
  private readonly held: BusMessage<unknown>[] = [];
  private readonly handlers: MessageHandler<unknown>[] = [];

  constructor(private readonly inner: InProcessBus) {}

  publish<T>(topic: Topic<T>, value: T): void {
    this.inner.publish(topic, value);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  subscribe<T>(topic: Topic<T>, options: SubscribeOptions, handler: MessageHandler<T>): Promise<Subscription> {
    if (topic.name !== Topics.riskAccountEvents.name) return this.inner.subscribe(topic, options, handler);
    this.handlers.push(handler as MessageHandler<unknown>);
    return this.inner.subscribe(topic, options, (m) => void this.held.push(m));
  }

  /** Delivers what risk published on its account stream so far, in order. */
  release(): void {
    for (const m of this.held.splice(0)) for (const h of this.handlers) void h(m);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** `aliceLong1BtcAt30k` with the ladder reading breach events late. */
async function aliceLong1BtcAt30kReadLate(): Promise<{ v: TestVenue; triggers: HeldTriggers }> {
  let triggers: HeldTriggers | undefined;
  const v = await aliceLong1BtcAt30k({ fundUsdt: '1000000', liquidationBus: (bus) => (triggers = new HeldTriggers(bus)) });
  assert.ok(triggers !== undefined);
  return { v, triggers };
}

function heldLiquidation(v: TestVenue, accountId: number): { state: string; liquidationId: number } {
  const s = v.pipeline.risk.engine.ledger.readScope({ accountId });
  return { state: s.state, liquidationId: s.liquidationId };
}

describe('liquidation trigger read late (cluster delivery order)', () => {
  it('a trigger read after the mark recovered is aborted (§8.2), which releases the scope risk still holds', async () => {
    const { v, triggers } = await aliceLong1BtcAt30kReadLate();
    v.index('BTCUSDT', '27000'); // E = 85 ≤ MM 108: risk triggers
    const [breach] = v.riskEvents.filter((e) => e.event === 'liquidationTriggered' && e.accountId === ALICE);
    const liquidationId = breach?.liquidationTriggered?.liquidationId ?? 0;
    assert.ok(liquidationId > 0, 'risk triggered');
    v.index('BTCUSDT', '30000'); // …and the mark is back before the ladder reads the trigger
    assert.deepEqual(heldLiquidation(v, ALICE), { state: 'LIQUIDATING', liquidationId }, 'risk holds the scope for the ladder');

    triggers.release();

    const ended = v.liquidationEvents.filter((e) => e.accountId === ALICE && (e.event === 'aborted' || e.event === 'completed'));
    assert.deepEqual(ended.map((e) => [e.event, e.liquidationId]), [['aborted', liquidationId]]);
    assert.equal(ended[0]?.aborted?.reason, 'LIQUIDATION_LEVEL_RESTORED');
    assert.notEqual(heldLiquidation(v, ALICE).state, 'LIQUIDATING', 'the scope is released');
    assert.equal(v.pipeline.liquidation.engine.activeCount(), 0);
    assert.equal(v.positionLots(ALICE, 'BTCUSDT'), 1000, 'nothing was liquidated');
    // released: Alice trades normally again (a LIQUIDATING account may only reduce)
    assert.equal(v.order(ALICE, 'BTCUSDT', 'BUY', '29000', '0.01'), undefined);
    v.assertConserved();
    await v.close();
  });

  it('a trigger read late while the level is still below the line runs the ladder to completion', async () => {
    const { v, triggers } = await aliceLong1BtcAt30kReadLate();
    v.index('BTCUSDT', '27000');
    v.index('BTCUSDT', '26950'); // still below the line (E = 35 ≤ MM 107.8)
    triggers.release();
    const [completed] = v.events('completed', ALICE);
    assert.equal(completed?.completed?.outcome, 2, 'closed (the fund took the position the thin book could not)');
    assert.equal(v.positionLots(ALICE, 'BTCUSDT'), 0);
    assert.notEqual(heldLiquidation(v, ALICE).state, 'LIQUIDATING');
    v.assertConserved();
    await v.close();
  });

  it('a replayed trigger of a liquidation that already ended is ignored, changing nothing', async () => {
    const { v, triggers } = await aliceLong1BtcAt30kReadLate();
    v.index('BTCUSDT', '27000');
    v.index('BTCUSDT', '30000');
    const [breach] = v.riskEvents.filter((e) => e.event === 'liquidationTriggered' && e.accountId === ALICE);
    triggers.release();
    const engine = v.pipeline.liquidation.engine;
    const before = { hash: v.pipeline.risk.engine.stateHash(), ignored: engine.counters.ignored, events: v.liquidationEvents.length };
    v.pipeline.bus.publish(Topics.riskAccountEvents, breach);
    triggers.release();
    assert.equal(engine.counters.ignored, before.ignored + 1);
    assert.equal(v.liquidationEvents.length, before.events);
    assert.equal(v.pipeline.risk.engine.stateHash(), before.hash);
    await v.close();
  });
});
