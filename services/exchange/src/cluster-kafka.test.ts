/**
 * Cluster mode end to end on a real broker: `deploy/cluster/start-cluster.mjs`
 * runs oracle, matching, risk (+ the liquidation engine) and the simulated gateway
 * as separate processes wired only by Kafka, with npm start's leveraged crowd and a
 * −12% index gap, and its reconciliation must hold: every order passed on or
 * refused, every fill produced settled once per side, every liquidation carried to
 * its end and no scope left LIQUIDATING in risk, positions netting to zero per
 * market (fund takeovers and ADL included), risk's own open interest and
 * conservation audit agreeing.
 *
 * No wall-clock race: the shock is armed by the launcher only once the gateway saw
 * risk settle every one of the crowd's entries (and lands at the later of that and
 * --shock-at-s), and the drain waits for risk's mark of the shocked index, so "the
 * shock liquidated part of the crowd" holds however late risk runs on a loaded machine.
 *
 * Before the cluster starts, bad input is written to the services' input topics:
 * garbage bytes, a truncated message, an unknown schema version, and well-formed
 * commands for a market nobody lists. Each must land on `<topic>.dlq` with its code
 * and original offset, and the consumers must keep going (the run after them still
 * reconciles; nothing of them was applied: an applied unknown-market order would
 * show up as a risk reject and break the order accounting).
 *
 * Needs PERPCORE_KAFKA_BROKERS (scripts/run-tests.mjs starts a broker for files
 * named *kafka*); skipped loudly without it, failed under CI.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { type DeadLetter, KafkaBus, type Topic, Topics } from '@perpcore/bus';
import { createLogger } from '@perpcore/observability';
import { type MatchingCommandV1, SCHEMA_MAJOR_V1, matchingCommandCodec, matchingEventCodec, perpcore } from '@perpcore/proto';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const brokers = process.env.PERPCORE_KAFKA_BROKERS?.trim() ?? '';
const skip = brokers === '' ? 'PERPCORE_KAFKA_BROKERS is not set (run through scripts/run-tests.mjs)' : false;
if (skip !== false) {
  if (process.env.CI) it('cluster Kafka tests must run under CI', () => assert.fail(`${skip}, and CI is set`));
  else process.stderr.write(`\n!!!!! cluster-kafka: SKIPPED: ${skip}\n\n`);
}

const run = `${process.pid}${Date.now().toString(36)}`;
const unknownMarket = `NOPE${run.toUpperCase()}`;

function place(market: string, accountId: number, orderId: number): MatchingCommandV1 {
  return {
    schemaMajor: SCHEMA_MAJOR_V1, market, seq: 1, tsNs: Date.now() * 1e6, source: `fault-${run}`, command: 'place',
    place: { orderId, accountId, side: 1, type: 1, timeInForce: 1, priceTicks: 300_000, qtyLots: 1, triggerPriceTicks: 0, triggerSource: 0, selfTradePrevention: 0, reduceOnly: false, clientOrderId: '', liquidationId: 0 },
  } as MatchingCommandV1;
}

interface Fault {
  topic: Topic<unknown>;
  key: string;
  bytes?: Uint8Array;
  value?: unknown;
  code: string;
}

function faults(): Fault[] {
  const validCommand = matchingCommandCodec.encode(place('BTCUSDT', 101, 9_000_000_001));
  const fill = matchingEventCodec.encode({
    schemaMajor: 1, market: 'BTCUSDT', seq: 1, tsNs: 1, inputSource: 'x', inputSeq: 1, event: 'filled',
    filled: { tradeSeq: 1, makerOrderId: 1, makerAccountId: 101, takerOrderId: 2, takerAccountId: 102, takerSide: 1, priceTicks: 300_000, qtyLots: 1, makerRemainingLots: 0, takerRemainingLots: 0, fillType: 1, liquidationId: 0 },
  } as never);
  const futureIndex = perpcore.oracle.v1.OracleEventV1.encode({ schemaMajor: 2, seq: 1, tsNs: 1, source: 'oracle-9', symbol: 'BTCUSDT', indexPrice: { priceSubticks: 30_000_000, sources: [] } } as never).finish();
  const garbage = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x99]);
  return [
    { topic: Topics.matchingCommands as Topic<unknown>, key: `garbage-${run}`, bytes: garbage, code: 'PROTO_MALFORMED' },
    { topic: Topics.matchingCommands as Topic<unknown>, key: `truncated-${run}`, bytes: validCommand.subarray(0, validCommand.length - 4), code: 'PROTO_MALFORMED' },
    { topic: Topics.matchingCommands as Topic<unknown>, key: unknownMarket, value: place(unknownMarket, 101, 9_000_000_002), code: 'MATCHING_UNKNOWN_MARKET' },
    { topic: Topics.gatewayOrderCommands as Topic<unknown>, key: `garbage-${run}`, bytes: garbage, code: 'PROTO_MALFORMED' },
    // raw, so that its key is this run's own (a real gateway would key it by account)
    { topic: Topics.gatewayOrderCommands as Topic<unknown>, key: `unknown-market-${run}`, bytes: matchingCommandCodec.encode(place(unknownMarket, 101, 9_000_000_003)), code: 'RISK_UNKNOWN_MARKET' },
    { topic: Topics.matchingEvents as Topic<unknown>, key: `truncated-${run}`, bytes: fill.subarray(0, fill.length - 3), code: 'PROTO_MALFORMED' },
    { topic: Topics.oracleIndexPrices as Topic<unknown>, key: `future-${run}`, bytes: futureIndex, code: 'PROTO_UNKNOWN_VERSION' },
  ];
}

interface ClusterResult {
  ok: boolean;
  problems: string[];
  ordersSent: number;
  ordersForwarded: number;
  fillsProduced: number;
  fillsSettled: number;
  auditOk: boolean;
  crowdEntered: number;
  shock: { armed: boolean; armedAtS: number | null; crowdEntriesSettledAtArm: number | null; landedAtS: number | null };
  liquidationsTriggered: number;
  liquidationsHeld: number;
  liquidationEvents: Record<string, number>;
  perMarket: { market: string; fillsProduced: number; fillsSettled: number; longLots: number; shortLots: number; matchingCount: number; riskOpenInterest: { longLots: number; shortLots: number } }[];
  deadLetters: Record<string, number>;
  logDir: string;
}

async function startCluster(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['deploy/cluster/start-cluster.mjs', '--brokers', brokers, '--json', '--log-level', 'warn', '--peer-records', '0', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('cluster mode over a real broker', { skip }, () => {
  it('reconciles a simulated run, with bad input on every service input topic dead-lettered and skipped', { timeout: 240_000 }, async (t) => {
    const injected = faults();
    const bus = await KafkaBus.connect({ brokers: brokers.split(','), clientId: `cluster-test-${run}`, logger: createLogger('cluster-test', 'silent') });
    try {
      for (const f of injected) {
        if (f.bytes !== undefined) bus.publishRaw(f.topic, f.key, f.bytes);
        else bus.publish(f.topic, f.value);
      }
      await bus.flush();

      // --shock-at-s 1: due before the crowd (entering 1–2 s into trading) can be settled, so
      // a shock on the clock would hit a crowd without positions every time, not only on a
      // loaded machine; the launcher's causal arm must hold it back until risk settled them
      const cluster = await startCluster(['--duration-s', '6', '--rate-per-s', '600', '--shock-at-s', '1', '--drain-timeout-s', '90']);
      const last = cluster.stdout.trim().split('\n').at(-1) ?? '';
      assert.equal(cluster.code, 0, `start-cluster exited ${cluster.code}\n${cluster.stdout}\n${cluster.stderr.slice(-3_000)}`);
      const result = JSON.parse(last) as ClusterResult;
      assert.equal(result.ok, true, result.problems.join('\n'));
      assert.deepEqual(result.problems, []);
      assert.ok(result.ordersSent > 1_000, `orders sent: ${result.ordersSent}`);
      assert.ok(result.fillsProduced > 0, 'the market traded');
      assert.equal(result.fillsSettled, result.fillsProduced);
      assert.equal(result.auditOk, true);
      // npm start's leveraged crowd entered, the index gapped, and the ladder ran over Kafka to the end
      assert.equal(result.crowdEntered, 300);
      // the shock came after risk settled every entry (by causality: the launcher armed it on the gateway's word), and risk marked it
      assert.equal(result.shock.armed, true);
      assert.equal(result.shock.crowdEntriesSettledAtArm, 300);
      assert.ok(result.shock.landedAtS !== null, 'risk marked the shocked index before the drain');
      assert.ok(result.liquidationsTriggered > 0, `the shock liquidated part of the crowd\n${cluster.stdout}`);
      t.diagnostic(`shock armed at ${result.shock.armedAtS?.toFixed(1)} s (${result.shock.crowdEntriesSettledAtArm} entries settled), marked by risk by ${result.shock.landedAtS?.toFixed(1)} s; ${result.liquidationsTriggered} liquidations`);
      assert.equal((result.liquidationEvents.completed ?? 0) + (result.liquidationEvents.aborted ?? 0), result.liquidationsTriggered);
      // …and no scope is left LIQUIDATING without a ladder (a trigger the ladder read late and dropped)
      assert.equal(result.liquidationsHeld, 0);
      assert.deepEqual(result.perMarket.map((m) => m.market).sort(), ['BTCUSDT', 'ETHUSDT']);
      for (const m of result.perMarket) {
        assert.equal(m.fillsSettled, m.fillsProduced, m.market);
        assert.equal(m.matchingCount, m.fillsProduced, `${m.market}: matching's own count`);
        assert.equal(m.longLots, m.shortLots, `${m.market}: positions net to zero`);
        assert.deepEqual(m.riskOpenInterest, { longLots: m.longLots, shortLots: m.shortLots }, `${m.market}: risk's query agrees with its events`);
      }

      // every injected message is on its topic's DLQ, with its code, offset and consumer group
      for (const topic of new Set(injected.map((f) => f.topic))) {
        const letters: DeadLetter[] = await bus.deadLetters(topic.name, 30_000);
        for (const f of injected.filter((x) => x.topic === topic)) {
          const letter = letters.find((l) => l.key === f.key && l.code === f.code);
          assert.ok(letter !== undefined, `${topic.name}: no dead letter ${f.code} for key ${f.key} (have ${letters.map((l) => `${l.code}:${l.key}`).join(', ')})`);
          assert.equal(letter.topic, topic.name);
          assert.ok(Number.isInteger(letter.offset) && letter.offset >= 0);
          assert.ok(letter.groupId === 'matching' || letter.groupId === 'risk-0', letter.groupId);
          // …and the refusing service logged it with topic, partition and offset
          const log = readFileSync(join(result.logDir, letter.groupId === 'matching' ? 'matching.log' : 'risk.log'), 'utf8');
          const logged = log.split('\n').some((line) => line.includes('dead-letter') && line.includes(`"topic":"${topic.name}"`) && line.includes(`"offset":${letter.offset},`) && line.includes(`"partition":${letter.partition},`));
          assert.ok(logged, `${letter.groupId} logged ${topic.name} offset ${letter.offset}`);
          if (f.bytes !== undefined) assert.deepEqual(new Uint8Array(letter.bytes ?? []), new Uint8Array(f.bytes), 'the original bytes are kept');
        }
      }
      rmSync(result.logDir, { recursive: true, force: true }); // kept only when the test fails
    } finally {
      await bus.close();
    }
  });
});
