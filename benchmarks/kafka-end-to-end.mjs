#!/usr/bin/env node
// Kafka end to end: fills produced and consumed through a real broker on this
// machine, and the latency from a fill's creation to its settlement by risk.
//
//   node benchmarks/kafka-end-to-end.mjs [--batch-max-messages 2000] [--linger-ms 2]
//        [--duration-s 10] [--rate-per-s 0] [--seed 42] [--slice-commands 2000] [--label text]
//
// - Producer (kafka-e2e/fill-producer.mjs): the real matching engine driven by the
//   seeded simulated flow, publishing everything the matching service publishes in
//   cluster mode through KafkaBus with the batch size and linger under test.
//   --rate-per-s: order commands per second; 0 = as fast as the broker takes them
//   (throughput; latency then includes the backlog). --slice-commands: commands per
//   input slice (one conflated set of book deltas per slice; at most two slices are
//   unacknowledged at a time, the producer's backpressure).
// - Consumer (kafka-e2e/settlement-consumer.mjs): the real risk service over KafkaBus
//   (matching.account-events.v1), with the same batch size and linger for its output.
// - Latency: fill creation (its tsNs, stamped in the producer as matching applied the
//   command) → risk emitting its PositionSettledV1 in the consumer; both processes
//   read the same machine clock. "steady" leaves out fills created in the first second.
//
// Needs a build (npm run build) and Java + Maven: every run starts a throw-away
// broker (the risk service reads its input topics from the beginning, so topics must
// be fresh). Prints a table and merges the run into benchmarks/results/kafka-end-to-end.json
// (one entry per batch size / linger / rate / duration). Keep runs short while others
// use the machine: figures move with load.
import { fork } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const resultsPath = join(here, 'results', 'kafka-end-to-end.json');

function parse(argv) {
  const o = { batchMaxMessages: 2_000, lingerMs: 2, durationS: 10, ratePerS: 0, seed: 42, sliceCommands: 2_000, label: '' };
  const int = (flag, text, min, max) => {
    if (text === undefined || !/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new Error(`--${flag} must be an integer in [${min}, ${max}], got ${JSON.stringify(text)}`);
    return Number(text);
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') ? argv[i].slice(2).split('=', 2) : [argv[i], undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === 'batch-max-messages') o.batchMaxMessages = int(flag, value(), 1, 100_000);
    else if (flag === 'linger-ms') o.lingerMs = int(flag, value(), 0, 10_000);
    else if (flag === 'duration-s') o.durationS = int(flag, value(), 1, 3_600);
    else if (flag === 'rate-per-s') o.ratePerS = int(flag, value(), 0, 10_000_000);
    else if (flag === 'seed') o.seed = int(flag, value(), 0, 0xffff_ffff);
    else if (flag === 'slice-commands') o.sliceCommands = int(flag, value(), 1, 1_000_000);
    else if (flag === 'label') o.label = value() ?? '';
    else throw new Error(`unknown option ${argv[i]} (known: --batch-max-messages, --linger-ms, --duration-s, --rate-per-s, --seed, --slice-commands, --label)`);
  }
  return o;
}

function child(script, config) {
  const proc = fork(join(here, 'kafka-e2e', script), [], { env: { ...process.env, BENCH_CONFIG: JSON.stringify(config), KAFKAJS_NO_PARTITIONER_WARNING: '1' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiters = [];
  const messages = [];
  proc.on('message', (m) => {
    messages.push(m);
    for (const w of [...waiters]) if (w.type === m.type) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(m);
    }
  });
  const exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    last: (type) => messages.filter((m) => m.type === type).at(-1),
    next(type, timeoutMs = 120_000) {
      const seen = messages.find((m) => m.type === type && !m.taken);
      if (seen) {
        seen.taken = true;
        return Promise.resolve(seen);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${script}: no ${type} after ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ type, resolve: (m) => { clearTimeout(timer); m.taken = true; resolve(m); } });
        exited.then((code) => { clearTimeout(timer); reject(new Error(`${script} exited (code ${code}) waiting for ${type}`)); });
      });
    },
    exited,
  };
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const ms = (x) => (x === undefined || x === null ? '-' : x < 10 ? x.toFixed(2) : x.toFixed(1));

async function main() {
  const o = parse(process.argv.slice(2));
  const { startBrokerForTests } = await import(join(root, 'deploy', 'kafka', 'kafka-broker.mjs'));
  const { KafkaBus, Topics } = await import('@perpcore/bus');
  const { SIM_DEPOSIT_UNITS, simulatedAccountIds, simulatedOrderFlowConfig } = await import('@perpcore/markets');
  const { describePeer, measureBareKafkajs } = await import(join(root, 'deploy', 'kafka', 'bare-kafkajs-peer.mjs'));
  const broker = await startBrokerForTests();
  if (broker === null) throw new Error('no Kafka broker: java and mvn are needed (deploy/kafka/README.md)');
  let producer;
  let consumer;
  try {
    // the ratio's denominator: bare kafkajs on this broker, before the pipeline starts
    const peer = await measureBareKafkajs({ brokers: broker.bootstrap.split(',') });
    process.stderr.write(`kafka-end-to-end: bare kafkajs on this broker: ${describePeer(peer)}\n`);
    const config = { brokers: broker.bootstrap.split(','), batchMaxMessages: o.batchMaxMessages, lingerMs: o.lingerMs, durationS: o.durationS, ratePerS: o.ratePerS, seed: o.seed, sliceCommands: o.sliceCommands };
    const accounts = simulatedAccountIds(simulatedOrderFlowConfig(o.seed));
    consumer = child('settlement-consumer.mjs', { ...config, accounts: accounts.length });
    await consumer.next('ready');
    const admin = await KafkaBus.connect({ brokers: config.brokers, clientId: 'bench-setup' });
    for (const accountId of accounts) {
      admin.publish(Topics.gatewayAccountCommands, { schemaMajor: 1, accountId, seq: 1, tsNs: Date.now() * 1e6, source: 'bench-setup', commandId: accountId, command: 'deposit', deposit: { asset: 'USDT', amountUnits: SIM_DEPOSIT_UNITS } });
    }
    await admin.close();
    await consumer.next('deposits');
    producer = child('fill-producer.mjs', config);
    await producer.next('ready');
    process.stderr.write(`kafka-end-to-end: batch ${fmt(o.batchMaxMessages)} messages, linger ${o.lingerMs} ms, ${o.ratePerS === 0 ? 'unpaced' : `${fmt(o.ratePerS)} orders/s`}, ${o.durationS} s\n`);
    producer.proc.send({ type: 'go' });
    const progress = setInterval(() => {
      const p = producer.last('progress');
      const c = consumer.last('progress');
      process.stderr.write(`  t=${p ? (p.atMs / 1000).toFixed(0) : 0}s fills produced ${fmt(p?.fills ?? 0)}, settled ${fmt(c?.settled ?? 0)}\n`);
    }, 2_000);
    const done = await producer.next('done', o.durationS * 1000 + 600_000);
    // wait for the consumer to settle every fill
    const deadline = Date.now() + 600_000;
    while ((consumer.last('progress')?.settled ?? 0) < done.fills) {
      if (Date.now() > deadline) throw new Error(`consumer settled ${consumer.last('progress')?.settled} of ${done.fills} fills`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    clearInterval(progress);
    consumer.proc.send({ type: 'report' });
    const report = await consumer.next('report');
    if (report.settled !== done.fills) throw new Error(`settled ${report.settled} ≠ produced ${done.fills}`);
    const result = {
      label: o.label,
      batchMaxMessages: o.batchMaxMessages,
      lingerMs: o.lingerMs,
      ratePerS: o.ratePerS,
      durationS: o.durationS,
      sliceCommands: o.sliceCommands,
      commands: done.commands,
      fills: done.fills,
      messagesProduced: done.messages,
      producedFillsPerS: done.fills / (done.elapsedMs / 1000),
      producedMessagesPerS: done.messages / (done.elapsedMs / 1000),
      // first fill created → last fill settled
      producerAck: done.ack,
      endToEndFillsPerS: done.fills / ((report.lastSettleNs - done.firstFillNs) / 1e9),
      consumedFillsPerS: report.settled / ((report.lastSettleNs - report.firstSettleNs) / 1e9),
      latencyAll: report.all,
      latencySteady: report.steady,
      riskAuditOk: report.audit,
      peer,
      // Kafka records and bytes per topic, from the buses' own counters (matching's output; risk's output)
      topics: trafficPerTopic({ ...done.traffic, ...report.traffic }, done.elapsedMs / 1000),
      recordsPerFill: Object.values(done.traffic).reduce((n, t) => n + t.records, 0) / Math.max(done.fills, 1),
      loadAverage1m: loadavg()[0],
      measuredAt: new Date().toISOString(),
    };
    print(result);
    save(result);
  } finally {
    producer?.proc.kill('SIGKILL');
    consumer?.proc.kill('SIGKILL');
    await broker.stop();
  }
}

function trafficPerTopic(traffic, seconds) {
  return Object.entries(traffic)
    .map(([topic, t]) => ({ topic, records: t.records, envelopes: t.envelopes, bytes: t.bytes, recordsPerS: t.records / seconds, envelopesPerS: t.envelopes / seconds, bytesPerS: t.bytes / seconds }))
    .sort((a, b) => a.topic.localeCompare(b.topic));
}

function print(r) {
  const s = r.latencySteady ?? r.latencyAll;
  console.log(`\nKafka end to end (real broker, ${cpus().length} cores): batch ${fmt(r.batchMaxMessages)}, linger ${r.lingerMs} ms, ${r.ratePerS === 0 ? 'unpaced' : `${fmt(r.ratePerS)} orders/s`}, ${r.durationS} s`);
  console.log(`  fills                 ${fmt(r.fills)} (${fmt(r.commands)} commands, ${fmt(r.messagesProduced)} messages)`);
  console.log(`  produced              ${fmt(r.producedFillsPerS)} fills/s (${fmt(r.producedMessagesPerS)} events/s acknowledged)`);
  console.log(`  consumed and settled  ${fmt(r.consumedFillsPerS)} fills/s; end to end ${fmt(r.endToEndFillsPerS)} fills/s`);
  console.log(`  fill → settled        p50 ${ms(s?.p50Ms)} ms  p99 ${ms(s?.p99Ms)} ms  p99.9 ${ms(s?.p999Ms)} ms  max ${ms(s?.maxMs)} ms (steady, ${fmt(s?.fills ?? 0)} fills)`);
  console.log(`                        p50 ${ms(r.latencyAll?.p50Ms)} ms  p99 ${ms(r.latencyAll?.p99Ms)} ms (all fills)`);
  console.log(`  producer ack          p50 ${ms(r.producerAck?.p50Ms)} ms  p99 ${ms(r.producerAck?.p99Ms)} ms (slice's first command → broker acknowledged, acks=all)`);
  console.log(`  records per fill      ${r.recordsPerFill.toFixed(2)} Kafka records from matching (${fmt(r.messagesProduced / Math.max(r.fills, 1))} events per fill, framed)`);
  for (const t of r.topics) console.log(`    ${t.topic.padEnd(28)} ${fmt(t.recordsPerS).padStart(8)} records/s ${fmt(t.envelopesPerS).padStart(9)} events/s ${fmt(t.bytesPerS).padStart(11)} B/s`);
  console.log(`  bare kafkajs peer     produce ${fmt(r.peer.producedRecordsPerS)} / consume ${fmt(r.peer.consumedRecordsPerS)} records/s of ${r.peer.valueBytes} B (same broker, same run); matching's events/s = ${(r.producedMessagesPerS / r.peer.producedRecordsPerS).toFixed(2)}× the peer's produced records/s`);
  console.log(`  machine load          ${r.loadAverage1m.toFixed(2)} (1-min average at the end, ${cpus().length} cores, shared)`);
  console.log(`  risk audit            ${r.riskAuditOk ? 'ok' : 'FAILED'}`);
}

function save(r) {
  const file = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')) : { suite: 'kafka-end-to-end', node: process.version, cores: cpus().length, runs: [] };
  const key = (x) => `${x.batchMaxMessages}/${x.lingerMs}/${x.ratePerS}/${x.durationS}/${x.sliceCommands ?? 500}`;
  file.runs = [...file.runs.filter((x) => key(x) !== key(r)), r].sort((a, b) => key(a).localeCompare(key(b)));
  file.node = process.version;
  const tmp = `${resultsPath}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`);
  renameSync(tmp, resultsPath);
  process.stderr.write(`kafka-end-to-end: written to ${resultsPath}\n`);
}

main().catch((error) => {
  process.stderr.write(`kafka-end-to-end: ${error.stack ?? error}\n`);
  process.exit(1);
});
