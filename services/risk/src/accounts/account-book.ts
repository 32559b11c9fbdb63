/**
 * Accounts in memory: `accountId → slot` (a Map, consulted at the edge only) and
 * per-slot columns (struct of arrays), so hot paths index plain arrays.
 *
 * Per slot: kind (trader / fee / insurance fund), one balance per configured asset
 * (asset 0 is the settle asset: the wallet balance WB), the head of the account's
 * position rows (a linked list through `PositionLedger.nextOfAccount`), the cross
 * scope's margin state, its breach-index version, its active liquidation id and the
 * sequence number of its event stream (`RiskEventV1.seq` per (source, account)).
 *
 * Invariants
 * - Slots are assigned in arrival order and never reused: same input log, same
 *   slots, so iteration by slot is deterministic (state hash, audits).
 * - Balances are safe integers; every write goes through `addBalance`, which refuses
 *   a result outside ±(2^53 − 1) before changing anything. Callers validate first
 *   (deposit bounds, the fill plan), so reaching that refusal is an internal error:
 *   it throws a `RangeError`, which halts the stage (stage-halt.ts), not a reject.
 * - `nonSettleMask` has bit a−1 set iff asset a ≠ 0 has a non-zero balance, so
 *   settle-only accounts skip collateral valuation entirely.
 */
import { DomainError } from '@perpcore/domain';
import { MarginStateCode } from '../margin-watch/margin-state-code.js';

export const AccountKind = { Trader: 0, FeeAccount: 1, InsuranceFund: 2 } as const;
export type AccountKind = (typeof AccountKind)[keyof typeof AccountKind];

export class AccountBook {
  private readonly slotById = new Map<number, number>();
  readonly ids: number[] = [];
  readonly kind: number[] = [];
  /** balances[asset][slot]; asset 0 = settle asset (WB). */
  readonly balances: number[][];
  readonly nonSettleMask: number[] = [];
  readonly firstRow: number[] = [];
  readonly crossState: number[] = [];
  readonly crossVersion: number[] = [];
  readonly crossLiquidationId: number[] = [];
  readonly eventSeq: number[] = [];
  /** Event sequence numbers already used for ids that had no account yet (rejects). */
  private readonly seqBeforeOpen = new Map<number, number>();

  constructor(readonly assetCount: number) {
    this.balances = Array.from({ length: assetCount }, () => []);
  }

  get count(): number {
    return this.ids.length;
  }

  /** Slot of an account id, or −1. */
  slotOf(accountId: number): number {
    return this.slotById.get(accountId) ?? -1;
  }

  open(accountId: number, kind: AccountKind): number {
    if (this.slotById.has(accountId)) throw new DomainError('RISK_DUPLICATE_ACCOUNT', `account ${accountId} already exists`);
    const slot = this.ids.length;
    this.slotById.set(accountId, slot);
    this.ids.push(accountId);
    this.kind.push(kind);
    for (let a = 0; a < this.assetCount; a++) this.balances[a].push(0);
    this.nonSettleMask.push(0);
    this.firstRow.push(-1);
    this.crossState.push(MarginStateCode.Healthy);
    this.crossVersion.push(0);
    this.crossLiquidationId.push(0);
    this.eventSeq.push(this.seqBeforeOpen.get(accountId) ?? 0);
    this.seqBeforeOpen.delete(accountId);
    return slot;
  }

  /** The sequence number the account's next event will take, without taking it. */
  peekEventSeq(accountId: number, slot: number): number {
    return (slot >= 0 ? this.eventSeq[slot] : (this.seqBeforeOpen.get(accountId) ?? 0)) + 1;
  }

  /** Next event sequence number of an account's stream (works before the account exists). */
  nextEventSeq(accountId: number, slot: number): number {
    if (slot >= 0) return ++this.eventSeq[slot];
    const seq = (this.seqBeforeOpen.get(accountId) ?? 0) + 1;
    this.seqBeforeOpen.set(accountId, seq);
    return seq;
  }

  /** Adds `deltaUnits` to a balance; throws (nothing changed) if the result leaves the safe range. */
  addBalance(slot: number, asset: number, deltaUnits: number): number {
    const column = this.balances[asset];
    const after = column[slot] + deltaUnits;
    if (!Number.isSafeInteger(after)) {
      throw new RangeError(`balance of account ${this.ids[slot]} asset ${asset} would leave the safe-integer range (${column[slot]} + ${deltaUnits})`);
    }
    column[slot] = after;
    if (asset !== 0) {
      const bit = 1 << (asset - 1);
      this.nonSettleMask[slot] = after === 0 ? this.nonSettleMask[slot] & ~bit : this.nonSettleMask[slot] | bit;
    }
    return after;
  }

  /** Iteration over ids in slot order (deterministic). */
  forEachSlot(visit: (slot: number, accountId: number) => void): void {
    for (let s = 0; s < this.ids.length; s++) visit(s, this.ids[s]);
  }

  /** The pre-open sequence map, for the state hash (sorted by id). */
  pendingSequences(): [number, number][] {
    return [...this.seqBeforeOpen.entries()].sort((a, b) => a[0] - b[0]);
  }
}
