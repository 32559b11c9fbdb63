/**
 * Refuses a signed `trade` request whose exact bytes were already executed: a
 * captured request replayed inside its own time window (the window check refuses
 * it after). Read requests are not guarded (a replay reveals nothing new).
 * Clients that retry re-sign (ccxt does: a new timestamp, a new signature), so a
 * byte-identical second arrival is a replay, not a retry.
 *
 * Memory: one entry per live signature, dropped once its window has passed
 * (`expiresAtMs` = timestamp + recvWindow + the 1 s clock allowance), with a hard
 * cap; entries are checked from the oldest, two per call, so each call is O(1).
 * At the cap the oldest entry goes first: a replay then slips through only if
 * more than `maxEntries` trade requests arrived within its window, which the
 * per-key order limits make far larger than any one key can produce.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  evictedAtCap = 0;

  constructor(private readonly maxEntries = 500_000) {}

  get size(): number {
    return this.seen.size;
  }

  /** True the first time a signature is offered within its window; false for a replay. */
  admit(signature: string, expiresAtMs: number, nowMs: number): boolean {
    this.expire(nowMs);
    const known = this.seen.get(signature);
    if (known !== undefined && known > nowMs) return false;
    if (known !== undefined) this.seen.delete(signature);
    if (this.seen.size >= this.maxEntries) {
      const oldest = this.seen.keys().next();
      if (oldest.done !== true) {
        this.seen.delete(oldest.value);
        this.evictedAtCap++;
      }
    }
    this.seen.set(signature, expiresAtMs);
    return true;
  }

  private expire(nowMs: number): void {
    for (let i = 0; i < 2; i++) {
      const first = this.seen.entries().next();
      if (first.done === true || first.value[1] > nowMs) return;
      this.seen.delete(first.value[0]);
    }
  }
}
