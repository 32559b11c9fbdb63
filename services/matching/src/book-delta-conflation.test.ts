import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MatchingEventV1 } from '@perpcore/proto';
import { BookDeltaConflator } from './book-delta-conflation.js';

const delta = (market: string, seq: number, side: number, priceTicks: number, levelQtyLots: number): MatchingEventV1 => ({
  schemaMajor: 1, market, seq, tsNs: seq, inputSource: 'risk-0', inputSeq: seq, event: 'bookDelta', bookDelta: { side, priceTicks, levelQtyLots },
} as MatchingEventV1);

test('each level goes out once per window with its last size, in the order of last change (seqs increase)', () => {
  const out: MatchingEventV1[] = [];
  const c = new BookDeltaConflator((e) => out.push(e));
  c.add(delta('BTC', 1, 1, 100, 5));
  c.add(delta('BTC', 2, 2, 101, 3));
  c.add(delta('BTC', 3, 1, 100, 0)); // the first level again: its last size wins, and it moves behind seq 2
  c.add(delta('ETH', 4, 1, 100, 7)); // same side and price, another market: its own level
  assert.equal(out.length, 0, 'nothing before the window ends');
  c.flush();
  assert.deepEqual(out.map((e) => [e.market, e.seq, e.bookDelta?.priceTicks, e.bookDelta?.levelQtyLots]), [['BTC', 2, 101, 3], ['BTC', 3, 100, 0], ['ETH', 4, 100, 7]]);
  c.flush();
  assert.equal(out.length, 3, 'a flush with nothing pending publishes nothing');
});

test('a burst past the pending bound is published early, whole', () => {
  const out: MatchingEventV1[] = [];
  const c = new BookDeltaConflator((e) => out.push(e), 3);
  for (let i = 1; i <= 7; i++) c.add(delta('BTC', i, 1, 100 + i, i));
  assert.equal(out.length, 6, 'two early flushes of 3 levels');
  assert.equal(c.pendingLevels, 1);
  c.flush();
  assert.deepEqual(out.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7]);
});
