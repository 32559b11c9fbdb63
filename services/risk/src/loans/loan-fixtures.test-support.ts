/**
 * Test support (not exported): a risk harness that lends USDT against BTC on
 * Binance's BTC terms (initial 65 %, call 80 %, liquidation 90 %; 1 % liquidation
 * fee; FAQ 360040490772), the insurance fund buying seized BTC at 5 % under index.
 * BTC index on BTCUSDT's grid: 1 subtick = 0.001 USDT per BTC.
 */
import assert from 'node:assert/strict';
import { createHaircutSchedule } from '@perpcore/margin';
import type { RiskEventV1, perpcore } from '@perpcore/proto';
import { RiskHarness, USDT, riskConfig, withFundSeed } from '../risk-harness.test-support.js';
import type { RiskEngineConfig } from '../risk-config.js';
import type { LoanConfig } from './loan-config.js';

export const FUND_SEED_UNITS = 100_000 * USDT;

export function loanConfig(hourlyRateE8 = 0, overrides: Partial<LoanConfig> = {}): LoanConfig {
  return {
    lendable: [{ asset: 'USDT', hourlyRateE8, maxOutstandingUnits: 1_000_000 * USDT }],
    collateral: [{ asset: 'BTC', initialLtvE8: 65_000_000, marginCallLtvE8: 80_000_000, liquidationLtvE8: 90_000_000, haircut: createHaircutSchedule('BTC', [{ upToValueUnits: null, ratioE8: 100_000_000 }]) }],
    saleDiscountE8: 5_000_000,
    feeRateE8: 1_000_000,
    fundId: 'shared',
    ...overrides,
  };
}

export function lendingConfig(hourlyRateE8 = 0, fundSeedUnits = FUND_SEED_UNITS): RiskEngineConfig {
  return { ...withFundSeed(riskConfig(), fundSeedUnits), loans: loanConfig(hourlyRateE8) };
}

/** `riskHarness` with loans; BTC index set to `btcSubticks`. */
export function lendingHarness(btcIndexSubticks: number, hourlyRateE8 = 0, fundSeedUnits = FUND_SEED_UNITS): RiskHarness {
  const h = new RiskHarness(lendingConfig(hourlyRateE8, fundSeedUnits));
  h.index('BTCUSDT', btcIndexSubticks);
  return h;
}

export function openLoan(h: RiskHarness, accountId: number, principalUnits: number, collateralUnits: number, loanAsset = 'USDT', collateralAsset = 'BTC'): RiskEventV1 {
  return h.accountCommand(accountId, { command: 'openLoan', openLoan: { loanAsset, collateralAsset, principalUnits, collateralUnits } as perpcore.risk.v1.OpenLoanV1 });
}

export function addCollateral(h: RiskHarness, accountId: number, loanId: number, amountUnits: number): RiskEventV1 {
  return h.accountCommand(accountId, { command: 'addLoanCollateral', addLoanCollateral: { loanId, amountUnits } as perpcore.risk.v1.AddLoanCollateralV1 });
}

export function removeCollateral(h: RiskHarness, accountId: number, loanId: number, amountUnits: number): RiskEventV1 {
  return h.accountCommand(accountId, { command: 'removeLoanCollateral', removeLoanCollateral: { loanId, amountUnits } as perpcore.risk.v1.RemoveLoanCollateralV1 });
}

export function repayLoan(h: RiskHarness, accountId: number, loanId: number, amountUnits: number, returnCollateral = false): RiskEventV1 {
  return h.accountCommand(accountId, { command: 'repayLoan', repayLoan: { loanId, amountUnits, returnCollateral } as perpcore.risk.v1.RepayLoanV1 });
}

export function closeLoan(h: RiskHarness, accountId: number, loanId: number): RiskEventV1 {
  return h.accountCommand(accountId, { command: 'closeLoan', closeLoan: { loanId } as perpcore.risk.v1.CloseLoanV1 });
}

export function accepted(e: RiskEventV1): void {
  assert.equal(e.event, 'commandAccepted', e.commandRejected?.message);
}

export function rejectCode(e: RiskEventV1): string {
  assert.equal(e.event, 'commandRejected', 'expected a reject');
  return e.commandRejected!.code;
}

export function assertAuditOk(h: RiskHarness, when: string): void {
  const report = h.engine.audit();
  assert.deepEqual(report.problems, [], `${when}: conservation`);
}
