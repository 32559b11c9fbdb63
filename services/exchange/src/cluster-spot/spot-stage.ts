/**
 * The cluster's spot-margin stage over any `Bus` (issue 13.1 in cluster mode): the
 * same `SpotMarginEngine` as `npm start`'s spot market (embedded-spot-margin.ts
 * `embeddedSpotEngine`, one BTC/USDT pair on the BTC perp's tick and lot), fed by
 * two topics:
 *
 * - `gateway.spot-commands.v1` (one partition): every gateway's spot commands in one
 *   order, deduplicated per source by `seq` (a redelivered command is dropped: its
 *   first application answered it). Each is answered on `gateway.query-replies.v1`
 *   (GatewayReplyV1 `spot`, the command's seq, keyed by its source).
 * - `oracle.index-prices.v1`: the BTC perp's index becomes the pair's index (subticks
 *   to ticks, rounded half up, as the embedded market does), deduplicated per
 *   (source, symbol) by `seq`.
 *
 * Its clock is the inputs' time, never going back (spot-command-input.ts). Its
 * events go out as RiskEventV1 under its own source (`spot-0`) on the risk topics,
 * numbered by a `SpotWirePublisher` whose sequences are in the snapshot, so after a
 * restart the republished events carry the numbers consumers already hold.
 * The pool's seed (the venue's own cash lent out) is the stage's first input when it
 * starts without state, so every life that starts from nothing starts the same.
 *
 * An internal error (anything but a refusal) halts the stage: it is logged at fatal
 * with the input's identity, every later command is refused `RISK_SPOT_STAGE_HALTED`,
 * index prices are dropped and counted, and queries still answer (their `halted` field
 * says why). The perps side is not halted with it: the spot stage keeps its own ledger.
 */
import type { Bus, Subscription } from '@perpcore/bus';
import { Topics } from '@perpcore/bus';
import type { MarketSpec } from '@perpcore/domain';
import { defaultVenueMarkets } from '@perpcore/markets';
import type { Logger } from '@perpcore/observability';
import type { OracleEventV1, SpotCommandV1 } from '@perpcore/proto';
import { type SpotMarginEngine, type SpotResult, spotBusPublisher, type SpotWirePublisher } from '@perpcore/risk';
import { captureGraph, configFingerprint, decodeValue, encodeValue, type Frame, restoreGraph } from '@perpcore/snapshot';
import { applySpotInput, type SpotInput } from '../durability/spot-input.js';
import { embeddedSpotEngine, spotPairOf, spotPoolSeed } from '../embedded-spot-margin.js';
import { spotInputOfCommand } from './spot-command-input.js';
import { spotReply } from './spot-query-answers.js';

export const SPOT_STAGE_HALTED = 'RISK_SPOT_STAGE_HALTED';

export interface SpotStageConfig {
  /** Producer name of its events and its consumer group, e.g. `spot-0`. */
  readonly source: string;
  /** The venue's markets: the spot pair is the BTC perp's. */
  readonly specs: readonly MarketSpec[];
  /** Sees every input just before it is applied, at the stage's time (an audit trail; the tests replay it). */
  readonly onInput?: (input: SpotInput) => void;
}

/** The topics the stage consumes, in a fixed order (its input-order log numbers them by it). */
export const SPOT_STAGE_TOPICS = [Topics.gatewaySpotCommands.name, Topics.oracleIndexPrices.name] as const;

export interface SpotStageCounters {
  commands: number;
  refused: number;
  duplicates: number;
  indexPrices: number;
  indexPricesDropped: number;
}

/** The part of the stage's state besides the engine: what a restored twin must number and deduplicate on from. */
class SpotStageMemory {
  /** source → the last command seq applied. */
  readonly commandSeq = new Map<string, number>();
  /** `source|symbol` → the last index seq applied. */
  readonly indexSeq = new Map<string, number>();
  seeded = false;
}

export function spotStageFingerprint(config: SpotStageConfig): string {
  return configFingerprint({ stage: 'spot', source: config.source, venue: defaultVenueMarkets([...config.specs]) });
}

export class SpotStage {
  readonly engine: SpotMarginEngine;
  readonly pairSymbol: string;
  readonly counters: SpotStageCounters = { commands: 0, refused: 0, duplicates: 0, indexPrices: 0, indexPricesDropped: 0 };
  /** Why the stage halted ('' while it runs). */
  halted = '';
  private readonly wire: SpotWirePublisher;
  private readonly memory = new SpotStageMemory();
  private readonly perpSymbol: string;
  private readonly perp: MarketSpec;
  private readonly subticksPerTick: number;
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly bus: Bus,
    private readonly config: SpotStageConfig,
    private readonly logger: Logger,
  ) {
    const perp = config.specs.find((m) => m.baseAsset === 'BTC');
    if (perp === undefined) throw new Error('the spot stage needs the BTC perp listed (its pair is BTC/USDT on that perp\'s tick and lot)');
    const venue = defaultVenueMarkets([...config.specs]).find((m) => m.spec.symbol === perp.symbol)!;
    this.perp = perp;
    this.perpSymbol = perp.symbol;
    this.subticksPerTick = venue.risk.markSubticksPerTick;
    this.pairSymbol = spotPairOf(perp).pair.symbol;
    this.wire = spotBusPublisher(bus, config.source);
    this.engine = embeddedSpotEngine(perp, (e) => this.wire.onEvent(e));
  }

  /** The stage's events published so far (the last `spotSeq`: a command's `tranId`). */
  get eventSeq(): number {
    return this.wire.spotSeq;
  }

  /** Subscribes both input topics (call after a snapshot, if any, was imported). */
  async start(): Promise<void> {
    if (!this.memory.seeded) this.seed();
    const groupId = this.config.source;
    this.subscriptions.push(
      await this.bus.subscribe(Topics.gatewaySpotCommands, { groupId, fromBeginning: true }, (m) => this.onCommand(m.value)),
      await this.bus.subscribe(Topics.oracleIndexPrices, { groupId, fromBeginning: true }, (m) => this.onIndex(m.value)),
    );
  }

  async close(): Promise<void> {
    const subs = this.subscriptions.splice(0);
    for (const s of subs) await s.close();
  }

  /** The venue's cash in the pool, at time 0: the first input of a stage that starts from nothing. */
  private seed(): void {
    for (const { asset, amountUnits } of spotPoolSeed(this.perp)) {
      const r = this.engine.fundPool(asset, amountUnits, 0);
      if (!r.ok) throw new Error(`the spot pool seed of ${asset} was refused: ${r.code}`);
    }
    this.memory.seeded = true;
  }

  private onCommand(command: SpotCommandV1): void {
    const source = String(command.source);
    const seq = Number(command.seq);
    if (seq <= (this.memory.commandSeq.get(source) ?? 0)) {
      this.counters.duplicates += 1;
      return;
    }
    this.memory.commandSeq.set(source, seq);
    this.counters.commands += 1;
    if (this.halted !== '') return this.reply(command, { ok: false, code: SPOT_STAGE_HALTED, message: this.halted }, 0, '');
    const tsNs = Math.max(Number(command.tsNs), this.engine.context.state.lastTsNs);
    const reading = spotInputOfCommand(command, tsNs);
    if (!reading.ok) {
      this.counters.refused += 1;
      return this.reply(command, reading, 0, '');
    }
    let result: SpotResult;
    try {
      this.config.onInput?.(reading.input);
      result = applySpotInput(this.engine, reading.input);
    } catch (error) {
      this.halt(error, { kind: 'command', source, seq, accountId: command.accountId, command: command.command });
      return this.reply(command, { ok: false, code: SPOT_STAGE_HALTED, message: this.halted }, 0, '');
    }
    if (!result.ok) {
      this.counters.refused += 1;
      return this.reply(command, { ok: false, code: result.code, message: `the spot-margin stage refused the ${command.command}: ${result.code}` }, 0, '');
    }
    const placement = 'placement' in result ? JSON.stringify(result.placement) : '';
    return this.reply(command, { ok: true, code: '', message: '' }, this.wire.spotSeq, placement);
  }

  private onIndex(event: OracleEventV1): void {
    if (event.symbol !== this.perpSymbol || event.event !== 'indexPrice') return;
    const key = `${event.source}|${event.symbol}`;
    const seq = Number(event.seq);
    if (seq <= (this.memory.indexSeq.get(key) ?? 0)) return;
    this.memory.indexSeq.set(key, seq);
    if (this.halted !== '') {
      this.counters.indexPricesDropped += 1;
      return;
    }
    this.counters.indexPrices += 1;
    const ticks = Math.round(Number(event.indexPrice?.priceSubticks ?? 0) / this.subticksPerTick);
    const tsNs = Math.max(Number(event.tsNs), this.engine.context.state.lastTsNs);
    const input: SpotInput = { op: 'index', tsNs, symbol: this.pairSymbol, priceTicks: ticks };
    try {
      this.config.onInput?.(input);
      // a refusal (a price off the pair's range) is an event of the stage, as in embedded mode
      applySpotInput(this.engine, input);
    } catch (error) {
      this.halt(error, { kind: 'index', source: event.source, seq, symbol: event.symbol });
    }
  }

  private halt(error: unknown, input: object): void {
    this.halted = `spot stage halted on ${JSON.stringify(input)}: ${error instanceof Error ? error.message : String(error)}`;
    this.logger.fatal({ err: error, input }, 'spot stage halted: an internal error, no further input is applied');
  }

  private reply(command: SpotCommandV1, answer: { ok: boolean; code: string; message: string }, tranId: number, json: string): void {
    // the stage's time: a reply of the recovery replay carries the same
    const reply = spotReply(command, this, this.config.source, this.engine.context.state.lastTsNs, { ok: answer.ok, code: answer.code, message: answer.message, tranId, json });
    this.bus.publish(Topics.gatewayQueryReplies, reply);
  }

  /** The engine, its event numbering and the dedup memory: one state. */
  exportState(): Uint8Array {
    return encodeValue({ engine: this.engine.captureState(), wire: captureGraph(this.wire), memory: captureGraph(this.memory) });
  }

  importState(bytes: Uint8Array): void {
    const s = decodeValue(bytes) as { engine: Parameters<SpotMarginEngine['restoreState']>[0]; wire: Frame; memory: Frame };
    this.engine.restoreState(s.engine);
    restoreGraph(this.wire, s.wire);
    restoreGraph(this.memory, s.memory);
  }

  stateHash(): string {
    return this.engine.stateHash();
  }
}
