/**
 * A Map whose values are class instances made as the state grows (one per account,
 * say), which a restore must be able to make too: the twin a snapshot is restored
 * into is fresh, so it holds none of them. `create(key)` builds a fresh one exactly
 * as the owner would (same constructor, same configuration); the restore
 * (state-graph.ts) calls it for each captured key the twin lacks, overlays the
 * captured fields onto it, and leaves the Map holding exactly the captured keys in
 * the captured order (its iteration order is the captured Map's, so a re-capture
 * gives the same bytes).
 *
 * Captured like any Map: its entries, each value walked as an instance. The
 * factory is wiring, never captured.
 */
export class InstanceMap<K, V extends object> extends Map<K, V> {
  constructor(private readonly make: (key: K) => V) {
    super();
  }

  /** A fresh instance for `key` (not inserted). */
  create(key: K): V {
    return this.make(key);
  }

  /** The value of `key`, created and inserted on first use. */
  getOrCreate(key: K): V {
    let v = this.get(key);
    if (v === undefined) {
      v = this.make(key);
      this.set(key, v);
    }
    return v;
  }
}
