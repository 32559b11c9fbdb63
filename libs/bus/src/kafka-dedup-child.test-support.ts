/**
 * Test support, run as a child process by kafka-dedup.test.ts: a consumer that
 * applies fills slowly and reports each applied one on stdout (its durable
 * state, as far as the parent is concerned) until the parent SIGKILLs it
 * mid-stream: a crash that leaves applied-but-uncommitted offsets behind.
 *
 * The `stallAfter`-th fill is applied and reported, then its handler never returns,
 * so its offset (and any uncommitted rest of its batch) is never committed: the
 * parent's SIGKILL always finds applied-but-uncommitted fills, whatever the timing
 * (the test cannot pass vacuously, nor fail by luck).
 *
 * argv: brokers topic partitions groupId stallAfter
 */
import { matchingEventCodec } from '@perpcore/proto';
import { KafkaBus } from './kafka-bus.js';
import { defineTopic } from './topic.js';

const [brokers, topicName, partitions, groupId, stallAfterText] = process.argv.slice(2);
const stallAfter = Number(stallAfterText);
let applied = 0;
const topic = defineTopic(topicName, Number(partitions), matchingEventCodec, (e) => e.market);
const bus = await KafkaBus.connect({ brokers: brokers.split(','), clientId: 'dedup-crash-child', consumer: { sessionTimeoutMs: 15_000, heartbeatIntervalMs: 1_000 } });
await bus.subscribe(topic, { groupId, fromBeginning: true }, async (m) => {
  await new Promise((resolve) => setTimeout(resolve, 4));
  applied++;
  const fill = m.value.filled;
  process.stdout.write(`APPLIED ${m.value.market} ${m.value.seq} ${fill?.takerAccountId} ${fill?.makerAccountId} ${fill?.qtyLots}\n`);
  // applied (reported) but the handler never returns: its offset is never committed
  if (applied >= stallAfter) await new Promise(() => undefined);
});
process.stdout.write('READY\n');
