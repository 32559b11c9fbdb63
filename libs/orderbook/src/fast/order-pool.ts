/**
 * The fast book's orders as a struct of typed arrays, indexed by slot. Slots are
 * recycled through a free list, so the steady state allocates nothing.
 *
 * Invariants
 * - A live slot belongs to exactly one of: a price level's FIFO (`level[s] ≥ 0`,
 *   linked by `next`/`prev`), the untriggered list (`level[s] = PENDING`, same
 *   links), or neither while it is the taker of the command in progress.
 * - Independently, every resting or untriggered slot sits in its account's list
 *   (`acctNext`/`acctPrev`, record `acctRec`), in acceptance order.
 * - A free slot's `next` links the free list; −1 ends every list.
 * - Prices, quantities and ids are safe integers held in Float64Array (exact).
 *
 * Growth doubles every array (a copy): give `initialCapacity` for the expected
 * number of live orders to keep it off the hot path.
 */
export const NO_SLOT = -1;
/** `level[s]` of an untriggered order. */
export const PENDING = -2;
/** `level[s]` of the taker while it matches. */
export const IN_FLIGHT = -3;

export const FLAG_REDUCE_ONLY = 1;

export class OrderPool {
  capacity: number;
  orderId: Float64Array;
  account: Float64Array;
  remaining: Float64Array;
  price: Float64Array;
  trigger: Float64Array;
  side: Int8Array;
  type: Uint8Array;
  tif: Uint8Array;
  stp: Uint8Array;
  triggerSource: Uint8Array;
  flags: Uint8Array;
  next: Int32Array;
  prev: Int32Array;
  level: Int32Array;
  acctNext: Int32Array;
  acctPrev: Int32Array;
  acctRec: Int32Array;
  private freeHead = NO_SLOT;
  private used = 0;

  constructor(initialCapacity: number) {
    this.capacity = Math.max(2, initialCapacity);
    const n = this.capacity;
    this.orderId = new Float64Array(n);
    this.account = new Float64Array(n);
    this.remaining = new Float64Array(n);
    this.price = new Float64Array(n);
    this.trigger = new Float64Array(n);
    this.side = new Int8Array(n);
    this.type = new Uint8Array(n);
    this.tif = new Uint8Array(n);
    this.stp = new Uint8Array(n);
    this.triggerSource = new Uint8Array(n);
    this.flags = new Uint8Array(n);
    this.next = new Int32Array(n);
    this.prev = new Int32Array(n);
    this.level = new Int32Array(n);
    this.acctNext = new Int32Array(n);
    this.acctPrev = new Int32Array(n);
    this.acctRec = new Int32Array(n);
  }

  /** Number of slots handed out and not yet released. */
  get liveCount(): number {
    return this.used;
  }

  alloc(): number {
    let slot = this.freeHead;
    if (slot !== NO_SLOT) {
      this.freeHead = this.next[slot];
    } else {
      slot = this.used;
      if (slot === this.capacity) this.grow();
    }
    this.used++;
    this.next[slot] = NO_SLOT;
    this.prev[slot] = NO_SLOT;
    this.level[slot] = IN_FLIGHT;
    this.acctNext[slot] = NO_SLOT;
    this.acctPrev[slot] = NO_SLOT;
    this.acctRec[slot] = NO_SLOT;
    return slot;
  }

  release(slot: number): void {
    this.used--;
    this.next[slot] = this.freeHead;
    this.freeHead = slot;
  }

  private grow(): void {
    const n = this.capacity * 2;
    this.orderId = growF64(this.orderId, n);
    this.account = growF64(this.account, n);
    this.remaining = growF64(this.remaining, n);
    this.price = growF64(this.price, n);
    this.trigger = growF64(this.trigger, n);
    this.side = growI8(this.side, n);
    this.type = growU8(this.type, n);
    this.tif = growU8(this.tif, n);
    this.stp = growU8(this.stp, n);
    this.triggerSource = growU8(this.triggerSource, n);
    this.flags = growU8(this.flags, n);
    this.next = growI32(this.next, n);
    this.prev = growI32(this.prev, n);
    this.level = growI32(this.level, n);
    this.acctNext = growI32(this.acctNext, n);
    this.acctPrev = growI32(this.acctPrev, n);
    this.acctRec = growI32(this.acctRec, n);
    this.capacity = n;
  }
}

function growF64(a: Float64Array, n: number): Float64Array {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}
function growI32(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}
function growI8(a: Int8Array, n: number): Int8Array {
  const b = new Int8Array(n);
  b.set(a);
  return b;
}
function growU8(a: Uint8Array, n: number): Uint8Array {
  const b = new Uint8Array(n);
  b.set(a);
  return b;
}
