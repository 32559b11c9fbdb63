/**
 * The journal's record of one input to the deterministic core, and how it is
 * applied. The core (matching, risk, liquidation over the in-process bus) changes
 * state only through these five kinds, in journal order:
 *
 * | kind | byte 0 | body | applied as |
 * |------|--------|------|------------|
 * | order command | 1 | `MatchingCommandV1` (protobuf) | published on `gateway.order-commands.v1` |
 * | account command | 2 | `AccountCommandV1` | published on `gateway.account-commands.v1` (spot borrow / repay: applied to the spot stage) |
 * | index price | 3 | `OracleEventV1` | published on `oracle.index-prices.v1` |
 * | time advance | 4 | tsNs, float64 LE (the exact JS number) | `risk.advanceTime(tsNs)` |
 * | operator market command | 5 | `MatchingCommandV1` (halt / resume) | published on `matching.commands.v1` |
 * | spot-margin input | 6 | `SpotInput` (JSON, spot-input.ts) | applied to the spot stage's engine |
 *
 * Byte 1 is the origin: 0 the simulated market (rebuilt in lockstep on recovery),
 * 1 an external client (the HTTP API), whose inputs recovery takes from the journal.
 */
import { type Bus, type InProcessBus, type Topic, Topics } from '@perpcore/bus';
import { type AccountCommandV1, decodeMatchingCommandPlain, decodeOracleEventPlain, type MatchingCommandV1, type OracleEventV1 } from '@perpcore/proto';
import type { SpotMarginEngine, SpotResult } from '@perpcore/risk';
import { applySpotInput, decodeSpotInput, encodeSpotInput, type SpotInput, spotInputOfAccountCommand } from './spot-input.js';

export const InputKind = { order: 1, account: 2, index: 3, time: 4, market: 5, spot: 6 } as const;
export type InputKind = (typeof InputKind)[keyof typeof InputKind];

export const InputOrigin = { sim: 0, external: 1 } as const;
export type InputOrigin = (typeof InputOrigin)[keyof typeof InputOrigin];

export type CoreInput =
  | { kind: typeof InputKind.order; value: MatchingCommandV1 }
  | { kind: typeof InputKind.account; value: AccountCommandV1 }
  | { kind: typeof InputKind.index; value: OracleEventV1 }
  | { kind: typeof InputKind.time; value: number }
  | { kind: typeof InputKind.market; value: MatchingCommandV1 }
  | { kind: typeof InputKind.spot; value: SpotInput };

/** Where inputs land: the pipeline's bus and the risk stage's clock; and the state they build. */
export interface CoreInputTargets {
  readonly bus: InProcessBus;
  advanceTime(tsNs: number): void;
  /** The spot-margin stage (its own ledger beside the perps), when the venue has one. */
  readonly spot?: SpotMarginEngine;
  /** The core's state hash (matching, risk and spot), as `EmbeddedExchange.stateHash()`. */
  stateHash(): string;
}

/** The core's state hash: matching's, risk's and (when the venue has one) the spot stage's. */
export function coreStateHash(matching: { stateHash(): string }, risk: { stateHash(): string }, spot: { stateHash(): string } | undefined): string {
  return `${matching.stateHash()}|risk:${risk.stateHash()}${spot === undefined ? '' : `|spot:${spot.stateHash()}`}`;
}

/** The targets of a pipeline's stages (and of the spot stage beside them, if any). */
export function pipelineTargets(
  stages: { bus: InProcessBus; matching: { engine: { stateHash(): string } }; risk: { advanceTime(tsNs: number): void; engine: { stateHash(): string } } },
  spot?: SpotMarginEngine,
): CoreInputTargets {
  return {
    bus: stages.bus,
    advanceTime: (tsNs) => stages.risk.advanceTime(tsNs),
    ...(spot === undefined ? {} : { spot }),
    stateHash: () => coreStateHash(stages.matching.engine, stages.risk.engine, spot),
  };
}

/** The topic an input kind is published on (time advances have none). */
function topicOfKind(kind: InputKind): Topic<unknown> | undefined {
  switch (kind) {
    case InputKind.order:
      return Topics.gatewayOrderCommands as Topic<unknown>;
    case InputKind.account:
      return Topics.gatewayAccountCommands as Topic<unknown>;
    case InputKind.index:
      return Topics.oracleIndexPrices as Topic<unknown>;
    case InputKind.market:
      return Topics.matchingCommands as Topic<unknown>;
    default:
      return undefined;
  }
}

/** The input kind a topic carries, or undefined for a topic that is not an input of the core (no allocation: it runs per input). */
export function inputKindOfTopic(topic: Topic<unknown>): InputKind | undefined {
  if (topic === Topics.gatewayOrderCommands || topic.name === Topics.gatewayOrderCommands.name) return InputKind.order;
  if (topic === Topics.gatewayAccountCommands || topic.name === Topics.gatewayAccountCommands.name) return InputKind.account;
  if (topic === Topics.oracleIndexPrices || topic.name === Topics.oracleIndexPrices.name) return InputKind.index;
  // only the operator's market commands come from outside; risk's and the ladder's are effects, published inside the core
  if (topic === Topics.matchingCommands || topic.name === Topics.matchingCommands.name) return InputKind.market;
  return undefined;
}

const APPLIED: SpotResult = Object.freeze({ ok: true });

/** Applies one input (an account command's spot borrow / repay goes to the spot stage); a refusal only from the spot engine (bus inputs answer through events). */
export function applyCoreInput(targets: CoreInputTargets, kind: InputKind, value: unknown): SpotResult {
  // null (nothing allocated) for every account command but a spot borrow / repay
  const spotCommand = kind === InputKind.account && targets.spot !== undefined ? spotInputOfAccountCommand(value as AccountCommandV1) : null;
  if (spotCommand !== null) return applySpotInput(targets.spot as SpotMarginEngine, spotCommand);
  if (kind === InputKind.time) targets.advanceTime(value as number);
  else if (kind === InputKind.spot) {
    if (targets.spot === undefined) throw new Error('a spot-margin input, but this venue has no spot stage');
    return applySpotInput(targets.spot, value as SpotInput);
  } else (targets.bus as Bus).publish(topicOfKind(kind) as Topic<unknown>, value);
  return APPLIED;
}

/** Encodes (kind, origin, value) into `scratch` (grown when short); returns the record's bytes (a view of the scratch). */
export function encodeCoreInput(scratch: { buffer: Buffer }, kind: InputKind, origin: InputOrigin, value: unknown): Uint8Array {
  const body = kind === InputKind.time ? null : kind === InputKind.spot ? encodeSpotInput(value as SpotInput) : (topicOfKind(kind) as Topic<unknown>).codec.encode(value);
  const length = 2 + (body === null ? 8 : body.length);
  if (scratch.buffer.length < length) scratch.buffer = Buffer.allocUnsafe(Math.max(length, scratch.buffer.length * 2));
  const out = scratch.buffer;
  out[0] = kind;
  out[1] = origin;
  if (body === null) out.writeDoubleLE(value as number, 2);
  else out.set(body, 2);
  return out.subarray(0, length);
}

export class CoreInputDecodeError extends Error {}

/**
 * Decoded messages keep unset fields as defaults on their prototype; a stage that
 * copies a body with a spread (risk forwarding a command to matching) would lose
 * them. The live run passes plain objects with every field its own, so a decoded
 * input is made the same: every inherited field copied onto the object, nested
 * messages too.
 */
const inheritedFields = new WeakMap<object, readonly string[]>();

function ownDefaults<T>(value: T): T {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) {
    for (const item of value) ownDefaults(item);
    return value;
  }
  const record = value as Record<string, unknown>;
  const proto = Object.getPrototypeOf(record) as object | null;
  if (proto === null || proto === Object.prototype) return value;
  let fields = inheritedFields.get(proto);
  if (fields === undefined) {
    const names: string[] = [];
    for (const key in proto) names.push(key);
    inheritedFields.set(proto, (fields = names));
  }
  for (const key of fields) if (!Object.hasOwn(record, key)) record[key] = record[key];
  for (const key of Object.keys(record)) {
    const field = record[key];
    if (field !== null && typeof field === 'object') ownDefaults(field);
  }
  return value;
}

/** Decodes a journaled record; bad bytes (which passed the CRC, so a writer bug) throw, naming the seq. */
export function decodeCoreInput(seq: number, record: Uint8Array): { input: CoreInput; origin: InputOrigin } {
  const kind = record[0] as InputKind;
  const origin = record[1] as InputOrigin;
  if (record.length < 2 || (origin !== InputOrigin.sim && origin !== InputOrigin.external)) throw new CoreInputDecodeError(`journal record ${seq}: not a core input (origin byte ${origin})`);
  if (kind === InputKind.time) {
    if (record.length !== 10) throw new CoreInputDecodeError(`journal record ${seq}: a time advance must be 10 bytes, got ${record.length}`);
    return { input: { kind, value: Buffer.from(record.buffer, record.byteOffset, record.length).readDoubleLE(2) }, origin };
  }
  if (kind === InputKind.spot) {
    try {
      return { input: { kind, value: decodeSpotInput(record.subarray(2)) }, origin };
    } catch (error) {
      throw new CoreInputDecodeError(`journal record ${seq}: ${(error as Error).message}`);
    }
  }
  // the plain decoders cover nearly every record (order commands, index prices) and give the live run's object shape; the codec has the last word
  const plain = kind === InputKind.order || kind === InputKind.market ? decodeMatchingCommandPlain(record, 2) : kind === InputKind.index ? decodeOracleEventPlain(record, 2) : undefined;
  if (plain !== undefined) return { input: { kind, value: plain } as CoreInput, origin };
  const topic = topicOfKind(kind);
  if (topic === undefined) throw new CoreInputDecodeError(`journal record ${seq}: unknown input kind ${kind}`);
  const decoded = topic.codec.decode(record.subarray(2));
  if (!decoded.ok) throw new CoreInputDecodeError(`journal record ${seq}: ${decoded.error.message}`);
  return { input: { kind, value: ownDefaults(decoded.value) } as CoreInput, origin };
}
