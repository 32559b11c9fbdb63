/**
 * The ranked side's heap and walk against a plain sort by `compareAdlCandidates`
 * (score descending, ties by account id), over random pushes, rescoring, removals,
 * tidying and bulk builds, with scores chosen to defeat a float comparison: equal
 * rationals in different terms, rationals a few units apart in 10^30, +∞, zero and
 * negative scores.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type AdlScore, compareAdlCandidates } from '@perpcore/margin';
import { AdlRankedSide } from './adl-ranked-side.js';

const BIG = 10n ** 30n;

const score: fc.Arbitrary<AdlScore> = fc.oneof(
  fc.constant({ num: 1n, den: 0n }),
  fc.constant({ num: 0n, den: 1n }),
  // the same few values in different terms: exact ties broken by account id
  fc.record({ k: fc.integer({ min: -3, max: 3 }), scale: fc.bigInt({ min: 1n, max: BIG }) }).map(({ k, scale }) => ({ num: BigInt(k) * scale, den: 2n * scale })),
  // a few units apart at 10^30: floats see one value
  fc.record({ base: fc.integer({ min: -2, max: 2 }), eps: fc.integer({ min: -3, max: 3 }) }).map(({ base, eps }) => ({ num: BigInt(base) * BIG + BigInt(eps), den: BIG })),
  fc.record({ num: fc.bigInt({ min: -BIG, max: BIG }), den: fc.bigInt({ min: 1n, max: BIG }) }),
);

type Op = { kind: 'push'; row: number; score: AdlScore } | { kind: 'remove'; row: number } | { kind: 'tidy' } | { kind: 'clear' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 80, arbitrary: fc.record({ kind: fc.constant('push' as const), row: fc.integer({ min: 0, max: 120 }), score }) },
  { weight: 20, arbitrary: fc.record({ kind: fc.constant('remove' as const), row: fc.integer({ min: 0, max: 120 }) }) },
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('tidy' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
);

/** Account id of a row: distinct per row, not in row order. */
const idOf = (row: number) => 10_000 + ((row * 37) % 131);

function walk(side: AdlRankedSide): { accountId: number; score: AdlScore }[] {
  const out: { accountId: number; score: AdlScore }[] = [];
  side.beginWalk();
  for (let r = side.nextRow(); r >= 0; r = side.nextRow()) out.push({ accountId: idOf(r), score: side.walkedScore() });
  return out;
}

function expected(model: Map<number, AdlScore>): { accountId: number; score: AdlScore }[] {
  return [...model].map(([row, s]) => ({ accountId: idOf(row), score: { num: s.num, den: s.den } })).sort(compareAdlCandidates);
}

describe('AdlRankedSide', () => {
  it('walks its live entries in exactly the order a full sort gives, through pushes, rescoring, removals and compaction', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const side = new AdlRankedSide();
        const model = new Map<number, AdlScore>();
        for (const o of ops) {
          if (o.kind === 'push') {
            side.invalidate(o.row);
            side.push(o.row, idOf(o.row), o.score);
            model.set(o.row, o.score);
          } else if (o.kind === 'remove') {
            side.invalidate(o.row);
            model.delete(o.row);
          } else if (o.kind === 'tidy') {
            side.tidy();
          } else if (o.kind === 'clear') {
            side.clear();
            model.clear();
          }
          assert.equal(side.liveCount, model.size);
        }
        assert.deepEqual(walk(side), expected(model));
      }),
      { seed: 153, numRuns: 300 },
    );
  });

  it('a bulk build (append, heapify) ranks like pushes one by one', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 5_000 }), { maxLength: 300 }), fc.array(score, { minLength: 300, maxLength: 300 }), (rows, scores) => {
        const side = new AdlRankedSide();
        rows.forEach((r, i) => side.append(r, idOf(r), scores[i]));
        side.heapify();
        assert.deepEqual(walk(side), expected(new Map(rows.map((r, i) => [r, scores[i]]))));
      }),
      { seed: 154, numRuns: 100 },
    );
  });

  it('reading the first k entries leaves the heap as it was, and tidying drops stale entries without losing live ones', () => {
    const side = new AdlRankedSide();
    for (let r = 0; r < 1_000; r++) side.push(r, idOf(r), { num: BigInt(r % 97), den: 1n });
    side.beginWalk();
    const first = [side.nextRow(), side.nextRow(), side.nextRow()];
    assert.deepEqual(first.map((r) => r % 97), [96, 96, 96]);
    for (let r = 0; r < 900; r++) side.invalidate(r);
    side.tidy();
    assert.equal(side.liveCount, 100);
    assert.ok(side.size <= 200, `compaction left ${side.size} entries for 100 live ones`);
    assert.deepEqual(walk(side).map((e) => e.accountId), expected(new Map(Array.from({ length: 100 }, (_, i) => [900 + i, { num: BigInt((900 + i) % 97), den: 1n }]))).map((e) => e.accountId));
  });
});
