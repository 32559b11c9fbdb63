/**
 * A diff-depth client as ccxt.pro syncs a Binance futures book (BINANCE-COMPAT §4),
 * strict: deltas before the REST snapshot are buffered, and any delta that does not
 * continue the chain (U ≤ nonce ≤ u, or pu = nonce) fails the test.
 */
import assert from 'node:assert/strict';
import { Side } from '@perpcore/domain';

export interface DepthEvent {
  e: string;
  U: number;
  u: number;
  pu: number;
  b: [string, string][];
  a: [string, string][];
}

/** ccxt.pro's futures order-book sync (BINANCE-COMPAT §4), strict: any other delta is a ChecksumError. */
export class SyncedBook {
  nonce = -1;
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();
  private buffer: DepthEvent[] = [];

  delta(d: DepthEvent): void {
    if (this.nonce < 0) {
      this.buffer.push(d);
      return;
    }
    assert.ok(d.u >= this.nonce && (d.U <= this.nonce || d.pu === this.nonce), `ChecksumError: U ${d.U} u ${d.u} pu ${d.pu} nonce ${this.nonce}`);
    this.apply(d);
  }

  snapshot(s: { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] }): void {
    for (const [p, q] of s.bids) this.bids.set(p, q);
    for (const [p, q] of s.asks) this.asks.set(p, q);
    this.nonce = s.lastUpdateId;
    for (const d of this.buffer) {
      if (d.u < this.nonce) continue;
      if ((d.U <= this.nonce && this.nonce <= d.u) || d.pu === this.nonce) this.apply(d);
      else assert.fail(`buffered delta U ${d.U} u ${d.u} pu ${d.pu} does not follow snapshot ${this.nonce}`);
    }
    this.buffer = [];
  }

  private apply(d: DepthEvent): void {
    for (const [p, q] of d.b) q === '0' ? this.bids.delete(p) : this.bids.set(p, q);
    for (const [p, q] of d.a) q === '0' ? this.asks.delete(p) : this.asks.set(p, q);
    this.nonce = d.u;
  }

  levels(side: Side): [string, string][] {
    const map = side === Side.Buy ? this.bids : this.asks;
    return [...map.entries()].sort((x, y) => (side === Side.Buy ? Number(y[0]) - Number(x[0]) : Number(x[0]) - Number(y[0])));
  }
}
