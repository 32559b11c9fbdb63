#!/usr/bin/env node
// A real Apache Kafka broker (KRaft, one combined broker+controller on loopback),
// started by the project itself: no Docker, only Java 17 and Maven. Plain Node ESM
// with no build step, because the test runner uses it before TypeScript is built.
//
//   node deploy/kafka/kafka-broker.mjs start   # development broker, data in deploy/kafka/.run/
//   node deploy/kafka/kafka-broker.mjs stop
//
// Tests: `startBrokerForTests()` starts a throw-away broker on free ports in a temp
// directory and returns { bootstrap, stop(), restart() } (or null when Java/Maven
// are missing outside CI). The JVM dies with this process, also on SIGINT/SIGTERM.
//
// The class path comes from pom.xml (org.apache.kafka:kafka_2.13 plus a log4j2
// backend), copied into .jars/ by `mvn dependency:copy-dependencies` once; a marker
// with the pom's hash makes later runs skip Maven.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterId } from './cluster-id.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const jarsDir = join(here, '.jars');
const runDir = join(here, '.run');
const pomPath = join(here, 'pom.xml');
const READY_LINE = 'Kafka Server started';
const READY_TIMEOUT_MS = Number(process.env.PERPCORE_KAFKA_START_TIMEOUT_MS ?? 120_000);
const STOP_TIMEOUT_MS = 20_000;
const HEAP = ['-Xms512m', '-Xmx1g'];

const say = (msg) => process.stderr.write(`kafka-broker: ${msg}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- prerequisites

/** True when `java` and `mvn` run. Missing tools: throws under CI, else warns loudly and returns false. */
export function checkTools() {
  const missing = [];
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).status !== 0) missing.push('java (OpenJDK 17+)');
  if (spawnSync('mvn', ['-v'], { stdio: 'ignore' }).status !== 0) missing.push('mvn (Maven 3.8+)');
  if (missing.length === 0) return true;
  const message = `cannot start a Kafka broker: ${missing.join(' and ')} not found on PATH`;
  if (process.env.CI) throw new Error(`${message} (CI is set, so Kafka tests must not be skipped)`);
  say('');
  say(`!!!!! ${message}`);
  say('!!!!! Kafka integration tests will be SKIPPED. Install a JDK and Maven to run them.');
  say('');
  return false;
}

function pomHash() {
  return createHash('sha256').update(readFileSync(pomPath)).digest('hex');
}

/** Copies the broker's runtime jars into .jars/ unless the marker says they match pom.xml. Returns the ms spent. */
export async function ensureJars() {
  const marker = join(jarsDir, '.complete');
  const want = pomHash();
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === want) return 0;
  // Several test runs may start at once on a shared checkout: one resolves, the others wait.
  mkdirSync(runDir, { recursive: true });
  const lock = join(runDir, 'jars.lock');
  const started = Date.now();
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      if (Date.now() - statSync(lock).mtimeMs > 10 * 60_000) rmSync(lock, { force: true }); // stale
      await sleep(500);
      if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === want) return Date.now() - started;
    }
  }
  try {
    say('resolving the Kafka broker jars with Maven (first run only)…');
    rmSync(jarsDir, { recursive: true, force: true });
    const result = spawnSync('mvn', ['-q', '-B', 'dependency:copy-dependencies'], { cwd: here, stdio: ['ignore', 'inherit', 'inherit'] });
    if (result.status !== 0) throw new Error(`mvn dependency:copy-dependencies failed (exit ${result.status}) in ${here}`);
    writeFileSync(marker, `${want}\n`);
    const ms = Date.now() - started;
    say(`jars resolved in ${(ms / 1000).toFixed(1)} s`);
    return ms;
  } finally {
    rmSync(lock, { force: true });
  }
}

// ---------------------------------------------------------------- configuration

/**
 * `count` distinct free ports: every probe stays listening until all are taken, because
 * a port closed and asked for again can come straight back (a broker and its controller
 * once got the same one, and the broker refused to format its storage).
 */
async function freePorts(count, avoid = []) {
  const servers = [];
  const ports = [];
  try {
    while (ports.length < count) {
      const server = createServer();
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
      servers.push(server);
      const { port } = server.address();
      if (!avoid.includes(port)) ports.push(port);
    }
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(() => resolve()))));
  }
  return ports;
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (what `StorageTool random-uuid` prints). */
function serverProperties({ dataDir, brokerPort, controllerPort }) {
  return [
    '# Written by deploy/kafka/kafka-broker.mjs: single KRaft node, loopback only.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${brokerPort}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${join(dataDir, 'logs')}`,
    '# One node: internal topics cannot be replicated, else groups never find a coordinator.',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=3',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'num.partitions=1',
    'auto.create.topics.enable=false',
    '# Fast tests: no rebalance delay, few threads (2-core machines).',
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=2',
    'num.recovery.threads.per.data.dir=1',
    'log.flush.interval.messages=9223372036854775807',
    '',
  ].join('\n');
}

// Everything at WARN on stderr, except the one INFO line that says the broker is ready.
const LOG4J2 = `status = warn
appender.stderr.type = Console
appender.stderr.name = STDERR
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = STDERR
logger.ready.name = kafka.server.KafkaRaftServer
logger.ready.level = INFO
`;

function javaArgs(dir, mainClass, args) {
  return [...HEAP, `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`, '-cp', `${jarsDir}/*`, mainClass, ...args];
}

function writeConfig(dir, ports) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'server.properties'), serverProperties({ dataDir: dir, ...ports }));
  writeFileSync(join(dir, 'log4j2.properties'), LOG4J2);
}

function formatStorage(dir) {
  if (existsSync(join(dir, 'logs', 'meta.properties'))) return;
  const result = spawnSync('java', javaArgs(dir, 'kafka.tools.StorageTool', ['format', '-t', clusterId(), '-c', join(dir, 'server.properties')]), {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`kafka StorageTool format failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
}

// ---------------------------------------------------------------- the JVM

/** Reads what the log file gained since `offset`. */
function readFrom(path, offset) {
  const fd = openSync(path, 'r');
  try {
    const size = statSync(path).size;
    if (size <= offset) return { text: '', offset };
    const buffer = Buffer.alloc(size - offset);
    readSync(fd, buffer, 0, buffer.length, offset);
    return { text: buffer.toString('utf8'), offset: size };
  } finally {
    closeSync(fd);
  }
}

/** Spawns `kafka.Kafka` with its stderr/stdout appended to `<dir>/broker.log` and waits for READY_LINE. */
async function launch(dir, { detached = false } = {}) {
  const logPath = join(dir, 'broker.log');
  const logFd = openSync(logPath, 'a');
  const startOffset = statSync(logPath).size;
  const started = Date.now();
  const child = spawn('java', javaArgs(dir, 'kafka.Kafka', [join(dir, 'server.properties')]), {
    stdio: ['ignore', logFd, logFd],
    detached,
  });
  closeSync(logFd);
  let exit = null;
  child.once('exit', (code, signal) => (exit = { code, signal }));
  let offset = startOffset;
  let seen = '';
  while (Date.now() - started < READY_TIMEOUT_MS) {
    await sleep(100);
    const chunk = readFrom(logPath, offset);
    offset = chunk.offset;
    seen = (seen + chunk.text).slice(-20_000);
    if (seen.includes(READY_LINE)) return { child, startMs: Date.now() - started };
    if (exit !== null) throw new Error(`Kafka broker exited during start-up (${JSON.stringify(exit)}); log ${logPath}:\n${seen.slice(-4000)}`);
  }
  child.kill('SIGKILL');
  throw new Error(`Kafka broker not ready after ${READY_TIMEOUT_MS} ms (no "${READY_LINE}" in ${logPath}):\n${seen.slice(-4000)}`);
}

async function terminate(child, { hard = false } = {}) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(hard ? 'SIGKILL' : 'SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

// Every JVM this process started dies with it, however it ends.
const liveChildren = new Set();
let exitHooksInstalled = false;
function installExitHooks() {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  const killAll = () => {
    for (const child of liveChildren) child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
    process.once(signal, () => {
      killAll();
      process.exit(code);
    });
  }
}

/**
 * Starts a broker whose files live in `dir` (created when missing; storage formatted
 * once). Returns the running handle; `restart()` stops and starts the same node on
 * the same ports and data, so topics, offsets and producer state survive.
 */
export async function startBroker({ dir, brokerPort, controllerPort } = {}) {
  await ensureJars();
  const [freeBroker, freeController] = await freePorts(2, [brokerPort, controllerPort].filter((p) => p !== undefined));
  const ports = { brokerPort: brokerPort ?? freeBroker, controllerPort: controllerPort ?? freeController };
  writeConfig(dir, ports);
  formatStorage(dir);
  installExitHooks();
  let { child, startMs } = await launch(dir);
  liveChildren.add(child);
  const handle = {
    bootstrap: `127.0.0.1:${ports.brokerPort}`,
    dir,
    logPath: join(dir, 'broker.log'),
    startMs,
    /** The JVM's process id (it changes on restart). */
    get pid() {
      return child.pid;
    },
    /** Stops the JVM: SIGTERM (controlled shutdown), or SIGKILL with { hard: true }. */
    async stopBroker(options) {
      await terminate(child, options);
      liveChildren.delete(child);
    },
    /** Stops and starts the same node on the same data dir and ports. Returns the start-up time in ms. */
    async restart(options) {
      await handle.stopBroker(options);
      ({ child, startMs } = await launch(dir));
      liveChildren.add(child);
      handle.startMs = startMs;
      return startMs;
    },
  };
  return handle;
}

/**
 * A throw-away broker for one test run: free ports, a temp data dir removed on
 * stop(). Null (after a loud warning) when Java or Maven is missing and CI is not set.
 */
export async function startBrokerForTests() {
  if (!checkTools()) return null;
  const dir = mkdtempSync(join(tmpdir(), 'perpcore-kafka-'));
  let broker;
  try {
    broker = await startBroker({ dir });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  say(`test broker ready at ${broker.bootstrap} in ${(broker.startMs / 1000).toFixed(1)} s (data ${dir})`);
  return {
    bootstrap: broker.bootstrap,
    dir,
    startMs: broker.startMs,
    get pid() {
      return broker.pid;
    },
    restart: (options) => broker.restart(options),
    async stop() {
      await broker.stopBroker();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- CLI (development broker)

const stateFile = join(runDir, 'broker.json');

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function cliStart() {
  if (!checkTools()) process.exit(1);
  if (existsSync(stateFile)) {
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    if (isAlive(state.pid)) {
      console.log(`Kafka broker already running (pid ${state.pid}): PERPCORE_KAFKA_BROKERS=${state.bootstrap}`);
      return;
    }
    unlinkSync(stateFile);
  }
  const dataDir = join(runDir, 'data');
  let ports;
  const previous = join(runDir, 'ports.json');
  if (existsSync(previous)) ports = JSON.parse(readFileSync(previous, 'utf8'));
  else {
    const preferred = Number(process.env.PERPCORE_KAFKA_PORT ?? 9092);
    const brokerPort = (await portIsFree(preferred)) ? preferred : (await freePorts(1))[0];
    ports = { brokerPort, controllerPort: (await portIsFree(brokerPort + 1)) ? brokerPort + 1 : (await freePorts(1, [brokerPort]))[0] };
  }
  await ensureJars();
  writeConfig(dataDir, ports);
  formatStorage(dataDir);
  const { child, startMs } = await launch(dataDir, { detached: true });
  child.unref();
  const bootstrap = `127.0.0.1:${ports.brokerPort}`;
  writeFileSync(previous, JSON.stringify(ports));
  writeFileSync(stateFile, JSON.stringify({ pid: child.pid, bootstrap, dataDir }, null, 2));
  console.log(`Kafka broker started in ${(startMs / 1000).toFixed(1)} s (pid ${child.pid}, log ${join(dataDir, 'broker.log')})`);
  console.log(`export PERPCORE_KAFKA_BROKERS=${bootstrap}`);
}

async function cliStop() {
  if (!existsSync(stateFile)) {
    console.log('no Kafka broker recorded in deploy/kafka/.run/broker.json');
    return;
  }
  const { pid } = JSON.parse(readFileSync(stateFile, 'utf8'));
  if (isAlive(pid)) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (isAlive(pid) && Date.now() < deadline) await sleep(200);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  unlinkSync(stateFile);
  console.log(`Kafka broker stopped (pid ${pid}); data kept in deploy/kafka/.run/data (delete it for a fresh cluster)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const command = process.argv[2];
  if (command === 'start') await cliStart();
  else if (command === 'stop') await cliStop();
  else {
    console.error('usage: node deploy/kafka/kafka-broker.mjs start|stop');
    process.exit(2);
  }
}
