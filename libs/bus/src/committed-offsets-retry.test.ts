/**
 * The recovery check's committed-offsets read on a broker that has just started:
 * kafkajs answers "the coordinator is loading" / "not the correct coordinator"
 * (retriable) for a while; the read asks again instead of failing the stage's start.
 * A non-retriable error, or one past the retry window, still propagates.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fetchCommittedOffsets } from './kafka-offsets.js';

function admin(failures: number, retriable = true) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    fetchOffsets: async () => {
      calls++;
      if (calls <= failures) throw Object.assign(new Error('This is not the correct coordinator for this group'), { retriable });
      return [{ topic: 't', partitions: [{ partition: 0, offset: '5', metadata: null }, { partition: 1, offset: '-1', metadata: null }] }];
    },
  };
}

describe('fetchCommittedOffsets', () => {
  it('asks again while the coordinator is not ready', async () => {
    const a = admin(2);
    assert.deepEqual(await fetchCommittedOffsets(a as never, 'g.t', 't'), { 0: 5 });
    assert.equal(a.calls, 3);
  });
  it('propagates a non-retriable error at once', async () => {
    const a = admin(1, false);
    await assert.rejects(fetchCommittedOffsets(a as never, 'g.t', 't'), /not the correct coordinator/);
    assert.equal(a.calls, 1);
  });
  it('gives up after its retry window', async () => {
    const a = admin(1_000);
    await assert.rejects(fetchCommittedOffsets(a as never, 'g.t', 't', 250), /not the correct coordinator/);
  });
});
