/**
 * Spot-margin liquidation: sells the account's collateral against the spot books to
 * repay its loans, then charges the fee, and only when nothing sellable is left does
 * the insurance fund cover what is still owed (bad debt).
 *
 * Steps (each an event; conservation holds after each):
 * 1. cancel the account's open orders (their holds return to the balance);
 * 2. repay every debt from the same asset's balance;
 * 3. buy back each borrowed base on its pair (IOC limit at index × (1 + band), sized
 *    to the debt and to the quote it holds), repay;
 * 4. if anything is still owed, sell every base it does not owe (IOC limit at
 *    index × (1 − band), the whole holding: Kraken closes positions whole), repay the
 *    quote, then buy back owed bases again with the proceeds;
 * 5. fee `spotLiquidationFeeUnits(rate, quote value traded, equity left)`, to the
 *    fund: capped at what the account has left, so the fee never creates a deficit;
 * 6. a debt left with nothing to sell: the fund pays the pool what it can
 *    (`BadDebtCovered`), the rest is written off in the pool's totals.
 * The venue never trades: counterparties are other accounts' resting orders, and a
 * thin book leaves the account LIQUIDATING for the next index tick.
 */
import { Rounding, Side, divRound } from '@perpcore/domain';
import { evaluateSpotAccount, spotLiquidationFeeUnits } from '@perpcore/margin';
import type { SpotMarginCommands } from './spot-margin-commands.js';
import type { SpotMarginContext } from './spot-margin-context.js';
import { SpotEventKind } from './spot-margin-events.js';
import type { SpotOrderFlow } from './spot-order-flow.js';
import { type SpotPairSpec, baseUnitsOf, quoteUnitsOf } from './spot-pair.js';

export interface SpotLiquidationOutcome {
  readonly tradedQuoteUnits: number;
  readonly feeUnits: number;
  readonly cleared: boolean;
}

export class SpotLiquidation {
  constructor(
    private readonly c: SpotMarginContext,
    private readonly commands: SpotMarginCommands,
    private readonly flow: SpotOrderFlow,
  ) {}

  private available(accountId: number, asset: string): number {
    const r = this.c.state.peekRow(accountId, asset);
    return r === undefined ? 0 : r.balanceUnits - r.heldUnits;
  }

  private owed(accountId: number, asset: string, tsNs: number): number {
    this.c.settleInterest(accountId, asset, tsNs);
    return this.c.state.peekRow(accountId, asset)?.principalUnits ?? 0;
  }

  private repaySame(accountId: number, asset: string, tsNs: number): void {
    const pay = Math.min(this.owed(accountId, asset, tsNs), this.available(accountId, asset));
    if (pay > 0) this.commands.repayFromBalance(accountId, asset, pay, tsNs, 'LIQUIDATION');
  }

  private trade(accountId: number, pair: SpotPairSpec, side: Side, qtyLots: number, tsNs: number): number {
    if (qtyLots <= 0) return 0;
    const index = this.c.state.indexTicks.get(pair.baseAsset)!;
    const band = pair.priceBandE8;
    const limit = side === Side.Buy
      ? Math.min(pair.maxPriceTicks, divRound(index * (100_000_000 + band), 100_000_000, Rounding.Floor))
      : Math.max(1, divRound(index * (100_000_000 - band), 100_000_000, Rounding.Ceil));
    const lots = side === Side.Buy ? Math.min(qtyLots, Math.floor(this.available(accountId, pair.quoteAsset) / quoteUnitsOf(pair, 1, limit))) : qtyLots;
    if (lots <= 0) return 0;
    this.flow.tradedQuoteUnits = 0;
    const r = this.flow.placeChecked({ accountId, symbol: pair.symbol, side, priceTicks: limit, qtyLots: Math.min(lots, pair.maxQtyLots), immediateOrCancel: true, autoBorrow: false }, tsNs);
    if (!r.ok) throw new Error(`spot liquidation order refused: ${r.code}`);
    return this.flow.tradedQuoteUnits;
  }

  private buyBackBases(accountId: number, tsNs: number): number {
    let traded = 0;
    for (const [base, pair] of this.c.pairByBase) {
      const owed = this.owed(accountId, base, tsNs);
      if (owed === 0) continue;
      traded += this.trade(accountId, pair, Side.Buy, Math.ceil(owed / pair.baseUnitsPerLot), tsNs);
      this.repaySame(accountId, base, tsNs);
    }
    return traded;
  }

  private owesAnything(accountId: number, tsNs: number): boolean {
    return this.c.assets.some((a) => this.owed(accountId, a, tsNs) > 0);
  }

  run(accountId: number, tsNs: number): SpotLiquidationOutcome {
    const c = this.c;
    this.flow.cancelAllOf(accountId, tsNs);
    for (const asset of c.assets) this.repaySame(accountId, asset, tsNs);
    let traded = this.buyBackBases(accountId, tsNs);
    if (this.owesAnything(accountId, tsNs)) {
      for (const [base, pair] of c.pairByBase) {
        if (this.owed(accountId, base, tsNs) > 0) continue;
        traded += this.trade(accountId, pair, Side.Sell, Math.floor(this.available(accountId, base) / pair.baseUnitsPerLot), tsNs);
      }
      this.repaySame(accountId, c.settleAsset, tsNs);
      traded += this.buyBackBases(accountId, tsNs);
    }
    const fee = this.chargeFee(accountId, traded, tsNs);
    const cleared = !this.owesAnything(accountId, tsNs) || this.coverBadDebt(accountId, tsNs);
    return Object.freeze({ tradedQuoteUnits: traded, feeUnits: fee, cleared });
  }

  private chargeFee(accountId: number, tradedQuoteUnits: number, tsNs: number): number {
    const c = this.c;
    const h = c.holdings(accountId);
    const equity = h === null ? 0 : evaluateSpotAccount(c.config.params, h).equityUnits;
    const fee = spotLiquidationFeeUnits(c.config.params.liquidationFeeRateE8, tradedQuoteUnits, Math.min(equity, this.available(accountId, c.settleAsset)));
    if (fee === 0) return 0;
    c.state.row(accountId, c.settleAsset).balanceUnits -= fee;
    const v = c.state.venueOf(c.settleAsset);
    v.fundUnits += fee;
    v.liquidationFeeUnits += BigInt(fee);
    c.emit(SpotEventKind.LiquidationFeeCharged, tsNs, accountId, c.settleAsset, fee, '', [[accountId, c.settleAsset]], [c.settleAsset]);
    return fee;
  }

  /** True when it cleared the debts: only once nothing sellable is left. */
  private coverBadDebt(accountId: number, tsNs: number): boolean {
    const c = this.c;
    const sellable = [...c.pairByBase.values()].some((p) => this.available(accountId, p.baseAsset) >= baseUnitsOf(p, 1));
    if (sellable || this.available(accountId, c.settleAsset) > 0) return false;
    for (const asset of c.assets) {
      const owed = this.owed(accountId, asset, tsNs);
      if (owed === 0) continue;
      const v = c.state.venueOf(asset);
      const cover = Math.min(v.fundUnits, owed);
      v.fundUnits -= cover;
      v.poolUnits += cover;
      v.fundCoveredUnits += BigInt(cover);
      v.writtenOffUnits += BigInt(owed - cover);
      const row = c.state.row(accountId, asset);
      row.principalUnits = 0;
      row.entryUnits = 0;
      c.emit(SpotEventKind.BadDebtCovered, tsNs, accountId, asset, owed, String(cover), [[accountId, asset]], [asset]);
    }
    return true;
  }
}
