import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { notionalAtMarkCeilUnits, notionalAtMarkUnits } from './notional.js';
import { btcParams, lots, markSubticks, units } from './venue-fixtures.js';

describe('notional at mark', () => {
  it('floor for display, ceiling for caps: equal on a whole unit, one apart otherwise', () => {
    const p = btcParams();
    assert.equal(notionalAtMarkUnits(p, lots('1'), markSubticks('30000')), units('30000'));
    assert.equal(notionalAtMarkCeilUnits(p, lots('1'), markSubticks('30000')), units('30000'));
    // 0.001 BTC at 30,000.0001 = 30.0000001 USDT: the last 0.1 micro-USDT rounds
    const fine = markSubticks('30000') + 1;
    assert.equal(notionalAtMarkUnits(p, lots('0.001'), fine), units('30'));
    assert.equal(notionalAtMarkCeilUnits(p, lots('0.001'), fine), units('30') + 1);
    assert.equal(notionalAtMarkCeilUnits(p, -lots('0.001'), fine), units('30') + 1, 'the size, not its sign');
  });

  it('property: ceil − floor is 0 or 1, and 0 exactly when q × M is a whole unit', () => {
    const p = btcParams();
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: 1, max: 1_000_000_000 }), (q, mark) => {
        const floor = notionalAtMarkUnits(p, q, mark);
        const ceil = notionalAtMarkCeilUnits(p, q, mark);
        const exact = BigInt(Math.abs(q)) * BigInt(p.lotTickUnits) * BigInt(mark);
        const whole = exact % BigInt(p.markSubticksPerTick) === 0n;
        assert.equal(ceil - floor, whole ? 0 : 1);
      }),
    );
  });
});
