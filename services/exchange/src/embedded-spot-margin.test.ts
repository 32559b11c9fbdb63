import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultMarketSpecs } from '@perpcore/markets';
import { EmbeddedSpotMargin } from './embedded-spot-margin.js';

const START = 1_767_225_600_000_000_000;
const S = 1e9;
const btcPerp = defaultMarketSpecs.find((m) => m.baseAsset === 'BTC')!;

/** The embedded spot market over a price path: 30,000 while the borrowers enter, then −7 %, then −15 %, then back. */
function run(seed: number) {
  const spot = new EmbeddedSpotMargin(btcPerp, seed, START, 10, 100, 1_000);
  const path: Array<[number, number]> = [[0, 30_000], [200, 27_900], [400, 25_500], [600, 29_000], [1_200, 29_000]];
  for (const [atS, usdt] of path) {
    for (let t = atS; t < atS + 200; t += 10) {
      const ts = START + t * S;
      spot.onIndex(ts, usdt * 10); // tick 0.1 USDT
      spot.step(ts);
    }
  }
  return spot;
}

describe('embedded spot-margin market (borrowers bot, maker, price path healthy → call → liquidation)', () => {
  it('borrowers enter, some are called and liquidated, the survivors close and repay, money is conserved', () => {
    const spot = run(7);
    const f = spot.figures();
    assert.deepEqual(f.conservationProblems, []);
    assert.ok(f.entered > 10, `entered ${f.entered}`);
    assert.ok(f.calls > 0, `calls ${f.calls}`);
    assert.ok(f.liquidations > 0, `liquidations ${f.liquidations}`);
    assert.ok(f.closed > 0, `closed ${f.closed}`);
    assert.ok(f.liquidationFeeUnits > 0n);
    assert.ok(f.perAsset[0].borrowedUnits > 0n && f.perAsset[0].interestUnits > 0n);
    // every account that closed or was liquidated owes nothing
    for (const id of spot.borrowers.accountIds()) {
      const r = spot.engine.accountReport(id);
      if (r !== null && r.usedMarginUnits === 0) assert.ok(r.assets.every((a) => a.debtUnits === 0));
    }
  });

  it('is deterministic for a seed', () => {
    assert.equal(run(7).figures().stateHash, run(7).figures().stateHash);
    assert.notEqual(run(7).figures().stateHash, run(8).figures().stateHash);
  });
});
