/**
 * The strongest check that the stress uses the live math: for random books and
 * shocks, the stress answer equals what the live engine does when the same shock
 * is applied to a clone of the state (`exportState` → a fresh engine →
 * `importState`, then the shocked index through the oracle path, INDEX marks):
 * - the scopes that enter LIQUIDATING and CALLED are the live trigger events;
 * - every listed scope's equity and basis are the clone's account report's;
 * - the ladder: the clone's liquidation ledger is driven the way the ladder drives
 *   it when the book cannot take anything (no resting orders here), in trigger
 *   order: takeover if `insuranceTakeoverRefusal` allows it, else one ADL run. The
 *   stress must choose the same path for each scope, name the same ADL legs, and
 *   land the fund at the same equity at the stressed mark, to the unit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FUND_ACCOUNT, RiskHarness } from '../risk-harness.test-support.js';
import type { RiskEngineConfig } from '../risk-config.js';
import { book, trader } from './stress-books.test-support.js';

function clone(h: RiskHarness, config: RiskEngineConfig): RiskHarness {
  const c = new RiskHarness(config);
  c.wireCheck = false;
  c.engine.importState(h.engine.exportState());
  c.tsNs = h.tsNs;
  // the clone's oracle stream continues the original's sequence
  (c as unknown as { oracleSeq: number }).oracleSeq = 1_000_000;
  assert.equal(c.engine.stateHash(), h.engine.stateHash());
  return c;
}

describe('stress query = the live engine on a clone', () => {
  it('same called and liquidating scopes, figures, ladder path, ADL legs and fund equity', () => {
    const seen = { called: 0, liquidating: 0, takeovers: 0, adlRuns: 0 };
    fc.assert(
      fc.property(fc.array(trader, { minLength: 2, maxLength: 9 }), fc.integer({ min: -2_500, max: 2_500 }), fc.integer({ min: 0, max: 40_000 }), (traders, shockBps, fundSeedUsdt) => {
        const { h, config } = book(traders, fundSeedUsdt);
        const report = h.engine.stress({ shocks: [{ market: 'BTCUSDT', shockBps }] });
        const c = clone(h, config);
        const from = c.events.length;
        c.index('BTCUSDT', report.prices[0].stressedIndexSubticks);
        const live = c.events.slice(from);
        const liveTriggered = live.filter((e) => e.event === 'liquidationTriggered').map((e) => e.accountId);
        const liveCalled = live.filter((e) => e.event === 'marginCall').map((e) => e.accountId);
        assert.deepEqual(
          report.scopes.filter((s) => s.stateAfter === 'LIQUIDATING' && s.stateBefore !== 'LIQUIDATING').map((s) => s.accountId),
          liveTriggered,
          'liquidating, in trigger order',
        );
        assert.deepEqual(report.scopes.filter((s) => s.stateAfter === 'CALLED' && s.stateBefore === 'HEALTHY').map((s) => s.accountId).sort(), [...liveCalled].sort());
        for (const s of report.scopes) {
          const cross = c.engine.accountReport(s.accountId)?.cross;
          assert.equal(s.equityUnits, cross?.equityUnits);
          assert.equal(s.basisUnits, cross?.basisUnits);
          assert.equal(s.distanceToLiquidationUnits, cross?.distanceToLiquidationUnits);
        }
        // the live ladder with an empty book: takeover, else ADL, scope by scope in trigger order
        const closes = report.ladder.closes;
        seen.called += liveCalled.length;
        seen.liquidating += liveTriggered.length;
        assert.equal(closes.length, liveTriggered.length);
        liveTriggered.forEach((accountId, i) => {
          const projected = closes[i];
          assert.equal(projected.accountId, accountId);
          const refusal = c.engine.ledger.insuranceTakeoverRefusal({ accountId, isolatedMarket: '' }, 'BTCUSDT');
          const ctx = { liquidationId: i + 1, tsNs: c.step(1_000) };
          if (refusal === null) {
            seen.takeovers++;
            assert.equal(projected.takeoverLots, Math.abs(projected.qtyLots), `account ${accountId}: the live fund takes it over`);
            const result = c.engine.ledger.applyInsuranceTakeover({ accountId, isolatedMarket: '' }, 'BTCUSDT', ctx);
            assert.equal(result.fillPriceTicks, projected.fillPriceTicks);
          } else {
            seen.adlRuns++;
            assert.equal(projected.takeoverRefusal, refusal, `account ${accountId}: the same reason`);
            const result = c.engine.ledger.applyDeleverage({ accountId, isolatedMarket: '' }, 'BTCUSDT', ctx);
            assert.deepEqual(
              projected.adlLegs.map((l) => [l.counterpartyAccountId, l.kind, l.qtyLots, l.positionLots]),
              result.legs.map((l) => [l.counterpartyAccountId, l.kind, l.qtyLots, l.counterpartyPositionLots]),
            );
          }
        });
        const fund = c.engine.accountReport(FUND_ACCOUNT)?.cross;
        assert.equal(report.ladder.funds[0].equityAfterUnits, fund?.equityUnits, 'the fund lands at the same equity');
      }),
      { seed: 15_1, numRuns: 60 },
    );
    // the runs must have exercised every path they compare
    for (const [path, count] of Object.entries(seen)) assert.ok(count >= 5, `${path}: ${count}`);
    console.log(`stress vs live: ${JSON.stringify(seen)}`);
  });
});
