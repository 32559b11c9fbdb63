/**
 * Fill settlement (RISK-SPEC §3.1, §5.7, §9.3): one leg of a fill applied to one
 * account, exactly.
 *
 * Per leg, in order:
 * 1. funding first: the row's pending funding moves to the market's pool;
 * 2. position: opening adds `d × lots × price × lotTickUnits` to the cost basis C;
 *    reducing by Δ leaves `C' = floor(C × (q − Δ) / q)` (`reducedCostUnits`) and
 *    realizes `s × Δ × price × ltu − (C − C')`; a flip closes all and opens the rest
 *    at the fill price (the property test holds this equal to margin's `applyFill`);
 * 3. fee: `ceil(notional × rateE8 / 1e8)` at the maker or taker rate (a negative
 *    maker rate is a rebate, rounded toward zero), moved to the fee account. A
 *    liquidation IOC (the taker of a LIQUIDATION fill) pays no trading fee (its
 *    clearance fee is charged by the ledger, §8.5); DELEVERAGED legs pay none;
 * 4. realized PnL − fee go to the wallet (cross) or the bucket (isolated); an
 *    isolated row left flat with no orders returns its bucket to the wallet;
 * 5. the order's remaining lots follow the fill (removed at 0);
 * 6. `PositionSettledV1` is published.
 *
 * Money: the leg moves exactly `lots × price × ltu` between the two parties through
 * `WB − C`, and the fee to the fee account; Σ(WB + buckets − C) + fees + pools is
 * unchanged (§9.2). Allocation: the event only.
 */
import { FillType, Liquidity, MarginMode, Rounding, mulDiv } from '@perpcore/domain';
import { notionalAtTicksUnits, reducedCostUnits } from '@perpcore/margin';
import { perpcore } from '@perpcore/proto';
import { integerString } from './integer-string.js';
import type { RiskState } from './risk-state.js';

const E8 = 100_000_000;

export class FillSettlement {
  legsSettled = 0;
  /** Outputs of the last `settleLeg`. */
  lastRealizedPnlUnits = 0;
  lastFeeUnits = 0;

  constructor(private readonly s: RiskState) {}

  /**
   * Applies one leg: `side` is this account's side (+1 bought), `remainingLots` its
   * order's remaining size after the fill. Returns the row.
   */
  settleLeg(m: number, slot: number, orderId: number, side: number, priceTicks: number, lots: number, remainingLots: number, liquidity: number, fillType: number, tradeSeq: number, tsNs: number): number {
    const s = this.s;
    const market = s.markets[m];
    const led = s.ledger;
    const r = s.rowFor(slot, m);
    const funding = s.settleRowFunding(r);
    const params = market.params;
    const notional = notionalAtTicksUnits(params, lots, priceTicks);
    const q0 = led.qtyLots[r];
    const c0 = led.costUnits[r];
    let realized = 0;
    let q1: number;
    let c1: number;
    if (q0 === 0 || (q0 > 0) === (side > 0)) {
      q1 = q0 + side * lots;
      c1 = c0 + side * notional;
    } else {
      const q = q0 < 0 ? -q0 : q0;
      const delta = lots < q ? lots : q;
      const left = reducedCostUnits(c0, q0, delta);
      const closedNotional = delta === lots ? notional : notionalAtTicksUnits(params, delta, priceTicks);
      realized = (q0 > 0 ? closedNotional : -closedNotional) - (c0 - left);
      if (delta === lots) {
        q1 = q0 + side * lots;
        c1 = left;
      } else {
        q1 = side * (lots - delta);
        c1 = side * notionalAtTicksUnits(params, lots - delta, priceTicks);
      }
    }
    if (!Number.isSafeInteger(c1) || !Number.isSafeInteger(q1)) throw new RangeError(`${market.symbol}: position of account ${s.accounts.ids[slot]} leaves the safe-integer range`);
    led.qtyLots[r] = q1;
    led.costUnits[r] = c1;
    if (q0 > 0) market.longLots -= q0;
    else market.shortLots += q0;
    if (q1 > 0) market.longLots += q1;
    else market.shortLots -= q1;

    let fee = 0;
    if (fillType === FillType.Limit || (fillType === FillType.Liquidation && liquidity === Liquidity.Maker)) {
      const rate = liquidity === Liquidity.Maker ? market.makerFeeRateE8 : market.takerFeeRateE8;
      if (rate !== 0) fee = mulDiv(notional, rate, E8, Rounding.Ceil);
    }
    if (realized - fee !== 0) s.addScopeUnits(r, realized - fee);
    if (fee !== 0) s.accounts.addBalance(s.feeSlot, 0, fee);

    // takeover and ADL legs carry no order (orderId 0)
    const o = orderId > 0 ? s.orders.find(m, orderId) : -1;
    if (o >= 0) s.orders.applyFill(m, o, lots, remainingLots);
    this.lastRealizedPnlUnits = realized;
    this.lastFeeUnits = fee;
    this.legsSettled++;
    s.events.positionSettled(s.accounts.ids[slot], slot, market.symbol, tsNs, {
        market: market.symbol,
        tradeSeq,
        liquidity,
        fillType,
        fillQtyLots: side * lots,
        priceTicks,
        positionAfterLots: q1,
        costBasisAfterUnits: integerString(c1),
        realizedPnlUnits: realized,
        feeUnits: fee,
        fundingSettledUnits: funding,
        walletBalanceAfterUnits: integerString(led.mode[r] === MarginMode.Isolated ? led.isolatedUnits[r] : s.accounts.balances[0][slot]),
      } as perpcore.risk.v1.PositionSettledV1);
    return r;
  }
}
