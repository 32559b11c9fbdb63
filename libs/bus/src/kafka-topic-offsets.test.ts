/**
 * Topic watermark reads on one admin: one at a time (kafkajs's fetchTopicOffsets
 * races itself when called concurrently), and its transient TypeError or a retriable
 * broker error asked again after a metadata refresh; anything else propagates at once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TopicOffsetsReader } from './kafka-topic-offsets.js';

function fakeAdmin(failuresByTopic: Record<string, Error[]>) {
  const state = { inFlight: 0, maxInFlight: 0, calls: 0, metadataRefreshes: 0 };
  const admin = {
    fetchTopicOffsets: async (topic: string) => {
      state.calls++;
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 5));
        const failure = failuresByTopic[topic]?.shift();
        if (failure !== undefined) throw failure;
        return [
          { partition: 0, offset: '7', high: '7', low: '2' },
          { partition: 1, offset: '0', high: '0', low: '0' },
        ];
      } finally {
        state.inFlight--;
      }
    },
    fetchTopicMetadata: async () => {
      state.metadataRefreshes++;
      return { topics: [] };
    },
  };
  return { admin, state };
}

const kafkajsRace = () => new TypeError("Cannot destructure property 'partitions' of 'high.pop(...)' as it is undefined.");

describe('TopicOffsetsReader', () => {
  it('reads one topic at a time however many callers ask at once', async () => {
    const { admin, state } = fakeAdmin({});
    const reader = new TopicOffsetsReader(admin as never, undefined, 1);
    const all = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((t) => reader.watermarks(t)));
    assert.equal(state.calls, 7);
    assert.equal(state.maxInFlight, 1, 'never two reads in flight on one admin');
    for (const w of all) assert.deepEqual(w, [
      { partition: 0, lowOffset: 2n, highOffset: 7n },
      { partition: 1, lowOffset: 0n, highOffset: 0n },
    ]);
  });

  it('asks again after the kafkajs race TypeError and a retriable error, refreshing the metadata, and logs each retry', async () => {
    const { admin, state } = fakeAdmin({ t: [kafkajsRace(), Object.assign(new Error('leader not available'), { retriable: true })] });
    const warnings: object[] = [];
    const reader = new TopicOffsetsReader(admin as never, { warn: (fields) => warnings.push(fields) }, 1);
    const w = await reader.watermarks('t');
    assert.equal(w[0].highOffset, 7n);
    assert.equal(state.calls, 3);
    assert.equal(state.metadataRefreshes, 2);
    assert.deepEqual(warnings.map((f) => (f as { attempt: number }).attempt), [1, 2]);
  });

  it('propagates a non-transient error at once, and a failed read does not block the next', async () => {
    const { admin, state } = fakeAdmin({ bad: [new Error('authorization failed')] });
    const reader = new TopicOffsetsReader(admin as never, undefined, 1);
    const [bad, good] = await Promise.allSettled([reader.watermarks('bad'), reader.watermarks('good')]);
    assert.equal(bad.status, 'rejected');
    assert.match(String((bad as PromiseRejectedResult).reason), /authorization failed/);
    assert.equal(good.status, 'fulfilled');
    assert.equal(state.calls, 2);
  });

  it('gives up after its attempts on a race that never clears', async () => {
    const { admin, state } = fakeAdmin({ t: Array.from({ length: 20 }, kafkajsRace) });
    const reader = new TopicOffsetsReader(admin as never, undefined, 1);
    await assert.rejects(reader.watermarks('t'), TypeError);
    assert.equal(state.calls, 8);
  });
});
