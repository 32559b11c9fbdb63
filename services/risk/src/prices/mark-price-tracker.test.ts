/**
 * Mark price from its components on schedule (RISK-SPEC §5.2): the book's basis
 * samples (one a second over 30 s) move P2, the last trade is P3, and MEDIAN3 picks
 * the middle one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RiskHarness, USDT, btcSubticks, btcTicks, riskConfig } from '../risk-harness.test-support.js';

describe('mark price tracker', () => {
  it('takes basis samples from the book and marks at the median of P1, P2 and the last trade', () => {
    const h = new RiskHarness();
    h.deposit(10, 1_000_000 * USDT);
    h.deposit(11, 1_000_000 * USDT);
    h.index('BTCUSDT', btcSubticks('30000'));
    // a trade at 30,010 and a book quoted 30,002 / 30,004 (mid 30,003)
    h.place({ account: 10, side: 'sell', priceTicks: btcTicks('30010'), lots: 1 });
    h.place({ account: 11, side: 'buy', priceTicks: btcTicks('30010'), lots: 1 });
    h.place({ account: 10, side: 'sell', priceTicks: btcTicks('30004'), lots: 10 });
    h.place({ account: 11, side: 'buy', priceTicks: btcTicks('30002'), lots: 10 });
    for (let s = 0; s < 31; s++) h.index('BTCUSDT', btcSubticks('30000'));
    const mark = h.eventsOf('markPrice').at(-1)!.markPrice!;
    assert.equal(mark.p2Subticks, btcSubticks('30003')); // X + mean(mid − X) = 30,000 + 3
    assert.equal(mark.p3Subticks, btcSubticks('30010'));
    assert.equal(mark.p1Subticks, btcSubticks('30000')); // no funding applied yet
    assert.equal(mark.markSubticks, btcSubticks('30003'));
    assert.equal(mark.method, 1);
  });

  it('marks at the index for markMethod INDEX', () => {
    const h = new RiskHarness(riskConfig({ markMethod: 'INDEX' }));
    h.index('BTCUSDT', btcSubticks('30000.55'));
    assert.equal(h.eventsOf('markPrice').at(-1)!.markPrice!.markSubticks, btcSubticks('30000.55'));
    assert.equal(h.eventsOf('markPrice').at(-1)!.markPrice!.method, 3);
  });
});
