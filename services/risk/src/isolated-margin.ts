/**
 * Isolated buckets (RISK-SPEC §3.5): money moves between an account's wallet and
 * the bucket of one isolated position, always as a `LedgerTransferV1` (reason
 * ISOLATED_MARGIN), so the account's settle total is unchanged by every move.
 *
 * - Hold: an order that raises the isolated IM moves the increase into the bucket
 *   (pre-trade-check.ts).
 * - Release: when open orders shrink or leave (cancel, amend), the decrease in IM
 *   goes back, but never so much that the bucket's equity falls below the IM that
 *   remains: `min(IM_before − IM_after, max(0, E_iso − IM_after))`, and never more
 *   than the bucket holds. Fills release nothing: the order margin becomes the
 *   position's.
 * - Sweep: a row left flat with no open orders returns its whole (positive) bucket.
 */
import { MarginMode } from '@perpcore/domain';
import { perpcore } from '@perpcore/proto';
import type { RiskState } from './risk-state.js';

export class IsolatedMargin {
  constructor(private readonly s: RiskState) {}

  /** Moves `amountUnits` from the wallet into the row's bucket (negative: back). */
  transfer(r: number, amountUnits: number, tsNs: number, liquidationId = 0): void {
    if (amountUnits === 0) return;
    const s = this.s;
    const slot = s.ledger.account[r];
    s.accounts.addBalance(slot, 0, -amountUnits);
    s.ledger.isolatedUnits[r] += amountUnits;
    const id = s.accounts.ids[slot];
    const symbol = s.markets[s.ledger.market[r]].symbol;
    const toBucket = amountUnits > 0;
    const wallet = String(s.accounts.balances[0][slot]);
    const bucket = String(s.ledger.isolatedUnits[r]);
    s.events.account(id, slot, symbol, tsNs, {
      event: 'ledgerTransfer',
      ledgerTransfer: {
        reason: perpcore.risk.v1.TransferReason.TRANSFER_REASON_ISOLATED_MARGIN,
        asset: s.setup.assetCodes[0],
        amountUnits: toBucket ? amountUnits : -amountUnits,
        fromAccountId: id,
        fromMarket: toBucket ? '' : symbol,
        toAccountId: id,
        toMarket: toBucket ? symbol : '',
        fromBalanceAfterUnits: toBucket ? wallet : bucket,
        toBalanceAfterUnits: toBucket ? bucket : wallet,
        liquidationId,
      } as perpcore.risk.v1.LedgerTransferV1,
    });
  }

  /** Order IM of the row now (the kernel's walk). */
  orderIm(r: number): number {
    const s = this.s;
    const led = s.ledger;
    const m = led.market[r];
    const market = s.markets[m];
    if (led.openOrders[r] === 0 || market.markSubticks <= 0) return 0;
    return s.kernel.orderIm(market.params, r, led.qtyLots[r], led.leverage[r], market.markSubticks);
  }

  /** After open orders of an isolated row shrank: returns part of the IM decrease (see the module doc). */
  releaseAfterOrderChange(r: number, orderImBefore: number, tsNs: number): void {
    const s = this.s;
    const led = s.ledger;
    if (led.mode[r] !== MarginMode.Isolated) return;
    if (this.sweepIfFlat(r, tsNs)) return;
    const decrease = orderImBefore - this.orderIm(r);
    if (decrease <= 0) return;
    const ev = s.evaluator;
    const iso = ev.evaluateIsolated(r);
    const room = iso.equityUnits - ev.initialUnits;
    const release = Math.min(decrease, room, led.isolatedUnits[r]);
    if (release > 0) this.transfer(r, -release, tsNs);
  }

  /** A flat isolated row without orders returns its bucket; true when it did. */
  sweepIfFlat(r: number, tsNs: number): boolean {
    const led = this.s.ledger;
    if (led.mode[r] !== MarginMode.Isolated || led.qtyLots[r] !== 0 || led.openOrders[r] !== 0) return false;
    const bucket = led.isolatedUnits[r];
    if (bucket > 0) this.transfer(r, -bucket, tsNs);
    return true;
  }
}
