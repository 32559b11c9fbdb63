/**
 * The insurance takeover limits (RISK-SPEC §8.7) judge the fund's whole state after
 * the takeover: a position it already holds in the market is netted, the closed part's
 * realized PnL is in the wallet the net-notional limit multiplies.
 *
 * Fixture: the fund (62,000 USDT seed) took over Bob's short 2 BTC at 30,635.0; Alice
 * (long 1 BTC at 30,000, 50×) is liquidating at 29,100 with BP 29,015.0. Taking her long
 * over closes half of the fund’s short, realizing (30,635 − 29,015) × 1 = 1,620 USDT.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FUND_ACCOUNT, type RiskHarness, USDT, fundShortAliceLiquidating } from '../risk-harness.test-support.js';

const MAKER = 10;
const ALICE = 1;
const BOB = 2;

const ctx = (h: RiskHarness) => ({ liquidationId: 7, tsNs: h.step(1_000) });
const parties = { maker: MAKER, alice: ALICE, bob: BOB };

function fundSlot(h: RiskHarness): number {
  return h.engine.state.accounts.slotOf(FUND_ACCOUNT);
}

describe('insurance takeover limits net the fund’s existing position', () => {
  it('the state the limits judge is exactly the fund’s state after the takeover: wallet with the realized PnL, equity, net position', () => {
    const h = fundShortAliceLiquidating(62_000 * USDT, parties);
    const s = h.engine.state;
    const walletBefore = s.accounts.balances[0][fundSlot(h)];
    const projected = h.engine.ledger.fundAfterTakeover({ accountId: ALICE }, 'BTCUSDT');
    const result = h.engine.ledger.applyInsuranceTakeover({ accountId: ALICE }, 'BTCUSDT', ctx(h));
    const wallet = s.accounts.balances[0][fundSlot(h)];
    // the closed lot realized 30,635.0 − 29,015.0 = 1,620 USDT, plus the 0.03 USDT tick difference
    assert.equal(wallet - walletBefore, 1_620 * USDT + result.tickDifferenceUnits);
    assert.deepEqual(projected, {
      walletUnits: wallet,
      equityUnits: s.evaluator.evaluateCross(fundSlot(h)).equityUnits,
      qtyLots: -1000,
      netNotionalUnits: 29_100 * USDT,
    });
    const audit = h.engine.audit();
    assert.ok(audit.ok, audit.problems.join('; '));
  });

  it('a fund whose wallet alone is below the net notional, but not with the realized PnL of the part that nets, may take over', () => {
    const h = fundShortAliceLiquidating(62_000 * USDT, parties);
    const s = h.engine.state;
    const setFundWallet = (units: number) => {
      // as after covering bad debt; the difference goes to the fee account so the audit still holds
      const excess = s.accounts.balances[0][fundSlot(h)] - units;
      s.accounts.addBalance(fundSlot(h), 0, -excess);
      s.accounts.addBalance(s.feeSlot, 0, excess);
    };
    setFundWallet(28_000 * USDT);
    // after: short 1 BTC (29,100 at mark) against 28,000 + 1,620 + 0.03 in the wallet: within 1× the wallet
    // (judged on the wallet alone, 28,000.03 < 29,100: refused)
    assert.equal(h.engine.ledger.insuranceTakeoverRefusal({ accountId: ALICE }, 'BTCUSDT'), null);
    assert.ok(h.engine.audit().ok);
    // one unit less in the wallet after than the net notional: refused, the limit is exact
    setFundWallet(29_100 * USDT - 1_620 * USDT - 30_000 - 1);
    assert.match(h.engine.ledger.insuranceTakeoverRefusal({ accountId: ALICE }, 'BTCUSDT') ?? '', /net notional/);
  });
});
