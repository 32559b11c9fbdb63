/**
 * Test support (not exported): random trading for property tests over the risk
 * engine — the actions (orders, cancels, index moves, time, deposits, withdrawals,
 * leverage, margin mode, isolated adjustments), the set-up they start from (six
 * funded accounts, 5 isolated in BTCUSDT and 6 in ETHUSDT, a fund seeded with one unit,
 * both markets indexed), how each applies, and the resolution of every
 * liquidating scope through the ledger (fund takeover, deficit cover, release).
 */
import fc from 'fast-check';
import { MarginMode, OrderType, TimeInForce } from '@perpcore/domain';
import type { MarketRiskParamsInput } from '@perpcore/margin';
import { MarginStateCode } from './margin-watch/margin-state-code.js';
import { RiskHarness, USDT, riskConfig, withFundSeed } from './risk-harness.test-support.js';

export type Action =
  | { kind: 'place'; account: number; market: number; buy: boolean; offsetTicks: number; lots: number; reduceOnly: boolean; market_: boolean }
  | { kind: 'cancel'; pick: number }
  | { kind: 'index'; market: number; movePermille: number }
  | { kind: 'time'; seconds: number }
  | { kind: 'deposit'; account: number; amount: number }
  | { kind: 'withdraw'; account: number; amount: number }
  | { kind: 'leverage'; account: number; market: number; leverage: number }
  | { kind: 'mode'; account: number; market: number; isolated: boolean }
  | { kind: 'adjust'; account: number; market: number; deltaUnits: number };

export const ACCOUNTS = [1, 2, 3, 4, 5, 6];
export const MARKETS = ['BTCUSDT', 'ETHUSDT'];
export const START = [30_000_000, 2_000_000]; // subticks: 30,000.0 BTC (tick 0.1 → ×100), 2,000.00 ETH (tick 0.01 → ×100)
export const TICK_SUBTICKS = 100;

/** Trading, prices, time and transfers (no margin-mode changes or isolated adjustments: see `settingsAction`). */
export const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('place' as const), account: fc.constantFrom(...ACCOUNTS), market: fc.constantFrom(0, 1), buy: fc.boolean(), offsetTicks: fc.integer({ min: -30, max: 30 }), lots: fc.integer({ min: 1, max: 2_000 }), reduceOnly: fc.integer({ min: 0, max: 7 }).map((n) => n === 0), market_: fc.integer({ min: 0, max: 9 }).map((n) => n === 0) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('index' as const), market: fc.constantFrom(0, 1), movePermille: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: -1, max: 1 }) }, { weight: 3, arbitrary: fc.integer({ min: -6, max: 6 }) }, { weight: 1, arbitrary: fc.integer({ min: -40, max: 40 }) }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('time' as const), seconds: fc.integer({ min: 1, max: 90 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deposit' as const), account: fc.constantFrom(...ACCOUNTS), amount: fc.integer({ min: 1, max: 1_000 * USDT }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('withdraw' as const), account: fc.constantFrom(...ACCOUNTS), amount: fc.integer({ min: 1, max: 5_000 * USDT }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('leverage' as const), account: fc.constantFrom(...ACCOUNTS), market: fc.constantFrom(0, 1), leverage: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constant(75)) }) },
);

/** `overrides`: further market parameters (e.g. the ADL ranking). */
export function setUp(markMethod: 'INDEX' | 'MEDIAN3', overrides: Partial<MarketRiskParamsInput> = {}): RiskHarness {
  const h = new RiskHarness(withFundSeed(riskConfig({ fundingIntervalS: 60, premiumSampleS: 5, markMethod, ...overrides }), 1)); // a fund with a unit of capital
  h.wireCheck = false;
  for (const id of ACCOUNTS) h.deposit(id, 3_000 * USDT);
  h.setMode(5, 'BTCUSDT', MarginMode.Isolated);
  h.setMode(6, 'ETHUSDT', MarginMode.Isolated);
  h.index('BTCUSDT', START[0]);
  h.index('ETHUSDT', START[1]);
  return h;
}

export function apply(h: RiskHarness, a: Action, index: number[]): void {
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
    case 'mode':
      h.setMode(a.account, MARKETS[a.market], a.isolated ? MarginMode.Isolated : MarginMode.Cross);
      return;
    case 'adjust':
      h.adjustIsolated(a.account, MARKETS[a.market], a.deltaUnits);
      return;
  }
}

/** Resolves every liquidating scope through the ledger: the fund takes the positions over, covers any deficit, releases. */
export function liquidate(h: RiskHarness): void {
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


/** Margin-mode changes and isolated adjustments, to mix into `action`. */
export const settingsAction: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('mode' as const), account: fc.constantFrom(...ACCOUNTS), market: fc.constantFrom(0, 1), isolated: fc.boolean() }),
  fc.record({ kind: fc.constant('adjust' as const), account: fc.constantFrom(...ACCOUNTS), market: fc.constantFrom(0, 1), deltaUnits: fc.integer({ min: -300 * USDT, max: 300 * USDT }).filter((d) => d !== 0) }),
);
