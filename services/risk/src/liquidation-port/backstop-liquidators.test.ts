/**
 * Backstop liquidators (backstop-liquidators.ts): the operator's terms, the order a
 * position is offered in, the exact margin test a backstop passes, and the takeover
 * at BP with conservation, events and the fold.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FillType } from '@perpcore/domain';
import type { perpcore, RiskEventV1 } from '@perpcore/proto';
import { FUND_ACCOUNT, RiskHarness, USDT, aliceLiquidatingAt29100, btcTicks, riskConfig, withFundSeed } from '../risk-harness.test-support.js';
import { riskSnapshot, snapshotDifferences } from '../accounts/account-snapshot.js';
import { RiskEventFold, riskEventFoldConfig } from '../audit/risk-event-fold.js';
import { RiskEngine } from '../risk-engine.js';

const ALICE = 1;
const BETTY = 5;
const CAROL = 6;
const DAVE = 7;
const MAKER = 10;

const aliceLiquidating = () => aliceLiquidatingAt29100(ALICE, MAKER);

function setBackstop(h: RiskHarness, accountId: number, enabled: boolean, maxPositionNotionalUnits = 0, markets: string[] = []): RiskEventV1 {
  return h.accountCommand(accountId, { command: 'setBackstopLiquidator', setBackstopLiquidator: { enabled, markets, maxPositionNotionalUnits } as unknown as perpcore.risk.v1.SetBackstopLiquidatorV1 });
}

const ctx = (h: RiskHarness) => ({ liquidationId: 1, tsNs: h.step(1_000) });

function assertFoldMatches(h: RiskHarness): void {
  const fold = new RiskEventFold(riskEventFoldConfig(h.engine.state));
  for (const e of h.events) fold.apply(e);
  assert.deepEqual(snapshotDifferences(riskSnapshot(h.engine.state), fold.snapshot()), []);
}

describe('backstop liquidators', () => {
  it('take the whole position at BP before the fund: the liquidated scope nets BPamount, the backstop holds it at BP (its reward is mark − BP), the fund gets the tick difference', () => {
    const h = aliceLiquidating();
    h.deposit(BETTY, 2_000 * USDT);
    assert.equal(setBackstop(h, BETTY, true, 100_000 * USDT).event, 'commandAccepted');
    const fundBefore = h.engine.ledger.fundBalanceUnits();
    const result = h.engine.ledger.applyBackstopTakeover({ accountId: ALICE }, 'BTCUSDT', ctx(h));
    assert.deepEqual(result, {
      taken: {
        qtyLots: 1000,
        bankruptcyAmountUnits: 29_014_970_000,
        bankruptcyPriceTicks: btcTicks('29015'),
        fillPriceTicks: btcTicks('29015'),
        tickDifferenceUnits: 30_000,
        shortfallUnits: 0,
        liquidatorAccountId: BETTY,
        liquidatorPositionAfterLots: 1000,
      },
      declined: [],
    });
    const alice = h.engine.accountReport(ALICE)!;
    assert.equal(alice.cross.positions.length, 0);
    assert.equal(alice.collateral[0].balanceUnits, 0);
    const betty = h.engine.accountReport(BETTY)!;
    assert.deepEqual(betty.cross.positions.map((p) => [p.qtyLots, p.costUnits]), [[1000, 29_015 * USDT]]);
    assert.equal(betty.collateral[0].balanceUnits, 2_000 * USDT, 'no fee on a takeover');
    assert.equal(betty.cross.equityUnits, 2_085 * USDT, '(29,100 − 29,015) × 1 BTC of unrealized profit');
    assert.equal(h.engine.ledger.fundBalanceUnits() - fundBefore, 30_000);
    const legs = h.eventsOf('positionSettled').slice(-2).map((e) => [e.accountId, e.positionSettled!.fillType, e.positionSettled!.fillQtyLots, e.positionSettled!.feeUnits]);
    assert.deepEqual(legs, [[ALICE, FillType.Liquidation, -1000, 0], [BETTY, FillType.Liquidation, 1000, 0]]);
    assert.ok(h.engine.audit().ok, h.engine.audit().problems.join('; '));
    assert.equal(h.engine.accountReport(FUND_ACCOUNT)!.cross.positions.length, 0, 'the fund took nothing');
    assertFoldMatches(h);
  });

  it('are asked in the order they were enabled; each one that cannot is reported with its reason, the first that can takes it', () => {
    const h = aliceLiquidating();
    h.deposit(CAROL, 1_000 * USDT); // IM at 20× is 1,455: available 1,000 + 85 − 1,455 < 0
    h.deposit(DAVE, 50_000 * USDT);
    h.deposit(BETTY, 2_000 * USDT);
    setBackstop(h, ALICE, true, 100_000 * USDT);
    setBackstop(h, CAROL, true, 100_000 * USDT);
    setBackstop(h, DAVE, true, 100_000 * USDT, ['ETHUSDT']);
    setBackstop(h, BETTY, true, 100_000 * USDT, ['BTCUSDT']);
    assert.deepEqual(riskSnapshot(h.engine.state).backstopOrder, [ALICE, CAROL, DAVE, BETTY]);
    const result = h.engine.ledger.applyBackstopTakeover({ accountId: ALICE }, 'BTCUSDT', ctx(h));
    assert.equal(result.taken?.liquidatorAccountId, BETTY);
    assert.deepEqual(result.declined.map((d) => d.accountId), [ALICE, CAROL, DAVE]);
    assert.match(result.declined[0]!.reason, /liquidated account/);
    assert.match(result.declined[1]!.reason, /available margin would be -370000000 units/);
    assert.match(result.declined[2]!.reason, /BTCUSDT is not in its terms/);
    assert.ok(h.engine.audit().ok, h.engine.audit().problems.join('; '));
    assertFoldMatches(h);
  });

  it('decline past their notional cap or with the kill switch engaged; when none can, nothing changes', () => {
    const h = aliceLiquidating();
    h.deposit(BETTY, 50_000 * USDT);
    h.deposit(CAROL, 50_000 * USDT);
    setBackstop(h, BETTY, true, 29_099 * USDT); // 1 BTC at 29,100 is above it
    setBackstop(h, CAROL, true, 100_000 * USDT);
    h.accountCommand(CAROL, { command: 'setKillSwitch', setKillSwitch: { engaged: true } as perpcore.risk.v1.SetKillSwitchV1 });
    const hash = h.engine.stateHash();
    const events = h.events.length;
    const result = h.engine.ledger.applyBackstopTakeover({ accountId: ALICE }, 'BTCUSDT', ctx(h));
    assert.equal(result.taken, null);
    assert.deepEqual(result.declined, [
      { accountId: BETTY, reason: 'position notional 29100000000 units would exceed its cap 29099000000' },
      { accountId: CAROL, reason: 'its kill switch is engaged' },
    ]);
    assert.equal(h.engine.stateHash(), hash);
    assert.equal(h.events.length, events);
  });

  it('net against a position the backstop already holds: a short backstop that takes a long closes its own short, realized PnL in its wallet', () => {
    const h = aliceLiquidating();
    h.deposit(BETTY, 5_000 * USDT);
    h.place({ account: MAKER, side: 'buy', priceTicks: btcTicks('29100'), lots: 400 });
    assert.equal(h.place({ account: BETTY, side: 'sell', priceTicks: btcTicks('29100'), lots: 400 }), '');
    const walletAfterTrade = h.engine.accountReport(BETTY)!.collateral[0].balanceUnits;
    setBackstop(h, BETTY, true, 100_000 * USDT);
    const result = h.engine.ledger.applyBackstopTakeover({ accountId: ALICE }, 'BTCUSDT', ctx(h));
    assert.equal(result.taken?.liquidatorPositionAfterLots, 600);
    const betty = h.engine.accountReport(BETTY)!;
    // the short 0.4 BTC sold at 29,100 closes at 29,015: +34 USDT realized
    assert.equal(betty.collateral[0].balanceUnits - walletAfterTrade, 34 * USDT);
    assert.deepEqual(betty.cross.positions.map((p) => [p.qtyLots, p.costUnits]), [[600, 17_409 * USDT]]);
    assert.ok(h.engine.audit().ok, h.engine.audit().problems.join('; '));
    assertFoldMatches(h);
  });

  it('terms: only trader accounts, listed distinct markets, a positive safe cap; an unchanged command publishes nothing; disabling gives up the place', () => {
    const h = aliceLiquidating();
    h.deposit(BETTY, 1_000 * USDT);
    h.deposit(CAROL, 1_000 * USDT);
    const code = (e: RiskEventV1) => (e.event === 'commandRejected' ? e.commandRejected!.code : 'ok');
    assert.equal(code(setBackstop(h, FUND_ACCOUNT, true, USDT)), 'RISK_SYSTEM_ACCOUNT');
    assert.equal(code(setBackstop(h, 4242, true, USDT)), 'RISK_UNKNOWN_ACCOUNT');
    assert.equal(code(setBackstop(h, BETTY, true, 0)), 'RISK_INVALID_AMOUNT');
    assert.equal(code(setBackstop(h, BETTY, true, -5)), 'RISK_INVALID_AMOUNT');
    assert.equal(code(setBackstop(h, BETTY, true, 2 ** 53)), 'RISK_INVALID_AMOUNT');
    assert.equal(code(setBackstop(h, BETTY, true, USDT, ['DOGEUSDT'])), 'RISK_UNKNOWN_MARKET');
    assert.equal(code(setBackstop(h, BETTY, true, USDT, ['BTCUSDT', 'BTCUSDT'])), 'RISK_INVALID_COMMAND');
    assert.equal(h.eventsOf('backstopLiquidatorSet').length, 0, 'a reject changes nothing');
    assert.equal(code(setBackstop(h, BETTY, false)), 'ok');
    assert.equal(h.eventsOf('backstopLiquidatorSet').length, 0, 'disabling a non-backstop changes nothing');
    setBackstop(h, BETTY, true, USDT, ['ETHUSDT', 'BTCUSDT']);
    setBackstop(h, CAROL, true, USDT);
    setBackstop(h, BETTY, true, USDT, ['BTCUSDT', 'ETHUSDT']);
    assert.equal(h.eventsOf('backstopLiquidatorSet', BETTY).length, 1, 'the same terms in another order are unchanged');
    setBackstop(h, BETTY, true, 2 * USDT);
    assert.deepEqual(riskSnapshot(h.engine.state).backstopOrder, [BETTY, CAROL], 'new terms keep the place');
    const hash = h.engine.stateHash();
    setBackstop(h, BETTY, false);
    assert.notEqual(h.engine.stateHash(), hash);
    setBackstop(h, BETTY, true, 2 * USDT);
    assert.deepEqual(riskSnapshot(h.engine.state).backstopOrder, [CAROL, BETTY]);
    const last = h.eventsOf('backstopLiquidatorSet', BETTY).at(-1)!.backstopLiquidatorSet!;
    assert.deepEqual([last.enabled, [...last.markets], Number(last.maxPositionNotionalUnits)], [true, [], 2 * USDT]);
    assertFoldMatches(h);
  });

  it('survive a snapshot: the restored stage offers the position to the same backstops in the same order', () => {
    const h = aliceLiquidating();
    h.deposit(CAROL, 1_000 * USDT);
    h.deposit(BETTY, 2_000 * USDT);
    setBackstop(h, CAROL, true, 100_000 * USDT, ['BTCUSDT']);
    setBackstop(h, BETTY, true, 100_000 * USDT);
    const twin = new RiskEngine({ config: withFundSeed(riskConfig(), 50_000 * USDT), ports: { publish: () => {}, toMatching: () => {} } });
    twin.importState(h.engine.exportState());
    assert.equal(twin.stateHash(), h.engine.stateHash());
    assert.deepEqual([...twin.state.backstopLiquidators.keys()], [CAROL, BETTY]);
    const at = { liquidationId: 1, tsNs: h.step(1_000) };
    const live = h.engine.ledger.applyBackstopTakeover({ accountId: ALICE }, 'BTCUSDT', at);
    const restored = twin.ledger.applyBackstopTakeover({ accountId: ALICE }, 'BTCUSDT', at);
    assert.deepEqual(restored, live);
    assert.equal(live.taken?.liquidatorAccountId, BETTY);
    assert.equal(twin.stateHash(), h.engine.stateHash());
  });

  it('property: a backstop that takes a position is left HEALTHY with available margin ≥ 0, exactly as judged; one that cannot changes nothing; money and open interest are conserved', () => {
    const outcomes = { taken: 0, declined: 0 };
    fc.assert(
      fc.property(
        fc.integer({ min: 300, max: 4_000 }),
        fc.constantFrom(5, 10, 20, 25, 50),
        fc.integer({ min: -800, max: 800 }),
        fc.integer({ min: 20_000, max: 60_000 }),
        (depositUsdt, leverage, ownLots, capUsdt) => {
          const h = aliceLiquidating();
          h.deposit(BETTY, depositUsdt * USDT);
          h.setLeverage(BETTY, 'BTCUSDT', leverage);
          if (ownLots !== 0) {
            h.place({ account: MAKER, side: ownLots > 0 ? 'sell' : 'buy', priceTicks: btcTicks('29100'), lots: Math.abs(ownLots) });
            h.place({ account: BETTY, side: ownLots > 0 ? 'buy' : 'sell', priceTicks: btcTicks('29100'), lots: Math.abs(ownLots) });
          }
          setBackstop(h, BETTY, true, capUsdt * USDT);
          const hash = h.engine.stateHash();
          const result = h.engine.ledger.applyBackstopTakeover({ accountId: ALICE }, 'BTCUSDT', ctx(h));
          if (result.taken === null) {
            outcomes.declined++;
            assert.equal(result.declined.length, 1);
            assert.equal(h.engine.stateHash(), hash);
            return;
          }
          outcomes.taken++;
          const betty = h.engine.accountReport(BETTY)!;
          assert.ok(betty.cross.availableUnits >= 0, `available ${betty.cross.availableUnits}`);
          assert.equal(betty.cross.state, 'HEALTHY');
          assert.ok(h.engine.audit().ok, h.engine.audit().problems.join('; '));
          assertFoldMatches(h);
        },
      ),
      { numRuns: 60, seed: 1307 },
    );
    assert.ok(outcomes.taken > 0 && outcomes.declined > 0, `both outcomes are drawn: ${JSON.stringify(outcomes)}`);
  });
});
