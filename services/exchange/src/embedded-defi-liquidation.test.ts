/**
 * The simulated market's lending pool through the embedded pipeline (issue 13.3):
 * BTC-backed USDT borrowers, the shock takes the riskiest below HF 1 at the BTCUSDT
 * index, and only the external liquidator bot liquidates them; money is conserved
 * and the run is deterministic.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '@perpcore/observability';
import { EmbeddedExchange } from './embedded-exchange.js';

const logger = createLogger('test', 'silent');
// 20 ms per step: the borrowers borrow at 30 s, the 12% shock comes at 120 s
const scenario = { shockAtS: 120, crowdAccounts: 20, crowdEntryStartS: 10, crowdEntryEndS: 60 };

describe('embedded lending pool', () => {
  it('healthy → HF < 1 after the shock → liquidated by the external bot only; conserved; same seed, same hash', async () => {
    const run = async () => {
      const exchange = await EmbeddedExchange.create({ logger, seed: 3, scenario });
      exchange.step(8_000);
      await exchange.bus.flush();
      const f = exchange.figures(1);
      const hash = exchange.stateHash();
      await exchange.close();
      return { f, hash };
    };
    const { f, hash } = await run();
    assert.ok(f.conservationOk, f.conservationProblems.join('; '));
    assert.equal(f.pool?.positions, 41); // 40 borrowers and the supplier (the liquidator only moves its wallet)
    assert.ok(f.counters.poolBelowOne > 0, 'the shock takes borrowers below HF 1');
    assert.ok(f.counters.poolLiquidations > 0, 'the bot liquidates them');
    assert.deepEqual([...f.counters.poolLiquidationsBy.keys()], [30_002]);
    assert.ok(f.counters.poolProtocolFeesUnits > 0n);
    assert.equal((await run()).hash, hash);
  });
});
