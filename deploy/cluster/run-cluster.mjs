// The cluster run behind start-cluster.mjs: broker → topics → services → observer →
// simulated gateway → progress → drain → reconcile → stop. Returns the summary
// (text for people, result object for tests) and the exit code; never exits itself.
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { describePeer, measureBareKafkajs, startBareHopProbe } from '../kafka/bare-kafkajs-peer.mjs';
import { startCpuWindow } from './process-cpu.mjs';
import { ClusterObserver } from './cluster-observer.mjs';
import { KafkaBus, Topics } from './built-packages.mjs';
import { formatSummary } from './cluster-summary.mjs';
import { ServiceProcess } from './service-process.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const READY_TIMEOUT_MS = 120_000;
const RISK_GROUP = 'risk-0';
const MATCHING_GROUP = 'matching';

/** Starts the throw-away broker unless one was given; returns { bootstrap, stop() }. */
async function startBroker(options) {
  if (options.brokers) {
    options.say(`start-cluster: using the Kafka broker at ${options.brokers} (topics and groups from earlier runs stay; each run uses fresh producer names)`);
    return { bootstrap: options.brokers, stop: async () => undefined, owned: false };
  }
  const { startBrokerForTests } = await import(join(options.root, 'deploy', 'kafka', 'kafka-broker.mjs'));
  // kafka-broker.mjs installs SIGINT/SIGTERM hooks that exit at once; this launcher
  // stops its services first, then the broker, so it keeps only the broker's exit hook.
  const before = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  options.say('start-cluster: starting a Kafka broker (KRaft, free ports)…');
  const broker = await startBrokerForTests();
  for (const signal of ['SIGINT', 'SIGTERM']) {
    for (const l of process.listeners(signal)) if (!before[signal].includes(l)) process.removeListener(signal, l);
  }
  if (broker === null) throw new Error('cannot start a Kafka broker here (java and mvn are needed; see deploy/kafka/README.md), or pass --brokers');
  options.say(`start-cluster: broker ready at ${broker.bootstrap} in ${(broker.startMs / 1000).toFixed(1)} s`);
  return { bootstrap: broker.bootstrap, stop: () => broker.stop(), owned: true, pid: () => broker.pid };
}

const TOPIC_RETRY_MS = 60_000;

async function createTopics(bootstrap, say) {
  const bus = await KafkaBus.connect({ brokers: bootstrap.split(','), clientId: 'cluster-topics' });
  // A broker that has just started on a loaded machine can answer a creation before
  // its partitions have leaders (UNKNOWN_TOPIC_OR_PARTITION, retriable): try again.
  const ensure = async (name, partitions) => {
    for (const until = performance.now() + TOPIC_RETRY_MS; ; ) {
      try {
        return await bus.ensureTopic(name, partitions);
      } catch (error) {
        const retriable = error?.retriable === true || error?.cause?.retriable === true || error?.type === 'UNKNOWN_TOPIC_OR_PARTITION';
        if (!retriable || performance.now() > until) throw error;
        say(`start-cluster: topic ${name} not ready (${error.message}); retrying`);
        await sleep(500);
      }
    }
  };
  try {
    for (const topic of Object.values(Topics)) {
      await ensure(topic.name, topic.partitions);
      await ensure(`${topic.name}.dlq`, 1);
    }
  } finally {
    await bus.close();
  }
  say(`start-cluster: ${Object.keys(Topics).length} topics (+ dead-letter topics) ready`);
}

function serviceEnv(options, bootstrap, extra = {}) {
  const env = {
    ...process.env,
    PERPCORE_KAFKA_BROKERS: bootstrap,
    PERPCORE_LOG_LEVEL: options.logLevel,
    PERPCORE_STATS_INTERVAL_MS: '1000',
    PERPCORE_SHUTDOWN_TIMEOUT_MS: '10000',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    ...extra,
  };
  if (options.batchMaxMessages !== undefined) env.PERPCORE_KAFKA_BATCH_MAX_MESSAGES = String(options.batchMaxMessages);
  if (options.lingerMs !== undefined) env.PERPCORE_KAFKA_LINGER_MS = String(options.lingerMs);
  return env;
}

/** Matching shard i's consumer group: one matching process keeps the historic name. */
const matchingGroupOf = (shards, i) => (shards === 1 ? MATCHING_GROUP : `${MATCHING_GROUP}-${i}`);

/** The consumer groups that carry fills from the gateway to settlement: all must be at the end of their topics. */
function pipelineGroups(matchingShards) {
  return [
    { groupId: RISK_GROUP, topic: Topics.gatewayAccountCommands.name },
    { groupId: RISK_GROUP, topic: Topics.gatewayOrderCommands.name },
    // every matching shard reads all of its topic (and skips the other shards' markets)
    ...Array.from({ length: matchingShards }, (_, i) => ({ groupId: matchingGroupOf(matchingShards, i), topic: Topics.matchingCommands.name })),
    { groupId: RISK_GROUP, topic: Topics.matchingEvents.name },
    // the liquidation engine (in the risk process) reads breaches from risk's own output
    { groupId: RISK_GROUP, topic: Topics.riskAccountEvents.name },
  ];
}

/**
 * The matching shards' answers as one matching process's: each market's fills come
 * from the one shard that books it; counters and bytes per topic are summed; produce
 * round trips stay per shard. Null when a shard did not answer.
 */
function mergeMatchingStats(shards, all) {
  if (all.some((s) => s === null || s === undefined)) return null;
  const kafkaSent = {};
  for (const s of all) {
    for (const [topic, t] of Object.entries(s.kafkaSent ?? {})) {
      const sum = (kafkaSent[topic] ??= {});
      for (const [k, v] of Object.entries(t)) sum[k] = (sum[k] ?? 0) + v;
    }
  }
  const sum = (k) => all.reduce((a, s) => a + (s[k] ?? 0), 0);
  return {
    fillsByMarket: Object.assign({}, ...all.map((s) => s.fillsByMarket)),
    commandsApplied: sum('commandsApplied'),
    otherShardCommands: sum('otherShardCommands'),
    duplicatesDropped: sum('duplicatesDropped'),
    restingOrders: sum('restingOrders'),
    sendIdle: all.every((s) => s.sendIdle === true),
    kafkaSent,
    produceRoundTrips: Object.fromEntries(shards.map((m, i) => [m.name, all[i].produceRoundTrips])),
  };
}

/** Drained only once the oracle has stopped (until then it publishes every second). */
const PIPELINE_AFTER_ORACLE = [{ groupId: RISK_GROUP, topic: Topics.oracleIndexPrices.name }];

/**
 * Resolves once the oracle has published its shocked index and risk has published a
 * mark at or after the shock's time for every market the oracle prices (risk runs the
 * breach index on that mark, so the liquidations it triggers are on their way).
 */
async function waitForShockMarked(oracle, observer, deadlineMs, fail, interrupted) {
  for (;;) {
    if (interrupted()) throw new Error('interrupted');
    const stats = await oracle.requestStats();
    const markets = Object.keys(stats?.indexSubticks ?? {});
    const behind = stats?.shocked === true ? observer.marksBefore(stats.shockAtTsNs, markets) : markets;
    if (stats?.shocked === true && markets.length > 0 && behind.length === 0) return;
    if (performance.now() > deadlineMs) {
      throw new Error(fail(stats?.shocked === true ? `risk published no mark at or after the price shock for ${behind.join(', ')}` : `the oracle did not publish its armed price shock (${JSON.stringify(stats)})`));
    }
    await sleep(250);
  }
}

export async function runCluster(options) {
  const { say, root, logDir } = options;
  const started = [];
  let broker;
  let observer;
  let hopProbe = null;
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130); // second Ctrl-C: leave now (the exit hooks kill the children and the broker)
    interrupted = true;
    say('\nstart-cluster: interrupted; stopping the services and the broker (Ctrl-C again to leave at once)…');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const result = {
    ok: false,
    problems: [],
    options: { durationS: options.durationS, ratePerS: options.ratePerS, seed: options.seed, crowdAccounts: options.crowdAccounts, shockAtS: options.shockAtS, shockE8: options.shockE8, batchMaxMessages: options.batchMaxMessages ?? 2000, lingerMs: options.lingerMs ?? 2 },
    logDir,
  };
  const fail = (problem) => {
    result.problems.push(problem);
    return problem;
  };

  try {
    broker = await startBroker(options);
    result.brokers = broker.bootstrap;
    await createTopics(broker.bootstrap, say);
    if (options.peerRecords > 0) {
      // the ratio's denominator, on this broker before the pipeline starts (so they do not compete)
      result.peer = await measureBareKafkajs({ brokers: broker.bootstrap.split(','), records: options.peerRecords });
      say(`start-cluster: bare kafkajs on this broker: ${describePeer(result.peer)}`);
    }

    const script = (pkg, file = 'main.js') => join(root, 'services', pkg, 'dist', file);
    // matching shard i of M books the venue's markets at positions ≡ i (mod M) (services/matching matching-shard.ts)
    const shards = options.matchingShards;
    const matchings = Array.from({ length: shards }, (_, i) =>
      new ServiceProcess({
        name: shards === 1 ? 'matching' : `matching-${i}`,
        script: script('matching'),
        env: serviceEnv(options, broker.bootstrap, { PERPCORE_MATCHING_GROUP_ID: matchingGroupOf(shards, i), PERPCORE_MATCHING_INSTANCE: `matching-${i}`, PERPCORE_MATCHING_SHARD: `${i}/${shards}` }),
        logDir,
      }).start(),
    );
    const matchingStats = async () => mergeMatchingStats(matchings, await Promise.all(matchings.map((m) => m.requestStats())));
    const PIPELINE = pipelineGroups(shards);
    result.matchingShards = shards;
    // the risk shard with the liquidation engine beside it (services/exchange cluster-risk.ts)
    const risk = new ServiceProcess({ name: 'risk', script: script('exchange', 'cluster-risk.js'), env: serviceEnv(options, broker.bootstrap, { PERPCORE_RISK_SOURCE: RISK_GROUP }), logDir }).start();
    // the spot-margin stage (services/exchange cluster-spot.ts): the margin SAPI of the real gateways goes to it
    const spot = new ServiceProcess({ name: 'spot', script: script('exchange', 'cluster-spot.js'), env: serviceEnv(options, broker.bootstrap, { PERPCORE_SPOT_SOURCE: 'spot-0' }), logDir }).start();
    started.push(...matchings, risk, spot);
    say(`start-cluster: starting matching${shards === 1 ? '' : ` (${shards} shards by market)`}, risk + liquidation, spot margin (logs in ${logDir})…`);
    await Promise.all(started.map((s) => s.ready(READY_TIMEOUT_MS)));
    if (interrupted) throw new Error('interrupted');

    // The observer reads from here on, before any gateway can send: every order command
    // a real gateway publishes is on the topics it counts, whenever a client sends it.
    observer = new ClusterObserver({ brokers: broker.bootstrap.split(','), runId: `${process.pid}-${Date.now().toString(36)}` });
    await observer.start();
    const topicNames = Object.values(Topics).map((t) => t.name);
    const deadLettersBefore = await observer.deadLetterCounts(topicNames);

    // the real gateways (services/gateway cluster-main.ts): Binance /fapi REST over Kafka, beside the simulated load
    const gateways = [];
    for (let i = 0; i < options.gateways; i++) {
      gateways.push(
        new ServiceProcess({
          name: `gateway-${i}`,
          script: script('gateway', 'cluster-main.js'),
          env: serviceEnv(options, broker.bootstrap, { PERPCORE_GATEWAY_SOURCE: `gateway-${i}-${Date.now().toString(36)}`, PERPCORE_GATEWAY_HTTP_PORT: String(i === 0 ? options.httpPort : 0), PERPCORE_GATEWAY_INSTANCE: String(i), PERPCORE_GATEWAY_INSTANCES: '8', PERPCORE_GATEWAY_SPOT: 'true' }),
          logDir,
        }).start(),
      );
    }
    started.push(...gateways);
    await Promise.all(gateways.map((g) => g.ready(READY_TIMEOUT_MS)));
    for (const g of gateways) {
      const url = (await g.requestStats())?.url;
      say(`start-cluster: ${g.name} serves Binance USDⓈ-M REST at ${url}/fapi and the operator API at ${url}/v1/admin (token: $PERPCORE_ADMIN_TOKEN, or the generated one printed once in ${g.logPath})`);
    }
    result.gateways = gateways.length;

    // The gateway deposits and waits for marks; the oracle starts right after it, so trading
    // begins within about a second of the oracle's first index. The oracle's shock is armed
    // by this launcher once the gateway reports the crowd's entries settled by risk, and
    // lands at the later of that and --shock-at-s: a loaded machine that settles the crowd
    // late delays the shock, it cannot make it land on a crowd without positions.
    const crowdEndS = Math.max(2, Math.round(options.durationS * 0.4));
    const simSource = `gateway-sim-${Date.now().toString(36)}`;
    const gateway = new ServiceProcess({
      name: 'gateway-sim',
      script: script('exchange', 'cluster-gateway.js'),
      env: serviceEnv(options, broker.bootstrap, {
        PERPCORE_SIM_SOURCE: simSource,
        PERPCORE_SIM_SEED: String(options.seed),
        PERPCORE_SIM_RATE_PER_S: String(options.ratePerS),
        PERPCORE_SIM_DURATION_S: String(options.durationS),
        PERPCORE_SIM_CROWD_ACCOUNTS: String(options.crowdAccounts),
        PERPCORE_SIM_CROWD_ENTRY_START_S: '1',
        PERPCORE_SIM_CROWD_ENTRY_END_S: String(crowdEndS),
      }),
      logDir,
    }).start();
    // the index npm start uses for this seed, with its shock
    const oracle = new ServiceProcess({
      name: 'oracle',
      script: script('oracle', 'main.js'),
      env: serviceEnv(options, broker.bootstrap, {
        PERPCORE_ORACLE_SEED: String((options.seed ^ 0x5eed) >>> 0),
        PERPCORE_ORACLE_SHOCK_AT_S: String(options.shockAtS),
        PERPCORE_ORACLE_SHOCK_E8: String(options.shockE8),
        PERPCORE_ORACLE_SHOCK_TRIGGER: 'parent',
      }),
      logDir,
    }).start();
    started.push(oracle, gateway);
    say('start-cluster: simulated gateway depositing and waiting for marks; oracle starting…');
    await oracle.ready(READY_TIMEOUT_MS);
    await gateway.ready(READY_TIMEOUT_MS);
    say(`start-cluster: trading for ${options.durationS} s at ${fmt(options.ratePerS)} orders/s` + (options.crowdAccounts > 0 ? `; ${options.crowdAccounts} leveraged traders enter in the first ${crowdEndS} s` : '') + (options.shockAtS > 0 ? `; the index gaps ${(options.shockE8 / 1e6).toFixed(1)}% at ~${options.shockAtS} s, once risk settled the crowd's entries` : ''));

    // the per-hop peer: bare kafkajs crossing the same broker while the pipeline trades (a low rate, so it does not load the run)
    hopProbe = options.hopProbeRatePerS > 0 ? await startBareHopProbe({ brokers: broker.bootstrap.split(','), ratePerS: options.hopProbeRatePerS }) : null;

    // ---- the run: live progress until the gateway is done
    // where the machine's cores go while it trades (the launcher's process holds the observer and the hop probe)
    const cpuWindow = startCpuWindow([
      ...(broker.owned ? [{ name: 'broker', pid: broker.pid() }] : []),
      ...[...matchings, risk, spot, ...gateways, gateway, oracle].map((s) => ({ name: s.name, pid: s.child?.pid })),
      { name: 'launcher (observer, hop probe)', pid: process.pid },
    ]);
    const t0 = performance.now();
    // the causal order of the scenario: crowd settled by risk → shock (see the oracle's PERPCORE_ORACLE_SHOCK_TRIGGER)
    const shock = { armed: false, armedAtS: null, crowdEntriesSettledAtArm: null, landedAtS: null };
    result.shock = shock;
    const armShockOnceCrowdSettled = () => {
      if (options.shockAtS === 0 || shock.armed || gateway.stats?.crowdSettled !== true) return;
      if (!oracle.send({ type: 'arm-shock' })) throw new Error(fail(`oracle not reachable to arm the price shock:\n${oracle.logTail()}`));
      Object.assign(shock, { armed: true, armedAtS: (performance.now() - t0) / 1000, crowdEntriesSettledAtArm: gateway.stats.crowdEntriesSettled });
    };
    let last = { ms: t0, sent: 0, fills: 0, legs: 0, samples: 0 };
    const tty = process.stderr.isTTY;
    while (gateway.running && !interrupted) {
      await sleep(1_000);
      for (const s of [oracle, ...matchings, risk, spot, ...gateways]) if (!s.running) throw new Error(fail(`${s.name} exited during the run (${s.exit.signal ?? `code ${s.exit.code}`}):\n${s.logTail()}`));
      armShockOnceCrowdSettled();
      cpuWindow.sample();
      const now = performance.now();
      const dt = (now - last.ms) / 1000;
      const sent = gateway.stats?.commandsSent ?? 0;
      const fills = observer.fillsProduced();
      const legs = observer.legsSettled();
      const lat = observer.latency(last.samples);
      const line =
        `t=${((now - t0) / 1000).toFixed(0).padStart(3)}s  orders/s ${fmt((sent - last.sent) / dt).padStart(6)}  ` +
        `fills/s produced ${fmt((fills - last.fills) / dt).padStart(6)}  settled ${fmt((legs - last.legs) / 2 / dt).padStart(6)}  ` +
        `in flight ${fmt(fills - legs / 2).padStart(5)}` +
        (lat ? `  order→settled p50 ${lat.p50Ms.toFixed(1)} ms p99 ${lat.p99Ms.toFixed(1)} ms` : '');
      process.stderr.write(tty ? `\r${line}` : `${line}\n`);
      last = { ms: now, sent, fills, legs, samples: observer.latencyMs.length };
    }
    if (tty) process.stderr.write('\n');
    const tradingS = (performance.now() - t0) / 1000;
    result.cpuDuringTrading = cpuWindow.stop();
    if (hopProbe !== null) {
      const probe = hopProbe;
      hopProbe = null;
      result.hopPeer = await probe.stop();
    }
    result.loadDuringRun = loadavg()[0];
    result.cores = cpus().length;
    if (interrupted) throw new Error('interrupted');
    const gatewayExit = await gateway.exited;
    const gatewayStats = gateway.stats ?? {};
    if (gatewayExit.code !== 0) throw new Error(fail(`the simulated gateway failed (${gatewayExit.signal ?? `code ${gatewayExit.code}`}):\n${gateway.logTail()}`));
    // the gateway ends only with its crowd settled (its last stats say so): the shock is armed
    // by now, and risk must have marked it before the drain can tell whether the ladder is done
    armShockOnceCrowdSettled();
    if (options.shockAtS > 0) {
      if (!shock.armed) throw new Error(fail(`the simulated gateway ended without reporting its crowd settled (${JSON.stringify(gatewayStats)})`));
      await waitForShockMarked(oracle, observer, performance.now() + options.drainTimeoutS * 1000, fail, () => interrupted);
      shock.landedAtS = (performance.now() - t0) / 1000;
    }
    // No index after this point: a mark that kept moving during the drain could breach a
    // survivor of the gap after the ladders were counted idle (a trigger the reconciliation
    // would find without its end). The oracle flushes on SIGTERM; risk then reads to the
    // end of the index topic like any other input (PIPELINE_AFTER_ORACLE).
    // (each stopped gateway reports its final counters: the order commands it published)
    for (const g of gateways) {
      const exit = await g.stop(12_000);
      if (exit.code !== 0) throw new Error(fail(`${g.name} did not stop cleanly (code ${exit.code}):\n${g.logTail(5)}`));
    }
    const oracleExit = await oracle.stop(12_000);
    if (oracleExit.code !== 0) throw new Error(fail(`the oracle did not stop cleanly (code ${oracleExit.code}):\n${oracle.logTail(5)}`));

    // ---- drain: every pipeline group at the end of its topic, every fill settled, no
    // liquidation ladder in flight (asked of the risk process: a ladder between a fill and
    // its next step has nothing on any topic) and nothing matching or risk published still
    // unsent (a stage commits its input before its output reaches the broker), twice in a row
    say('start-cluster: draining…');
    const drainStart = performance.now();
    const drainDeadline = drainStart + options.drainTimeoutS * 1000;
    let quiet = 0;
    let lags = [];
    let laddersActive = -1;
    const observerPairs = observer.ownPairs();
    while (quiet < 2) {
      if (interrupted) throw new Error('interrupted');
      if (performance.now() > drainDeadline) {
        const behind = lags.filter((l) => l.lag > 0).map((l) => `${l.groupId} on ${l.topic}: ${l.lag} behind`).join('; ');
        throw new Error(fail(`not drained after ${options.drainTimeoutS} s: ${behind || `${observer.fillsProduced()} fills produced, ${observer.legsSettled() / 2} settled; ${laddersActive} liquidation ladders active`}`));
      }
      await sleep(250);
      lags = await observer.lag([...PIPELINE, ...PIPELINE_AFTER_ORACLE, ...observerPairs]);
      const settledAll = observer.legsSettled() === 2 * observer.fillsProduced();
      const atEnd = lags.every((l) => l.lag === 0) && settledAll;
      let sent = false;
      if (atEnd) {
        const [riskNow, matchingNow] = await Promise.all([risk.requestStats(), matchingStats()]);
        laddersActive = riskNow?.liquidationsActive ?? -1;
        sent = riskNow?.sendIdle === true && matchingNow?.sendIdle === true;
      }
      quiet = atEnd && laddersActive === 0 && sent ? quiet + 1 : 0;
    }
    const drainS = (performance.now() - drainStart) / 1000;

    // ---- reconcile: the observer's count of the topics against the stages' own answers
    const [matchingNow, riskStats, spotStats] = await Promise.all([matchingStats(), risk.requestStats(), spot.requestStats()]);
    const markets = Object.keys(matchingNow?.fillsByMarket ?? {});
    const reconciliation = observer.reconcile(markets);
    result.problems.push(...reconciliation.problems);
    for (const row of reconciliation.perMarket) {
      const own = matchingNow?.fillsByMarket?.[row.market];
      row.matchingCount = own;
      if (own !== row.fillsProduced) fail(`${row.market}: matching counts ${own} fills, ${row.fillsProduced} reached matching.events.v1`);
      const oi = riskStats?.openInterest?.[row.market];
      row.riskOpenInterest = oi;
      if (oi === undefined || oi.longLots !== oi.shortLots) fail(`${row.market}: risk's open interest ${JSON.stringify(oi)} does not net to zero`);
      else if (oi.longLots !== row.longLots) fail(`${row.market}: risk's open interest ${oi.longLots} lots ≠ ${row.longLots} lots from its PositionSettled events`);
    }
    // Every order command on gateway.order-commands.v1 (the simulated gateway's and the real
    // gateways', read by the observer) was either passed on to matching or refused with an
    // event: none lost. And each sender's own count is what reached the topic from it.
    const riskRefused = [...observer.riskRejects.values()].reduce((a, b) => a + b, 0);
    const ordersSent = gatewayStats.commandsSent ?? 0;
    const ordersOnTopic = observer.orderCommandsFrom();
    const simOnTopic = observer.orderCommandsFrom(simSource);
    const viaGateways = gateways.map((g) => ({ name: g.name, source: g.stats?.source, sent: g.stats?.orderCommandsSent, onTopic: observer.orderCommandsFrom(g.stats?.source), refused: observer.riskRejectsBySource.get(g.stats?.source) ?? 0 }));
    if (riskStats?.ordersForwarded + riskRefused !== ordersOnTopic) {
      const by = [`${simOnTopic} from the simulated gateway`, ...viaGateways.map((g) => `${g.onTopic} through ${g.name}`)].join(', ');
      fail(`orders: ${ordersOnTopic} order commands on ${Topics.gatewayOrderCommands.name} (${by}), but risk forwarded ${riskStats?.ordersForwarded} and refused ${riskRefused} (${ordersOnTopic - riskStats?.ordersForwarded - riskRefused} unaccounted for; ${riskStats?.duplicatesDropped} dropped as redeliveries)`);
    }
    if (simOnTopic !== ordersSent) fail(`orders: the simulated gateway sent ${ordersSent} order commands, ${simOnTopic} of its source reached ${Topics.gatewayOrderCommands.name}`);
    for (const g of viaGateways) {
      if (g.sent !== g.onTopic) fail(`orders: ${g.name} published ${g.sent ?? '(no final count)'} order commands, ${g.onTopic} of its source ${g.source} reached ${Topics.gatewayOrderCommands.name}`);
    }
    if (riskStats?.auditOk !== true) fail(`risk conservation audit: ${JSON.stringify(riskStats?.auditProblems ?? 'no answer')}`);
    if (spotStats?.auditOk !== true) fail(`spot-margin conservation audit: ${JSON.stringify(spotStats?.auditProblems ?? 'no answer')}`);
    if (spotStats?.halted !== false) fail(`spot-margin stage halted: ${spotStats?.halted ?? 'no answer'}`);
    const fillsProduced = observer.fillsProduced();
    Object.assign(result, {
      tradingS,
      drainS,
      ordersSent,
      ordersViaGateways: viaGateways.reduce((n, g) => n + g.onTopic, 0),
      ordersViaGatewaysRefused: viaGateways.reduce((n, g) => n + g.refused, 0),
      ordersForwarded: riskStats?.ordersForwarded,
      riskRejects: Object.fromEntries(observer.riskRejects),
      matchingRejects: observer.matchingRejects,
      fillsProduced,
      fillsSettled: observer.legsSettled() / 2,
      fillsPerS: fillsProduced / tradingS,
      perMarket: reconciliation.perMarket,
      auditOk: riskStats?.auditOk === true,
      spot: { auditOk: spotStats?.auditOk === true, commands: spotStats?.commands ?? null, refused: spotStats?.refused ?? null, indexPrices: spotStats?.indexPrices ?? null },
      duplicatesDropped: { risk: riskStats?.duplicatesDropped ?? null, matching: matchingNow?.duplicatesDropped ?? null },
      otherShardCommands: matchingNow?.otherShardCommands ?? null,
      liquidationsTriggered: observer.liquidationsTriggered,
      liquidationsHeld: riskStats?.liquidationsHeld ?? null,
      liquidationEvents: Object.fromEntries(observer.liquidationEvents),
      positionsMovedOutsideBook: Object.fromEntries([...observer.transferLegs].map(([type, legs]) => [type === 2 ? 'LIQUIDATION (backstop or fund takeover)' : type === 3 ? 'DELEVERAGED (ADL)' : `fill type ${type}`, legs / 2])),
      crowdEntered: gatewayStats.crowdEntered ?? 0,
      latency: observer.latency(),
      hops: observer.hops(),
      produceRoundTrips: { ...(shards === 1 ? { matching: matchingNow?.produceRoundTrips?.matching ?? null } : matchingNow?.produceRoundTrips), risk: riskStats?.produceRoundTrips ?? null },
      bytesByTopic: Object.fromEntries(
        Object.entries({ ...matchingNow?.kafkaSent, ...riskStats?.kafkaSent }).map(([topic, t]) => [topic, t.bytes]),
      ),
      topicTraffic: await observer.topicTraffic(topicNames, tradingS),
      deadLetters: await observer.deadLetterCounts(topicNames, deadLettersBefore),
    });
    if (fillsProduced === 0) fail('no fills at all: the market did not trade');
    // every liquidation risk triggered was carried to its end by the ladder
    const ended = (observer.liquidationEvents.get('completed') ?? 0) + (observer.liquidationEvents.get('aborted') ?? 0);
    if (ended !== observer.liquidationsTriggered) {
      const open = observer.unendedLiquidations().map((l) => `#${l.liquidationId} (account ${l.accountId}: ${l.events.join(' → ') || 'no ladder event'})`);
      fail(`liquidations: ${observer.liquidationsTriggered} triggered by risk, ${ended} completed or aborted by the ladder; not ended: ${open.join(', ') || 'none'}`);
    }
    // …and risk holds no scope LIQUIDATING that no ladder is working on (the ladder is idle after the drain)
    if (riskStats?.liquidationsHeld !== 0) fail(`liquidations: risk still holds ${riskStats?.liquidationsHeld} scopes LIQUIDATING with no ladder on them (liquidation ids ${riskStats?.liquidationsHeldIds?.join(', ')})`);
    result.ok = result.problems.length === 0;
  } catch (error) {
    if (!result.problems.includes(error.message) && error.message !== 'interrupted') fail(error.message);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    // gateway first (it produces), then the stages; each flushes and commits on SIGTERM
    for (const s of [...started].reverse()) {
      const exit = await s.stop(12_000);
      if (exit.code !== 0 && s.name !== 'gateway-sim' && !interrupted) fail(`${s.name} did not stop cleanly (code ${exit.code}):\n${s.logTail(5)}`);
    }
    await hopProbe?.stop().catch(() => undefined);
    await observer?.close();
    if (broker !== undefined) await broker.stop().catch((error) => say(`start-cluster: stopping the broker: ${error.message}`));
  }
  result.ok = result.problems.length === 0 && !interrupted;
  return { text: formatSummary(result, interrupted), result, exitCode: interrupted ? 130 : result.ok ? 0 : 1 };
}
