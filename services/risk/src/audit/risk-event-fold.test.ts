/**
 * The fold of the risk events rebuilds every account exactly (issue 9 item 7):
 * regression tests for the changes that used to happen without an event, the
 * fold's stream rules, and a property over random trading, funding, transfers,
 * settings and liquidations (fold == engine after every input, field by field).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MarginMode } from '@perpcore/domain';
import { type RiskEventV1, riskEventCodec } from '@perpcore/proto';
import { riskSnapshot, snapshotDifferences } from '../accounts/account-snapshot.js';
import { START, action, apply, liquidate, settingsAction, setUp } from '../random-risk-actions.test-support.js';
import { RiskEventFold, RiskFoldGapError, riskEventFoldConfig } from './risk-event-fold.js';
import { FEE_ACCOUNT, RiskHarness, USDT, aliceLong1BtcAt30k, btcSubticks, btcTicks, fundedPair, riskConfig, withFundSeed } from '../risk-harness.test-support.js';

const LONG = 1;
const SHORT = 2;
const MAKER = 10;

function foldOf(h: RiskHarness, events: readonly RiskEventV1[] = h.events): RiskEventFold {
  const fold = new RiskEventFold(riskEventFoldConfig(h.engine.state));
  for (const e of events) fold.apply(e);
  return fold;
}

function assertFoldMatches(h: RiskHarness, when: string): void {
  const differences = snapshotDifferences(riskSnapshot(h.engine.state), foldOf(h).snapshot());
  assert.deepEqual(differences, [], `${when}: the fold differs from the engine`);
}

/** The funded pair (long 333 vs short 333 lots, funding every 60 s) run to its first funding time: PF ≠ 0 for both. */
function pairPastFunding(): RiskHarness {
  const h = fundedPair(LONG, SHORT);
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
    const h = fundedPair(LONG, SHORT, (pair) => pair.setMode(LONG, 'BTCUSDT', MarginMode.Isolated));
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
    const h = aliceLong1BtcAt30k(LONG, MAKER);
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
    const h = new RiskHarness(withFundSeed(riskConfig(), 50_000 * USDT));
    h.index('BTCUSDT', btcSubticks('30000'));
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

describe('the fold over random trading, funding, transfers, settings and liquidations', () => {
  it('equals the engine after every input, field by field', () => {
    const seen = new Map<string, number>();
    const actions = fc.oneof({ weight: 10, arbitrary: action }, { weight: 1, arbitrary: settingsAction });
    fc.assert(
      fc.property(fc.array(actions, { minLength: 60, maxLength: 200, size: 'max' }), (list) => {
        const h = setUp('INDEX');
        const index = [...START];
        const fold = foldOf(h);
        let folded = h.events.length;
        list.forEach((a, i) => {
          apply(h, a, index);
          liquidate(h);
          for (; folded < h.events.length; folded++) fold.apply(h.events[folded]);
          assert.deepEqual(snapshotDifferences(riskSnapshot(h.engine.state), fold.snapshot()), [], `after input ${i} (${a.kind})`);
        });
        for (const e of h.events) seen.set(e.event, (seen.get(e.event) ?? 0) + 1);
      }),
      { seed: 909, numRuns: 150 },
    );
    // the runs exercised every kind of change the fold follows
    for (const kind of ['positionSettled', 'positionFundingSettled', 'ledgerTransfer', 'marginCall', 'marginCallCleared', 'liquidationTriggered', 'liquidationReleased', 'commandAccepted']) {
      assert.ok((seen.get(kind) ?? 0) > 0, `no ${kind} in any run: ${JSON.stringify([...seen])}`);
    }
  });
});
