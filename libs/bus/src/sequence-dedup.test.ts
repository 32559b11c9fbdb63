import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SeqVerdict, SequenceDedup } from './sequence-dedup.js';

test('a redelivered prefix is dropped, the new tail applied', () => {
  const dedup = new SequenceDedup();
  const applied: number[] = [];
  for (const seq of [1, 2, 3, 2, 3, 4]) dedup.applyOnce('BTC-USDT', seq, () => applied.push(seq));
  assert.deepEqual(applied, [1, 2, 3, 4]);
  assert.equal(dedup.lastApplied('BTC-USDT'), 4);
  assert.equal(dedup.lastApplied('ETH-USDT'), 0);
});

test('streams are independent', () => {
  const dedup = new SequenceDedup();
  assert.equal(dedup.applyOnce('a', 5, () => undefined), SeqVerdict.Apply);
  assert.equal(dedup.applyOnce('b', 1, () => undefined), SeqVerdict.Apply);
  assert.equal(dedup.applyOnce('a', 5, () => undefined), SeqVerdict.Duplicate);
});

test('contiguous streams report a gap and apply nothing', () => {
  const dedup = new SequenceDedup({ contiguous: true });
  let ran = 0;
  dedup.applyOnce('m', 1, () => ran++);
  assert.equal(dedup.applyOnce('m', 3, () => ran++), SeqVerdict.Gap);
  assert.equal(ran, 1);
  assert.equal(dedup.lastApplied('m'), 1);
});

test('a throwing apply records nothing, so the event is applied on redelivery', () => {
  const dedup = new SequenceDedup();
  assert.throws(() => dedup.applyOnce('m', 1, () => { throw new Error('boom'); }));
  assert.equal(dedup.check('m', 1), SeqVerdict.Apply);
});

test('bad sequence numbers are rejected', () => {
  const dedup = new SequenceDedup();
  for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 53]) assert.throws(() => dedup.check('m', bad), RangeError);
  dedup.markApplied('m', 4);
  assert.throws(() => dedup.markApplied('m', 4), RangeError);
});

test('property: any at-least-once redelivery of a stream applies each sequence once, in order; snapshot/restore mid-way agrees', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 60 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }), fc.nat(), (length, replays, cutSeed) => {
      // Delivery = the stream in order, with some earlier windows replayed (what redelivery after a crash looks like).
      const delivery: number[] = [];
      let next = 1;
      for (const [a, b] of replays) {
        const upTo = Math.min(length, next + (a % 10));
        for (; next <= upTo; next++) delivery.push(next);
        const back = Math.max(1, next - 1 - (b % 8));
        for (let s = back; s < next; s++) delivery.push(s);
      }
      for (; next <= length; next++) delivery.push(next);
      const cut = cutSeed % (delivery.length + 1);
      let dedup = new SequenceDedup({ contiguous: true });
      const applied: number[] = [];
      delivery.forEach((seq, i) => {
        if (i === cut) dedup = SequenceDedup.restore(dedup.snapshot(), { contiguous: true });
        assert.notEqual(dedup.applyOnce('s', seq, () => applied.push(seq)), SeqVerdict.Gap);
      });
      assert.deepEqual(applied, Array.from({ length }, (_, i) => i + 1));
    }),
  );
});

test('a redelivered frame: its applied prefix is counted, the rest is new', () => {
  const dedup = new SequenceDedup();
  assert.equal(dedup.appliedPrefix('p|0', 1, 5), 0, 'nothing applied yet');
  dedup.markApplied('p|0', 3);
  assert.equal(dedup.appliedPrefix('p|0', 1, 5), 3, '1..3 applied, 4..5 new');
  assert.equal(dedup.appliedPrefix('p|0', 2, 1), 1, 'wholly inside the applied prefix');
  assert.equal(dedup.appliedPrefix('p|0', 4, 2), 0, 'starts right after');
  assert.equal(dedup.appliedPrefix('p|0', 9, 2), 0, 'after a hole: new (not a gap at this level)');
  assert.throws(() => dedup.appliedPrefix('p|0', 0, 1), RangeError);
});

test('property: appliedPrefix + markApplied of each new one applies every sequence exactly once', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 8 })), { maxLength: 30 }), (frames) => {
      const dedup = new SequenceDedup();
      const applied: number[] = [];
      for (const [first, count] of frames) {
        for (let i = dedup.appliedPrefix('s', first, count); i < count; i++) {
          if (dedup.check('s', first + i) !== SeqVerdict.Apply) continue;
          dedup.markApplied('s', first + i);
          applied.push(first + i);
        }
      }
      assert.deepEqual(applied, [...new Set(applied)].sort((a, b) => a - b), 'strictly increasing, no repeats');
    }),
  );
});
