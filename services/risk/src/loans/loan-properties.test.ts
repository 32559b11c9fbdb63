/**
 * Properties of loans over random command and price sequences through the risk
 * stage: conservation (audit) and the event fold after every input; a removal of
 * collateral that goes through leaves the loan within its initial LTV; every
 * liquidation leaves the venue no worse off (the buyer pays at most the index value
 * of what it receives, the lender is credited exactly the debt repaid, the fee is
 * the venue's); interest never favours the borrower (what a loan owes is at least
 * its principal grown by the exact simple interest of every whole hour it was open).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type RiskEventV1 } from '@perpcore/proto';
import { riskSnapshot, snapshotDifferences } from '../accounts/account-snapshot.js';
import { RiskEventFold, riskEventFoldConfig } from '../audit/risk-event-fold.js';
import { USDT } from '../risk-harness.test-support.js';
import { addCollateral, assertAuditOk, closeLoan, lendingHarness, openLoan, removeCollateral, repayLoan } from './loan-fixtures.test-support.js';

const HOUR_NS = 3_600_000_000_000;
const ACCOUNTS = [21, 22, 23];

type Action =
  | { kind: 'deposit'; who: number; btcUnits: number }
  | { kind: 'open'; who: number; ofMaxPermille: number; btcUnits: number }
  | { kind: 'add'; who: number; loan: number; btcUnits: number }
  | { kind: 'remove'; who: number; loan: number; btcUnits: number }
  | { kind: 'repay'; who: number; loan: number; units: number; returnCollateral: boolean }
  | { kind: 'openSized'; who: number; by: 'principal' | 'collateral'; units: number }
  | { kind: 'close'; who: number; loan: number }
  | { kind: 'price'; movePermille: number; hours: number };

const who = fc.constantFrom(...ACCOUNTS);
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('deposit' as const), who, btcUnits: fc.integer({ min: 1_000_000, max: 50_000_000 }) }),
  fc.record({ kind: fc.constant('open' as const), who, ofMaxPermille: fc.integer({ min: 1, max: 1_010 }), btcUnits: fc.integer({ min: 100_000, max: 30_000_000 }) }),
  fc.record({ kind: fc.constant('add' as const), who, loan: fc.integer({ min: 1, max: 6 }), btcUnits: fc.integer({ min: 1, max: 5_000_000 }) }),
  fc.record({ kind: fc.constant('remove' as const), who, loan: fc.integer({ min: 1, max: 6 }), btcUnits: fc.integer({ min: 1, max: 5_000_000 }) }),
  fc.record({ kind: fc.constant('repay' as const), who, loan: fc.integer({ min: 1, max: 6 }), units: fc.integer({ min: 1, max: 5_000 * USDT }), returnCollateral: fc.boolean() }),
  fc.record({ kind: fc.constant('openSized' as const), who, by: fc.constantFrom('principal' as const, 'collateral' as const), units: fc.integer({ min: 1, max: 30_000_000 }) }),
  fc.record({ kind: fc.constant('close' as const), who, loan: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant('price' as const), movePermille: fc.integer({ min: -200, max: 100 }), hours: fc.integer({ min: 0, max: 12 }) }),
);

function checkLiquidation(e: RiskEventV1): void {
  const l = e.loanLiquidated!;
  const indexValue = Math.floor((l.collateralSoldUnits * l.salePriceSubticks * 1000) / 1e8);
  assert.ok(l.proceedsUnits <= indexValue, `buyer paid ${l.proceedsUnits} for index value ${indexValue}`);
  assert.equal(l.proceedsUnits, l.interestPaidUnits + l.principalPaidUnits - l.fundCoveredUnits + l.feeUnits + l.surplusUnits);
  assert.ok(l.feeUnits >= 0 && l.surplusUnits >= 0);
}

describe('loan properties over random sequences', () => {
  it('conservation and the fold after every input; liquidations never leave the venue worse off', () => {
    let liquidations = 0;
    let calls = 0;
    let removals = 0;
    let returns = 0;
    let sized = 0;
    fc.assert(
      fc.property(fc.array(action, { minLength: 5, maxLength: 40 }), fc.integer({ min: 0, max: 50_000 }), (actions, rateE8) => {
        let price = 30_000_000; // 30,000 USDT
        const h = lendingHarness(price, rateE8);
        const fold = new RiskEventFold(riskEventFoldConfig(h.engine.state));
        let seen = 0;
        // every account holds 1 BTC and 50,000 USDT to start; the sequence ends in a slide of 8 × −8 % (through every line)
        for (const id of ACCOUNTS) {
          h.deposit(id, 100_000_000, 'BTC');
          h.deposit(id, 50_000 * USDT);
        }
        const slide: Action[] = Array.from({ length: 8 }, () => ({ kind: 'price', movePermille: -80, hours: 1 }));
        for (const a of [...actions, ...slide]) {
          switch (a.kind) {
            case 'deposit':
              h.deposit(a.who, a.btcUnits, 'BTC');
              h.deposit(a.who, 1_000 * USDT);
              break;
            case 'open':
              // a share of the most the initial LTV (65 %) allows at the current index; above 1,000 ‰ it is refused
              openLoan(h, a.who, Math.max(1, Math.floor((((a.btcUnits * price * 1000) / 1e8) * 0.65 * a.ofMaxPermille) / 1000)), a.btcUnits);
              break;
            case 'add':
              addCollateral(h, a.who, a.loan, a.btcUnits);
              break;
            case 'remove': {
              const answer = removeCollateral(h, a.who, a.loan, a.btcUnits);
              // a removal that went through left the loan within its initial LTV (65 %)
              if (answer.event === 'commandAccepted') {
                const removed = h.eventsOf('loanCollateralRemoved', a.who).at(-1)?.loanCollateralRemoved;
                assert.ok(removed?.loan != null && removed.loan.ltvE8 <= removed.loan.initialLtvE8, `LTV ${String(removed?.loan?.ltvE8)} after a removal`);
                removals++;
              }
              break;
            }
            case 'openSized': {
              // one amount given (satoshis of collateral, or that many hundredths of a USDT of principal), the other sized at the initial LTV
              const answer = a.by === 'collateral' ? openLoan(h, a.who, 0, a.units) : openLoan(h, a.who, a.units * 10_000, 0);
              if (answer.event === 'commandAccepted') {
                const opened = h.eventsOf('loanOpened', a.who).at(-1)!.loanOpened!.loan!;
                assert.ok(opened.ltvE8 <= opened.initialLtvE8 && opened.principalUnits > 0 && opened.collateralUnits > 0, `a sized open at LTV ${opened.ltvE8}`);
                sized++;
              }
              break;
            }
            case 'repay': {
              const before = h.engine.state.loans?.loans.get(a.loan);
              const ltvBefore = before === undefined || before.accountId !== a.who ? 0 : (h.engine.accountReport(a.who)?.loans?.find((l) => l.loanId === a.loan)?.ltvE8 ?? 0);
              const removedBefore = h.eventsOf('loanCollateralRemoved', a.who).length;
              const answer = repayLoan(h, a.who, a.loan, a.units, a.returnCollateral);
              const freed = h.eventsOf('loanCollateralRemoved', a.who).slice(removedBefore);
              if (!a.returnCollateral || answer.event !== 'commandAccepted') assert.equal(freed.length, 0, 'collateral moves only when asked, and only with the repayment');
              for (const f of freed) {
                // what a repayment frees leaves the LTV at or below both its level before and the initial LTV, and keeps some collateral
                const loan = f.loanCollateralRemoved!.loan!;
                assert.ok(loan.ltvE8 <= loan.initialLtvE8 && loan.ltvE8 <= ltvBefore && loan.collateralUnits > 0, `LTV ${loan.ltvE8} after freeing (before ${ltvBefore})`);
                returns++;
              }
              break;
            }
            case 'close':
              closeLoan(h, a.who, a.loan);
              break;
            case 'price':
              price = Math.max(1_000_000, Math.round((price * (1000 + a.movePermille)) / 1000));
              h.index('BTCUSDT', price, a.hours * HOUR_NS + 1_000_000_000);
              break;
          }
          for (; seen < h.events.length; seen++) {
            const e = h.events[seen];
            fold.apply(e);
            if (e.event === 'loanLiquidated' && e.accountId !== e.loanLiquidated!.buyerAccountId) {
              checkLiquidation(e);
              liquidations++;
            }
            if (e.event === 'loanMarginCall') calls++;
          }
          assertAuditOk(h, a.kind);
          assert.deepEqual(snapshotDifferences(riskSnapshot(h.engine.state), fold.snapshot()), [], `${a.kind}: fold`);
          const engineLoans = [...(h.engine.state.loans?.loans.values() ?? [])].map((l) => [l.loanId, l.principalUnits + l.interestUnits, l.collateralUnits]);
          assert.deepEqual([...fold.loans].map(([id, l]) => [id, l.principalUnits + l.interestUnits, l.collateralUnits]), engineLoans, `${a.kind}: folded loans`);
        }
      }),
      { numRuns: 40, seed: 1318 },
    );
    // the sequences reach both lines (the properties above are not vacuous)
    assert.ok(liquidations > 0 && calls > 0 && removals > 0 && returns > 0 && sized > 0, `liquidations ${liquidations}, calls ${calls}, removals ${removals}, returns ${returns}, sized opens ${sized}`);
  });

  it('interest never favours the borrower: after n whole hours the debt is ≥ principal × (1 + n × rate)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 72 }), (principalUsdt, rateE8, hours) => {
        const h = lendingHarness(30_000_000, rateE8);
        h.deposit(31, 100_000_000, 'BTC'); // 1 BTC = 30,000 USDT: 65 % allows 19,500
        assert.equal(openLoan(h, 31, principalUsdt * USDT, 100_000_000).event, 'commandAccepted');
        h.index('BTCUSDT', 30_000_000, hours * HOUR_NS + HOUR_NS); // at least `hours` whole hours later
        h.deposit(31, 20_000 * USDT);
        assert.equal(closeLoan(h, 31, 1).event, 'commandAccepted');
        const closed = h.eventsOf('loanClosed', 31)[0].loanClosed!;
        const exactSimple = (BigInt(principalUsdt * USDT) * BigInt(rateE8) * BigInt(hours)) / 100_000_000n;
        assert.ok(BigInt(closed.interestPaidUnits) >= exactSimple, `interest ${closed.interestPaidUnits} < simple ${exactSimple}`);
        assert.equal(closed.principalPaidUnits, principalUsdt * USDT);
        assertAuditOk(h, 'closed');
      }),
      { numRuns: 30 },
    );
  });
});
