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
 * took, and the clock does not step back. A process restarted within the second of
 * its predecessor's last order, or on a journal whose orders ran ahead, is covered
 * by `observe`: the gateway feeds it every gateway-range order id the core's
 * (replayed) events name, and the allocator continues above the highest. The range [2^52, 2^53) is the gateway's
 * alone (the simulated market and the liquidation ladder use ids far below it) and
 * lasts 2^36 s ≈ 2,177 years; the allocator throws rather than leave it.
 *
 * Several gateway processes at once (cluster mode) each take one lane of `lanes`:
 * a process issues only ids ≡ lane (mod lanes), so two processes never issue the
 * same id in the same second (each then has 65,536 / lanes ids per second before
 * it borrows ahead). lanes = 1 (the default) is the scheme above unchanged.
 */
const BASE = 2 ** 52;
const PER_SECOND = 2 ** 16;
const EPOCH_MS = Date.UTC(2026, 0, 1);

/** Most gateway processes that can share the id range (lanes divide 2^16, so each second's range starts at lane 0). */
export const MAX_ID_LANES = 64;

export class OrderIdAllocator {
  private last = 0;

  constructor(
    private readonly wallClockMs: () => number = Date.now,
    private readonly lane: { index: number; lanes: number } = { index: 0, lanes: 1 },
  ) {
    const { index, lanes } = lane;
    if (!Number.isInteger(lanes) || lanes < 1 || lanes > MAX_ID_LANES || PER_SECOND % lanes !== 0 || !Number.isInteger(index) || index < 0 || index >= lanes) {
      throw new RangeError(`order id lane ${index} of ${lanes}: lanes must be a power of two in 1..${MAX_ID_LANES} and the lane below it`);
    }
  }

  next(): number {
    const seconds = Math.max(0, Math.floor((this.wallClockMs() - EPOCH_MS) / 1000));
    const floor = Math.max(this.last + 1, BASE + seconds * PER_SECOND);
    // BASE and every second's start are multiples of `lanes`: round up into this process's lane
    const { index, lanes } = this.lane;
    const id = floor + ((index - (floor % lanes) + lanes) % lanes);
    if (id > Number.MAX_SAFE_INTEGER) throw new RangeError('order id range exhausted (2^53)');
    this.last = id;
    return id;
  }

  /** An order id the core already knows (e.g. replayed from a journal): later ids go above it. */
  observe(orderId: number): void {
    if (isGatewayOrderId(orderId) && orderId > this.last) this.last = orderId;
  }
}

/** True for ids this allocator's scheme can produce (the gateway's range). */
export function isGatewayOrderId(orderId: number): boolean {
  return Number.isSafeInteger(orderId) && orderId >= BASE;
}
