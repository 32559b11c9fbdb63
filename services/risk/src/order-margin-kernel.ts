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
 * Rounding: up, once per side for each term (as the library). Numbers: the sums are
 * checked safe integers; products with lotTickUnits go through `mulDiv`.
 *
 * Example: long 10 lots, L 10, lotTickUnits 100, mark 1,000.00 (spt 100); sells
 * 4 @ 1,010 and 8 @ 1,020 reduce 10 and open 2 @ 1,020 → 20,400; a buy 3 @ 1,005
 * opens 301,500 → 30,150 plus open loss 3 × 5 × 100 = 1,500 → 31,650 = IMord.
 */
import { DomainError, Rounding, mulDiv } from '@perpcore/domain';
import type { MarketRiskParams } from '@perpcore/margin';
import type { OpenOrders } from './open-orders.js';

export class OrderMarginKernel {
  /** Opening notional (units) of the side that set the last `orderIm`. */
  openingNotionalUnits = 0;
  private sideOpeningUnits = 0;

  constructor(private readonly orders: OpenOrders) {}

  /** IMord of one row at a mark; `qtyLots` is the row's signed position. */
  orderIm(params: MarketRiskParams, buyHead: number, sellHead: number, qtyLots: number, leverage: number, markSubticks: number): number {
    if (buyHead < 0 && sellHead < 0) {
      this.openingNotionalUnits = 0;
      return 0;
    }
    const buy = this.sideIm(params, buyHead, 1, qtyLots < 0 ? -qtyLots : 0, leverage, markSubticks);
    const buyOpening = this.sideOpeningUnits;
    const sell = this.sideIm(params, sellHead, -1, qtyLots > 0 ? qtyLots : 0, leverage, markSubticks);
    const sellOpening = this.sideOpeningUnits;
    const buyWins = buy > sell || (buy === sell && buyOpening >= sellOpening);
    this.openingNotionalUnits = buyWins ? buyOpening : sellOpening;
    return buyWins ? buy : sell;
  }

  private sideIm(params: MarketRiskParams, head: number, side: number, reducingLots: number, leverage: number, markSubticks: number): number {
    const o = this.orders;
    const spt = params.markSubticksPerTick;
    let free = reducingLots;
    let openingLotTicks = 0;
    let lossLotSubticks = 0;
    for (let at = head; at >= 0; at = o.next[at]) {
      const lots = o.remainingLots[at];
      const price = o.priceTicks[at];
      const reducing = free < lots ? free : lots;
      free -= reducing;
      openingLotTicks += (lots - reducing) * price;
      const beyond = side * (price * spt - markSubticks);
      if (beyond > 0) lossLotSubticks += lots * beyond;
    }
    if (!Number.isSafeInteger(openingLotTicks) || !Number.isSafeInteger(lossLotSubticks)) {
      throw new DomainError('DOMAIN_OUT_OF_RANGE', `${params.symbol}: open-order notional exceeds the safe-integer range`);
    }
    if (openingLotTicks === 0 && lossLotSubticks === 0) {
      this.sideOpeningUnits = 0;
      return 0;
    }
    const opening = mulDiv(openingLotTicks, params.lotTickUnits, 1, Rounding.Floor);
    this.sideOpeningUnits = opening;
    const openingIm = opening === 0 ? 0 : mulDiv(opening, 1, leverage, Rounding.Ceil);
    const openLoss = lossLotSubticks === 0 ? 0 : mulDiv(lossLotSubticks, params.lotTickUnits, spt, Rounding.Ceil);
    return openingIm + openLoss;
  }
}
