/**
 * Property: a book exported at a random point of a random command stream and
 * imported into a fresh book (either implementation into either) has the same
 * `stateHash()` and the same export, and the remaining commands give both the same
 * events and hashes after every command. Plus the refusals: a non-empty target, and
 * states that break book-state.ts's invariants.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HUGE_RANGE, Interpreter, type Raw, rawCommand, SMALL_RANGE } from './book-command-stream.test-support.js';
import { createFastOrderBook } from './fast-order-book.js';
import type { OrderBookConfig, OrderBookFactory } from './order-book.js';
import { RecordingSink } from './recording-sink.js';
import { createReferenceOrderBook } from './reference-order-book.js';

const fast: OrderBookFactory = (config, sink) => createFastOrderBook(config, sink, { initialOrderCapacity: 2 });
const IMPLEMENTATIONS = [
  ['reference', createReferenceOrderBook],
  ['fast', fast],
] as const;

function exportImportContinue(config: OrderBookConfig, commands: Raw[], cutAt: number, from: OrderBookFactory, to: OrderBookFactory): void {
  const cut = Math.min(cutAt, commands.length);
  const sinkA = new RecordingSink();
  const original = from(config, sinkA);
  const interpA = new Interpreter(config);
  for (const raw of commands.slice(0, cut)) interpA.apply(raw, original);
  const state = original.exportState();
  const sinkB = new RecordingSink();
  const restored = to(config, sinkB);
  restored.importState(structuredClone(state));
  assert.equal(sinkB.events.length, 0, 'import emits no events');
  assert.equal(restored.stateHash(), original.stateHash(), 'hash after import');
  assert.deepEqual(restored.exportState(), state, 'export after import');
  // the interpreter only remembers issued ids: replay its history without a book
  const interpB = new Interpreter(config);
  const scratch = createReferenceOrderBook(config, new RecordingSink());
  for (const raw of commands.slice(0, cut)) interpB.apply(raw, scratch);
  sinkA.take();
  for (let i = cut; i < commands.length; i++) {
    interpA.apply(commands[i], original);
    interpB.apply(commands[i], restored);
    assert.deepEqual(sinkB.take(), sinkA.take(), `events differ at command ${i} after a cut at ${cut}`);
    assert.equal(restored.stateHash(), original.stateHash(), `hash differs after command ${i}`);
  }
}

describe('book exportState / importState', () => {
  for (const [fromName, from] of IMPLEMENTATIONS) {
    for (const [toName, to] of IMPLEMENTATIONS) {
      it(`${fromName} → ${toName}: same hash, same export, same events afterwards`, () => {
        fc.assert(
          fc.property(fc.array(rawCommand, { minLength: 1, maxLength: 300 }), fc.nat(300), (commands, cutAt) =>
            exportImportContinue(SMALL_RANGE, commands, cutAt, from, to),
          ),
          { seed: 11_017, numRuns: 60 },
        );
      });
    }
  }

  it('on a huge tick range (sparse ladder) and after long streams', () => {
    fc.assert(
      fc.property(fc.array(rawCommand, { minLength: 1, maxLength: 200 }), fc.nat(200), (commands, cutAt) => exportImportContinue(HUGE_RANGE, commands, cutAt, fast, fast)),
      { seed: 5, numRuns: 20 },
    );
    fc.assert(
      fc.property(fc.array(rawCommand, { minLength: 2_000, maxLength: 2_500 }), fc.integer({ min: 1_500, max: 2_000 }), (commands, cutAt) =>
        exportImportContinue(SMALL_RANGE, commands, cutAt, fast, createReferenceOrderBook),
      ),
      { seed: 99, numRuns: 3 },
    );
  });

  it('refuses a non-empty book and a state that breaks the invariants, changing nothing', () => {
    for (const [, make] of IMPLEMENTATIONS) {
      const source = make(SMALL_RANGE, new RecordingSink());
      const interp = new Interpreter(SMALL_RANGE);
      for (const raw of fc.sample(rawCommand, { seed: 8, numRuns: 400 })) interp.apply(raw, source);
      const state = source.exportState();
      assert.ok(state.bids.length > 0 && state.asks.length > 0, 'the sample rests orders on both sides');
      assert.throws(() => source.importState(state), /empty book/);
      const target = make(SMALL_RANGE, new RecordingSink());
      const empty = target.stateHash();
      const crossed = structuredClone(state);
      crossed.bids[0].priceTicks = crossed.asks[0].priceTicks;
      assert.throws(() => target.importState(crossed), /crossed|priority order/);
      const twice = structuredClone(state);
      twice.asks.push(twice.bids[0]);
      assert.throws(() => target.importState(twice), /appears twice/);
      const unlisted = structuredClone(state);
      unlisted.accountOrder.pop();
      assert.throws(() => target.importState(unlisted), /accountOrder/);
      assert.equal(target.stateHash(), empty);
    }
  });
});
