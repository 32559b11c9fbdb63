/**
 * Property tests over random trading, funding and mark moves (RISK-SPEC §9):
 * after every input, per market Σ long = Σ short, settle money is conserved to the
 * unit, funding nets to zero up to the residue kept in the funding pool, every
 * scope's stored margin state equals an exact full re-evaluation (the breach index
 * never misses a crossing), and the same input log gives the same state hash.
 * Liquidating scopes are resolved through the ledger (fund takeover, deficit cover,
 * release) so the liquidation path is exercised under the same invariants.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MarginMode, OrderType, TimeInForce } from '@perpcore/domain';
import { MarginStateCode, marginStateCode } from './margin-state-code.js';
import { RiskHarness, USDT, riskConfig, withFundSeed } from './risk-harness.test-support.js';

type Action =
  | { kind: 'place'; account: number; market: number; buy: boolean; offsetTicks: number; lots: number; reduceOnly: boolean; market_: boolean }
  | { kind: 'cancel'; pick: number }
  | { kind: 'index'; market: number; movePermille: number }
  | { kind: 'time'; seconds: number }
  | { kind: 'deposit'; account: number; amount: number }
  | { kind: 'withdraw'; account: number; amount: number }
  | { kind: 'leverage'; account: number; market: number; leverage: number };

const ACCOUNTS = [1, 2, 3, 4, 5, 6];
const MARKETS = ['BTCUSDT', 'ETHUSDT'];
const START = [30_000_000, 2_000_000]; // subticks: 30,000.0 BTC (tick 0.1 → ×100), 2,000.00 ETH (tick 0.01 → ×100)
const TICK_SUBTICKS = 100;

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('place' as const), account: fc.constantFrom(...ACCOUNTS), market: fc.constantFrom(0, 1), buy: fc.boolean(), offsetTicks: fc.integer({ min: -30, max: 30 }), lots: fc.integer({ min: 1, max: 2_000 }), reduceOnly: fc.integer({ min: 0, max: 7 }).map((n) => n === 0), market_: fc.integer({ min: 0, max: 9 }).map((n) => n === 0) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('index' as const), market: fc.constantFrom(0, 1), movePermille: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: -1, max: 1 }) }, { weight: 3, arbitrary: fc.integer({ min: -6, max: 6 }) }, { weight: 1, arbitrary: fc.integer({ min: -40, max: 40 }) }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('time' as const), seconds: fc.integer({ min: 1, max: 90 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deposit' as const), account: fc.constantFrom(...ACCOUNTS), amount: fc.integer({ min: 1, max: 1_000 * USDT }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('withdraw' as const), account: fc.constantFrom(...ACCOUNTS), amount: fc.integer({ min: 1, max: 5_000 * USDT }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('leverage' as const), account: fc.constantFrom(...ACCOUNTS), market: fc.constantFrom(0, 1), leverage: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constant(75)) }) },
);

function setUp(markMethod: 'INDEX' | 'MEDIAN3'): RiskHarness {
  const h = new RiskHarness(withFundSeed(riskConfig({ fundingIntervalS: 60, premiumSampleS: 5, markMethod }), 1)); // a fund with a unit of capital
  h.wireCheck = false;
  for (const id of ACCOUNTS) h.deposit(id, 3_000 * USDT);
  h.setMode(5, 'BTCUSDT', MarginMode.Isolated);
  h.setMode(6, 'ETHUSDT', MarginMode.Isolated);
  h.index('BTCUSDT', START[0]);
  h.index('ETHUSDT', START[1]);
  return h;
}

function apply(h: RiskHarness, a: Action, index: number[]): void {
  switch (a.kind) {
    case 'place': {
      const m = a.market;
      const markTicks = Math.round(index[m] / TICK_SUBTICKS);
      const priceTicks = Math.max(1, markTicks + (a.buy ? a.offsetTicks : -a.offsetTicks));
      h.place({ account: a.account, market: MARKETS[m], side: a.buy ? 'buy' : 'sell', priceTicks: a.market_ ? 0 : priceTicks, lots: a.lots, type: a.market_ ? OrderType.Market : OrderType.Limit, tif: a.market_ ? TimeInForce.ImmediateOrCancel : TimeInForce.GoodTillCancel, reduceOnly: a.reduceOnly });
      return;
    }
    case 'cancel': {
      const open: { market: string; id: number; account: number }[] = [];
      for (let m = 0; m < MARKETS.length; m++) {
        const book = h.books.get(MARKETS[m])!;
        for (const side of [1, -1] as const) book.forEachRestingOrder(side, (id, account) => open.push({ market: MARKETS[m], id, account }));
      }
      if (open.length === 0) return;
      const o = open[a.pick % open.length];
      h.cancel(o.account, o.id, o.market);
      return;
    }
    case 'index':
      index[a.market] = Math.max(TICK_SUBTICKS, Math.round((index[a.market] * (10_000 + a.movePermille * (Math.abs(a.movePermille) === 1 ? 3 : 10))) / 10_000));
      h.index(MARKETS[a.market], index[a.market]);
      return;
    case 'time':
      h.engine.advanceTime(h.step(a.seconds * 1_000_000_000));
      h.drain();
      return;
    case 'deposit':
      h.deposit(a.account, a.amount);
      return;
    case 'withdraw':
      h.withdraw(a.account, a.amount);
      return;
    case 'leverage':
      h.setLeverage(a.account, MARKETS[a.market], a.leverage);
      return;
  }
}

/** Resolves every liquidating scope through the ledger: the fund takes the positions over, covers any deficit, releases. */
function liquidate(h: RiskHarness): void {
  const s = h.engine.state;
  for (let slot = 0; slot < s.accounts.count; slot++) {
    const id = s.accounts.ids[slot];
    const scopes: { accountId: number; isolatedMarket?: string }[] = [];
    if (s.accounts.crossState[slot] === MarginStateCode.Liquidating) scopes.push({ accountId: id });
    for (let r = s.accounts.firstRow[slot]; r >= 0; r = s.ledger.nextOfAccount[r]) {
      if (s.ledger.mode[r] === MarginMode.Isolated && s.ledger.isolatedState[r] === MarginStateCode.Liquidating) scopes.push({ accountId: id, isolatedMarket: s.markets[s.ledger.market[r]].symbol });
    }
    for (const scope of scopes) {
      const ctx = { liquidationId: 1, tsNs: h.step(1_000) };
      for (const p of h.engine.ledger.readScope(scope).positions) {
        const bp = h.engine.ledger.bankruptcyOf(scope, p.market, Math.abs(p.qtyLots));
        if (bp.limitPriceTicks >= 1) h.engine.ledger.applyInsuranceTakeover(scope, p.market, ctx);
      }
      if (h.engine.ledger.readScope(scope).positions.length === 0) {
        h.engine.ledger.sweepResidue(scope, ctx);
        if (!scope.isolatedMarket) h.engine.ledger.convertCollateralOnDeficit(scope.accountId, ctx);
        h.engine.ledger.coverDeficit(scope, ctx);
      }
      h.engine.ledger.releaseLiquidation(scope, ctx.tsNs);
      h.drain();
    }
  }
}

function checkInvariants(h: RiskHarness, step: number): void {
  const report = h.engine.audit();
  assert.ok(report.ok, `after step ${step}: ${report.problems.join('; ')}`);
  const s = h.engine.state;
  for (let slot = 0; slot < s.accounts.count; slot++) {
    if (!s.isTrader(slot)) continue;
    const stored = s.accounts.crossState[slot];
    const exact = marginStateCode(s.evaluator.evaluateCross(slot).state);
    if (stored !== MarginStateCode.Liquidating) assert.equal(stored, exact, `after step ${step}: account ${s.accounts.ids[slot]} cross state ${stored} but exact ${exact}`);
    for (let r = s.accounts.firstRow[slot]; r >= 0; r = s.ledger.nextOfAccount[r]) {
      if (s.ledger.mode[r] !== MarginMode.Isolated || s.ledger.qtyLots[r] === 0) continue;
      const iso = marginStateCode(s.evaluator.evaluateIsolated(r).state);
      if (s.ledger.isolatedState[r] !== MarginStateCode.Liquidating) assert.equal(s.ledger.isolatedState[r], iso, `after step ${step}: isolated row ${r} state`);
    }
  }
}

function run(actions: Action[], check: boolean, markMethod: 'INDEX' | 'MEDIAN3' = 'INDEX'): RiskHarness {
  const h = setUp(markMethod);
  const index = [...START];
  actions.forEach((a, i) => {
    apply(h, a, index);
    if (check) checkInvariants(h, i);
    liquidate(h);
    if (check) checkInvariants(h, i);
  });
  return h;
}

describe('risk engine over random trading, funding and mark moves', () => {
  it('keeps open interest balanced, money conserved to the unit, funding residue in the pool, and states exact', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(fc.array(action, { minLength: 60, maxLength: 200, size: 'max' }), (actions) => {
        const h = run(actions, true);
        for (const e of h.events) seen.set(e.event, (seen.get(e.event) ?? 0) + 1);
        seen.set('takeover', (seen.get('takeover') ?? 0) + h.events.filter((e) => e.event === 'positionSettled' && e.positionSettled?.fillType === 2).length);
      }),
      { seed: 2024, numRuns: 150 },
    );
    // MEDIAN3 marks (index, book basis, last trade) under the same checks
    fc.assert(fc.property(fc.array(action, { minLength: 60, maxLength: 200, size: 'max' }), (actions) => void run(actions, true, 'MEDIAN3')), { seed: 99, numRuns: 40 });
    // the runs must have exercised what the invariants are about
    for (const kind of ['positionSettled', 'fundingSettled', 'marginCall', 'liquidationTriggered', 'marginCallCleared', 'ledgerTransfer', 'orderRejected', 'takeover']) {
      assert.ok((seen.get(kind) ?? 0) > 0, `no ${kind} in any run: ${JSON.stringify([...seen])}`);
    }
  });

  it('is deterministic: the same input log gives the same events and state hash', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 40, maxLength: 120, size: 'max' }), (actions) => {
        const a = run(actions, false, 'MEDIAN3');
        const b = run(actions, false, 'MEDIAN3');
        assert.equal(a.engine.stateHash(), b.engine.stateHash());
        assert.equal(a.events.length, b.events.length);
        assert.deepEqual(a.events.map((e) => `${e.accountId}/${e.market}/${e.seq}/${e.event}`), b.events.map((e) => `${e.accountId}/${e.market}/${e.seq}/${e.event}`));
      }),
      { seed: 7, numRuns: 20 },
    );
  });
});
