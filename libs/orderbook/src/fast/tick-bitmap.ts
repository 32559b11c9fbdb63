/**
 * A hierarchical bitmap over ticks 0..size−1 (32-ary, like a radix tree): layer 0
 * has one bit per tick, each upper layer one bit per non-zero word below it. Finds
 * the next set tick at or above / at or below any tick in O(log32 size) word steps.
 *
 * Example: 1M ticks → layers of 31_250, 977, 31 and 1 words; finding the best ask
 * after the old best emptied costs at most ~8 word reads, whatever the gap.
 */
export class TickBitmap {
  private readonly layers: Int32Array[] = [];

  constructor(size: number) {
    let n = size;
    do {
      const words = Math.ceil(n / 32);
      this.layers.push(new Int32Array(words));
      n = words;
    } while (n > 1);
  }

  set(tick: number): void {
    const layers = this.layers;
    let i = tick;
    for (let k = 0; k < layers.length; k++) {
      const layer = layers[k];
      const w = i >>> 5;
      const was = layer[w];
      layer[w] = was | (1 << (i & 31));
      if (was !== 0) return;
      i = w;
    }
  }

  clear(tick: number): void {
    const layers = this.layers;
    let i = tick;
    for (let k = 0; k < layers.length; k++) {
      const layer = layers[k];
      const w = i >>> 5;
      const now = layer[w] & ~(1 << (i & 31));
      layer[w] = now;
      if (now !== 0) return;
      i = w;
    }
  }

  /** The smallest set tick ≥ `tick`, or −1. */
  nextAtOrAbove(tick: number): number {
    const layers = this.layers;
    let i = tick;
    let k = 0;
    for (; k < layers.length; k++) {
      const layer = layers[k];
      const w = i >>> 5;
      if (w >= layer.length) return -1;
      const masked = layer[w] & (-1 << (i & 31));
      if (masked !== 0) {
        i = (w << 5) + lowestBit(masked);
        break;
      }
      i = w + 1;
    }
    if (k === layers.length) return -1;
    while (k > 0) {
      k--;
      i = (i << 5) + lowestBit(layers[k][i]);
    }
    return i;
  }

  /** The largest set tick ≤ `tick`, or −1. */
  nextAtOrBelow(tick: number): number {
    const layers = this.layers;
    let i = tick;
    let k = 0;
    for (; k < layers.length; k++) {
      if (i < 0) return -1;
      const layer = layers[k];
      const w = i >>> 5;
      // bits 0..(i & 31); for bit 31, 2 << 31 wraps to 0 and 0 − 1 is all ones
      const masked = layer[w] & ((2 << (i & 31)) - 1);
      if (masked !== 0) {
        i = (w << 5) + highestBit(masked);
        break;
      }
      i = w - 1;
    }
    if (k === layers.length) return -1;
    while (k > 0) {
      k--;
      i = (i << 5) + highestBit(layers[k][i]);
    }
    return i;
  }
}

function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}

function highestBit(word: number): number {
  return 31 - Math.clz32(word);
}
