/**
 * Exactly-once application over Kafka's at-least-once delivery, on a real broker:
 *
 * 1. A consumer is killed (SIGKILL) mid-stream with applied-but-uncommitted
 *    messages; a new member of the same group resumes from the committed offsets,
 *    the sequence dedup drops the redelivered fills, and the state equals that of
 *    an uninterrupted consumer.
 * 2. The broker is killed and restarted (same data dir) while fills are being
 *    produced; afterwards the topic holds every fill exactly once, in sequence
 *    order (idempotent producer).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type MatchingEventV1, matchingEventCodec } from '@perpcore/proto';
import { waitFor } from './bus-contract.js';
import { KafkaBus } from './kafka-bus.js';
import { kafkaTestEnv, testLogger } from './kafka-test-env.test-support.js';
import { SeqVerdict, SequenceDedup } from './sequence-dedup.js';
import { defineTopic } from './topic.js';

const env = kafkaTestEnv('kafka-dedup');
const here = dirname(fileURLToPath(import.meta.url));
const run = `${process.pid}-${Date.now()}`;

function fill(market: string, seq: number): MatchingEventV1 {
  return {
    schemaMajor: 1, market, seq, tsNs: 1_700_000_000_000_000_000 + seq, inputSource: 'risk-0', inputSeq: seq, event: 'filled',
    filled: {
      tradeSeq: seq, makerOrderId: seq * 2, makerAccountId: 1 + (seq % 7), takerOrderId: seq * 2 + 1, takerAccountId: 1 + ((seq * 3) % 11),
      takerSide: 1, priceTicks: 50_000 + seq, qtyLots: 1 + (seq % 5), makerRemainingLots: 0, takerRemainingLots: 0, fillType: 1, liquidationId: 0,
    },
  };
}

/** The consumer's state: net position per account, built only through the dedup. */
class Positions {
  readonly lots = new Map<number, number>();
  readonly dedup = new SequenceDedup({ contiguous: true });
  duplicates = 0;
  apply(market: string, seq: number, taker: number, maker: number, qty: number): void {
    const verdict = this.dedup.applyOnce(market, seq, () => {
      this.lots.set(taker, (this.lots.get(taker) ?? 0) + qty);
      this.lots.set(maker, (this.lots.get(maker) ?? 0) - qty);
    });
    assert.notEqual(verdict, SeqVerdict.Gap, `gap on ${market} at ${seq}`);
    if (verdict === SeqVerdict.Duplicate) this.duplicates++;
  }
  applyEvent(e: MatchingEventV1): void {
    const f = e.filled;
    assert.ok(f);
    this.apply(e.market, e.seq, f.takerAccountId, f.makerAccountId, f.qtyLots);
  }
  sorted(): [number, number][] {
    return [...this.lots.entries()].sort(([a], [b]) => a - b);
  }
}

const MARKETS = ['BTC-USDT', 'ETH-USDT', 'SOL-USDT', 'XRP-USDT'];
const PER_MARKET = 150;
// Generous on purpose: on a shared 2-core machine a starved broker or child can take
// tens of seconds for a group join or a restart. The waits end as soon as the
// condition holds, so a quiet machine still runs this in seconds; only the failure
// case waits the whole time.
const WAIT_MS = 180_000;
// Long enough that a member starved for a few seconds is not evicted mid-test (an
// eviction is a rebalance the test did not ask for), short enough that the killed
// child's partitions come back within a WAIT_MS.
const CONSUMER = { sessionTimeoutMs: 15_000, heartbeatIntervalMs: 1_000 };

describe('sequence dedup over Kafka', { skip: env.skip }, () => {
  test('a consumer killed mid-stream resumes and ends in the uninterrupted state', async () => {
    const topic = defineTopic(`dedup.crash-${run}.v1`, 2, matchingEventCodec, (e) => e.market);
    const bus = await KafkaBus.connect({ brokers: env.brokers, clientId: 'dedup-test', logger: testLogger(), consumer: CONSUMER });
    let child: ChildProcess | undefined;
    try {
      for (let seq = 1; seq <= PER_MARKET; seq++) for (const market of MARKETS) bus.publish(topic, fill(market, seq));
      await bus.flush();
      const total = PER_MARKET * MARKETS.length;

      const uninterrupted = new Positions();
      const reference = await bus.subscribe(topic, { groupId: `uninterrupted-${run}`, fromBeginning: true }, (m) => uninterrupted.applyEvent(m.value));
      await waitFor('the uninterrupted run', () => MARKETS.every((mk) => uninterrupted.dedup.lastApplied(mk) === PER_MARKET), WAIT_MS);
      await reference.close();
      assert.equal(uninterrupted.duplicates, 0);

      // The crashing consumer: its stdout lines are its applied (durable) state.
      const groupId = `crashy-${run}`;
      const recovered = new Positions();
      let applied = 0;
      let buffer = '';
      child = spawn(process.execPath, [join(here, 'kafka-dedup-child.test-support.js'), env.brokers.join(','), topic.name, String(topic.partitions), groupId, String(total / 4)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.stdout?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          const [tag, market, seq, taker, maker, qty] = line.split(' ');
          if (tag !== 'APPLIED') continue;
          recovered.apply(market, Number(seq), Number(taker), Number(maker), Number(qty));
          applied++;
          if (applied === total / 4) child?.kill('SIGKILL');
        }
      });
      await exited;
      assert.equal(recovered.duplicates, 0, 'the child applied nothing twice');
      assert.ok(applied >= total / 4 && applied < total, `killed mid-stream after ${applied} of ${total}`);

      // A new member of the same group takes over from the committed offsets.
      const resumed = await bus.subscribe(topic, { groupId, fromBeginning: true }, (m) => recovered.applyEvent(m.value));
      await waitFor('the resumed run', () => MARKETS.every((mk) => recovered.dedup.lastApplied(mk) === PER_MARKET), WAIT_MS);
      await resumed.close();
      assert.ok(recovered.duplicates > 0, 'the crash left applied-but-uncommitted fills that were delivered again');
      assert.deepEqual(recovered.sorted(), uninterrupted.sorted());
      assert.deepEqual(recovered.dedup.snapshot(), uninterrupted.dedup.snapshot());
    } finally {
      child?.kill('SIGKILL');
      await bus.close();
    }
  });

  test('a broker killed and restarted mid-stream leaves every fill on the topic exactly once, in order', async () => {
    const brokerModule = join(here, '..', '..', '..', 'deploy', 'kafka', 'kafka-broker.mjs');
    const { startBrokerForTests } = (await import(brokerModule)) as {
      startBrokerForTests(): Promise<{ bootstrap: string; restart(o?: { hard?: boolean }): Promise<number>; stop(): Promise<void> } | null>;
    };
    const broker = await startBrokerForTests();
    assert.ok(broker, 'java and maven are present (PERPCORE_KAFKA_BROKERS is set)');
    const topic = defineTopic(`dedup.restart-${run}.v1`, 1, matchingEventCodec, (e) => e.market);
    const bus = await KafkaBus.connect({ brokers: [broker.bootstrap], clientId: 'restart-test', logger: testLogger(), batchMaxMessages: 50, lingerMs: 1 });
    try {
      const total = 3_000;
      let restarted: Promise<number> | undefined;
      for (let seq = 1; seq <= total; seq++) {
        bus.publish(topic, fill('BTC-USDT', seq));
        if (seq % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
        if (seq === 1_000) restarted = broker.restart({ hard: true });
      }
      await restarted;
      await bus.flush();

      const seqs: number[] = [];
      const reader = await bus.subscribe(topic, { groupId: `reader-${run}`, fromBeginning: true }, (m) => {
        seqs.push(m.value.seq);
      });
      await waitFor('every fill', () => seqs.length >= total, WAIT_MS);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await reader.close();
      assert.equal(seqs.length, total, 'no fill written twice');
      assert.deepEqual(seqs, Array.from({ length: total }, (_, i) => i + 1), 'each fill once, in sequence order');
    } finally {
      await bus.close().catch(() => undefined);
      await broker.stop();
    }
  });
});
