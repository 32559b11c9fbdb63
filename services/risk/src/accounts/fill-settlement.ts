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
 * 6. `PositionSettledV1` is published: the leg, the position, the scope's balance
 *    after it, and the fee account the fee went to (its balance is folded from
 *    `fee_units`: it moves on every trader's stream).
 *
 * Money: the leg moves exactly `lots × price × ltu` between the two parties through
 * `WB − C`, and the fee to the fee account; Σ(WB + buckets − C) + fees + pools is
 * unchanged (§9.2). Allocation: the event only.
 *
 * All or nothing: every leg is planned before it is applied (`planLeg` into a
 * preallocated `LegPlan`: new size, cost basis, realized PnL, fee, funding, the
 * scope's money after). A fill's two legs are planned together (`planPair`, the
 * fee account's balance after both fees included) before either is written, so a
 * value that would leave the safe-integer range — or a malformed fill — throws
 * before the first write. That throw is an internal error (the balance bounds of
 * balance-limits.ts keep it out of reach), which halts the stage (stage-halt.ts);
 * nothing is half-applied. A leg of the same account as the other leg (a
 * self-trade) is re-planned right before it is applied, on the state the first
 * leg left.
 */
import { FillType, Liquidity, MarginMode, Rounding, mulDiv } from '@perpcore/domain';
import { notionalAtTicksUnits, reducedCostUnits } from '@perpcore/margin';
import { perpcore } from '@perpcore/proto';
import { integerString } from './integer-string.js';
import type { RiskState } from '../risk-state.js';

const E8 = 100_000_000;

/** One leg worked out before anything is written (reused scratch: no allocation per fill). */
export class LegPlan {
  m = -1;
  /** −1: the account does not exist yet (it is opened when the leg applies). */
  slot = -1;
  accountId = 0;
  side = 0;
  priceTicks = 0;
  lots = 0;
  liquidity = 0;
  fillType = 0;
  notionalUnits = 0;
  q0 = 0;
  q1 = 0;
  c1 = 0;
  realizedPnlUnits = 0;
  feeUnits = 0;
  fundingUnits = 0;
  /** The scope's settle money (WB or bucket) after funding, PnL and fee. */
  scopeAfterUnits = 0;
}

function requireSafe(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`fill plan: ${what} would leave the safe-integer range (${value})`);
  return value;
}

// the message is built only for a refusal: every leg of every fill passes these checks
function requireSafeOfAccount(value: number, what: string, accountId: number, symbol: string): number {
  return Number.isSafeInteger(value) ? value : requireSafe(value, `${what} of account ${accountId} in ${symbol}`);
}

function requireSafeOfMarket(value: number, symbol: string, what: string): number {
  return Number.isSafeInteger(value) ? value : requireSafe(value, `${symbol}'s ${what}`);
}

export class FillSettlement {
  legsSettled = 0;
  /** Outputs of the last `settleLeg`. */
  lastRealizedPnlUnits = 0;
  lastFeeUnits = 0;
  /** The two legs of the fill being settled (`planPair`), and a scratch leg for `settleLeg`. */
  readonly first = new LegPlan();
  readonly second = new LegPlan();
  private readonly single = new LegPlan();

  constructor(private readonly s: RiskState) {}

  /**
   * Plans one leg of account `accountId` (slot −1 if it has no account yet) without
   * writing anything; throws (RangeError, or the margin library's DomainError for a
   * malformed quantity or price) if the leg cannot be applied exactly.
   */
  planLeg(p: LegPlan, m: number, accountId: number, side: number, priceTicks: number, lots: number, liquidity: number, fillType: number): LegPlan {
    const s = this.s;
    const market = s.markets[m];
    const led = s.ledger;
    const slot = s.accounts.slotOf(accountId);
    const r = slot < 0 ? -1 : led.rowOf(s.accounts.firstRow[slot], m);
    const params = market.params;
    const notional = notionalAtTicksUnits(params, lots, priceTicks);
    const q0 = r < 0 ? 0 : led.qtyLots[r];
    const c0 = r < 0 ? 0 : led.costUnits[r];
    // what settleRowFunding will move: PF is kept current for every row whose snapshot is behind G
    const funding = r < 0 || q0 === 0 || led.fundingSnapshot[r] === market.fundingIndex ? 0 : led.pendingFundingUnits[r];
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
    let fee = 0;
    if (fillType === FillType.Limit || (fillType === FillType.Liquidation && liquidity === Liquidity.Maker)) {
      const rate = liquidity === Liquidity.Maker ? market.makerFeeRateE8 : market.takerFeeRateE8;
      if (rate !== 0) fee = mulDiv(notional, rate, E8, Rounding.Ceil);
    }
    requireSafeOfAccount(q1, 'the position', accountId, market.symbol);
    requireSafeOfAccount(c1, 'the cost basis', accountId, market.symbol);
    requireSafeOfAccount(realized - fee, 'the realized PnL − fee', accountId, market.symbol);
    const scopeBefore = r < 0 ? (slot < 0 ? 0 : s.accounts.balances[0][slot]) : s.scopeUnits(r);
    p.m = m;
    p.slot = slot;
    p.accountId = accountId;
    p.side = side;
    p.priceTicks = priceTicks;
    p.lots = lots;
    p.liquidity = liquidity;
    p.fillType = fillType;
    p.notionalUnits = notional;
    p.q0 = q0;
    p.q1 = q1;
    p.c1 = c1;
    p.realizedPnlUnits = realized;
    p.feeUnits = fee;
    p.fundingUnits = funding;
    p.scopeAfterUnits = requireSafeOfAccount(scopeBefore - funding + realized - fee, 'the settle balance', accountId, market.symbol);
    requireSafeOfMarket(market.fundingPoolUnits + funding, market.symbol, 'funding pool');
    return p;
  }

  /**
   * Plans both legs of one fill (into `first` and `second`) before either is
   * applied: each leg, the fee account after both fees, the open-interest counters.
   * `legs` (Liquidity bits) selects the legs this shard settles; a leg not selected
   * is left with lots 0.
   */
  planPair(m: number, firstAccountId: number, secondAccountId: number, firstSide: number, priceTicks: number, lots: number, firstLiquidity: number, secondLiquidity: number, fillType: number, legs = 3): void {
    const s = this.s;
    const market = s.markets[m];
    let fees = 0;
    this.first.lots = 0;
    this.second.lots = 0;
    if (legs & 1) fees += this.planLeg(this.first, m, firstAccountId, firstSide, priceTicks, lots, firstLiquidity, fillType).feeUnits;
    if (legs & 2) fees += this.planLeg(this.second, m, secondAccountId, -firstSide, priceTicks, lots, secondLiquidity, fillType).feeUnits;
    requireSafe(s.accounts.balances[0][s.feeSlot] + fees, 'the fee account balance');
    requireSafeOfMarket(market.longLots + lots, market.symbol, 'long open interest');
    requireSafeOfMarket(market.shortLots + lots, market.symbol, 'short open interest');
  }

  /**
   * Applies one leg: `side` is this account's side (+1 bought), `remainingLots` its
   * order's remaining size after the fill. Plans it first (throws before writing).
   * Returns the row.
   */
  settleLeg(m: number, slot: number, orderId: number, side: number, priceTicks: number, lots: number, remainingLots: number, liquidity: number, fillType: number, tradeSeq: number, tsNs: number): number {
    const p = this.planLeg(this.single, m, this.s.accounts.ids[slot], side, priceTicks, lots, liquidity, fillType);
    return this.applyLeg(p, orderId, remainingLots, tradeSeq, tsNs);
  }

  /** Writes a planned leg (its account must exist by now). Returns the row. */
  applyLeg(p: LegPlan, orderId: number, remainingLots: number, tradeSeq: number, tsNs: number): number {
    const s = this.s;
    const m = p.m;
    const market = s.markets[m];
    const led = s.ledger;
    const slot = p.slot >= 0 ? p.slot : s.accounts.slotOf(p.accountId);
    const r = s.rowFor(slot, m);
    const funding = s.settleRowFunding(r);
    const q0 = p.q0;
    const q1 = p.q1;
    led.qtyLots[r] = q1;
    led.costUnits[r] = p.c1;
    if (q0 > 0) market.longLots -= q0;
    else market.shortLots += q0;
    if (q1 > 0) market.longLots += q1;
    else market.shortLots -= q1;

    const realized = p.realizedPnlUnits;
    const fee = p.feeUnits;
    if (realized - fee !== 0) s.addScopeUnits(r, realized - fee);
    if (fee !== 0) s.accounts.addBalance(s.feeSlot, 0, fee);

    // takeover and ADL legs carry no order (orderId 0)
    const o = orderId > 0 ? s.orders.find(m, orderId) : -1;
    if (o >= 0) s.orders.applyFill(m, o, p.lots, remainingLots);
    this.lastRealizedPnlUnits = realized;
    this.lastFeeUnits = fee;
    this.legsSettled++;
    s.events.positionSettled(s.accounts.ids[slot], slot, market.symbol, tsNs, {
        market: market.symbol,
        tradeSeq,
        liquidity: p.liquidity,
        fillType: p.fillType,
        fillQtyLots: p.side * p.lots,
        priceTicks: p.priceTicks,
        positionAfterLots: q1,
        costBasisAfterUnits: integerString(p.c1),
        realizedPnlUnits: realized,
        feeUnits: fee,
        fundingSettledUnits: funding,
        walletBalanceAfterUnits: integerString(led.mode[r] === MarginMode.Isolated ? led.isolatedUnits[r] : s.accounts.balances[0][slot]),
        feeAccountId: s.setup.feeAccountId,
      } as perpcore.risk.v1.PositionSettledV1);
    return r;
  }
}
