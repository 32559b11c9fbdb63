import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '@perpcore/observability';
import { createReferenceOrderBook } from '@perpcore/orderbook';
import { EmbeddedExchange } from './embedded-exchange.js';

const logger = createLogger('test', 'silent');

describe('embedded exchange', () => {
  it('runs the simulated market through the pipeline with every message crossing the wire codec', async () => {
    const exchange = await EmbeddedExchange.create({ logger, seed: 1, codecRoundTrip: true });
    exchange.step(5_000);
    await exchange.bus.flush();
    const f = exchange.figures(1);
    assert.ok(f.matchingCommands > 0 && f.matchingCommands <= f.ordersSent + f.counters.liquidationSteps + 10);
    assert.ok(f.counters.fills > 100, `expected fills, got ${f.counters.fills}`);
    assert.ok(f.restingOrders > 0);
    assert.ok(f.conservationOk, f.conservationProblems.join('; '));
    assert.equal(exchange.bus.deadLetters('matching.commands.v1').length, 0);
    await exchange.close();
  });

  it('gives the same state hash for the same seed, with the fast or the reference book', async () => {
    const run = async (seed: number, reference: boolean) => {
      const exchange = await EmbeddedExchange.create({ logger, seed, ...(reference ? { createBook: createReferenceOrderBook } : {}) });
      exchange.step(20_000);
      const hash = exchange.stateHash();
      await exchange.close();
      return hash;
    };
    const a = await run(7, false);
    assert.equal(await run(7, false), a);
    assert.equal(await run(7, true), a);
    assert.notEqual(await run(8, false), a);
  });
});
