/**
 * PRIVATE ADAPTER (to move into @perpcore/margin): the order IM of RISK-SPEC §3.2
 * computed directly over the risk stage's linked order lists, allocation-free.
 * `@perpcore/margin` computes the same quantity from an array of orders
 * (`orderInitialMargin`, `buildOrderExposure`), which sorts and allocates per call;
 * the pre-trade path runs once per order and must not. A property test
 * (order-margin-kernel.test.ts) holds this kernel equal to `orderInitialMargin`
 * on random books, positions and marks.
 *
 * Per side d, orders most aggressive first: the first `R_d` lots (|Q| when d is
 * opposite the position) are reducing and free; the rest open, and
 *   IMord_d = ceil(Σ openingLots × price × lotTickUnits / L)
 *           + ceil(Σ lots × max(0, d × (price × spt − M)) × lotTickUnits / spt)
 * `IMord = max(IMord_buy, IMord_sell)`; the leverage tier uses the opening notional
 * of that side (ties: the larger opening notional), left in `openingNotionalUnits`.
 *
 * Cost: the whole result is cached per row, keyed by both sides' order versions,
 * Q, L and the mark, so the pre-trade check and the evaluation that follows it walk
 * once. The opening lot-ticks are the side's running total (kept by OpenOrders)
 * minus the lot-ticks of its first R_d lots. Those are cached per row and side,
 * keyed by the side's prefix version and the position size: the walk reports the
 * key of the order where the reducing lots end (OpenOrders.setPrefixBound), and
 * only a change at or before it walks again from the start; orders added or
 * removed behind the reducing prefix do not, and a change of Q alone resumes from
 * the prefix's end (a few steps per fill instead of the whole prefix). The open loss
 * walks only the orders beyond the mark (usually none). A market maker with
 * hundreds of resting orders costs a few steps per check.
 *
 * Rounding: up, once per side for each term (as the library). Numbers: the sums and
 * the opening notional are checked safe integers; the divisions go through the
 * domain's `divRound` / `mulDiv`.
 *
 * Example: long 10 lots, L 10, lotTickUnits 100, mark 1,000.00 (spt 100); sells
 * 4 @ 1,010 and 8 @ 1,020 reduce 10 and open 2 @ 1,020 → 20,400; a buy 3 @ 1,005
 * opens 301,500 → 30,150 plus open loss 3 × 5 × 100 = 1,500 → 31,650 = IMord.
 */
import { DomainError, Rounding, divRound, mulDiv } from '@perpcore/domain';
import { type MarketRiskParams, fractionOfUnitsCeil } from '@perpcore/margin';
import type { OpenOrders } from './open-orders.js';
import type { PositionLedger } from '../accounts/position-ledger.js';

export class OrderMarginKernel {
  /** Opening notional (units) of the side that set the last `orderIm`. */
  openingNotionalUnits = 0;
  /** Reducing-part walks done (cache misses), for tests and benchmarks. */
  walks = 0;
  private sideOpeningUnits = 0;
  /** Whole-result cache per row: (buy version, sell version, Q, L, mark) → IMord, opening notional. */
  private readonly resultKey: number[] = [];
  private readonly resultIm: number[] = [];
  private readonly resultOpening: number[] = [];
  private readonly cacheQty: number[] = [];
  private readonly cacheVersion: number[] = [];
  private readonly cacheReducingLotTicks: number[] = [];
  /** Per (row, side): lots in the cached prefix (< |Q| when the side ran out), the list index where it ends and the lots it uses there. */
  private readonly cacheHaveLots: number[] = [];
  private readonly cacheEndIndex: number[] = [];
  private readonly cacheEndUsedLots: number[] = [];

  constructor(
    private readonly orders: OpenOrders,
    private readonly rows: PositionLedger,
  ) {}

  /**
   * IMord of one row at a mark; `qtyLots` is the row's signed position. `initialFractionE8`
   * (IMF_RAMP markets, `RiskMarket.initialFractionE8`) floors the opening IM:
   * `max(ceil(opening / L), ceil(opening × imf))`; 0 = none.
   */
  orderIm(params: MarketRiskParams, row: number, qtyLots: number, leverage: number, markSubticks: number, initialFractionE8 = 0): number {
    const rows = this.rows;
    if (rows.openOrders[row] === 0) {
      this.openingNotionalUnits = 0;
      return 0;
    }
    const k = 6 * row;
    const key = this.resultKey;
    if (key.length > k && key[k] === rows.buyVersion[row] && key[k + 1] === rows.sellVersion[row] && key[k + 2] === qtyLots && key[k + 3] === leverage && key[k + 4] === markSubticks && key[k + 5] === initialFractionE8) {
      this.openingNotionalUnits = this.resultOpening[row];
      return this.resultIm[row];
    }
    const buyReducing = qtyLots < 0 ? this.reducingLotTicks(row, 1, qtyLots) : 0;
    const buy = this.sideIm(params, row, rows.buyLotTicks[row] - buyReducing, 1, leverage, markSubticks, initialFractionE8);
    const buyOpening = this.sideOpeningUnits;
    const sellReducing = qtyLots > 0 ? this.reducingLotTicks(row, -1, qtyLots) : 0;
    const sell = this.sideIm(params, row, rows.sellLotTicks[row] - sellReducing, -1, leverage, markSubticks, initialFractionE8);
    const sellOpening = this.sideOpeningUnits;
    const buyWins = buy > sell || (buy === sell && buyOpening >= sellOpening);
    const im = buyWins ? buy : sell;
    this.openingNotionalUnits = buyWins ? buyOpening : sellOpening;
    while (key.length <= k) key.push(-1, -1, 0, 0, 0, 0);
    while (this.resultIm.length <= row) {
      this.resultIm.push(0);
      this.resultOpening.push(0);
    }
    key[k] = rows.buyVersion[row];
    key[k + 1] = rows.sellVersion[row];
    key[k + 2] = qtyLots;
    key[k + 3] = leverage;
    key[k + 4] = markSubticks;
    key[k + 5] = initialFractionE8;
    this.resultIm[row] = im;
    this.resultOpening[row] = this.openingNotionalUnits;
    return im;
  }

  /**
   * Lot-ticks of the first |Q| lots of the side opposite the position (cached, see
   * the module doc). With the prefix unchanged and only Q moved, the walk resumes at
   * the cached end of the prefix: forward to take more lots, backward to give some
   * back (the end's list index is still valid: nothing at or before it changed).
   */
  private reducingLotTicks(row: number, side: number, qtyLots: number): number {
    const k = 2 * row + (side > 0 ? 0 : 1);
    const o = this.orders;
    const version = o.prefixVersion(row, side);
    while (this.cacheQty.length <= k) {
      this.cacheQty.push(0);
      this.cacheVersion.push(-1);
      this.cacheReducingLotTicks.push(0);
      this.cacheHaveLots.push(0);
      this.cacheEndIndex.push(-1);
      this.cacheEndUsedLots.push(0);
    }
    const want = qtyLots < 0 ? -qtyLots : qtyLots;
    let lotTicks = 0;
    let have = 0;
    let i = -1;
    let used = 0;
    if (this.cacheVersion[k] === version) {
      if (this.cacheQty[k] === want) return this.cacheReducingLotTicks[k];
      lotTicks = this.cacheReducingLotTicks[k];
      have = this.cacheHaveLots[k];
      i = this.cacheEndIndex[k];
      used = this.cacheEndUsedLots[k];
    } else {
      this.walks++;
    }
    const list = o.list(row, side);
    const n = o.size(row, side);
    if (have < want && i >= 0) {
      // the rest of the order where the prefix ended
      const left = o.remainingLots[list[i]] - used;
      const take = want - have < left ? want - have : left;
      used += take;
      have += take;
      lotTicks += take * o.priceTicks[list[i]];
    }
    // then whole orders, until |Q| lots or the side runs out (then every order is reducing)
    while (have < want && i + 1 < n) {
      const at = list[++i];
      const lots = o.remainingLots[at];
      const take = want - have < lots ? want - have : lots;
      used = take;
      have += take;
      lotTicks += take * o.priceTicks[at];
    }
    while (have > want) {
      const take = have - want < used ? have - want : used;
      used -= take;
      have -= take;
      lotTicks -= take * o.priceTicks[list[i]];
      if (used === 0) {
        i--;
        used = i >= 0 ? o.remainingLots[list[i]] : 0;
      }
    }
    // the prefix ends at list[i] when it holds |Q| lots; otherwise it is the whole side
    o.setPrefixBound(row, side, have === want && i >= 0 ? o.keyOf(list[i]) : Number.POSITIVE_INFINITY);
    this.cacheVersion[k] = version;
    this.cacheQty[k] = want;
    this.cacheReducingLotTicks[k] = lotTicks;
    this.cacheHaveLots[k] = have;
    this.cacheEndIndex[k] = i;
    this.cacheEndUsedLots[k] = used;
    return lotTicks;
  }

  private sideIm(params: MarketRiskParams, row: number, openingLotTicks: number, side: number, leverage: number, markSubticks: number, initialFractionE8: number): number {
    const o = this.orders;
    const spt = params.markSubticksPerTick;
    const list = o.list(row, side);
    const n = o.size(row, side);
    let lossLotSubticks = 0;
    // most aggressive first: only the orders beyond the mark carry an open loss
    for (let i = 0; i < n; i++) {
      const at = list[i];
      const beyond = side * (o.priceTicks[at] * spt - markSubticks);
      if (beyond <= 0) break;
      lossLotSubticks += o.remainingLots[at] * beyond;
    }
    if (!Number.isSafeInteger(openingLotTicks) || !Number.isSafeInteger(lossLotSubticks)) {
      throw new DomainError('DOMAIN_OUT_OF_RANGE', `${params.symbol}: open-order notional exceeds the safe-integer range`);
    }
    if (openingLotTicks === 0 && lossLotSubticks === 0) {
      this.sideOpeningUnits = 0;
      return 0;
    }
    const opening = openingLotTicks * params.lotTickUnits;
    if (!Number.isSafeInteger(opening)) throw new DomainError('DOMAIN_OUT_OF_RANGE', `${params.symbol}: opening order notional exceeds the safe-integer range`);
    this.sideOpeningUnits = opening;
    let openingIm = opening === 0 ? 0 : divRound(opening, leverage, Rounding.Ceil);
    if (initialFractionE8 > 0 && opening > 0) {
      const byFraction = fractionOfUnitsCeil(opening, initialFractionE8);
      if (byFraction > openingIm) openingIm = byFraction;
    }
    const openLoss = lossLotSubticks === 0 ? 0 : mulDiv(lossLotSubticks, params.lotTickUnits, spt, Rounding.Ceil);
    return openingIm + openLoss;
  }
}
