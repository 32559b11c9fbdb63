/**
 * Crypto-backed loans through the embedded pipeline (every stage, real bus, the
 * simulated market's loan borrowers): the price path of the scheduled shock takes
 * borrowers from healthy to called to liquidated, conservation holds after every
 * index tick, the risk events fold back to the engine's loans, and the run summary
 * reports them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Topics } from '@perpcore/bus';
import { createLogger } from '@perpcore/observability';
import type { RiskEventV1 } from '@perpcore/proto';
import { RiskEventFold, riskEventFoldConfig } from '@perpcore/risk';
import { EmbeddedExchange } from './embedded-exchange.js';
import { formatSummary } from './run-summary.js';

const logger = createLogger('test', 'silent');

describe('embedded loans through a price shock', () => {
  it('borrowers go healthy → call → liquidation; conservation after every tick; the fold agrees', async () => {
    const exchange = await EmbeddedExchange.create({
      logger,
      seed: 7,
      scenario: { crowdAccounts: 0, loanBorrowers: 6, loanOpenStartS: 5, loanOpenEndS: 30, loanTopUpAtS: 3_000, shockAtS: 120, shockE8: -15_000_000 },
    });
    const events: RiskEventV1[] = [];
    await exchange.bus.subscribe(Topics.riskAccountEvents, { groupId: 'test', fromBeginning: true }, (m) => void events.push(m.value));
    for (let i = 0; i < 20; i++) {
      exchange.step(500); // 10 simulated seconds
      const audit = exchange.risk.engine.audit();
      assert.ok(audit.ok, `after ${exchange.figures(0).simulatedS}s: ${audit.problems.join('; ')}`);
    }
    const borrowers = new Set(exchange.borrowers?.accountIds);
    const byBorrower = new Map<number, string[]>();
    for (const e of events) {
      if (!borrowers.has(e.accountId) || !e.event.startsWith('loan')) continue;
      byBorrower.set(e.accountId, [...(byBorrower.get(e.accountId) ?? []), e.event]);
    }
    assert.equal(byBorrower.size, 6, 'every borrower opened a loan');
    const paths = [...byBorrower.values()];
    // the random walk before the shock calls some (76 %); the shock (−15 %) gaps a borrower opened at 66–72 % past
    // the 80 % liquidation LTV in one tick (liquidated with no call in between, as a gap does); the drift after it calls others
    assert.ok(paths.every((p) => p[0] === 'loanOpened'), JSON.stringify(paths));
    assert.ok(paths.some((p) => p.includes('loanLiquidated')), `some loan liquidated: ${JSON.stringify(paths)}`);
    assert.ok(paths.some((p) => p.includes('loanMarginCall')), `some loan called: ${JSON.stringify(paths)}`);
    // the events fold back to the engine's loans
    const fold = new RiskEventFold(riskEventFoldConfig(exchange.risk.engine.state));
    for (const e of events) fold.apply(e);
    const engineLoans = [...(exchange.risk.engine.state.loans?.loans.values() ?? [])].map((l) => [l.loanId, l.principalUnits, l.interestUnits, l.collateralUnits]);
    assert.deepEqual([...fold.loans].map(([id, l]) => [id, l.principalUnits, l.interestUnits, l.collateralUnits]), engineLoans);
    const summary = formatSummary(exchange.figures(1));
    assert.match(summary, /loans opened \/ open \(borrowers\)\s+6 \/ \d/);
    assert.match(summary, /money conserved to the unit\s+yes/);
    await exchange.close();
  });
});
