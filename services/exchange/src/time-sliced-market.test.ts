/**
 * The simulated market's time slices (time-sliced-market.ts): a slice ends when its
 * wall time is used (so the gateway's I/O runs between slices) or the paced budget
 * is spent (and says how long to sleep); and slicing changes nothing the market
 * generates: a journaled run cut into arbitrary slices, with external commands
 * arriving between them, recovers in lockstep to the same state hash, and equals a
 * run stepped in batches of 2,000 with the commands at the same steps.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { OrderType, Side, TimeInForce } from '@perpcore/domain';
import { createLogger } from '@perpcore/observability';
import type { EmbeddedExchange } from './embedded-exchange.js';
import { TempDirs } from './durability/journal-test-dirs.test-support.js';
import { recoverExchange } from './durability/recover-exchange.js';
import { type SteppedMarket, TimeSlicedMarket } from './time-sliced-market.js';

/** A market whose every step sends one command and moves the fake clock by `stepMs`. */
function fakeMarket(stepMs: number): { market: SteppedMarket; clock: { ms: number }; calls: number[] } {
  const clock = { ms: 1_000 };
  const calls: number[] = [];
  let sent = 0;
  const market = {
    step(count: number) {
      calls.push(count);
      sent += count;
      clock.ms += count * stepMs;
    },
    get ordersSent() {
      return sent;
    },
  };
  return { market, clock, calls };
}

describe('time-sliced market: when slices end', () => {
  it('as fast as it goes: a slice runs steps until its wall time is used, one step per call, and never asks to wait', () => {
    const { market, clock, calls } = fakeMarket(0.1);
    const slicer = new TimeSlicedMarket(market, { ratePerS: 0, sliceMs: 0.5, nowMs: () => clock.ms });
    slicer.start();
    const first = slicer.runSlice();
    assert.equal(first.steps, 5, '5 steps of 0.1 ms fill a 0.5 ms slice');
    assert.equal(first.waitMs, 0);
    assert.deepEqual(calls, [1, 1, 1, 1, 1]);
    assert.equal(slicer.runSlice().steps, 5, 'the next slice starts afresh');
  });

  it('a step longer than the slice still runs, alone', () => {
    const { market, clock } = fakeMarket(3);
    const slicer = new TimeSlicedMarket(market, { ratePerS: 0, sliceMs: 0.5, nowMs: () => clock.ms });
    assert.deepEqual(slicer.runSlice(), { steps: 1, waitMs: 0 });
  });

  it('paced: a slice stops at the commands due, then says when the next one is due', () => {
    const { market, clock } = fakeMarket(0.01);
    const slicer = new TimeSlicedMarket(market, { ratePerS: 1_000, sliceMs: 1, nowMs: () => clock.ms });
    slicer.start();
    clock.ms += 10; // 10 commands due at 1,000/s
    const slice = slicer.runSlice();
    assert.equal(slice.steps, 10);
    assert.equal(market.ordersSent, 10);
    // the 11th is due 11 ms after the start; the clock is at 10.1 ms
    assert.ok(Math.abs(slice.waitMs - 0.9) < 1e-9, `waitMs ${slice.waitMs}`);
    assert.deepEqual(slicer.runSlice(), { steps: 0, waitMs: slice.waitMs }, 'ahead of the rate: nothing runs');
  });

  it('paced and behind (the slice ran out of time before the budget): no wait', () => {
    const { market, clock } = fakeMarket(0.4);
    const slicer = new TimeSlicedMarket(market, { ratePerS: 1_000, sliceMs: 1, nowMs: () => clock.ms });
    slicer.start();
    clock.ms += 100;
    const slice = slicer.runSlice();
    assert.equal(slice.steps, 3, '3 steps of 0.4 ms use the 1 ms slice');
    assert.equal(slice.waitMs, 0);
  });

  it('the rate counts from start(): commands sent before it (a recovered journal) are not a debt', () => {
    const { market, clock } = fakeMarket(0.01);
    market.step(5_000);
    const slicer = new TimeSlicedMarket(market, { ratePerS: 100, sliceMs: 1, nowMs: () => clock.ms });
    slicer.start();
    clock.ms += 20;
    assert.equal(slicer.runSlice().steps, 2);
  });

  it('refuses a negative or fractional rate and a slice that is not a positive duration', () => {
    const { market, clock } = fakeMarket(1);
    const nowMs = () => clock.ms;
    assert.throws(() => new TimeSlicedMarket(market, { ratePerS: -1, sliceMs: 1, nowMs }), /ratePerS must be a non-negative integer/);
    assert.throws(() => new TimeSlicedMarket(market, { ratePerS: 1.5, sliceMs: 1, nowMs }), /ratePerS/);
    assert.throws(() => new TimeSlicedMarket(market, { ratePerS: 0, sliceMs: 0, nowMs }), /sliceMs must be a positive/);
    assert.throws(() => new TimeSlicedMarket(market, { ratePerS: 0, sliceMs: Number.NaN, nowMs }), /sliceMs/);
  });
});

const logger = createLogger('test', 'silent');
const OPTIONS = { logger, seed: 23, scenario: { shockAtS: 0, shockE8: 0 } };
const OPERATOR_ACCOUNT = 100_000;
const TOTAL_STEPS = 3_000;
const dirs = new TempDirs();
const open: EmbeddedExchange[] = [];

/** An external command, as the gateway's requests arrive between turns: a deposit, or an IOC through the book. */
async function externalCommands(exchange: EmbeddedExchange): Promise<(i: number) => void> {
  const client = await exchange.client('operator');
  let nextOrderId = 4_000_000_000_000_000;
  return (i) => {
    // not awaited: on the in-process bus the command is applied (and journaled) before the call returns
    if (i % 2 === 0) void client.deposit(OPERATOR_ACCOUNT, 'USDT', 1_000_000_000 + i);
    else {
      const side = i % 4 === 1 ? Side.Buy : Side.Sell;
      const fair = exchange.flow.fairPriceTicks(0);
      const priceTicks = side === Side.Buy ? fair + 500 : fair - 500;
      void client.placeOrder({ orderId: nextOrderId++, accountId: OPERATOR_ACCOUNT, market: 'BTCUSDT', side, type: OrderType.Limit, timeInForce: TimeInForce.ImmediateOrCancel, priceTicks, qtyLots: 1 });
    }
  };
}

/**
 * Slices `exchange` with a fake clock that moves by the next of `readingCostsMs` per
 * reading (so slices hold arbitrary numbers of steps), with an external command after
 * each slice listed in `commandAfterSlices`; returns the step count before each command and at the end.
 */
async function driveSliced(exchange: EmbeddedExchange, readingCostsMs: readonly number[], commandAfterSlices: ReadonlySet<number>): Promise<{ commandSteps: number[]; totalSteps: number }> {
  const command = await externalCommands(exchange);
  let reading = 0;
  const clock = { ms: 0 };
  const slicer = new TimeSlicedMarket(exchange, { ratePerS: 0, sliceMs: 1, nowMs: () => (clock.ms += readingCostsMs[reading++ % readingCostsMs.length] as number) });
  const commandSteps: number[] = [];
  let stepped = 0;
  for (let slice = 0; stepped < TOTAL_STEPS; slice++) {
    stepped += slicer.runSlice().steps;
    if (commandAfterSlices.has(slice)) {
      commandSteps.push(stepped);
      command(commandSteps.length - 1);
    }
  }
  return { commandSteps, totalSteps: stepped };
}

/** The same run in batches of up to 2,000 steps (npm start before slices), the commands after the same steps. */
async function driveBatched(exchange: EmbeddedExchange, commandSteps: readonly number[], totalSteps: number): Promise<void> {
  const command = await externalCommands(exchange);
  let stepped = 0;
  for (const [i, at] of [...commandSteps, totalSteps].entries()) {
    while (stepped < at) {
      const n = Math.min(2_000, at - stepped);
      exchange.step(n);
      stepped += n;
    }
    if (i < commandSteps.length) command(i);
  }
}

describe('time-sliced market: slicing changes nothing the market generates', () => {
  after(async () => {
    for (const exchange of open) await exchange.close();
    dirs.removeAll();
  });

  it('arbitrary slices with external commands between them: the journal recovers in lockstep, and equals batches of 2,000', async () => {
    await fc.assert(
      fc.asyncProperty(
        // the fake clock's move per reading: from one step per 1 ms slice to twenty
        fc.array(fc.constantFrom(0.05, 0.2, 0.34, 1, 1.5), { minLength: 1, maxLength: 12 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 8 }),
        async (readingCostsMs, commandAfterSlices) => {
          const dir = dirs.make('time-slices-');
          const { exchange: sliced } = await recoverExchange(dir, OPTIONS);
          open.push(sliced);
          const { commandSteps, totalSteps } = await driveSliced(sliced, readingCostsMs, new Set(commandAfterSlices));
          assert.ok(commandSteps.length > 0 && sliced.risk.engine.accountReport(OPERATOR_ACCOUNT) !== null, 'the external commands reached the core');
          await sliced.inputs.flush();
          const { exchange: recovered, recovery } = await recoverExchange(dirs.copy(dir), OPTIONS);
          open.push(recovered);
          assert.equal(recovery.seq, sliced.inputs.appliedSeq);
          assert.equal(recovery.stateHash, sliced.stateHash(), 'recovery (step(1) in lockstep) rebuilt the sliced run');
          const { exchange: batched } = await recoverExchange(dirs.make('time-batches-'), OPTIONS);
          open.push(batched);
          await driveBatched(batched, commandSteps, totalSteps);
          assert.equal(batched.inputs.appliedSeq, sliced.inputs.appliedSeq);
          assert.equal(batched.stateHash(), sliced.stateHash(), 'the same inputs at the same steps, whatever the slices');
          for (const e of open.splice(0)) await e.close();
        },
      ),
      { numRuns: 4, seed: 0x5115ce },
    );
  });
});
