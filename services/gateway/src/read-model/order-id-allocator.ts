/**
 * Order ids the gateway allocates: unique across restarts without any stored state.
 *
 * Scheme: `id = 2^52 + s × 2^16 + n`, where `s` is whole seconds of the wall clock
 * since 2026-01-01T00:00:00Z and `n` counts orders within that second (65,536 per
 * second). When a second's counter runs out, ids borrow from the next second's
 * range (the allocator never goes below `last + 1`), so ids strictly increase.
 *
 * Why it never repeats: a restarted process starts at the current second's floor,
 * above every id a previous process issued, as long as that process did not run
 * ahead of the wall clock (sustained > 65,536 orders/s) by more than the restart
 * took, and the clock does not step back. The range [2^52, 2^53) is the gateway's
 * alone (the simulated market and the liquidation ladder use ids far below it) and
 * lasts 2^36 s ≈ 2,177 years; the allocator throws rather than leave it.
 */
const BASE = 2 ** 52;
const PER_SECOND = 2 ** 16;
const EPOCH_MS = Date.UTC(2026, 0, 1);

export class OrderIdAllocator {
  private last = 0;

  constructor(private readonly wallClockMs: () => number = Date.now) {}

  next(): number {
    const seconds = Math.max(0, Math.floor((this.wallClockMs() - EPOCH_MS) / 1000));
    const id = Math.max(this.last + 1, BASE + seconds * PER_SECOND);
    if (id > Number.MAX_SAFE_INTEGER) throw new RangeError('order id range exhausted (2^53)');
    this.last = id;
    return id;
  }
}

/** True for ids this allocator's scheme can produce (the gateway's range). */
export function isGatewayOrderId(orderId: number): boolean {
  return Number.isSafeInteger(orderId) && orderId >= BASE;
}
