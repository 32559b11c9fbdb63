#!/usr/bin/env node
// Quick throughput figures for the two Bus adapters (not a benchmark suite: one
// short run each, on whatever else the machine is doing). Needs a build
// (npm run build). Uses $PERPCORE_KAFKA_BROKERS, or starts a throw-away broker.
//
//   node deploy/kafka/bus-throughput.mjs [kafkaMessages=100000] [inProcessMessages=1000000]
import { startBrokerForTests } from './kafka-broker.mjs';

const root = new URL('../../', import.meta.url);
const { InProcessBus, KafkaBus, defineTopic } = await import(new URL('libs/bus/dist/index.js', root));
const { matchingEventCodec } = await import(new URL('libs/proto/dist/index.js', root));

const kafkaCount = Number(process.argv[2] ?? 100_000);
const inProcessCount = Number(process.argv[3] ?? 1_000_000);
const MARKETS = ['BTC-USDT', 'ETH-USDT', 'SOL-USDT', 'XRP-USDT'];

function fill(seq) {
  return {
    schemaMajor: 1, market: MARKETS[seq & 3], seq, tsNs: 1_700_000_000_000_000_000 + seq, inputSource: 'risk-0', inputSeq: seq, event: 'filled',
    filled: { tradeSeq: seq, makerOrderId: seq * 2, makerAccountId: 1 + (seq % 1000), takerOrderId: seq * 2 + 1, takerAccountId: 1 + ((seq * 7) % 1000),
      takerSide: 1, priceTicks: 5_000_000 + (seq % 100), qtyLots: 1 + (seq % 9), makerRemainingLots: 0, takerRemainingLots: 0, fillType: 1, liquidationId: 0 },
  };
}
const rate = (n, ms) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} msg/s`;

// In-process: publish → one subscriber, by reference and with the codec round-trip.
for (const codecRoundTrip of [false, true]) {
  const n = codecRoundTrip ? Math.min(inProcessCount, 200_000) : inProcessCount;
  const bus = new InProcessBus({ codecRoundTrip, retainPerPartition: 10_000 });
  const topic = defineTopic('bench.fills.v1', 4, matchingEventCodec, (e) => e.market);
  let sum = 0;
  await bus.subscribe(topic, { groupId: 'g' }, (m) => { sum += m.value.filled.qtyLots; });
  const events = Array.from({ length: 1024 }, (_, i) => fill(i + 1));
  const t0 = performance.now();
  for (let i = 0; i < n; i++) bus.publish(topic, events[i & 1023]);
  const ms = performance.now() - t0;
  console.log(`in-process bus${codecRoundTrip ? ' (codec round-trip)' : ''}: ${n.toLocaleString('en-US')} publish+deliver in ${ms.toFixed(0)} ms = ${rate(n, ms)} (${((ms * 1e6) / n).toFixed(0)} ns/msg)${sum > 0 ? '' : '!'}`);
}

// Kafka: produce (encode, batch, idempotent acks=all) then consume (decode, commit per batch).
let broker = null;
let brokers = process.env.PERPCORE_KAFKA_BROKERS;
if (!brokers) {
  broker = await startBrokerForTests();
  if (!broker) process.exit(0);
  brokers = broker.bootstrap;
}
try {
  for (const [batchMaxMessages, lingerMs] of [[2_000, 2], [10_000, 5]]) {
    const bus = await KafkaBus.connect({ brokers: brokers.split(','), clientId: 'throughput', batchMaxMessages, lingerMs });
    const topic = defineTopic(`bench.fills-${Date.now()}.v1`, 4, matchingEventCodec, (e) => e.market);
    await bus.ensureTopic(topic.name, topic.partitions);
    const t0 = performance.now();
    for (let seq = 1; seq <= kafkaCount; seq++) {
      bus.publish(topic, fill(seq));
      if ((seq & 4095) === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await bus.flush();
    const produceMs = performance.now() - t0;
    let received = 0;
    let done;
    const all = new Promise((resolve) => (done = resolve));
    const t1 = performance.now();
    const sub = await bus.subscribe(topic, { groupId: `bench-${Date.now()}`, fromBeginning: true }, (m) => {
      if (++received === kafkaCount) done();
    });
    await all;
    const consumeMs = performance.now() - t1;
    await sub.close();
    await bus.close();
    console.log(`kafka (batch ${batchMaxMessages}, linger ${lingerMs} ms): produce ${kafkaCount.toLocaleString('en-US')} in ${produceMs.toFixed(0)} ms = ${rate(kafkaCount, produceMs)}; consume in ${consumeMs.toFixed(0)} ms (incl. group join) = ${rate(kafkaCount, consumeMs)}`);
  }
} finally {
  if (broker) await broker.stop();
}
