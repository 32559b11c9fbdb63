/**
 * DeFi-style liquidation on the risk stage (issue 13.3): healthy → HF < 1 at the
 * oracle price → an external liquidator repays 50% and takes the collateral plus
 * bonus, the protocol share to the insurance fund; first valid call wins; bad input
 * changes nothing; conservation after every event; events fold to the state;
 * snapshot round trip.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { riskSnapshot, snapshotDifferences } from '../accounts/account-snapshot.js';
import { RiskEngine } from '../risk-engine.js';
import { RiskEventFold, riskEventFoldConfig } from '../audit/risk-event-fold.js';
import { FUND_ACCOUNT, USDT, btcSubticks } from '../risk-harness.test-support.js';
import { PoolEventFold, foldedPoolSnapshot, poolSnapshot } from './pool-event-fold.js';
import { BORROWER, BTC, LIQUIDATOR, PoolHarness, RIVAL, SUPPLIER, borrowerAt30k, poolConfig } from './pool-harness.test-support.js';

const HOUR_NS = 3_600_000_000_000;

function rejectCode(e: { event?: string; commandRejected?: { code: string } | null }): string {
  return e.event === 'commandRejected' ? (e.commandRejected?.code ?? '') : '';
}

function assertFolds(h: PoolHarness): void {
  const wallet = new RiskEventFold(riskEventFoldConfig(h.engine.state));
  const pool = new PoolEventFold();
  for (const e of h.events) {
    wallet.apply(e);
    pool.apply(e);
  }
  assert.deepEqual(snapshotDifferences(riskSnapshot(h.engine.state), wallet.snapshot()), [], 'wallet balances fold from the events');
  assert.deepEqual(foldedPoolSnapshot(pool, ['USDT', 'BTC']), poolSnapshot(h.engine.state), 'pool legs fold from the events');
}

describe('external liquidation of a pool position (embedded pipeline)', () => {
  it('healthy → HF < 1 on the index → 50% repaid by an external liquidator, bonus and protocol fee exact; a second call on the same state refused', () => {
    const h = borrowerAt30k();
    assert.equal(h.engine.accountReport(BORROWER)!.lendingPool!.healthFactorE8, '120000000');
    assert.equal(rejectCode(h.liquidate(LIQUIDATOR, BORROWER, 1_000 * USDT, h.version(BORROWER))), 'RISK_DEFI_POSITION_HEALTHY');

    h.index('BTCUSDT', btcSubticks('24000')); // 24,000 × 0.8 = 19,200 < 20,000: HF 0.96
    const below = h.eventsOf('healthFactorBelowOne', BORROWER);
    assert.equal(below.length, 1);
    assert.equal(below[0].healthFactorBelowOne!.healthFactorE8, '96000000');
    assert.equal(below[0].healthFactorBelowOne!.triggerPriceFeed, 'BTCUSDT');
    const [candidate] = h.engine.liquidationCandidates();
    assert.equal(candidate.accountId, BORROWER);

    const report = h.engine.accountReport(BORROWER)!.lendingPool!;
    assert.equal(report.acceptedCollateralUnits, String(19_200 * USDT));
    assert.equal(report.distanceToLiquidationUnits, String(-800 * USDT));
    const btcLeg = report.legs.find((l) => l.asset === 'BTC')!;
    assert.equal(btcLeg.priceFeed, 'BTCUSDT');
    assert.equal(btcLeg.priceAtHealthFactorOneUnits, '25000000'); // 25,000 USDT per BTC (per 1e5 sat)

    assert.equal(rejectCode(h.liquidate(LIQUIDATOR, BORROWER, 10_000 * USDT + 1, candidate.positionSeq)), 'RISK_DEFI_ABOVE_CLOSE_FACTOR');
    const fundBtcBefore = h.engine.state.accounts.balances[1][h.engine.state.accounts.slotOf(FUND_ACCOUNT)];
    assert.equal(h.liquidate(LIQUIDATOR, BORROWER, 10_000 * USDT, candidate.positionSeq).event, 'commandAccepted');
    const [liq] = h.eventsOf('poolLiquidated', BORROWER);
    assert.deepEqual(
      [liq.poolLiquidated!.debtRepaidUnits, liq.poolLiquidated!.collateralSeizedUnits, liq.poolLiquidated!.bonusUnits, liq.poolLiquidated!.protocolFeeUnits, liq.poolLiquidated!.liquidatorCollateralUnits, liq.poolLiquidated!.closeFactorE8],
      [String(10_000 * USDT), '43750000', '2083334', '208334', '43541666', 50_000_000],
    );
    const acc = h.engine.state.accounts;
    assert.equal(acc.balances[1][acc.slotOf(LIQUIDATOR)], 43_541_666);
    assert.equal(acc.balances[0][acc.slotOf(LIQUIDATOR)], 40_000 * USDT);
    assert.equal(acc.balances[1][acc.slotOf(FUND_ACCOUNT)] - fundBtcBefore, 208_334);
    assert.equal(h.eventsOf('healthFactorRecovered', BORROWER).length, 1); // 0.5625 BTC × 24,000 × 0.8 / 10,000 = 1.08

    const hash = h.engine.stateHash();
    assert.equal(rejectCode(h.liquidate(RIVAL, BORROWER, 5_000 * USDT, candidate.positionSeq)), 'RISK_DEFI_POSITION_CHANGED');
    assert.equal(h.engine.stateHash(), hash);
    assert.deepEqual(h.engine.audit().problems, []);
    assertFolds(h);
  });

  it('below HF 0.95 the whole debt may be repaid', () => {
    const h = borrowerAt30k();
    h.index('BTCUSDT', btcSubticks('23000')); // 18,400 / 20,000 = 0.92
    assert.equal(h.liquidate(LIQUIDATOR, BORROWER, 20_000 * USDT, h.version(BORROWER)).event, 'commandAccepted');
    assert.equal(h.engine.state.lendingPool.positions.get(BORROWER)!.principalUnits[0], 0);
    assert.deepEqual(h.engine.audit().problems, []);
  });

  it('bad input is refused with a clear code and changes nothing', () => {
    const h = borrowerAt30k();
    h.index('BTCUSDT', btcSubticks('24000'));
    h.deposit(9, 10 * USDT); // a liquidator without funds
    const v = h.version(BORROWER);
    const cases: [string, () => { event?: string; commandRejected?: { code: string } | null }][] = [
      ['RISK_UNKNOWN_ASSET', () => h.liquidate(LIQUIDATOR, BORROWER, 1_000 * USDT, v, 'DOGE')],
      ['RISK_UNKNOWN_ASSET', () => h.supply(SUPPLIER, 1, 'ETH')],
      ['RISK_INSUFFICIENT_BALANCE', () => h.liquidate(9, BORROWER, 1_000 * USDT, v)],
      ['RISK_DEFI_SELF_LIQUIDATION', () => h.liquidate(BORROWER, BORROWER, 1_000 * USDT, v)],
      ['RISK_DEFI_UNKNOWN_POSITION', () => h.liquidate(LIQUIDATOR, RIVAL, 1_000 * USDT, 1)],
      ['RISK_DEFI_POSITION_CHANGED', () => h.liquidate(LIQUIDATOR, BORROWER, 1_000 * USDT, v + 1)],
      ['RISK_INVALID_AMOUNT', () => h.liquidate(LIQUIDATOR, BORROWER, Number.NaN, v)],
      ['RISK_INVALID_AMOUNT', () => h.borrow(BORROWER, -5)],
      ['RISK_UNKNOWN_ACCOUNT', () => h.liquidate(777, BORROWER, 1_000 * USDT, v)],
      ['RISK_DEFI_BORROW_ABOVE_LTV', () => h.borrow(BORROWER, 1)],
      ['RISK_DEFI_NOT_BORROWABLE', () => h.borrow(SUPPLIER, 1, 'BTC')],
      ['RISK_DEFI_WITHDRAW_ABOVE_SUPPLIED', () => h.poolWithdraw(BORROWER, BTC + 1, 'BTC')],
      ['RISK_DEFI_BORROW_ABOVE_LTV', () => h.poolWithdraw(BORROWER, 1, 'BTC')],
      ['RISK_DEFI_REPAY_ABOVE_DEBT', () => h.repay(BORROWER, 20_000 * USDT + 1)],
      ['RISK_DEFI_INSUFFICIENT_LIQUIDITY', () => h.poolWithdraw(SUPPLIER, 100_000 * USDT)],
    ];
    for (const [code, run] of cases) {
      const hash = h.engine.stateHash();
      assert.equal(rejectCode(run()), code);
      assert.equal(h.engine.stateHash(), hash, `${code} changed nothing`);
    }
    assert.deepEqual(h.engine.audit().problems, []);
  });

  it('interest accrues hourly, rounded up, into the debt; repaid in full it leaves the pool books exact', () => {
    const h = borrowerAt30k();
    h.index('BTCUSDT', btcSubticks('30000'), 2 * HOUR_NS);
    // the first hour boundary after the borrow accrues 1 or 2 hours at 0.001 %/h: 200,000 or 400,000 units on 20,000 USDT
    const owed = Number(h.engine.accountReport(BORROWER)!.lendingPool!.legs.find((l) => l.asset === 'USDT')!.debtUnits);
    assert.ok(owed === 20_000 * USDT + 200_000 || owed === 20_000 * USDT + 400_000, `owed ${owed}`);
    h.deposit(BORROWER, 1 * USDT);
    assert.equal(rejectCode(h.repay(BORROWER, owed + 1)), 'RISK_DEFI_REPAY_ABOVE_DEBT');
    assert.equal(h.repay(BORROWER, owed).event, 'commandAccepted');
    assert.equal(h.eventsOf('poolPositionChanged', BORROWER).filter((e) => e.poolPositionChanged!.action === 5).length, 1);
    assert.equal(h.engine.state.lendingPool.interestSettledUnits[0], BigInt(owed - 20_000 * USDT));
    assert.equal(h.poolWithdraw(BORROWER, BTC, 'BTC').event, 'commandAccepted');
    assert.deepEqual(h.engine.audit().problems, []);
    assertFolds(h);
  });

  it('the snapshot carries the pool: restored, the same hash and the same answers', () => {
    const h = borrowerAt30k();
    h.index('BTCUSDT', btcSubticks('24000'));
    const twin = new RiskEngine({ config: poolConfig(), ports: { publish: () => undefined, toMatching: () => undefined } });
    twin.importState(h.engine.exportState());
    assert.equal(twin.stateHash(), h.engine.stateHash());
    assert.deepEqual(twin.liquidationCandidates(), h.engine.liquidationCandidates());
  });
});

describe('properties', () => {
  type Action = { kind: 'price'; dollars: number } | { kind: 'liquidate'; who: 0 | 1; pct: number; stale: boolean } | { kind: 'repay'; dollars: number } | { kind: 'borrow'; dollars: number };
  const actions = fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant('price' as const), dollars: fc.integer({ min: 15_000, max: 32_000 }) }),
      fc.record({ kind: fc.constant('liquidate' as const), who: fc.constantFrom(0 as const, 1 as const), pct: fc.integer({ min: 1, max: 100 }), stale: fc.boolean() }),
      fc.record({ kind: fc.constant('repay' as const), dollars: fc.integer({ min: 1, max: 3_000 }) }),
      fc.record({ kind: fc.constant('borrow' as const), dollars: fc.integer({ min: 1, max: 3_000 }) }),
    ),
    { maxLength: 25 },
  );

  function run(list: readonly Action[]): { h: PoolHarness; accepted: number[] } {
    const h = borrowerAt30k();
    h.deposit(BORROWER, 10_000 * USDT);
    const accepted: number[] = [];
    let lastVersion = h.version(BORROWER);
    list.forEach((a, i) => {
      if (a.kind === 'price') h.index('BTCUSDT', btcSubticks(String(a.dollars)));
      else if (a.kind === 'repay') h.repay(BORROWER, a.dollars * USDT);
      else if (a.kind === 'borrow') h.borrow(BORROWER, a.dollars * USDT);
      else {
        const debt = h.engine.state.lendingPool.positions.get(BORROWER)!.principalUnits[0];
        const version = a.stale ? lastVersion : h.version(BORROWER);
        const before = h.version(BORROWER);
        const answer = h.liquidate(a.who === 0 ? LIQUIDATOR : RIVAL, BORROWER, Math.max(1, Math.floor((debt * a.pct) / 100)), version);
        if (answer.event === 'commandAccepted') {
          accepted.push(i);
          assert.equal(version, before, 'only a call naming the current version is accepted');
        }
      }
      lastVersion = h.version(BORROWER);
      assert.deepEqual(h.engine.audit().problems, [], `after action ${i}`);
    });
    return { h, accepted };
  }

  it('conservation after every input, the venue never worse off than the bonus it paid, and the same log gives the same hash', () => {
    fc.assert(
      fc.property(actions, (list) => {
        const { h, accepted } = run(list);
        for (const e of h.eventsOf('poolLiquidated', BORROWER)) {
          const l = e.poolLiquidated!;
          // collateral out (valued at the oracle price used) ≤ repaid × (1 + 5%)
          const outValue = BigInt(l.collateralSeizedUnits) * BigInt(l.collateralPriceUnits);
          assert.ok(outValue <= (BigInt(l.debtRepaidUnits) * BigInt(l.collateralPricePerUnits) * 105n) / 100n);
        }
        const again = run(list);
        assert.equal(again.h.engine.stateHash(), h.engine.stateHash());
        assert.deepEqual(again.accepted, accepted);
        assertFolds(h);
      }),
      { numRuns: 25 },
    );
  });
});
