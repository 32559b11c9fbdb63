/**
 * One seeded command log, both ways: through the cluster (the matching process and
 * the risk process with its liquidation ladder on a real broker) and through the
 * embedded pipeline (the same stages over the in-process bus), each stage's final
 * state hash compared across the two.
 *
 * What makes the comparison mean something: the stages' results depend on the order
 * of their inputs, and the broker's timing decides how the topics a cluster stage
 * reads interleave (a pre-trade check before or after a fill settles). The cluster
 * is therefore fed the log one command at a time, each sent only once the previous
 * one's whole cascade has been applied (every group at the end of its topics: risk's
 * hold, matching's fills, risk's settlement, the ladder's orders and their fills).
 * Under that order the embedded pipeline, whose in-process bus runs each command's
 * cascade to the end before it returns, applies the same inputs in the same order,
 * so any difference left is one of the two compositions: the ladder's wiring, a
 * setting one mode defaults otherwise (the marks were one: embedded risk read the
 * live books; both read matching's book samples now).
 *
 * The cluster's clock tick (time-only schedules on the wall clock) is set beyond the
 * run; every time the stages see is the commands' `tsNs`, stamped once and sent
 * unchanged to both modes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaBus, type Topic, Topics } from '@perpcore/bus';
import { defaultInsuranceFundSeedUnits, defaultMarketSpecs, defaultVenueMarkets } from '@perpcore/markets';
import { MATCHING_TOPICS } from '@perpcore/matching';
import type { Logger } from '@perpcore/observability';
import type { MatchingEventV1, RiskEventV1 } from '@perpcore/proto';
import { RISK_SHARD_TOPICS } from '../cluster-risk-shard.js';
import { type CrashCommand, venueCrashCommandLog, type LeveredScenario } from '../cluster-crash/crash-command-log.js';
import { ensureTopics } from '../cluster-crash/ensure-topics.js';
import { PipelineDrain } from '../cluster-crash/pipeline-drain.js';
import { StageProcess } from '../cluster-crash/stage-process.js';
import { endOffsets, type Envelope, envelopeId, readTopics } from '../cluster-crash/topic-contents.js';
import { resolveInputs } from '../cluster-crash/stage-input-replay.js';
import { readInputOrder } from '@perpcore/snapshot';
import { fillSettlement } from '../cluster-crash/cluster-reconciliation.js';
import { createPipeline } from '../pipeline.js';

export interface ModeEquivalenceOptions {
  /** The repository root (the stages' dist entry points are under it). */
  readonly root: string;
  /** The first command's time, ms since the epoch (default: now); it places the run on the funding and sample schedules. */
  readonly startMs?: number;
  /** A broker no stage topic of which holds a message yet. */
  readonly brokers: readonly string[];
  readonly seed: number;
  readonly accounts: number;
  /** Commands after the deposits. */
  readonly commands: number;
  readonly levered?: LeveredScenario;
  /** Input time between two commands: the run's span decides which schedules it reaches (book samples each second, premium samples, funding every 8 h). */
  readonly commandSpacingNs: number;
  readonly logger: Logger;
  /** Progress, one line every 50 commands. */
  readonly onLine?: (line: string) => void;
}

export interface ModeFigures {
  readonly riskStateHash: string;
  readonly matchingStateHash: string;
  readonly auditOk: boolean;
  readonly fills: number;
  readonly liquidationsTriggered: number;
  readonly marginCalls: number;
}

export interface ModeEquivalenceResult {
  readonly commandsSent: number;
  readonly cluster: ModeFigures;
  readonly embedded: ModeFigures;
  /** The embedded pipeline fed the log without its last placement: that the hashes see a difference of one order. */
  readonly embeddedWithoutLastPlacement: ModeFigures;
  /**
   * Where the two runs' risk inputs first part ('' when risk applied the same
   * messages in the same order in both): an order difference, where a differing
   * hash over equal inputs is one of the compositions.
   */
  readonly riskInputDivergence: string;
  /** What went wrong on the cluster side (a stage's exit code, a missing shutdown line). */
  readonly problems: string[];
  readonly seconds: number;
}

const MIN_SPACING_NS = 1_000;
// beyond any run: the cluster's only clock is the commands' times, as the embedded pipeline's
const NO_WALL_CLOCK_TICK_MS = '3600000';

export async function runModeEquivalence(options: ModeEquivalenceOptions): Promise<ModeEquivalenceResult> {
  const startedMs = performance.now();
  const say = options.onLine ?? (() => undefined);
  const run = `${process.pid % 10_000}${Date.now() % 1_000_000}`;
  const venue = defaultVenueMarkets(defaultMarketSpecs);
  const log = venueCrashCommandLog({ seed: options.seed, accounts: options.accounts, commands: options.commands, ...(options.levered === undefined ? {} : { levered: options.levered }), runId: run }, venue);
  stampTimes(log, options.commandSpacingNs, options.startMs ?? Date.now());
  const cluster = await runCluster(options, log, say);
  say(`cluster done (${((performance.now() - startedMs) / 1000).toFixed(1)} s); the embedded pipeline next`);
  const riskInputs: RiskInput[] = [];
  const embedded = await runEmbedded(options, log, riskInputs);
  let lastPlacement = log.length - 1;
  while (lastPlacement >= 0 && !isPlacement(log[lastPlacement] as CrashCommand)) lastPlacement--;
  const embeddedWithoutLastPlacement = await runEmbedded(options, log.filter((_, i) => i !== lastPlacement));
  return { commandsSent: log.length, cluster: cluster.figures, embedded, embeddedWithoutLastPlacement, riskInputDivergence: firstDivergence(cluster.riskInputs, riskInputs), problems: cluster.problems, seconds: (performance.now() - startedMs) / 1000 };
}

/** Strictly increasing times from now on, `spacingNs` apart (ns near 1.8e18 are doubles 256 apart: at least 1 µs). */
function stampTimes(log: readonly CrashCommand[], spacingNs: number, startMs: number): void {
  const stepNs = Math.max(MIN_SPACING_NS, spacingNs);
  let tsNs = startMs * 1e6;
  for (const command of log) {
    tsNs += stepNs;
    command.value.tsNs = tsNs;
  }
}

const isPlacement = (c: CrashCommand): boolean => c.topic === 'order' && c.value.command === 'place';

function publishCommand(bus: { publish: KafkaBus['publish'] }, command: CrashCommand): void {
  if (command.topic === 'account') bus.publish(Topics.gatewayAccountCommands, command.value);
  else if (command.topic === 'order') bus.publish(Topics.gatewayOrderCommands, command.value);
  else bus.publish(Topics.oracleIndexPrices, command.value);
}

/** The embedded run's outcome counts, from its events as they are published (the cluster's: fillSettlement over the topics). */
class OutcomeTally {
  fills = 0;
  liquidationsTriggered = 0;
  marginCalls = 0;
  onMatching(e: MatchingEventV1): void {
    if (e.event === 'filled') this.fills++;
  }
  onRisk(e: RiskEventV1): void {
    if (e.event === 'liquidationTriggered') this.liquidationsTriggered++;
    else if (e.event === 'marginCall') this.marginCalls++;
  }
}

/** One message risk applied: its topic and its bytes as compared (`riskInput`). */
interface RiskInput {
  readonly topic: string;
  readonly bytes: Uint8Array;
  readonly value: unknown;
}

const topicByName = new Map<string, Topic<unknown>>(Object.values(Topics).map((t) => [t.name, t as Topic<unknown>]));

/** The message in the topic's encoding: what risk applied, byte for byte (seq included: both modes number the same events). */
function riskInput(name: string, value: unknown): RiskInput {
  const topic = topicByName.get(name) as Topic<unknown>;
  return { topic: name, bytes: topic.codec.encode(value), value };
}

function describeInput(input: RiskInput): string {
  const v = input.value as { event?: string; command?: string; source?: string; seq?: number; market?: string; symbol?: string; accountId?: number };
  return `${input.topic} ${v.event ?? v.command ?? ''} (source ${v.source}, seq ${v.seq}${v.market ? `, ${v.market}` : ''}${v.symbol ? `, ${v.symbol}` : ''}${v.accountId ? `, account ${v.accountId}` : ''})`;
}

const asJson = (value: unknown): string => JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v));

/**
 * Book deltas are on matching.events.v1 only in embedded mode (the cluster's matching
 * writes them to the market-data topic; both number them): they do not change risk's
 * state, so they are not compared. Book samples are in both modes and are compared.
 */
const bookOnly = (input: RiskInput): boolean =>
  (input.topic === Topics.matchingEvents.name && (input.value as { event?: string }).event === 'bookDelta') || input.topic === Topics.riskAccountEvents.name || input.topic === Topics.riskMarketEvents.name;

const isSample = (input: RiskInput): boolean => input.topic === Topics.matchingEvents.name && (input.value as { event?: string }).event === 'bookSample';
const marketOf = (input: RiskInput): string | undefined => (input.topic === Topics.matchingEvents.name ? (input.value as { market?: string }).market : undefined);

/**
 * Where two runs' risk inputs first part. Book samples are compared per market, each
 * among that market's matching events: the cluster's matching writes each market to
 * its own partition, so samples of two markets that one command produced (a cancel-all
 * across markets) reach risk in the broker's order, and a sample changes only its own
 * market's view. Every other input is compared in one global order.
 */
function firstDivergence(clusterAll: readonly RiskInput[], embeddedAll: readonly RiskInput[]): string {
  const cluster = clusterAll.filter((i) => !bookOnly(i));
  const embedded = embeddedAll.filter((i) => !bookOnly(i));
  const global = sequenceDivergence('risk input', cluster.filter((i) => !isSample(i)), embedded.filter((i) => !isSample(i)));
  if (global !== '') return global;
  const markets = new Set([...cluster, ...embedded].filter(isSample).map((i) => marketOf(i) as string));
  for (const market of [...markets].sort()) {
    const ofMarket = (i: RiskInput) => marketOf(i) === market;
    const d = sequenceDivergence(`${market} matching event`, cluster.filter(ofMarket), embedded.filter(ofMarket));
    if (d !== '') return d;
  }
  return '';
}

function sequenceDivergence(label: string, cluster: readonly RiskInput[], embedded: readonly RiskInput[]): string {
  const n = Math.min(cluster.length, embedded.length);
  for (let i = 0; i < n; i++) {
    const c = cluster[i] as RiskInput;
    const e = embedded[i] as RiskInput;
    if (c.topic !== e.topic || !Buffer.from(c.bytes).equals(e.bytes)) return `${label} ${i + 1}: the cluster applied ${describeInput(c)}, the embedded pipeline ${describeInput(e)}: ${asJson(c.value)} vs ${asJson(e.value)}`;
  }
  if (cluster.length !== embedded.length) return `${label}s: the cluster's risk applied ${cluster.length}, the embedded pipeline's ${embedded.length}`;
  return '';
}

async function runCluster(options: ModeEquivalenceOptions, log: readonly CrashCommand[], say: (line: string) => void): Promise<{ figures: ModeFigures; riskInputs: RiskInput[]; problems: string[] }> {
  const riskSource = 'risk-0';
  const matchingGroup = 'matching';
  const bus = await KafkaBus.connect({ brokers: [...options.brokers], clientId: `equivalence-feeder-${process.pid}`, logger: options.logger, connectTimeoutMs: 30_000 });
  // the input-order logs stay beside the run for whoever needs to find where two runs parted
  const dirs = { risk: mkdtempSync(join(tmpdir(), 'perpcore-equivalence-risk-')), matching: mkdtempSync(join(tmpdir(), 'perpcore-equivalence-matching-')) };
  const common = {
    PERPCORE_KAFKA_BROKERS: options.brokers.join(','),
    PERPCORE_SNAPSHOT_INTERVAL_MS: '600000',
    PERPCORE_LOG_LEVEL: 'info',
    PERPCORE_STATS_INTERVAL_MS: '0',
  };
  // both processes on their defaults (risk-0, liquidation-0, the default fund seed), which are the embedded pipeline's
  const risk = new StageProcess('risk', 'services/exchange/dist/cluster-risk.js', { ...common, PERPCORE_SNAPSHOT_DIR: dirs.risk, PERPCORE_RISK_TIME_TICK_MS: NO_WALL_CLOCK_TICK_MS }, options.root);
  const matching = new StageProcess('matching', 'services/matching/dist/main.js', { ...common, PERPCORE_SNAPSHOT_DIR: dirs.matching }, options.root);
  let drain: PipelineDrain | undefined;
  try {
    await ensureTopics(bus);
    const topics = [...new Set([...RISK_SHARD_TOPICS, ...MATCHING_TOPICS])];
    for (const [topic, partitions] of await endOffsets(options.brokers, topics)) for (const end of partitions.values()) if (end > 0) throw new Error(`the broker is not fresh: ${topic} already holds messages`);
    await Promise.all([risk.start(), matching.start()]);
    const startedMs = performance.now();
    drain = await PipelineDrain.open({ brokers: options.brokers, groups: [{ source: riskSource, topics: RISK_SHARD_TOPICS }, { source: matchingGroup, topics: MATCHING_TOPICS }], stages: [risk, matching], pollMs: 20, timeoutMs: 60_000 });
    for (let i = 0; i < log.length; i++) {
      publishCommand(bus, log[i] as CrashCommand);
      await bus.flush();
      await drain.drained();
      if ((i + 1) % 50 === 0) say(`cluster: ${i + 1} of ${log.length} commands applied (${((performance.now() - startedMs) / 1000).toFixed(1)} s)`);
    }
    const problems: string[] = [];
    const [riskExit, matchingExit] = [await risk.stop(), await matching.stop()];
    const contents = await readTopics(options.brokers, await endOffsets(options.brokers, [...RISK_SHARD_TOPICS]));
    const outcome = fillSettlement(contents);
    problems.push(...outcome.problems);
    const byId = new Map<string, Envelope>();
    for (const rows of contents.values()) for (const e of rows) byId.set(envelopeId(e.topic, e.partition, e.offset, e.indexInRecord), e);
    const riskInputs = resolveInputs(readInputOrder(dirs.risk, 0), RISK_SHARD_TOPICS, byId).map((input) => {
      if (input.kind === 'local') throw new Error(`the cluster's risk applied a local input (${input.input}) with its clock tick off`);
      return riskInput(input.envelope.topic, input.envelope.value);
    });
    if (riskExit !== 0) problems.push(`risk exited with ${riskExit}:\n${risk.current?.stderr.slice(-1_500)}`);
    if (matchingExit !== 0) problems.push(`matching exited with ${matchingExit}:\n${matching.current?.stderr.slice(-1_500)}`);
    const riskEnd = risk.current === undefined ? undefined : risk.lines(risk.current, 'conservation audit ok at shutdown')[0];
    if (riskEnd === undefined) problems.push('risk did not report its conservation audit ok at shutdown');
    const matchingEnd = matching.current === undefined ? undefined : matching.lines(matching.current, 'matching stopped')[0];
    if (matchingEnd === undefined) problems.push('matching did not log its final state hash');
    return {
      figures: {
        riskStateHash: String(riskEnd?.stateHash ?? ''),
        matchingStateHash: String(matchingEnd?.stateHash ?? ''),
        auditOk: riskEnd !== undefined,
        fills: outcome.fills,
        liquidationsTriggered: outcome.liquidationsTriggered,
        marginCalls: outcome.marginCalls,
      },
      riskInputs,
      problems,
    };
  } finally {
    await drain?.close().catch(() => undefined);
    await risk.kill();
    await matching.kill();
    await bus.close().catch(() => undefined);
    for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true });
  }
}

/** The pipeline fed `log`; `riskInputs`, when given, receives every message of risk's topics in the order risk applied them. */
async function runEmbedded(options: ModeEquivalenceOptions, log: readonly CrashCommand[], riskInputs?: RiskInput[]): Promise<ModeFigures> {
  const pipeline = await createPipeline({
    logger: options.logger,
    venue: defaultVenueMarkets(defaultMarketSpecs),
    codecRoundTrip: true,
    insuranceFundSeedUnits: defaultInsuranceFundSeedUnits,
  });
  try {
    const tally = new OutcomeTally();
    await pipeline.bus.subscribe(Topics.matchingEvents, { groupId: 'equivalence-tally' }, (m) => tally.onMatching(m.value));
    await pipeline.bus.subscribe(Topics.riskAccountEvents, { groupId: 'equivalence-tally' }, (m) => tally.onRisk(m.value));
    // the in-process bus delivers each message to every subscriber before the next message: a tap sees risk's order
    if (riskInputs !== undefined) {
      for (const name of RISK_SHARD_TOPICS) {
        const topic = topicByName.get(name) as Topic<unknown>;
        await pipeline.bus.subscribe(topic, { groupId: 'equivalence-tap' }, (m) => void riskInputs.push(riskInput(name, m.value)));
      }
    }
    for (const command of log) publishCommand(pipeline.bus, command);
    return {
      riskStateHash: pipeline.risk.engine.stateHash(),
      matchingStateHash: pipeline.matching.engine.stateHash(),
      auditOk: pipeline.risk.engine.audit().ok,
      fills: tally.fills,
      liquidationsTriggered: tally.liquidationsTriggered,
      marginCalls: tally.marginCalls,
    };
  } finally {
    await pipeline.close();
  }
}
