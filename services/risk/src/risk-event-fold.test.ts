/**
 * The fold of the risk events rebuilds every account exactly (issue 9 item 7):
 * regression tests for the changes that used to happen without an event, the
 * fold's stream rules, and a property over random trading, funding, transfers,
 * settings and liquidations (fold == engine after every input, field by field).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MarginMode, OrderType, TimeInForce } from '@perpcore/domain';
import { type RiskEventV1, riskEventCodec } from '@perpcore/proto';
import { riskSnapshot, snapshotDifferences } from './account-snapshot.js';
import { MarginStateCode } from './margin-state-code.js';
import { RiskEventFold, RiskFoldGapError } from './risk-event-fold.js';
import { FEE_ACCOUNT, FUND_ACCOUNT, RiskHarness, USDT, btcSubticks, btcTicks, riskConfig } from './risk-harness.test-support.js';

const LONG = 1;
const SHORT = 2;
const MAKER = 10;

function foldOf(h: RiskHarness, events: readonly RiskEventV1[] = h.events): RiskEventFold {
  const markets = h.engine.state.markets;
  const fold = new RiskEventFold({ settleAsset: 'USDT', defaultLeverage: (symbol) => markets.find((m) => m.symbol === symbol)!.defaultLeverage });
  for (const e of events) fold.apply(e);
  return fold;
}

function assertFoldMatches(h: RiskHarness, when: string): void {
  const differences = snapshotDifferences(riskSnapshot(h.engine.state), foldOf(h).snapshot());
  assert.deepEqual(differences, [], `${when}: the fold differs from the engine`);
}

/** Long 333 vs short 333 lots at 30,000.0, funding every 60 s; run to the first funding time (PF ≠ 0 for both). */
function pairPastFunding(): RiskHarness {
  const h = new RiskHarness(riskConfig({ fundingIntervalS: 60, premiumSampleS: 5 }));
  h.index('BTCUSDT', btcSubticks('30000.05'));
  h.deposit(LONG, 10_000 * USDT);
  h.deposit(SHORT, 10_000 * USDT);
  h.place({ account: SHORT, side: 'sell', priceTicks: btcTicks('30000'), lots: 333 });
  h.place({ account: LONG, side: 'buy', priceTicks: btcTicks('30000'), lots: 333 });
  h.engine.advanceTime(h.engine.state.funding[0].nextFundingMs * 1_000_000 + 1);
  h.drain();
  assert.ok(h.engine.accountReport(LONG)!.cross.positions[0].pendingFundingUnits > 0);
  return h;
}

describe('risk events tell the whole story', () => {
  it('a withdrawal that settles funding first publishes the settlement with the wallet after it', () => {
    const h = pairPastFunding();
    const before = h.events.length;
    h.withdraw(LONG, 1);
    const settled = h.events.slice(before).filter((e) => e.event === 'positionFundingSettled');
    assert.deepEqual(settled.map((e) => [e.accountId, e.market, e.positionFundingSettled!.fundingSettledUnits]), [[LONG, 'BTCUSDT', 1_999]]);
    assert.equal(settled[0].positionFundingSettled!.walletBalanceAfterUnits, String(10_000 * USDT - 4_995_000 - 1_999));
    assertFoldMatches(h, 'after the withdrawal');
  });

  it('an isolated adjustment that settles funding first publishes it with the bucket after it', () => {
    const h = new RiskHarness(riskConfig({ fundingIntervalS: 60, premiumSampleS: 5 }));
    h.index('BTCUSDT', btcSubticks('30000.05'));
    h.deposit(LONG, 10_000 * USDT);
    h.deposit(SHORT, 10_000 * USDT);
    h.setMode(LONG, 'BTCUSDT', MarginMode.Isolated);
    h.place({ account: SHORT, side: 'sell', priceTicks: btcTicks('30000'), lots: 333 });
    h.place({ account: LONG, side: 'buy', priceTicks: btcTicks('30000'), lots: 333 });
    assert.equal(h.adjustIsolated(LONG, 'BTCUSDT', 100 * USDT).event, 'commandAccepted');
    h.engine.advanceTime(h.engine.state.funding[0].nextFundingMs * 1_000_000 + 1);
    h.drain();
    const before = h.events.length;
    assert.equal(h.adjustIsolated(LONG, 'BTCUSDT', -1).event, 'commandAccepted');
    const settled = h.events.slice(before).find((e) => e.event === 'positionFundingSettled');
    assert.ok(settled, 'the bucket paid funding before the adjustment');
    assert.ok(settled.positionFundingSettled!.fundingSettledUnits > 0);
    assertFoldMatches(h, 'after the adjustment');
  });

  it('a liquidation released back to healthy publishes LIQUIDATING → HEALTHY', () => {
    const h = new RiskHarness();
    h.index('BTCUSDT', btcSubticks('30000'));
    h.deposit(MAKER, 1_000_000 * USDT);
    h.deposit(LONG, 1_000_030_000);
    h.setLeverage(LONG, 'BTCUSDT', 50);
    h.place({ account: MAKER, side: 'sell', priceTicks: btcTicks('30000'), lots: 1000 });
    h.place({ account: LONG, side: 'buy', priceTicks: btcTicks('30000'), lots: 1000 });
    h.index('BTCUSDT', btcSubticks('29100'));
    const [triggered] = h.eventsOf('liquidationTriggered', LONG);
    assert.ok(triggered);
    h.index('BTCUSDT', btcSubticks('30500')); // the mark recovered before the ladder acted
    assert.equal(h.engine.ledger.releaseLiquidation({ accountId: LONG }, h.step(1)), 'HEALTHY');
    const released = h.eventsOf('liquidationReleased', LONG);
    assert.equal(released.length, 1);
    assert.equal(released[0].liquidationReleased!.liquidationId, triggered.liquidationTriggered!.liquidationId);
    assert.equal(released[0].liquidationReleased!.scope?.market, '');
    assert.equal(foldOf(h).snapshot().accounts.get(LONG)?.crossState, 'HEALTHY');
    assertFoldMatches(h, 'after the release');
  });

  it('set-leverage and set-margin-mode answers carry the settings after them', () => {
    const h = new RiskHarness();
    h.deposit(LONG, 1_000 * USDT);
    const leverage = h.setLeverage(LONG, 'BTCUSDT', 33);
    assert.equal(leverage.market, 'BTCUSDT');
    assert.equal(leverage.commandAccepted!.leverage, 33);
    const mode = h.setMode(LONG, 'ETHUSDT', MarginMode.Isolated);
    assert.equal(mode.commandAccepted!.marginMode, MarginMode.Isolated);
    assert.equal(mode.commandAccepted!.leverage, h.engine.state.markets[1].defaultLeverage);
    const folded = foldOf(h).snapshot().accounts.get(LONG)!;
    assert.equal(folded.positions.get('BTCUSDT')?.leverage, 33);
    assert.equal(folded.positions.get('ETHUSDT')?.mode, MarginMode.Isolated);
    assertFoldMatches(h, 'after the settings');
  });

  it('each fill leg names the fee account, whose balance folds from the fees', () => {
    const h = pairPastFunding();
    const legs = h.eventsOf('positionSettled');
    assert.ok(legs.every((e) => e.positionSettled!.feeAccountId === FEE_ACCOUNT));
    assert.equal(foldOf(h).snapshot().accounts.get(FEE_ACCOUNT)?.balances.get('USDT'), BigInt(h.engine.state.accounts.balances[0][h.engine.state.feeSlot]));
    assertFoldMatches(h, 'after the fills');
  });

  it('refuses a flat isolated scope a margin-mode change while it is still liquidating (the reset would have no event)', () => {
    const h = new RiskHarness();
    h.index('BTCUSDT', btcSubticks('30000'));
    h.deposit(FUND_ACCOUNT, 50_000 * USDT);
    h.deposit(MAKER, 1_000_000 * USDT);
    h.deposit(LONG, 1_000 * USDT);
    h.setMode(LONG, 'BTCUSDT', MarginMode.Isolated);
    h.setLeverage(LONG, 'BTCUSDT', 50);
    h.place({ account: MAKER, side: 'sell', priceTicks: btcTicks('30000'), lots: 1000 });
    h.place({ account: LONG, side: 'buy', priceTicks: btcTicks('30000'), lots: 1000 });
    h.index('BTCUSDT', btcSubticks('29000'));
    const scope = { accountId: LONG, isolatedMarket: 'BTCUSDT' };
    assert.equal(h.engine.ledger.readScope(scope).state, 'LIQUIDATING');
    h.engine.ledger.applyInsuranceTakeover(scope, 'BTCUSDT', { liquidationId: 1, tsNs: h.step(1) });
    const hash = h.engine.stateHash();
    assert.equal(h.setMode(LONG, 'BTCUSDT', MarginMode.Cross).commandRejected?.code, 'RISK_ACCOUNT_LIQUIDATING');
    assert.equal(h.engine.stateHash(), hash);
    h.engine.ledger.coverDeficit(scope, { liquidationId: 1, tsNs: h.step(1) });
    h.engine.ledger.releaseLiquidation(scope, h.step(1));
    assert.equal(h.setMode(LONG, 'BTCUSDT', MarginMode.Cross).event, 'commandAccepted');
    assertFoldMatches(h, 'after the isolated liquidation');
  });
});

describe('the fold of the risk events', () => {
  it('drops redeliveries, refuses a gap without changing, and folds any interleaving of the streams', () => {
    const h = pairPastFunding();
    h.withdraw(LONG, 1);
    h.withdraw(SHORT, 1);
    // as a Kafka consumer reads them: encoded and decoded
    const decoded = h.events.map((e) => {
      const d = riskEventCodec.decode(riskEventCodec.encode(e));
      assert.ok(d.ok);
      return d.value;
    });
    const fold = foldOf(h, []);
    for (const e of decoded) fold.apply(e);
    for (const e of h.events.slice(-5)) assert.equal(fold.apply(e), false, 'a redelivery is dropped');
    assert.equal(fold.duplicatesDropped, 5);
    assert.deepEqual(snapshotDifferences(riskSnapshot(h.engine.state), fold.snapshot()), []);

    const gapped = foldOf(h, []);
    const accountEvents = h.events.filter((e) => e.accountId === LONG);
    gapped.apply(accountEvents[0]);
    const before = JSON.stringify([...gapped.snapshot().accounts], (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v instanceof Map ? [...v] : v));
    assert.throws(() => gapped.apply(accountEvents[2]), (e: unknown) => e instanceof RiskFoldGapError && e.expectedSeq === 2 && e.gotSeq === 3);
    assert.equal(JSON.stringify([...gapped.snapshot().accounts], (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v instanceof Map ? [...v] : v)), before);

    // account streams in any interleaving (here: one account's stream after another's), each in order
    const byAccount = [...new Set(h.events.map((e) => e.accountId))].reverse();
    const reordered = byAccount.flatMap((id) => h.events.filter((e) => e.accountId === id));
    assert.deepEqual(snapshotDifferences(riskSnapshot(h.engine.state), foldOf(h, reordered).snapshot()), []);
  });

  it('names the field that differs', () => {
    const h = pairPastFunding();
    const expected = riskSnapshot(h.engine.state);
    const actual = foldOf(h).snapshot();
    actual.accounts.get(LONG)!.positions.get('BTCUSDT')!.qtyLots = 332;
    assert.deepEqual(snapshotDifferences(expected, actual), [`account ${LONG} BTCUSDT qtyLots: expected 333, got 332`]);
  });
});

type Action =
  | { kind: 'place'; account: number; market: number; buy: boolean; offsetTicks: number; lots: number; reduceOnly: boolean; ioc: boolean }
  | { kind: 'cancel'; pick: number }
  | { kind: 'index'; market: number; movePermille: number }
  | { kind: 'time'; seconds: number }
  | { kind: 'deposit'; account: number; amount: number }
  | { kind: 'withdraw'; account: number; amount: number }
  | { kind: 'leverage'; account: number; market: number; leverage: number }
  | { kind: 'mode'; account: number; market: number; isolated: boolean }
  | { kind: 'adjust'; account: number; market: number; delta: number };

const ACCOUNTS = [1, 2, 3, 4, 5];
const MARKETS = ['BTCUSDT', 'ETHUSDT'];
const START = [30_000_000, 2_000_000];

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('place' as const), account: fc.constantFrom(...ACCOUNTS), market: fc.constantFrom(0, 1), buy: fc.boolean(), offsetTicks: fc.integer({ min: -20, max: 20 }), lots: fc.integer({ min: 1, max: 2_000 }), reduceOnly: fc.integer({ min: 0, max: 6 }).map((n) => n === 0), ioc: fc.integer({ min: 0, max: 6 }).map((n) => n === 0) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('index' as const), market: fc.constantFrom(0, 1), movePermille: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -3, max: 3 }) }, { weight: 2, arbitrary: fc.integer({ min: -12, max: 12 }) }, { weight: 1, arbitrary: fc.integer({ min: -50, max: 50 }) }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('time' as const), seconds: fc.integer({ min: 1, max: 90 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deposit' as const), account: fc.constantFrom(...ACCOUNTS), amount: fc.integer({ min: 1, max: 1_000 * USDT }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('withdraw' as const), account: fc.constantFrom(...ACCOUNTS), amount: fc.integer({ min: 1, max: 500 * USDT }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leverage' as const), account: fc.constantFrom(...ACCOUNTS), market: fc.constantFrom(0, 1), leverage: fc.integer({ min: 1, max: 100 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('mode' as const), account: fc.constantFrom(...ACCOUNTS), market: fc.constantFrom(0, 1), isolated: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('adjust' as const), account: fc.constantFrom(...ACCOUNTS), market: fc.constantFrom(0, 1), delta: fc.integer({ min: -300 * USDT, max: 300 * USDT }).filter((d) => d !== 0) }) },
);

function apply(h: RiskHarness, a: Action, index: number[]): void {
  switch (a.kind) {
    case 'place': {
      const markTicks = Math.round(index[a.market] / 100);
      const priceTicks = Math.max(1, markTicks + (a.buy ? a.offsetTicks : -a.offsetTicks));
      h.place({ account: a.account, market: MARKETS[a.market], side: a.buy ? 'buy' : 'sell', priceTicks: a.ioc ? 0 : priceTicks, lots: a.lots, type: a.ioc ? OrderType.Market : OrderType.Limit, tif: a.ioc ? TimeInForce.ImmediateOrCancel : TimeInForce.GoodTillCancel, reduceOnly: a.reduceOnly });
      return;
    }
    case 'cancel': {
      const open: [string, number, number][] = [];
      for (const market of MARKETS) for (const side of [1, -1] as const) h.books.get(market)!.forEachRestingOrder(side, (id, account) => open.push([market, id, account]));
      if (open.length > 0) {
        const [market, id, account] = open[a.pick % open.length];
        h.cancel(account, id, market);
      }
      return;
    }
    case 'index':
      index[a.market] = Math.max(100, Math.round((index[a.market] * (10_000 + a.movePermille * 10)) / 10_000));
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
      h.adjustIsolated(a.account, MARKETS[a.market], a.delta);
      return;
  }
}

/** Every liquidating scope: released at once if it recovered, else the fund takes over, covers the deficit, releases. */
function resolveLiquidations(h: RiskHarness): void {
  const s = h.engine.state;
  for (let slot = 0; slot < s.accounts.count; slot++) {
    const scopes: { accountId: number; isolatedMarket?: string }[] = [];
    if (s.accounts.crossState[slot] === MarginStateCode.Liquidating) scopes.push({ accountId: s.accounts.ids[slot] });
    for (let r = s.accounts.firstRow[slot]; r >= 0; r = s.ledger.nextOfAccount[r]) {
      if (s.ledger.mode[r] === MarginMode.Isolated && s.ledger.isolatedState[r] === MarginStateCode.Liquidating) scopes.push({ accountId: s.accounts.ids[slot], isolatedMarket: s.markets[s.ledger.market[r]].symbol });
    }
    for (const scope of scopes) {
      const ledger = h.engine.ledger;
      const ctx = { liquidationId: ledger.readScope(scope).liquidationId, tsNs: h.step(1_000) };
      if (ledger.readScope(scope).equityUnits > ledger.readScope(scope).maintenanceUnits) {
        ledger.releaseLiquidation(scope, ctx.tsNs);
        continue;
      }
      for (const p of ledger.readScope(scope).positions) if (ledger.bankruptcyOf(scope, p.market, Math.abs(p.qtyLots)).limitPriceTicks >= 1) ledger.applyInsuranceTakeover(scope, p.market, ctx);
      if (ledger.readScope(scope).positions.length === 0) {
        ledger.sweepResidue(scope, ctx);
        if (scope.isolatedMarket === undefined) ledger.convertCollateralOnDeficit(scope.accountId, ctx);
        ledger.coverDeficit(scope, ctx);
      }
      ledger.releaseLiquidation(scope, ctx.tsNs);
      h.drain();
    }
  }
}

describe('the fold over random trading, funding, transfers, settings and liquidations', () => {
  it('equals the engine after every input, field by field', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(fc.array(actionArb, { minLength: 60, maxLength: 160, size: 'max' }), (actions) => {
        const h = new RiskHarness(riskConfig({ fundingIntervalS: 60, premiumSampleS: 5 }));
        h.wireCheck = false;
        h.deposit(FUND_ACCOUNT, 20_000 * USDT);
        for (const id of ACCOUNTS) h.deposit(id, 3_000 * USDT);
        h.index('BTCUSDT', START[0]);
        h.index('ETHUSDT', START[1]);
        const index = [...START];
        const markets = h.engine.state.markets;
        const fold = new RiskEventFold({ settleAsset: 'USDT', defaultLeverage: (symbol) => markets.find((m) => m.symbol === symbol)!.defaultLeverage });
        let folded = 0;
        actions.forEach((a, i) => {
          apply(h, a, index);
          resolveLiquidations(h);
          for (; folded < h.events.length; folded++) fold.apply(h.events[folded]);
          assert.deepEqual(snapshotDifferences(riskSnapshot(h.engine.state), fold.snapshot()), [], `after input ${i} (${a.kind})`);
        });
        for (const e of h.events) seen.set(e.event, (seen.get(e.event) ?? 0) + 1);
      }),
      { seed: 909, numRuns: 60 },
    );
    // the runs exercised every kind of change the fold follows
    for (const kind of ['positionSettled', 'positionFundingSettled', 'ledgerTransfer', 'marginCall', 'marginCallCleared', 'liquidationTriggered', 'liquidationReleased', 'commandAccepted']) {
      assert.ok((seen.get(kind) ?? 0) > 0, `no ${kind} in any run: ${JSON.stringify([...seen])}`);
    }
  });
});
