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
    const c = exchange.counters();
    assert.equal(c.matchingCommands, c.commandsSent);
    assert.ok(c.fills > 100, `expected fills, got ${c.fills}`);
    assert.ok(c.restingOrders > 0);
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
