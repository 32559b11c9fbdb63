/**
 * Test support (not exported): the risk harness with a lending pool. BTC (index
 * market BTCUSDT) is collateral only: LTV 70%, LT 80%, bonus 5%, protocol share 10%
 * of the bonus; USDT is borrowable at 0.001 %/h (1,000 E8), LTV 80%, LT 85%.
 * Accounts: SUPPLIER (100,000 USDT in the pool), BORROWER (1 BTC supplied, 20,000
 * USDT borrowed at 30,000 → HF 1.2), two liquidators with 50,000 USDT each.
 */
import assert from 'node:assert/strict';
import type { perpcore } from '@perpcore/proto';
import { RiskHarness, USDT, btcSubticks, riskConfig } from '../risk-harness.test-support.js';
import type { RiskEngineConfig } from '../risk-config.js';

export const SUPPLIER = 1;
export const BORROWER = 2;
export const LIQUIDATOR = 3;
export const RIVAL = 4;
export const BTC = 100_000_000;

export function poolConfig(): RiskEngineConfig {
  return {
    ...riskConfig(),
    lendingPool: {
      assets: [
        { asset: 'USDT', ltvE8: 80_000_000, liquidationThresholdE8: 85_000_000, liquidationBonusE8: 4_000_000, protocolFeeShareE8: 10_000_000, hourlyRateE8: 1_000, borrowable: true },
        { asset: 'BTC', ltvE8: 70_000_000, liquidationThresholdE8: 80_000_000, liquidationBonusE8: 5_000_000, protocolFeeShareE8: 10_000_000, hourlyRateE8: 0, borrowable: false },
      ],
    },
  };
}

export class PoolHarness extends RiskHarness {
  supply(accountId: number, amountUnits: number, asset = 'USDT') {
    return this.accountCommand(accountId, { command: 'poolSupply', poolSupply: { asset, amountUnits } as perpcore.risk.v1.PoolSupplyV1 });
  }
  poolWithdraw(accountId: number, amountUnits: number, asset = 'USDT') {
    return this.accountCommand(accountId, { command: 'poolWithdraw', poolWithdraw: { asset, amountUnits } as perpcore.risk.v1.PoolWithdrawV1 });
  }
  borrow(accountId: number, amountUnits: number, asset = 'USDT') {
    return this.accountCommand(accountId, { command: 'poolBorrow', poolBorrow: { asset, amountUnits } as perpcore.risk.v1.PoolBorrowV1 });
  }
  repay(accountId: number, amountUnits: number, asset = 'USDT') {
    return this.accountCommand(accountId, { command: 'poolRepay', poolRepay: { asset, amountUnits } as perpcore.risk.v1.PoolRepayV1 });
  }
  liquidate(liquidator: number, borrower: number, debtToCoverUnits: number, expectedPositionSeq: number, debtAsset = 'USDT', collateralAsset = 'BTC') {
    return this.accountCommand(liquidator, {
      command: 'liquidationCall',
      liquidationCall: { borrowerAccountId: borrower, debtAsset, collateralAsset, debtToCoverUnits, expectedPositionSeq } as perpcore.risk.v1.LiquidationCallV1,
    });
  }
  version(accountId: number): number {
    return this.engine.state.lendingPool.positions.get(accountId)?.version ?? 0;
  }
}

/** The pool with the borrower at HF 1.2 (BTC 30,000), audited. */
export function borrowerAt30k(config: RiskEngineConfig = poolConfig()): PoolHarness {
  const h = new PoolHarness(config);
  h.index('BTCUSDT', btcSubticks('30000'));
  h.deposit(SUPPLIER, 100_000 * USDT);
  assert.equal(h.supply(SUPPLIER, 100_000 * USDT).event, 'commandAccepted');
  h.deposit(BORROWER, BTC, 'BTC');
  assert.equal(h.supply(BORROWER, BTC, 'BTC').event, 'commandAccepted');
  assert.equal(h.borrow(BORROWER, 20_000 * USDT).event, 'commandAccepted');
  h.deposit(LIQUIDATOR, 50_000 * USDT);
  h.deposit(RIVAL, 50_000 * USDT);
  assert.deepEqual(h.engine.audit().problems, []);
  return h;
}
