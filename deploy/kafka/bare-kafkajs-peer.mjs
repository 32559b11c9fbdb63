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

/**
 * The per-hop peer: what one crossing of the broker costs bare kafkajs while the pipeline
 * runs beside it on the same broker and the same cores. One record at a time (`ratePerS`,
 * spread over `partitions`), idempotent producer, acks = all; the consumer as KafkaBus sets
 * its own up (no auto-commit, offsets committed on a 100 ms timer, every partition consumed
 * concurrently, 100 ms fetch wait). A sample is send start → the record in the handler. The
 * rate is low on purpose: the probe measures the crossing, it must not load the run.
 * Returns `{ stop() }`; `stop()` resolves to `{ samples, ratePerS, partitions, p50Ms, p99Ms, maxMs }`.
 */
export async function startBareHopProbe({ brokers, ratePerS = 200, partitions = 8 }) {
  const kafka = new Kafka({ clientId: 'bare-kafkajs-hop-probe', brokers, logLevel: logLevel.NOTHING });
  const topic = `peer.bare-kafkajs-hop-${Date.now()}-${process.pid}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const consumer = kafka.consumer({ groupId: `${topic}.reader`, maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const latencyMs = [];
  const uncommitted = new Map();
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: partitions,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      const nowMs = performance.now();
      for (const m of batch.messages) {
        latencyMs.push(nowMs - Number(m.value.toString()));
        resolveOffset(m.offset);
        uncommitted.set(batch.partition, String(Number(m.offset) + 1));
      }
      await heartbeat();
    },
  });
  const commitTimer = setInterval(() => {
    if (uncommitted.size === 0) return;
    const offsets = [...uncommitted].map(([partition, offset]) => ({ topic, partition, offset }));
    uncommitted.clear();
    consumer.commitOffsets(offsets).catch(() => undefined);
  }, 100);
  await joined;
  let running = true;
  let sent = 0;
  const sender = (async () => {
    const gapMs = 1_000 / ratePerS;
    const t0 = performance.now();
    while (running) {
      // a send that fails (the broker stopping under a failed run) ends the probe; stop() reports what it had
      try {
        await producer.sendBatch({ topicMessages: [{ topic, messages: [{ value: String(performance.now()), partition: sent % partitions }] }], acks: -1 });
      } catch {
        return;
      }
      sent++;
      const dueMs = t0 + sent * gapMs - performance.now();
      if (dueMs > 0) await new Promise((resolve) => setTimeout(resolve, dueMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await sender;
      const deadline = performance.now() + 5_000;
      while (latencyMs.length < sent && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      clearInterval(commitTimer);
      await consumer.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      const xs = latencyMs.slice().sort((a, b) => a - b);
      const at = (q) => (xs.length === 0 ? 0 : xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]);
      return { samples: xs.length, sent, ratePerS, partitions, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: xs.length === 0 ? 0 : xs[xs.length - 1] };
    },
  };
}
