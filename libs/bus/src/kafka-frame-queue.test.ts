import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtoErrorCode, decodeEnvelopeFrame, encodeEnvelopeFrame } from '@perpcore/proto';
import { FrameQueue } from './kafka-frame-queue.js';

const env = (text: string) => Buffer.from(text);
const unframe = (value: Buffer) => {
  const decoded = decodeEnvelopeFrame(value);
  assert.ok(decoded.ok);
  return { firstSeq: decoded.value.firstSeq, envelopes: decoded.value.envelopes.map((e) => Buffer.from(e).toString()) };
};

test('one send takes one record per partition, envelopes in publish order, sequences per partition', () => {
  const q = new FrameQueue('producer-a', 1 << 20);
  for (const [p, text] of [[0, 'a1'], [1, 'b1'], [0, 'a2'], [0, 'a3'], [1, 'b2']] as const) q.add('t', 2, p, `k${p}`, env(text));
  assert.equal(q.envelopes, 5);
  const batch = q.take(1 << 20);
  assert.equal(q.envelopes, 0);
  const records = batch.get('t') ?? [];
  assert.equal(records.length, 2, 'two partitions → two records');
  assert.deepEqual(records.map((r) => [r.partition, r.envelopes, r.framed]), [[0, 3, true], [1, 2, true]]);
  assert.deepEqual(unframe(records[0].value), { firstSeq: 1, envelopes: ['a1', 'a2', 'a3'] });
  assert.deepEqual(unframe(records[1].value), { firstSeq: 1, envelopes: ['b1', 'b2'] });
  q.add('t', 2, 0, 'k0', env('a4'));
  assert.deepEqual(unframe((q.take(1 << 20).get('t') ?? [])[0].value), { firstSeq: 4, envelopes: ['a4'] }, 'the next frame goes on from 4');
});

test('a frame closes at its byte limit; a raw record keeps its place after what was framed before it', () => {
  const q = new FrameQueue('producer-b', 10);
  q.add('t', 1, 0, 'k', env('123456'));
  q.add('t', 1, 0, 'k', env('789012')); // would make 12 bytes: a new frame
  q.addRaw('t', 1, 0, 'k', env('raw'));
  q.add('t', 1, 0, 'k', env('after'));
  const records = q.take(1 << 20).get('t') ?? [];
  assert.deepEqual(
    records.map((r) => (r.framed ? unframe(r.value) : r.value.toString())),
    [{ firstSeq: 1, envelopes: ['123456'] }, { firstSeq: 2, envelopes: ['789012'] }, 'raw', { firstSeq: 3, envelopes: ['after'] }],
  );
});

test('take stops at the byte budget and leaves the rest, in order, for the next send', () => {
  const q = new FrameQueue('producer-c', 8);
  for (let i = 0; i < 6; i++) q.add('t', 1, 0, 'k', env(`envelope${i}`)); // each over the frame limit: one frame each
  const first = q.take(1).get('t') ?? [];
  assert.equal(first.length, 1, 'at least one record, even over the budget');
  assert.equal(q.envelopes, 5);
  const rest = q.take(1 << 20).get('t') ?? [];
  assert.deepEqual(rest.map((r) => unframe(r.value).firstSeq), [2, 3, 4, 5, 6]);
});

test('frame codec: round trip, and bad frames are typed errors, never throws', () => {
  const bytes = encodeEnvelopeFrame({ producer: 'p', firstSeq: 7, envelopes: [Buffer.from([1, 2]), Buffer.from([])] });
  const back = decodeEnvelopeFrame(bytes);
  assert.ok(back.ok);
  assert.equal(back.value.firstSeq, 7);
  assert.deepEqual(back.value.envelopes.map((e) => [...e]), [[1, 2], []]);
  const truncated = decodeEnvelopeFrame(bytes.subarray(0, bytes.length - 3));
  assert.equal(truncated.ok ? 'ok' : truncated.error.code, ProtoErrorCode.Malformed);
  assert.equal((decodeEnvelopeFrame(Buffer.alloc(0)) as { ok: false; error: { code: string } }).error.code, ProtoErrorCode.Malformed, 'no schema_major');
  assert.throws(() => encodeEnvelopeFrame({ producer: '', firstSeq: 1, envelopes: [] }), /producer missing/);
  assert.throws(() => encodeEnvelopeFrame({ producer: 'p', firstSeq: 0, envelopes: [] }), /first_seq/);
});
