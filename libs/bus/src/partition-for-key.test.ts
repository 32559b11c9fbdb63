/**
 * Our partitioner must agree with Kafka's default (Java client and kafkajs's
 * DefaultPartitioner): a key has to land on the same partition whoever produces it.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import fc from 'fast-check';
import { Partitioners } from 'kafkajs';
import { murmur2, partitionForKey } from './partition-for-key.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: string | Buffer) => number;

test('murmur2 equals kafkajs for ASCII and non-ASCII keys of every length', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 })), (key) => {
      assert.equal(murmur2(key), kafkajsMurmur2(key) | 0, JSON.stringify(key));
    }),
    { numRuns: 2_000 },
  );
});

test('partitionForKey picks the partition kafkajs\'s DefaultPartitioner picks', () => {
  const choose = Partitioners.DefaultPartitioner();
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 24 }), fc.integer({ min: 1, max: 32 }), (key, n) => {
      const partitionMetadata = Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
      const expected = choose({ topic: 't', partitionMetadata, message: { key, value: null } });
      assert.equal(partitionForKey(key, n), expected, `${JSON.stringify(key)} over ${n}`);
    }),
    { numRuns: 1_000 },
  );
});

test('a one-partition topic always maps to 0; partitions are in range', () => {
  fc.assert(
    fc.property(fc.string(), fc.integer({ min: 1, max: 64 }), (key, n) => {
      const p = partitionForKey(key, n);
      assert.ok(p >= 0 && p < n);
      if (n === 1) assert.equal(p, 0);
    }),
  );
});
