// The peer every Kafka figure of this project is divided by: bare kafkajs 2.2.4 on
// the same broker in the same run, with the settings PLATFORM-NOTES measured
// (idempotent producer, acks = all, one sendBatch of `batchRecords` at a time, then
// a fresh consumer group reading the topic back from the beginning). No protobuf, no
// bus, no handler work: what the client library itself does on this machine now.
//
// Plain Node ESM (no build step); used by benchmarks/kafka-end-to-end.mjs and the
// cluster launcher before their pipelines start, so the peer does not compete with them.
import { Kafka, Partitioners, logLevel } from 'kafkajs';

/**
 * Produces `records` records of `valueBytes` each to a fresh topic of `partitions`
 * partitions and reads them back. Returns records/s and bytes/s for each side.
 */
export async function measureBareKafkajs({ brokers, records = 200_000, valueBytes = 100, partitions = 4, batchRecords = 1_000 }) {
  const kafka = new Kafka({ clientId: 'bare-kafkajs-peer', brokers, logLevel: logLevel.NOTHING });
  const topic = `peer.bare-kafkajs-${Date.now()}-${process.pid}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const value = Buffer.alloc(valueBytes, 0x61);
  const batch = Array.from({ length: batchRecords }, (_, i) => ({ value, partition: i % partitions }));
  const t0 = performance.now();
  for (let sent = 0; sent < records; sent += batchRecords) {
    await producer.sendBatch({ topicMessages: [{ topic, messages: sent + batchRecords <= records ? batch : batch.slice(0, records - sent) }], acks: -1 });
  }
  const produceMs = performance.now() - t0;
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `${topic}.reader`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let received = 0;
  let firstMs = 0;
  let lastMs = 0;
  const all = new Promise((resolve) => {
    consumer.run({
      partitionsConsumedConcurrently: partitions,
      eachBatch: async ({ batch: b }) => {
        if (firstMs === 0) firstMs = performance.now();
        received += b.messages.length;
        lastMs = performance.now();
        if (received >= records) resolve();
      },
    });
  });
  await all;
  await consumer.disconnect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  // consume: first batch received → last (the group join is not the client's throughput)
  const consumeMs = Math.max(lastMs - firstMs, 1);
  return {
    records,
    valueBytes,
    producedRecordsPerS: records / (produceMs / 1000),
    producedBytesPerS: (records * valueBytes) / (produceMs / 1000),
    consumedRecordsPerS: records / (consumeMs / 1000),
    consumedBytesPerS: (records * valueBytes) / (consumeMs / 1000),
  };
}

/** One line for a report: "bare kafkajs (same broker, same run): produce … / consume … records/s of 100 B". */
export function describePeer(peer) {
  const f = (n) => Math.round(n).toLocaleString('en-US');
  return `produce ${f(peer.producedRecordsPerS)} / consume ${f(peer.consumedRecordsPerS)} records/s of ${peer.valueBytes} B (${f(peer.records)} records)`;
}
