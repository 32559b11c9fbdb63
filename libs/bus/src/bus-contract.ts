/**
 * The contract every `Bus` adapter passes (test support, not exported from the
 * package entry): `describeBusContract(name, createBus)` registers node:test
 * cases that run against a fresh bus each.
 *
 * Covered: per-key ordering and routing, independent consumer groups, one group id
 * on two topics (groups are per topic), partitions split between the members of one
 * group, offsets resuming after re-subscribe, offsets committed only after the
 * handler's promise resolved (a failed handler's message is delivered again, later
 * messages of its partition wait), and dead
 * letters for malformed bytes, an unknown schema version and a message the handler
 * refuses.
 *
 * Every test uses its own topic names and group ids, so the suite can share one
 * broker. Messages are real envelopes (MatchingEventV1 with a book-delta payload)
 * through the real codec.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { type MatchingEventV1, ProtoErrorCode, matchingEventCodec } from '@perpcore/proto';
import { type Bus, type BusMessage, type DeadLetter, RejectedMessageError, type Topic } from './bus.js';
import { partitionForKey } from './partition-for-key.js';
import { defineTopic } from './topic.js';

export interface BusUnderTest {
  bus: Bus;
  /** Writes bytes to a topic as a foreign producer would (no encoding, no checks). */
  publishRaw(topic: Topic<MatchingEventV1>, key: string, bytes: Uint8Array): Promise<void>;
  /** The dead letters of a topic so far. */
  deadLetters(topic: Topic<MatchingEventV1>): Promise<readonly DeadLetter[]>;
  close(): Promise<void>;
}

export interface BusContractOptions {
  /** How long to wait for asynchronous delivery (Kafka needs seconds for group joins). */
  timeoutMs?: number;
  /** Skip the whole suite with this reason (e.g. no broker). */
  skip?: string | false;
}

const run = randomBytes(3).toString('hex');
let topicCounter = 0;

export function testTopic(label: string, partitions = 3): Topic<MatchingEventV1> {
  topicCounter += 1;
  return defineTopic(`contract.${label}-${run}-${topicCounter}.v1`, partitions, matchingEventCodec, (e) => e.market);
}

/** A book-delta event: the smallest real envelope; `seq` and `market` are what the tests track. */
export function bookDelta(market: string, seq: number): MatchingEventV1 {
  return {
    schemaMajor: 1, market, seq, tsNs: 1_700_000_000_000_000_000 + seq, inputSource: 'contract', inputSeq: seq,
    event: 'bookDelta', bookDelta: { side: 1, priceTicks: 100 + seq, levelQtyLots: seq },
  };
}

export async function waitFor(what: string, predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Seen {
  market: string;
  seq: number;
  key: string;
  partition: number;
  offset: number;
}

function record(into: Seen[]) {
  return (m: BusMessage<MatchingEventV1>) => {
    into.push({ market: m.value.market, seq: m.value.seq, key: m.key, partition: m.partition, offset: m.offset });
  };
}

const MARKETS = ['BTC-USDT', 'ETH-USDT', 'SOL-USDT', 'XRP-USDT', 'DOGE-USDT'];

export function describeBusContract(name: string, create: () => Promise<BusUnderTest>, options: BusContractOptions = {}): void {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const skip = options.skip ?? false;

  async function withBus(body: (b: BusUnderTest) => Promise<void>): Promise<void> {
    const b = await create();
    try {
      await body(b);
    } finally {
      await b.close();
    }
  }

  describe(`Bus contract: ${name}`, { skip }, () => {
    test('same key: same partition, publish order; key and partition reported', () =>
      withBus(async ({ bus }) => {
        const topic = testTopic('order');
        const seen: Seen[] = [];
        await bus.subscribe(topic, { groupId: `g-order-${run}`, fromBeginning: true }, record(seen));
        const perMarket = 40;
        for (let seq = 1; seq <= perMarket; seq++) for (const market of MARKETS) bus.publish(topic, bookDelta(market, seq));
        await bus.flush();
        await waitFor('all messages', () => seen.length >= perMarket * MARKETS.length, timeoutMs);
        assert.equal(seen.length, perMarket * MARKETS.length);
        for (const market of MARKETS) {
          const mine = seen.filter((s) => s.market === market);
          assert.deepEqual(mine.map((s) => s.seq), Array.from({ length: perMarket }, (_, i) => i + 1), market);
          assert.ok(mine.every((s) => s.key === market && s.partition === partitionForKey(market, topic.partitions)));
          // never backwards; equal when the Kafka bus framed several messages into one record
          for (let i = 1; i < mine.length; i++) assert.ok(mine[i].offset >= mine[i - 1].offset, 'offsets never decrease within a partition');
        }
      }));

    test('two groups each receive every message', () =>
      withBus(async ({ bus }) => {
        const topic = testTopic('groups');
        const a: Seen[] = [];
        const b: Seen[] = [];
        await bus.subscribe(topic, { groupId: `g-a-${run}`, fromBeginning: true }, record(a));
        await bus.subscribe(topic, { groupId: `g-b-${run}`, fromBeginning: true }, record(b));
        for (let seq = 1; seq <= 20; seq++) bus.publish(topic, bookDelta(MARKETS[seq % MARKETS.length], seq));
        await bus.flush();
        await waitFor('both groups', () => a.length >= 20 && b.length >= 20, timeoutMs);
        assert.deepEqual(a.map((s) => s.seq).sort((x, y) => x - y), b.map((s) => s.seq).sort((x, y) => x - y));
        assert.equal(a.length, 20);
      }));

    test('one group id on two topics: each topic is delivered whole (groups are per topic)', () =>
      withBus(async ({ bus }) => {
        // A service subscribes every input topic under its one group id (matching: commands and
        // marks). Kafka groups that span topics with separate consumers would split one topic's
        // partitions over members that never read them, so adapters must scope groups per topic.
        const first = testTopic('shared-group-a', 4);
        const second = testTopic('shared-group-b', 4);
        const a: Seen[] = [];
        const b: Seen[] = [];
        const groupId = `g-shared-${run}`;
        await bus.subscribe(first, { groupId, fromBeginning: true }, record(a));
        await bus.subscribe(second, { groupId, fromBeginning: true }, record(b));
        const total = 40;
        for (let seq = 1; seq <= total; seq++) {
          bus.publish(first, bookDelta(`M${seq % 10}-USDT`, seq));
          bus.publish(second, bookDelta(`M${seq % 10}-USDT`, seq));
        }
        await bus.flush();
        await waitFor('both topics', () => a.length >= total && b.length >= total, timeoutMs);
        const seqs = (seen: Seen[]) => seen.map((s) => s.seq).sort((x, y) => x - y);
        assert.deepEqual(seqs(a), Array.from({ length: total }, (_, i) => i + 1));
        assert.deepEqual(seqs(b), Array.from({ length: total }, (_, i) => i + 1));
      }));

    test('members of one group split the partitions; each message reaches one member', () =>
      withBus(async ({ bus }) => {
        const topic = testTopic('members', 4);
        const one: Seen[] = [];
        const two: Seen[] = [];
        const groupId = `g-members-${run}`;
        await bus.subscribe(topic, { groupId, fromBeginning: true }, record(one));
        await bus.subscribe(topic, { groupId, fromBeginning: true }, record(two));
        const total = 60;
        for (let seq = 1; seq <= total; seq++) bus.publish(topic, bookDelta(`M${seq % 12}-USDT`, seq));
        await bus.flush();
        await waitFor('the group', () => one.length + two.length >= total, timeoutMs);
        const all = [...one, ...two].map((s) => s.seq).sort((x, y) => x - y);
        assert.deepEqual(all, Array.from({ length: total }, (_, i) => i + 1), 'exactly once within the group');
        assert.ok(one.length > 0 && two.length > 0, 'both members receive messages');
        const partitionsOne = new Set(one.map((s) => s.partition));
        assert.ok(two.every((s) => !partitionsOne.has(s.partition)), 'members own disjoint partitions');
      }));

    test('a group resumes after its last committed offset when it subscribes again', () =>
      withBus(async ({ bus }) => {
        const topic = testTopic('resume');
        const groupId = `g-resume-${run}`;
        const first: Seen[] = [];
        const sub = await bus.subscribe(topic, { groupId, fromBeginning: true }, record(first));
        for (let seq = 1; seq <= 10; seq++) bus.publish(topic, bookDelta('BTC-USDT', seq));
        await bus.flush();
        await waitFor('first half', () => first.length >= 10, timeoutMs);
        await sub.close();
        for (let seq = 11; seq <= 20; seq++) bus.publish(topic, bookDelta('BTC-USDT', seq));
        await bus.flush();
        const second: Seen[] = [];
        await bus.subscribe(topic, { groupId, fromBeginning: true }, record(second));
        await waitFor('second half', () => second.length >= 10, timeoutMs);
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.deepEqual(first.map((s) => s.seq), Array.from({ length: 10 }, (_, i) => i + 1));
        assert.deepEqual(second.map((s) => s.seq), Array.from({ length: 10 }, (_, i) => i + 11));
      }));

    test('the next message of a partition waits for the handler; a failed one is delivered again', () =>
      withBus(async ({ bus }) => {
        const topic = testTopic('commit', 1);
        const events: string[] = [];
        let failOnce = true;
        await bus.subscribe(topic, { groupId: `g-commit-${run}`, fromBeginning: true }, async (m) => {
          const seq = m.value.seq;
          events.push(`start ${seq}`);
          await new Promise((resolve) => setTimeout(resolve, seq === 1 ? 50 : 1));
          if (seq === 3 && failOnce) {
            failOnce = false;
            events.push('fail 3');
            throw new Error('transient failure in the handler');
          }
          events.push(`end ${seq}`);
        });
        for (let seq = 1; seq <= 5; seq++) bus.publish(topic, bookDelta('BTC-USDT', seq));
        await bus.flush();
        await waitFor('all applied', () => events.includes('end 5'), timeoutMs * 2);
        assert.deepEqual(events, ['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'fail 3', 'start 3', 'end 3', 'start 4', 'end 4', 'start 5', 'end 5']);
      }));

    test('malformed bytes, an unknown schema version and a refused message go to the DLQ; the consumer carries on', () =>
      withBus(async (b) => {
        const topic = testTopic('dlq', 1);
        const applied: number[] = [];
        await b.bus.subscribe(topic, { groupId: `g-dlq-${run}`, fromBeginning: true }, (m) => {
          if (m.value.market === 'NOPE-USDT') throw new RejectedMessageError('TEST_UNKNOWN_MARKET', `unknown market ${m.value.market}`);
          applied.push(m.value.seq);
        });
        const valid = matchingEventCodec.encode(bookDelta('BTC-USDT', 2));
        const otherMajor = Uint8Array.from(valid);
        assert.equal(otherMajor[0], (1 << 3) | 0, 'schema_major is the first field');
        otherMajor[1] = 2;
        b.bus.publish(topic, bookDelta('BTC-USDT', 1));
        await b.publishRaw(topic, 'BTC-USDT', valid.subarray(0, valid.length - 2));
        await b.publishRaw(topic, 'BTC-USDT', otherMajor);
        b.bus.publish(topic, bookDelta('NOPE-USDT', 3));
        b.bus.publish(topic, bookDelta('BTC-USDT', 4));
        await b.bus.flush();
        await waitFor('the last valid message', () => applied.includes(4), timeoutMs);
        assert.deepEqual(applied, [1, 4]);
        let letters: readonly DeadLetter[] = [];
        const deadline = Date.now() + timeoutMs;
        while (letters.length < 3 && Date.now() < deadline) {
          letters = await b.deadLetters(topic);
          if (letters.length < 3) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.deepEqual(letters.map((l) => l.code), [ProtoErrorCode.Malformed, ProtoErrorCode.UnknownVersion, 'TEST_UNKNOWN_MARKET']);
        assert.deepEqual(letters.map((l) => l.offset), [1, 2, 3]);
        assert.deepEqual(letters.map((l) => l.key), ['BTC-USDT', 'BTC-USDT', 'NOPE-USDT']);
        assert.ok(letters.every((l) => l.topic === topic.name && l.partition === 0 && l.groupId === `g-dlq-${run}`));
        assert.deepEqual(Buffer.from(letters[1].bytes ?? []), Buffer.from(otherMajor), 'the original bytes are kept');
        const refused = matchingEventCodec.decode(letters[2].bytes ?? new Uint8Array());
        assert.ok(refused.ok && refused.value.market === 'NOPE-USDT');
      }));
  });
}
