/**
 * The kept ADL ranking (adl-rankings.ts) against the former full recomputation
 * (adl-queue-recomputed.ts, the oracle), over random trading, mark moves, funding,
 * transfers, leverage and margin-mode changes, for both score kinds: after every
 * input, both sides of both markets rank the same positions in the same order with
 * the same exact scores, and every liquidating scope is resolved by ADL runs whose
 * legs are the ones the oracle plans (ranked-trader legs counted). The ranking is read after every input, so it
 * is the incremental path (rescoring the changed scopes) that is compared, with
 * rebuilds only at price moves.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MarginMode } from '@perpcore/domain';
import { AdlRanking } from '@perpcore/margin';
import { adlQueueRecomputed } from './adl-queue-recomputed.js';
import { AdlCounterpartyKind, adlQueue } from './adl-queue.js';
import { MarginStateCode } from '../margin-watch/margin-state-code.js';
import { type Action, ACCOUNTS, MARKETS, START, action, apply, settingsAction, setUp as setUpTrading } from '../random-risk-actions.test-support.js';
import { RiskHarness, riskConfig, withFundSeed } from '../risk-harness.test-support.js';
import type { RiskState } from '../risk-state.js';
import type { AdlCounterparty, ScopeRef } from '../liquidation-port/ledger-results.js';

const setUp = (adlRanking: AdlRanking): RiskHarness => setUpTrading('INDEX', { adlRanking }); // a fund that can take nothing over

/** The queue's bankruptcy input through the ledger's own (private) pricing: read via its public query. */
function bankruptcyOf(h: RiskHarness) {
  const s = h.engine.state;
  return (slot: number, _isolatedRow: number, r: number, closeLots: number) => {
    const scope: ScopeRef = s.ledger.mode[r] === MarginMode.Isolated ? { accountId: s.accounts.ids[slot], isolatedMarket: s.markets[s.ledger.market[r]].symbol } : { accountId: s.accounts.ids[slot] };
    return h.engine.ledger.bankruptcyOf(scope, s.markets[s.ledger.market[r]].symbol, closeLots).amountUnits;
  };
}

function assertQueuesEqual(h: RiskHarness, step: number): void {
  const s = h.engine.state;
  const bp = bankruptcyOf(h);
  for (let m = 0; m < MARKETS.length; m++) {
    for (const side of [1, -1]) {
      const kept = adlQueue(s, m, side, -1, bp);
      const oracle = adlQueueRecomputed(s, m, side, -1, bp);
      assert.deepEqual(kept, oracle, `after step ${step}: ${MARKETS[m]} side ${side}`);
    }
  }
}

function planned(h: RiskHarness, market: string, qtyLots: number, accountId: number, reference: boolean): AdlCounterparty[] {
  const rankings = h.engine.state.adlRankings;
  rankings.fullRecomputation = reference;
  try {
    return h.engine.ledger.adlCounterparties(market, qtyLots, accountId);
  } finally {
    rankings.fullRecomputation = false;
  }
}

function liquidatingScopes(s: RiskState): ScopeRef[] {
  const scopes: ScopeRef[] = [];
  for (let slot = 0; slot < s.accounts.count; slot++) {
    const id = s.accounts.ids[slot];
    if (s.accounts.crossState[slot] === MarginStateCode.Liquidating) scopes.push({ accountId: id });
    for (let r = s.accounts.firstRow[slot]; r >= 0; r = s.ledger.nextOfAccount[r]) {
      if (s.ledger.mode[r] === MarginMode.Isolated && s.ledger.isolatedState[r] === MarginStateCode.Liquidating) scopes.push({ accountId: id, isolatedMarket: s.markets[s.ledger.market[r]].symbol });
    }
  }
  return scopes;
}

/** Every liquidating scope closed by ADL runs (checked against the oracle's plan), then flat, covered, released. */
function deleverageAll(h: RiskHarness, step: number): number {
  let legs = 0;
  for (const scope of liquidatingScopes(h.engine.state)) {
    const ctx = { liquidationId: 1, tsNs: h.step(1_000) };
    for (const p of h.engine.ledger.readScope(scope).positions) {
      const plan = planned(h, p.market, p.qtyLots, scope.accountId, false);
      assert.deepEqual(plan, planned(h, p.market, p.qtyLots, scope.accountId, true), `after step ${step}: ADL plan of ${scope.accountId} in ${p.market}`);
      const result = h.engine.ledger.applyDeleverage(scope, p.market, ctx);
      assert.deepEqual(
        result.legs.map((l) => [l.counterpartyAccountId, l.qtyLots, l.kind]),
        plan.map((c) => [c.accountId, c.qtyLots, c.kind]),
        `after step ${step}: legs of ${scope.accountId} in ${p.market}`,
      );
      legs += result.legs.filter((l) => l.kind === AdlCounterpartyKind.RankedTrader).length;
      h.drain();
      assertQueuesEqual(h, step);
    }
    h.engine.ledger.sweepResidue(scope, ctx);
    if (!scope.isolatedMarket) h.engine.ledger.convertCollateralOnDeficit(scope.accountId, ctx);
    h.engine.ledger.coverDeficit(scope, ctx);
    h.engine.ledger.releaseLiquidation(scope, ctx.tsNs);
    h.drain();
  }
  return legs;
}

function run(actions: Action[], adlRanking: AdlRanking): { legs: number; ranked: number } {
  const h = setUp(adlRanking);
  const index = [...START];
  let legs = 0;
  let ranked = 0;
  actions.forEach((a, i) => {
    apply(h, a, index);
    assertQueuesEqual(h, i);
    legs += deleverageAll(h, i);
    assertQueuesEqual(h, i);
    ranked += adlQueue(h.engine.state, 0, 1, -1, bankruptcyOf(h)).length + adlQueue(h.engine.state, 0, -1, -1, bankruptcyOf(h)).length;
  });
  const audit = h.engine.audit();
  assert.ok(audit.ok, audit.problems.join('; '));
  return { legs, ranked };
}

/** Gaps of 1.5–4% either way and high leverage, so scopes breach and ADL runs often. */
const gap: fc.Arbitrary<Action> = fc.record({ kind: fc.constant('index' as const), market: fc.constantFrom(0, 1), movePermille: fc.integer({ min: 15, max: 40 }).chain((n) => fc.constantFrom(n, -n)) });
const highLeverage: fc.Arbitrary<Action> = fc.record({ kind: fc.constant('leverage' as const), account: fc.constantFrom(...ACCOUNTS), market: fc.constantFrom(0, 1), leverage: fc.integer({ min: 50, max: 100 }) });
const actions = fc.array(fc.oneof({ weight: 12, arbitrary: action }, { weight: 2, arbitrary: settingsAction }, { weight: 2, arbitrary: gap }, { weight: 2, arbitrary: highLeverage }), { minLength: 40, maxLength: 160, size: 'max' });

describe('ADL ranking kept between runs equals the full recomputation', () => {
  for (const ranking of [AdlRanking.PnlTimesLeverage, AdlRanking.LeveragePnl]) {
    it(`${ranking}: same queue after every input, and every ADL run takes the legs the recomputation plans`, () => {
      let legs = 0;
      let ranked = 0;
      fc.assert(
        fc.property(actions, (list) => {
          const r = run(list, ranking);
          legs += r.legs;
          ranked += r.ranked;
        }),
        { seed: ranking === AdlRanking.PnlTimesLeverage ? 1503 : 1504, numRuns: 60 },
      );
      // the runs must have ranked positions and deleveraged against them
      assert.ok(ranked > 1_000, `only ${ranked} ranked positions were compared`);
      assert.ok(legs > 20, `only ${legs} ADL legs were compared`);
    });
  }
});

/** Six accounts trading BTCUSDT and ETHUSDT at random until positions are open on both sides. */
function traded(adlRanking: AdlRanking): RiskHarness {
  const h = setUp(adlRanking);
  const index = [...START];
  fc.sample(actions, { seed: 77, numRuns: 1 })[0].forEach((a) => {
    apply(h, a, index);
    deleverageAll(h, -1);
  });
  return h;
}

describe('ADL what-if plan and the kept ranking in snapshots', () => {
  it('refuses bad input with a code and changes nothing', () => {
    const h = traded(AdlRanking.PnlTimesLeverage);
    const before = h.engine.stateHash();
    const refused = (f: () => unknown, code: string) => assert.throws(f, (e: Error & { code?: string }) => e.code === code);
    refused(() => h.engine.ledger.adlCounterparties('DOGEUSDT', 1), 'RISK_UNKNOWN_MARKET');
    for (const bad of [0, Number.NaN, 1.5, Number.POSITIVE_INFINITY, 2 ** 53]) refused(() => h.engine.ledger.adlCounterparties('BTCUSDT', bad), 'RISK_INVALID_AMOUNT');
    refused(() => h.engine.ledger.adlCounterparties('BTCUSDT', 1, 424_242), 'RISK_UNKNOWN_ACCOUNT');
    assert.equal(h.engine.stateHash(), before);
  });

  it('plans without changing the state, and a size beyond the opposite side stops where the side ends', () => {
    const h = traded(AdlRanking.PnlTimesLeverage);
    const s = h.engine.state;
    const before = h.engine.stateHash();
    let shortLots = 0;
    for (const r of s.ledger.rowsOfMarket[0]) if (s.ledger.qtyLots[r] < 0) shortLots -= s.ledger.qtyLots[r];
    assert.ok(shortLots > 0, 'the random trading opened shorts');
    const plan = h.engine.ledger.adlCounterparties('BTCUSDT', shortLots + 5);
    assert.equal(plan.reduce((n, c) => n + c.qtyLots, 0), shortLots);
    assert.ok(plan.every((c) => c.positionLots < 0 && c.qtyLots === -c.positionLots));
    const ranked = adlQueue(s, 0, -1, -1, bankruptcyOf(h)).map((e) => e.accountId);
    assert.deepEqual(plan.filter((c) => c.kind === AdlCounterpartyKind.RankedTrader).map((c) => c.accountId).slice(0, ranked.length), ranked);
    assert.equal(h.engine.stateHash(), before);
  });

  it('is not snapshot data: a restored engine rebuilds it from positions and prices and ranks as the live one', () => {
    const h = traded(AdlRanking.LeveragePnl);
    // warm: kept through every input of the trading above
    const ranked = [1, -1].map((side) => adlQueue(h.engine.state, 0, side, -1, bankruptcyOf(h)));
    assert.equal(h.engine.state.adlRankings.exportState(), null);
    const twin = new RiskHarness(withFundSeed(riskConfig({ fundingIntervalS: 60, premiumSampleS: 5, markMethod: 'INDEX', adlRanking: AdlRanking.LeveragePnl }), 1));
    twin.engine.importState(h.engine.exportState());
    assert.equal(twin.engine.stateHash(), h.engine.stateHash());
    assert.deepEqual([1, -1].map((side) => adlQueue(twin.engine.state, 0, side, -1, bankruptcyOf(twin))), ranked);
    assert.ok(ranked[0].length + ranked[1].length > 0, 'the trading left ranked positions');
  });
});
