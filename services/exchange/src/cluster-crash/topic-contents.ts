/**
 * Everything on a set of topics up to given end offsets, read with a bare kafkajs
 * consumer independently of the stages, each record unframed into its envelopes:
 * what the crash test's checks and its in-process reference are built from. An
 * envelope is named by (topic, partition, record offset, index in the record), the
 * same identity the stages' input-order logs record.
 */
import { Topics, type Topic } from '@perpcore/bus';
import { decodeEnvelopeFrame } from '@perpcore/proto';
import { Kafka, logLevel } from 'kafkajs';

export interface Envelope {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly indexInRecord: number;
  readonly lastInRecord: boolean;
  readonly key: string;
  readonly bytes: Uint8Array;
  readonly value: unknown;
}

export const envelopeId = (topic: string, partition: number, offset: number, indexInRecord: number) => `${topic}|${partition}|${offset}|${indexInRecord}`;

/** Per topic, per partition: the end offset (next to be written). */
export type EndOffsets = Map<string, Map<number, number>>;

export async function endOffsets(brokers: readonly string[], topics: readonly string[]): Promise<EndOffsets> {
  const admin = new Kafka({ clientId: `crash-ends-${process.pid}`, brokers: [...brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const out: EndOffsets = new Map();
    for (const topic of topics) out.set(topic, new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)])));
    return out;
  } finally {
    await admin.disconnect();
  }
}

const topicByName = new Map<string, Topic<unknown>>(Object.values(Topics).map((t) => [t.name, t as Topic<unknown>]));

/** Every envelope of `topics` before `ends`, per topic in partition order then offset order. */
export async function readTopics(brokers: readonly string[], ends: EndOffsets, timeoutMs = 120_000): Promise<Map<string, Envelope[]>> {
  const out = new Map<string, Envelope[]>();
  const kafka = new Kafka({ clientId: `crash-reader-${process.pid}`, brokers: [...brokers], logLevel: logLevel.NOTHING });
  for (const [topic, partitions] of ends) {
    const spec = topicByName.get(topic);
    if (spec === undefined) throw new Error(`${topic} is not in the topic catalogue`);
    const rows: Envelope[] = [];
    out.set(topic, rows);
    let expected = 0;
    for (const end of partitions.values()) expected += end;
    if (expected === 0) continue;
    const consumer = kafka.consumer({ groupId: `crash-reader-${process.pid}-${Date.now()}-${topic}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      let records = 0;
      let done: () => void = () => undefined;
      const complete = new Promise<void>((resolve) => (done = resolve));
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          const offset = Number(message.offset);
          if (offset >= (partitions.get(partition) ?? 0)) return;
          records++;
          const key = message.key?.toString() ?? '';
          const bytes = message.value ?? Buffer.alloc(0);
          const framed = message.headers?.['perpcore-frame']?.toString() === 'v1';
          const envelopes = framed ? frameEnvelopes(topic, partition, offset, bytes) : [bytes];
          envelopes.forEach((b, i) => {
            const decoded = spec.codec.decode(b);
            rows.push({ topic, partition, offset, indexInRecord: i, lastInRecord: i === envelopes.length - 1, key: framed && decoded.ok ? spec.key(decoded.value) : key, bytes: b, value: decoded.ok ? decoded.value : undefined });
          });
          if (records >= expected) done();
        },
      });
      const timeout = new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`read ${records}/${expected} records of ${topic} in ${timeoutMs} ms`)), timeoutMs).unref());
      await Promise.race([complete, timeout]);
    } finally {
      await consumer.disconnect();
    }
    rows.sort((a, b) => a.partition - b.partition || a.offset - b.offset || a.indexInRecord - b.indexInRecord);
  }
  return out;
}

function frameEnvelopes(topic: string, partition: number, offset: number, bytes: Uint8Array): Uint8Array[] {
  const decoded = decodeEnvelopeFrame(bytes);
  if (!decoded.ok) throw new Error(`${topic}[${partition}]@${offset}: a frame that does not decode (${decoded.error.message})`);
  return decoded.value.envelopes;
}
