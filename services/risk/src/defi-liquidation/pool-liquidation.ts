/**
 * `liquidationCall` by an external liquidator (RISK-SPEC §10; Aave v3
 * `executeLiquidationCall`): the liquidator (the command's account) repays part of
 * one debt leg of another account's pool position from its own wallet and receives
 * collateral of one collateral leg worth the repaid value plus the asset's bonus;
 * the protocol's share of the bonus goes to the insurance fund. The venue never
 * liquidates a pool position itself.
 *
 * Order of checks (the first failure answers; nothing changes):
 * 1. the borrower is another account (RISK_DEFI_SELF_LIQUIDATION) with a pool
 *    position (RISK_DEFI_UNKNOWN_POSITION);
 * 2. `expected_position_version` equals the position's version
 *    (RISK_DEFI_POSITION_CHANGED): the first valid liquidation in input order wins,
 *    and a second sent on the same state is refused, deterministically;
 * 3. both assets are pool assets with an oracle price;
 * 4. HF < 1 at the oracle index price alone (RISK_DEFI_POSITION_HEALTHY), the
 *    close factor, collateral cap and dust rule (`quoteLiquidation`, RISK_DEFI_*);
 * 5. the pool holds the collateral's cash (RISK_DEFI_INSUFFICIENT_LIQUIDITY: a
 *    collateral asset lent out to others cannot be paid out);
 * 6. the liquidator can pay: a wallet debit as a withdrawal would allow it
 *    (RISK_INSUFFICIENT_BALANCE / RISK_WITHDRAW_BELOW_IM), and can hold what it
 *    receives (RISK_BALANCE_ABOVE_MAX).
 * Then the borrower's interest is settled, the legs move and three events follow:
 * `PoolLiquidatedV1` (borrower), `PoolLiquidationFilledV1` (liquidator),
 * `PoolProtocolFeeV1` (fund, when the fee is not 0).
 */
import { healthFactorE8, quoteLiquidation } from '@perpcore/margin';
import { type AccountCommandV1, perpcore } from '@perpcore/proto';
import type { AccountCommands } from '../accounts/account-commands.js';
import { RiskReject, RiskRejection } from '../risk-reject-codes.js';
import type { RiskState } from '../risk-state.js';
import type { LendingPool, PoolPosition } from './lending-pool.js';
import type { PoolHealthWatch } from './pool-health-watch.js';
import { DefiReject } from './pool-reject-codes.js';
import { debtNowUnits, poolAssetFeed, poolAssetOf, poolAssetPrice, positionHealthFactor } from './pool-valuation.js';

import Cmd = perpcore.risk.v1;

export class PoolLiquidation {
  constructor(
    private readonly s: RiskState,
    private readonly accountCommands: AccountCommands,
    private readonly health: PoolHealthWatch,
    private readonly settleInterest: (p: PoolPosition, tsNs: number) => void,
  ) {}

  private get pool(): LendingPool {
    return this.s.lendingPool;
  }

  call(cmd: AccountCommandV1, liquidatorSlot: number, c: Cmd.LiquidationCallV1): void {
    const s = this.s;
    const pool = this.pool;
    const borrowerId = c.borrowerAccountId;
    if (borrowerId === cmd.accountId) throw new RiskRejection(DefiReject.SelfLiquidation, 'a liquidator cannot liquidate its own position');
    const p = pool.positions.get(borrowerId);
    if (p === undefined) throw new RiskRejection(DefiReject.UnknownPosition, `account ${borrowerId} has no lending pool position`);
    if (Number(c.expectedPositionSeq) !== p.version) throw new RiskRejection(DefiReject.PositionChanged, `position of account ${borrowerId} is at version ${p.version}, the call expected ${String(c.expectedPositionSeq)}: it changed (or another liquidation came first)`);
    const kd = poolAssetOf(s, c.debtAsset);
    const kc = poolAssetOf(s, c.collateralAsset);
    const debtPrice = poolAssetPrice(s, pool, kd);
    const collateralPrice = poolAssetPrice(s, pool, kc);
    const hf = positionHealthFactor(s, pool, p);
    if (debtPrice === null || collateralPrice === null || hf === undefined) throw new RiskRejection(DefiReject.NoPrice, 'a pool asset of this position has no oracle price yet');
    const amount = c.debtToCoverUnits;
    if (!Number.isSafeInteger(amount) || amount <= 0) throw new RiskRejection(RiskReject.InvalidAmount, `debt to cover must be a positive safe integer, got ${String(amount)}`);
    const cd = pool.setup.assets[kd];
    const cc = pool.setup.assets[kc];
    const q = quoteLiquidation(pool.setup.liquidation, {
      healthFactor: hf,
      debtUnits: debtNowUnits(pool, p, kd),
      debtPrice,
      collateralUnits: p.suppliedUnits[kc],
      collateralPrice,
      bonusE8: cc.liquidationBonusE8,
      protocolFeeShareE8: cc.protocolFeeShareE8,
      requestedDebtUnits: amount,
    });
    if (BigInt(q.collateralSeizedUnits) > pool.cashUnits[kc]) throw new RiskRejection(DefiReject.InsufficientLiquidity, `the pool holds ${pool.cashUnits[kc]} ${c.collateralAsset}: the rest is lent out`);
    const acc = s.accounts;
    const fundSlot = s.fundSlotById.get(pool.setup.insuranceFundId) as number;
    const maxColl = s.setup.limits.maxBalanceUnits[cc.assetIndex];
    if (q.liquidatorCollateralUnits > maxColl - acc.balances[cc.assetIndex][liquidatorSlot] || q.protocolFeeUnits > maxColl - acc.balances[cc.assetIndex][fundSlot]) {
      throw new RiskRejection(RiskReject.BalanceAboveMax, `receiving ${q.liquidatorCollateralUnits} ${c.collateralAsset} would exceed the balance maximum ${maxColl}`);
    }
    this.accountCommands.prepareWalletDebit(liquidatorSlot, cd.assetIndex, q.debtRepaidUnits, cmd.tsNs);

    // accepted: every check passed
    this.settleInterest(p, cmd.tsNs);
    p.principalUnits[kd] -= q.debtRepaidUnits;
    pool.cashUnits[kd] += BigInt(q.debtRepaidUnits);
    acc.addBalance(liquidatorSlot, cd.assetIndex, -q.debtRepaidUnits);
    p.suppliedUnits[kc] -= q.collateralSeizedUnits;
    pool.cashUnits[kc] -= BigInt(q.collateralSeizedUnits);
    acc.addBalance(liquidatorSlot, cc.assetIndex, q.liquidatorCollateralUnits);
    if (q.protocolFeeUnits > 0) acc.addBalance(fundSlot, cc.assetIndex, q.protocolFeeUnits);
    pool.protocolFeesUnits[kc] += BigInt(q.protocolFeeUnits);
    pool.seizedUnits[kc] += BigInt(q.collateralSeizedUnits);
    pool.liquidations++;
    p.version++;

    const hfAfter = this.health.healthFactorE8(p);
    const borrowerSlot = acc.slotOf(borrowerId);
    s.events.account(borrowerId, borrowerSlot, '', cmd.tsNs, {
      event: 'poolLiquidated',
      poolLiquidated: {
        liquidatorAccountId: cmd.accountId,
        debtAsset: c.debtAsset,
        debtRepaidUnits: String(q.debtRepaidUnits),
        debtAfterUnits: String(p.principalUnits[kd]),
        collateralAsset: c.collateralAsset,
        collateralSeizedUnits: String(q.collateralSeizedUnits),
        collateralAfterUnits: String(p.suppliedUnits[kc]),
        liquidatorCollateralUnits: String(q.liquidatorCollateralUnits),
        protocolFeeUnits: String(q.protocolFeeUnits),
        bonusUnits: String(q.bonusUnits),
        closeFactorE8: q.closeFactorE8,
        healthFactorBeforeE8: String(healthFactorE8(hf)),
        healthFactorAfterE8: hfAfter === null ? '' : String(hfAfter),
        triggerPriceFeed: poolAssetFeed(s, pool, kc),
        collateralPriceUnits: String(collateralPrice.settleUnits),
        collateralPricePerUnits: String(collateralPrice.perAssetUnits),
        positionSeq: p.version,
        cappedByCollateral: q.cappedByCollateral,
      } as Cmd.PoolLiquidatedV1,
    });
    s.events.account(cmd.accountId, liquidatorSlot, '', cmd.tsNs, {
      event: 'poolLiquidationFilled',
      poolLiquidationFilled: {
        borrowerAccountId: borrowerId,
        debtAsset: c.debtAsset,
        debtPaidUnits: String(q.debtRepaidUnits),
        debtAssetBalanceAfterUnits: String(acc.balances[cd.assetIndex][liquidatorSlot]),
        collateralAsset: c.collateralAsset,
        collateralReceivedUnits: String(q.liquidatorCollateralUnits),
        collateralAssetBalanceAfterUnits: String(acc.balances[cc.assetIndex][liquidatorSlot]),
      } as Cmd.PoolLiquidationFilledV1,
    });
    if (q.protocolFeeUnits > 0) {
      s.events.account(acc.ids[fundSlot], fundSlot, '', cmd.tsNs, {
        event: 'poolProtocolFee',
        poolProtocolFee: { borrowerAccountId: borrowerId, asset: c.collateralAsset, feeUnits: String(q.protocolFeeUnits), balanceAfterUnits: String(acc.balances[cc.assetIndex][fundSlot]) } as Cmd.PoolProtocolFeeV1,
      });
    }
    this.health.evaluate(p, '', cmd.tsNs);
  }
}
