/**
 * The cluster crash test: the matching process (services/matching/dist/main.js) and
 * the risk process (services/exchange/dist/cluster-risk.js: risk + its liquidation
 * ladder) on a real broker, each with its own PERPCORE_SNAPSHOT_DIR, fed a fixed,
 * seeded command log (crash-command-log.ts: deposits, index prices on
 * oracle.index-prices.v1, orders and cancels) in slices; after each slice starts
 * going out, at a seeded random moment, one of the two (seeded choice) is SIGKILLed
 * and started again over its directory. Then the last slice, a drain (every group at
 * the end of its topics, every restart's ordered replay done), SIGTERM to both.
 *
 * What is checked (each one a line in the result, none a count that cannot fail):
 * - every restart came back (`recovered`), from its newest snapshot or, killed before
 *   its first one, from the beginning;
 * - hash: each stage's final state hash (logged at shutdown) equals the hash of the
 *   uninterrupted stage, in-process, fed the exact per-stage input sequence the
 *   process applied over all its lives (stage-input-replay.ts, which says why that,
 *   and not a second cluster run, is the reference: the stages' results depend on how
 *   the broker interleaves their topics, and since the input-order log the restarted
 *   stage replays its tail in the order it first applied it);
 * - that sequence holds every envelope of the stage's input topics exactly once, in
 *   partition order (cluster-reconciliation.ts inputCoverage);
 * - every output published again after a restart is byte for byte the first copy;
 * - every fill settled exactly once per side, none settled that matching did not
 *   make, Σ long = Σ short lots per market; risk's conservation audit ok at shutdown
 *   and in the reference.
 *
 * The broker must be fresh (no stage topic holding a message): the stages read their
 * topics from the beginning, and another run's matching events (numbered from 1 per
 * market) would be taken for this run's duplicates.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaBus, Topics } from '@perpcore/bus';
import { defaultMarketSpecs, defaultVenueMarkets } from '@perpcore/markets';
import type { Logger } from '@perpcore/observability';
import { readInputOrder } from '@perpcore/snapshot';
import type { MatchingProcessConfig } from '@perpcore/matching';
import type { RiskShardConfig } from '../cluster-risk-shard.js';
import { seededRandom } from '../durability/seeded-random.js';
import { type CrashCommand, venueCrashCommandLog, type LeveredScenario } from './crash-command-log.js';
import { fillSettlement, inputCoverage, republishedOutputs } from './cluster-reconciliation.js';
import { foldMatching, foldRiskShard, MATCHING_TOPICS, resolveInputs, RISK_SHARD_TOPICS, type StageInput } from './stage-input-replay.js';
import { StageProcess } from './stage-process.js';
import { ensureTopics } from './ensure-topics.js';
import { drainPipeline } from './pipeline-drain.js';
import { endOffsets, envelopeId, type Envelope, readTopics } from './topic-contents.js';

export interface ClusterCrashOptions {
  /** The repository root (the stages' dist entry points are under it). */
  root: string;
  brokers: readonly string[];
  kills: number;
  seed: number;
  killSeed: number;
  accounts: number;
  /** Low-margin longs and the index drop that liquidates them (crash-command-log.ts). */
  levered?: LeveredScenario;
  /** Commands after the deposits, spread over kills + 1 slices. */
  commands: number;
  /** Send rate of the command log. */
  ratePerS: number;
  /** A victim is killed this long after its slice started going out (uniform between the two). */
  minLifeMs: number;
  maxLifeMs: number;
  snapshotIntervalMs: number;
  logger: Logger;
  onLine?: (line: string) => void;
  /** Keep the snapshot directories (their paths are in the result). */
  keepDirs?: boolean;
}

export interface ClusterCrashResult {
  kills: number;
  killsByStage: { risk: number; matching: number };
  recovered: number;
  /** Restarts that restored a snapshot (the others were killed before their first one). */
  restartsFromSnapshot: number;
  /** Inputs the restarts re-applied in their logged order, all restarts together. */
  orderedReplayInputs: number;
  hashMismatches: string[];
  problems: string[];
  commandsSent: number;
  fills: number;
  liquidationsTriggered: number;
  marginCalls: number;
  settledLegs: number;
  republishedOutputs: number;
  applied: { risk: number; matching: number };
  hashes: { risk: string; matching: string };
  openInterestLots: Record<string, { longLots: number; shortLots: number }>;
  /** What the in-process reference was built from, for a test that tampers with it. */
  reference: { riskConfig: RiskShardConfig; riskInputs: StageInput[]; matchingConfig: MatchingProcessConfig; matchingInputs: StageInput[] };
  dirs: { risk: string; matching: string };
  seconds: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const TS_STEP_NS = 1_000;

const OUTPUT_TOPICS = [Topics.matchingCommands.name, Topics.matchingEvents.name, Topics.riskAccountEvents.name, Topics.riskMarketEvents.name, Topics.liquidationEvents.name];

export async function runClusterCrashTest(options: ClusterCrashOptions): Promise<ClusterCrashResult> {
  const startedMs = performance.now();
  const say = options.onLine ?? (() => undefined);
  const run = `${process.pid % 10_000}${Date.now() % 1_000_000}`;
  const specs = defaultMarketSpecs;
  const venue = defaultVenueMarkets(specs);
  const riskConfig: RiskShardConfig = { source: `risk-c${run}`, specs, fundSeedUnits: 20_000_000_000, liquidationSource: `liquidation-c${run}` };
  const matchingConfig: MatchingProcessConfig = { markets: specs.map((s) => s.symbol), book: 'fast', groupId: `matching-c${run}`, accountEvents: 'false', conflateMs: 20, sampleLevels: 50 };
  const log = venueCrashCommandLog({ seed: options.seed, accounts: options.accounts, commands: options.commands, ...(options.levered === undefined ? {} : { levered: options.levered }), runId: run }, venue);
  const allTopics = [...new Set([...RISK_SHARD_TOPICS, ...MATCHING_TOPICS, ...OUTPUT_TOPICS])];

  const bus = await KafkaBus.connect({ brokers: [...options.brokers], clientId: `crash-feeder-${run}`, logger: options.logger, connectTimeoutMs: 30_000 });
  const dirs = { risk: mkdtempSync(join(tmpdir(), 'perpcore-crash-risk-')), matching: mkdtempSync(join(tmpdir(), 'perpcore-crash-matching-')) };
  const common = {
    PERPCORE_KAFKA_BROKERS: options.brokers.join(','),
    PERPCORE_KAFKA_SESSION_TIMEOUT_MS: '6000',
    PERPCORE_SNAPSHOT_INTERVAL_MS: String(options.snapshotIntervalMs),
    PERPCORE_SNAPSHOT_MIN_MESSAGES: '1',
    // the reference reads each stage's input-order log from its first entry: no snapshot (and no log behind it) is pruned
    PERPCORE_SNAPSHOT_KEEP: '1000',
    PERPCORE_LOG_LEVEL: 'info',
    PERPCORE_STATS_INTERVAL_MS: '0',
  };
  const risk = new StageProcess('risk', 'services/exchange/dist/cluster-risk.js', {
    ...common,
    PERPCORE_SNAPSHOT_DIR: dirs.risk,
    PERPCORE_RISK_SOURCE: riskConfig.source,
    PERPCORE_LIQUIDATION_SOURCE: riskConfig.liquidationSource,
    PERPCORE_RISK_FUND_SEED_UNITS: String(riskConfig.fundSeedUnits),
  }, options.root);
  const matching = new StageProcess('matching', 'services/matching/dist/main.js', {
    ...common,
    PERPCORE_SNAPSHOT_DIR: dirs.matching,
    PERPCORE_MATCHING_GROUP_ID: matchingConfig.groupId,
    PERPCORE_MATCHING_INSTANCE: `matching-c${run}`,
  }, options.root);
  try {
    await ensureTopics(bus);
    const before = await endOffsets(options.brokers, allTopics);
    for (const [topic, partitions] of before) for (const end of partitions.values()) if (end > 0) throw new Error(`the broker is not fresh: ${topic} already holds messages (the crash test needs a broker of its own)`);
    await Promise.all([risk.start(), matching.start()]);
    say(`risk and matching ready (${((performance.now() - startedMs) / 1000).toFixed(1)} s)`);

    const next = seededRandom(options.killSeed);
    const deposits = log.filter((c) => c.topic === 'account').length;
    const slices = sliceLog(log, deposits, options.kills + 1);
    let sent = 0;
    const killsByStage = { risk: 0, matching: 0 };
    let lastTsNs = 0;
    const send = async (slice: readonly CrashCommand[]) => {
      const started = performance.now();
      for (let i = 0; i < slice.length; i++) {
        const due = started + (i * 1000) / options.ratePerS;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        const command = slice[i] as CrashCommand;
        // ns times near 1.8e18 are doubles 256 apart: `+ 1` would not move them, and two index prices stamped in
        // one millisecond would carry the same time (the second refused as stale); 1 µs steps stay strictly apart
        lastTsNs = Math.max(lastTsNs + TS_STEP_NS, Date.now() * 1e6);
        command.value.tsNs = lastTsNs;
        if (command.topic === 'account') bus.publish(Topics.gatewayAccountCommands, command.value);
        else if (command.topic === 'order') bus.publish(Topics.gatewayOrderCommands, command.value);
        else bus.publish(Topics.oracleIndexPrices, command.value);
        sent++;
      }
      await bus.flush();
    };
    for (let k = 0; k < options.kills; k++) {
      const victim = next() < 0.5 ? risk : matching;
      const lifeMs = options.minLifeMs + next() * (options.maxLifeMs - options.minLifeMs);
      const sending = send(slices[k] as CrashCommand[]);
      await sleep(lifeMs);
      await victim.kill();
      killsByStage[victim.name]++;
      const restartStarted = performance.now();
      await victim.start();
      await sending;
      say(`kill ${k + 1}: ${victim.name} SIGKILLed ${Math.round(lifeMs)} ms into slice ${k + 1}; ready again in ${((performance.now() - restartStarted) / 1000).toFixed(1)} s; ${sent} commands sent`);
    }
    await send(slices[options.kills] as CrashCommand[]);
    const drainedAt = await drainPipeline({ brokers: options.brokers, groups: [{ source: riskConfig.source, topics: RISK_SHARD_TOPICS }, { source: matchingConfig.groupId, topics: MATCHING_TOPICS }], stages: [risk, matching] });
    say(`drained (${((performance.now() - startedMs) / 1000).toFixed(1)} s)`);
    const [riskExit, matchingExit] = [await risk.stop(), await matching.stop()];
    const problems: string[] = [];
    if (riskExit !== 0) problems.push(`risk exited with ${riskExit} at the end:\n${risk.current?.stderr.slice(-1_500)}`);
    if (matchingExit !== 0) problems.push(`matching exited with ${matchingExit} at the end:\n${matching.current?.stderr.slice(-1_500)}`);
    const riskEnd = risk.current === undefined ? undefined : risk.lines(risk.current, 'conservation audit ok at shutdown')[0];
    if (riskEnd === undefined) problems.push(`risk did not report its conservation audit ok at shutdown: ${risk.current === undefined ? '' : JSON.stringify(risk.lines(risk.current, 'conservation audit failed at shutdown')[0] ?? {})}`);
    const matchingEnd = matching.current === undefined ? undefined : matching.lines(matching.current, 'matching stopped')[0];
    if (matchingEnd === undefined) problems.push('matching did not log its final state hash');

    const contents = await readTopics(options.brokers, await endOffsets(options.brokers, allTopics));
    const byId = new Map<string, Envelope>();
    for (const rows of contents.values()) for (const e of rows) byId.set(envelopeId(e.topic, e.partition, e.offset, e.indexInRecord), e);
    const riskInputs = resolveInputs(readInputOrder(dirs.risk, 0), RISK_SHARD_TOPICS, byId);
    const matchingInputs = resolveInputs(readInputOrder(dirs.matching, 0), MATCHING_TOPICS, byId);
    problems.push(...inputCoverage('risk', riskInputs, RISK_SHARD_TOPICS, contents, drainedAt));
    problems.push(...inputCoverage('matching', matchingInputs, MATCHING_TOPICS, contents, drainedAt));
    const republished = republishedOutputs(contents, OUTPUT_TOPICS);
    problems.push(...republished.problems);
    const fills = fillSettlement(contents);
    problems.push(...fills.problems);

    const riskReference = await foldRiskShard(riskConfig, riskInputs, options.logger);
    const matchingReference = await foldMatching(matchingConfig, matchingInputs, options.logger);
    if (!riskReference.auditOk) problems.push('the reference risk shard fails its conservation audit');
    const hashes = { risk: String(riskEnd?.stateHash ?? ''), matching: String(matchingEnd?.stateHash ?? '') };
    const hashMismatches: string[] = [];
    if (hashes.risk !== riskReference.stateHash) hashMismatches.push(`risk: the crashed process ended at ${hashes.risk || '(none)'}, the uninterrupted fold of its ${riskInputs.length} inputs at ${riskReference.stateHash}`);
    if (hashes.matching !== matchingReference.stateHash) hashMismatches.push(`matching: the crashed process ended at ${hashes.matching || '(none)'}, the uninterrupted fold of its ${matchingInputs.length} inputs at ${matchingReference.stateHash}`);

    const restarts = [...risk.lives.slice(1), ...matching.lives.slice(1)];
    const stage = (life: (typeof restarts)[number]) => (risk.lives.includes(life) ? risk : matching);
    const recovered = restarts.filter((l) => stage(l).lines(l, `${stage(l).name} ready`).length > 0).length;
    const restartsFromSnapshot = restarts.filter((l) => stage(l).lines(l, `${stage(l).name} recovery`).some((r) => typeof r.from === 'object' && r.from !== null)).length;
    const orderedReplayInputs = restarts.reduce((n, l) => n + Number(stage(l).lines(l, 'ordered replay done')[0]?.inputs ?? 0), 0);
    return {
      kills: options.kills,
      killsByStage,
      recovered,
      restartsFromSnapshot,
      orderedReplayInputs,
      hashMismatches,
      problems,
      commandsSent: sent,
      fills: fills.fills,
      liquidationsTriggered: fills.liquidationsTriggered,
      marginCalls: fills.marginCalls,
      settledLegs: fills.settledLegs,
      republishedOutputs: republished.republished,
      applied: { risk: riskInputs.length, matching: matchingInputs.length },
      hashes,
      openInterestLots: fills.openInterestLots,
      reference: { riskConfig, riskInputs, matchingConfig, matchingInputs },
      dirs,
      seconds: (performance.now() - startedMs) / 1000,
    };
  } finally {
    await risk.kill();
    await matching.kill();
    await bus.close().catch(() => undefined);
    if (options.keepDirs !== true) for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true });
  }
}

/** The deposits go with the first slice; the rest is cut into `count` slices of equal length. */
function sliceLog(log: readonly CrashCommand[], deposits: number, count: number): CrashCommand[][] {
  const rest = log.slice(deposits);
  const size = Math.ceil(rest.length / count);
  const slices = Array.from({ length: count }, (_, i) => rest.slice(i * size, (i + 1) * size));
  (slices[0] as CrashCommand[]).unshift(...log.slice(0, deposits));
  return slices;
}
