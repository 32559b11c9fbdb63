/**
 * Price levels of the fast book as a struct of typed arrays, indexed by level id.
 * A level is one price on one side: the head and tail of its FIFO of order slots and
 * the total resting quantity (kept equal to the sum of its orders' remaining lots).
 * Ids are recycled through a free list (linked by `head`).
 */
import { NO_SLOT } from './order-pool.js';

export class LevelStore {
  head: Int32Array;
  tail: Int32Array;
  qty: Float64Array;
  price: Float64Array;
  side: Int8Array;
  private freeHead = NO_SLOT;
  private used = 0;

  constructor(initialCapacity: number) {
    const n = Math.max(2, initialCapacity);
    this.head = new Int32Array(n);
    this.tail = new Int32Array(n);
    this.qty = new Float64Array(n);
    this.price = new Float64Array(n);
    this.side = new Int8Array(n);
  }

  alloc(side: number, priceTicks: number): number {
    let id = this.freeHead;
    if (id !== NO_SLOT) {
      this.freeHead = this.head[id];
    } else {
      id = this.used;
      if (id === this.head.length) this.grow();
    }
    this.used++;
    this.head[id] = NO_SLOT;
    this.tail[id] = NO_SLOT;
    this.qty[id] = 0;
    this.price[id] = priceTicks;
    this.side[id] = side;
    return id;
  }

  release(id: number): void {
    this.used--;
    this.head[id] = this.freeHead;
    this.side[id] = 0;
    this.freeHead = id;
  }

  private grow(): void {
    const n = this.head.length * 2;
    const head = new Int32Array(n);
    head.set(this.head);
    const tail = new Int32Array(n);
    tail.set(this.tail);
    const qty = new Float64Array(n);
    qty.set(this.qty);
    const price = new Float64Array(n);
    price.set(this.price);
    const side = new Int8Array(n);
    side.set(this.side);
    this.head = head;
    this.tail = tail;
    this.qty = qty;
    this.price = price;
    this.side = side;
  }
}
