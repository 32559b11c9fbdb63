/**
 * Isolated buckets (RISK-SPEC §3.5): money moves between an account's wallet and
 * the bucket of one isolated position, always as a `LedgerTransferV1` (reason
 * ISOLATED_MARGIN), so the account's settle total is unchanged by every move.
 *
 * The bucket holds the position's margin plus the holds of its open orders. Each
 * order's hold is tracked (`OpenOrders.holdUnits`), so hold and release are exact
 * inverses and an order never returns money it did not move:
 * - Hold: a place or amend that raises the isolated IM moves the increase into the
 *   bucket (pre-trade-check.ts) and adds it to the order's hold; an amend's
 *   increase is also remembered as the amend's part. Reduce-only orders hold
 *   nothing (a trader can always close), so they release nothing either.
 * - Refusal by matching (`refund`): a refused place returns its whole hold, a
 *   refused amend its part, exactly, whatever the mark did meanwhile (the command
 *   never happened); only an empty bucket bounds it (losses may have used it).
 * - Cancel, and an amend that shrinks the IM once matching confirms it (`release`):
 *   the order's hold (for the amend: the IM decrease, at most the hold) leaves the
 *   order; what goes back is at most that, never more than the bucket holds, and
 *   never so much that `E_iso` falls below the IM that remains; the rest stays as
 *   position margin.
 * - Fill: the filled share of the hold becomes position margin where it already is
 *   (no transfer); the order keeps `floor(hold × left / (filled + left))`
 *   (`OpenOrders.applyFill`).
 * - Sweep: a row left flat with no open orders returns its whole (positive) bucket.
 * - Removal by the trader (account-commands.ts): the bucket keeps at least the
 *   position's IM + Σ holds of its open orders (+ PF), so every later cancel finds
 *   what its order moved in, whatever the mark did to the orders' current IM.
 * Risk refusals move nothing: the transfer is the last step of an accepted check.
 */
import { MarginMode } from '@perpcore/domain';
import { perpcore } from '@perpcore/proto';
import type { RiskState } from '../risk-state.js';

export class IsolatedMargin {
  constructor(private readonly s: RiskState) {}

  /** Moves `amountUnits` from the wallet into the row's bucket (negative: back). */
  transfer(r: number, amountUnits: number, tsNs: number, liquidationId = 0): void {
    if (amountUnits === 0) return;
    const s = this.s;
    const slot = s.ledger.account[r];
    s.accounts.addBalance(slot, 0, -amountUnits);
    s.ledger.isolatedUnits[r] += amountUnits;
    // order holds and returns move the cross wallet without a re-evaluation: the ADL scores must still follow
    s.adlRankings.changed(slot);
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

  /**
   * Matching refused the command that moved `amountUnits` into the row's bucket:
   * all of it goes back (at most what the bucket holds). Returns the units moved.
   */
  refund(r: number, amountUnits: number, tsNs: number): number {
    const back = Math.min(amountUnits, Math.max(0, this.s.ledger.isolatedUnits[r]));
    if (back > 0) this.transfer(r, -back, tsNs);
    return back;
  }

  /**
   * An order gave up `amountUnits` of its hold (cancel, confirmed shrink): returns
   * as much as the scope can spare above the IM that remains (module doc). Call it
   * after the order book of the row changed. Returns the units moved.
   */
  release(r: number, amountUnits: number, tsNs: number): number {
    if (amountUnits <= 0 || this.s.ledger.mode[r] !== MarginMode.Isolated) return 0;
    const ev = this.s.evaluator;
    const iso = ev.evaluateIsolated(r);
    const room = iso.equityUnits - ev.initialUnits;
    const back = Math.min(amountUnits, room, this.s.ledger.isolatedUnits[r]);
    if (back > 0) this.transfer(r, -back, tsNs);
    return back > 0 ? back : 0;
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
