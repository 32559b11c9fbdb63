/**
 * Balance bounds (balance-limits.ts) and the system accounts' refusal of deposits
 * (issue 9, item 1): the reproduction on main was a 2^53 − 1 deposit accepted for
 * the fee account, then a fill whose fee credit overflowed after the positions had
 * moved.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '@perpcore/domain';
import { SETTLE_NET_DEPOSITS_CEILING_UNITS, collateralValueBudgetUnits } from './balance-limits.js';
import { FEE_ACCOUNT, FUND_ACCOUNT, RiskHarness, USDT, btcSpec, btcSubticks, btcTicks, fillEvent, riskConfig, withFundSeed } from '../risk-harness.test-support.js';

const MAKER = 10;
const ALICE = 1;
const BOB = 2;

function rejectCode(h: RiskHarness, accountId: number, amountUnits: number, asset = 'USDT'): string {
  const before = h.engine.stateHash();
  const answer = h.deposit(accountId, amountUnits, asset);
  if (answer.event === 'commandRejected') assert.equal(h.engine.stateHash(), before, 'a refused deposit changes nothing');
  return answer.event === 'commandRejected' ? answer.commandRejected!.code : '';
}

function configError(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    assert.ok(error instanceof DomainError);
    assert.equal(error.code, 'RISK_INVALID_CONFIG');
    return error.message;
  }
  assert.fail('the config was accepted');
}

describe('deposits are bounded so every sum stays exact', () => {
  it('the fee account and the insurance fund take no deposits, of any size', () => {
    const h = new RiskHarness();
    for (const amount of [1, Number.MAX_SAFE_INTEGER]) {
      assert.equal(rejectCode(h, FEE_ACCOUNT, amount), 'RISK_SYSTEM_ACCOUNT');
      assert.equal(rejectCode(h, FUND_ACCOUNT, amount), 'RISK_SYSTEM_ACCOUNT');
    }
    assert.equal(rejectCode(h, FEE_ACCOUNT, 1, 'BTC'), 'RISK_SYSTEM_ACCOUNT');
  });

  it('a trader deposit of 2^53 − 1 is refused: above the per-account maximum', () => {
    const h = new RiskHarness();
    assert.equal(rejectCode(h, ALICE, Number.MAX_SAFE_INTEGER), 'RISK_BALANCE_ABOVE_MAX');
    assert.equal(h.engine.accountReport(ALICE), null, 'the refused deposit opened no account');
    assert.equal(rejectCode(h, ALICE, SETTLE_NET_DEPOSITS_CEILING_UNITS), '');
    assert.equal(rejectCode(h, ALICE, 1), 'RISK_BALANCE_ABOVE_MAX');
  });

  it('configured bounds: per account, and for the whole stage; a withdrawal frees room', () => {
    const h = new RiskHarness({ ...riskConfig(), balanceLimits: { USDT: { maxBalanceUnits: 1_000 * USDT, maxNetDepositsUnits: 1_500 * USDT } } });
    assert.equal(rejectCode(h, ALICE, 1_000 * USDT), '');
    assert.equal(rejectCode(h, ALICE, 1), 'RISK_BALANCE_ABOVE_MAX');
    assert.equal(rejectCode(h, BOB, 500 * USDT + 1), 'RISK_NET_DEPOSITS_ABOVE_MAX');
    assert.equal(rejectCode(h, BOB, 500 * USDT), '');
    assert.equal(h.withdraw(ALICE, 100 * USDT).event, 'commandAccepted');
    assert.equal(rejectCode(h, BOB, 100 * USDT), '');
    assert.equal(rejectCode(h, BOB, 1), 'RISK_NET_DEPOSITS_ABOVE_MAX');
    assert.ok(h.engine.audit().ok);
  });

  it("a collateral asset's default cap keeps its value at the highest index price within its budget", () => {
    const h = new RiskHarness();
    const c = h.engine.state.setup.collateral[0];
    const cap = h.engine.state.setup.limits.maxBalanceUnits[c.assetIndex];
    const valueAt = (units: number) => (BigInt(units) * BigInt(btcSpec.maxPriceTicks) * 100n * BigInt(c.settleUnitsPerSubtick)) / BigInt(c.perAssetUnits);
    const budget = collateralValueBudgetUnits(1);
    assert.equal(budget, BigInt(2 ** 51));
    assert.ok(valueAt(cap) <= budget);
    assert.ok(valueAt(cap + 1) > budget - 1_000_000n, 'the cap is the largest such balance, not a loose one');
    assert.equal(rejectCode(h, ALICE, cap, 'BTC'), '');
    assert.equal(rejectCode(h, ALICE, 1, 'BTC'), 'RISK_BALANCE_ABOVE_MAX');
  });

  it('an insurance fund starts with its configured seed, counted as a deposit', () => {
    const h = new RiskHarness(withFundSeed(riskConfig(), 50_000 * USDT));
    assert.equal(h.engine.ledger.fundBalanceUnits('shared'), 50_000 * USDT);
    const audit = h.engine.audit();
    assert.ok(audit.ok, audit.problems.join('; '));
    assert.equal(audit.settleNetDepositsUnits, BigInt(50_000 * USDT));
  });

  it('refuses bounds it cannot honour, naming the key', () => {
    assert.match(configError(() => new RiskHarness({ ...riskConfig(), balanceLimits: { USDT: { maxNetDepositsUnits: SETTLE_NET_DEPOSITS_CEILING_UNITS + 1 } } })), /balanceLimits\.USDT\.maxNetDepositsUnits/);
    assert.match(configError(() => new RiskHarness({ ...riskConfig(), balanceLimits: { USDT: { maxNetDepositsUnits: 10, maxBalanceUnits: 11 } } })), /balanceLimits\.USDT\.maxBalanceUnits/);
    assert.match(configError(() => new RiskHarness({ ...riskConfig(), balanceLimits: { DOGE: { maxBalanceUnits: 1 } } })), /balanceLimits\.DOGE/);
    assert.match(configError(() => new RiskHarness(withFundSeed(riskConfig(), SETTLE_NET_DEPOSITS_CEILING_UNITS + 1))), /seedUnits/);
  });

  it('at the caps, a fill of the largest notional the book grid allows (far above any tier) settles exactly', () => {
    // two traders holding the whole settle cap between them trade one fill of the largest notional
    const h = new RiskHarness();
    h.index('BTCUSDT', btcSubticks('30000'));
    assert.equal(rejectCode(h, MAKER, SETTLE_NET_DEPOSITS_CEILING_UNITS / 2), '');
    assert.equal(rejectCode(h, ALICE, SETTLE_NET_DEPOSITS_CEILING_UNITS / 2), '');
    const lots = btcSpec.maxQtyLots;
    h.engine.handleMatchingEvent(fillEvent(h, 1, MAKER, ALICE, 1, btcSpec.maxPriceTicks, lots));
    h.engine.handleMatchingEvent(fillEvent(h, 2, ALICE, MAKER, 1, btcTicks('1'), lots)); // the maker buys it back at the bottom
    assert.equal(h.engine.halted, false, h.engine.halt.describe());
    const audit = h.engine.audit();
    assert.ok(audit.ok, audit.problems.join('; '));
    assert.equal(h.engine.state.markets[0].longLots, 0, 'both round trips closed');
  });
});
