/**
 * A Map with a size cap and idle eviction, for per-client limiter state: `get`
 * moves the entry to the back (Map order is insertion order, so the front is the
 * least recently used), and each `getOrCreate` looks at no more than two entries
 * at the front, evicting them when idle or when the map is full. O(1) per call;
 * memory never exceeds `maxEntries`, whatever a client sprays (random keys, IPs).
 */
export interface Idle {
  lastUsedMs: number;
}

export class BoundedMap<V extends Idle> {
  private readonly map = new Map<string, V>();
  evictions = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly idleMs: number,
    /** An entry that must outlive idleness (an active ban) answers false. */
    private readonly evictable: (value: V, nowMs: number) => boolean = () => true,
  ) {}

  get size(): number {
    return this.map.size;
  }

  peek(key: string): V | undefined {
    return this.map.get(key);
  }

  getOrCreate(key: string, nowMs: number, create: () => V): V {
    let value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
      return value;
    }
    this.evict(nowMs);
    value = create();
    value.lastUsedMs = nowMs;
    this.map.set(key, value);
    return value;
  }

  private evict(nowMs: number): void {
    for (let i = 0; i < 2; i++) {
      const first = this.map.entries().next();
      if (first.done === true) return;
      const [key, value] = first.value;
      const full = this.map.size >= this.maxEntries;
      if (!full && (nowMs - value.lastUsedMs < this.idleMs || !this.evictable(value, nowMs))) return;
      this.map.delete(key);
      this.evictions++;
    }
  }
}
