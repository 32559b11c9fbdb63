/**
 * The crash test's reference: the uninterrupted stage, in-process, fed the exact
 * per-stage input sequence the killed and restarted process applied. The sequence
 * is the process's input-order log over all its lives (every file in order: a
 * restart replays the tail after its snapshot in the logged order and appends only
 * what is new, so the files read back to back are the stage's one history), each
 * entry looked up in what the topics hold. The stage is built by the same
 * composition the process uses (createRiskShard, matchingServiceOptions) over a
 * `Bus` that hands it exactly those messages and drops what it publishes.
 *
 * Why this is the right reference: the stages' results depend on how their topics
 * interleave (a pre-trade check before or after a fill settles; a mark before or
 * after a command), which the broker's timing decides; two uninterrupted cluster runs
 * of the same command log need not agree. What must hold is that the crashed
 * process's final state is the state of one uninterrupted fold of what it applied:
 * no input lost or applied twice across a kill, nothing restored wrong. The
 * sequence itself is checked apart (cluster-reconciliation.ts: every envelope of the
 * stage's topics in it exactly once, per partition in offset order), so a log that
 * skipped an input cannot hide it here.
 */
import { type Bus, type BusMessage, type MessageHandler, RejectedMessageError, type SubscribeOptions, type Subscription, type Topic } from '@perpcore/bus';
import { createMatchingService, type MatchingProcessConfig, MATCHING_TOPICS, matchingServiceOptions } from '@perpcore/matching';
import type { Logger } from '@perpcore/observability';
import type { InputOrderEntry } from '@perpcore/snapshot';
import { createRiskShard, RISK_SHARD_TOPICS, RISK_TIME_TICK_INPUT, type RiskShardConfig } from '../cluster-risk-shard.js';
import { type Envelope, envelopeId } from './topic-contents.js';

/** A bus that delivers only what it is told to, synchronously, and drops everything published. */
class ReplayBus implements Bus {
  private readonly handlers = new Map<string, MessageHandler<unknown>>();
  publish(): void {}
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
  async subscribe<T>(topic: Topic<T>, _options: SubscribeOptions, handler: MessageHandler<T>): Promise<Subscription> {
    if (this.handlers.has(topic.name)) throw new Error(`ReplayBus: ${topic.name} subscribed twice`);
    this.handlers.set(topic.name, handler as MessageHandler<unknown>);
    return { close: async () => void this.handlers.delete(topic.name) };
  }
  deliver(envelope: Envelope): void {
    const handler = this.handlers.get(envelope.topic);
    if (handler === undefined) throw new Error(`ReplayBus: nobody subscribed ${envelope.topic}`);
    const message: BusMessage<unknown> = { value: envelope.value, key: envelope.key, partition: envelope.partition, offset: envelope.offset, indexInRecord: envelope.indexInRecord, lastInRecord: envelope.lastInRecord };
    try {
      const result = handler(message);
      if (result instanceof Promise) throw new Error(`ReplayBus: the handler of ${envelope.topic} went asynchronous`);
    } catch (error) {
      if (!(error instanceof RejectedMessageError)) throw error; // refused: dead-lettered by the process, nothing applied
    }
  }
}

/** One step of a stage's history: a message (looked up) or a local input. */
export type StageInput = { readonly kind: 'message'; readonly envelope: Envelope } | { readonly kind: 'local'; readonly input: number; readonly value: number };

/** Resolves the log's entries against the topics; throws naming the first entry the topics do not hold. */
export function resolveInputs(entries: readonly InputOrderEntry[], topics: readonly string[], byId: ReadonlyMap<string, Envelope>): StageInput[] {
  return entries.map((e, i) => {
    if (e.kind === 'local') return { kind: 'local', input: e.input, value: e.value };
    const topic = topics[e.topic];
    const envelope = topic === undefined ? undefined : byId.get(envelopeId(topic, e.partition, e.offset, e.indexInRecord));
    if (envelope === undefined) throw new Error(`input-order entry ${i} names ${topic ?? `topic #${e.topic}`}[${e.partition}]@${e.offset}#${e.indexInRecord}, which the topics do not hold`);
    return { kind: 'message', envelope };
  });
}

export async function foldRiskShard(config: RiskShardConfig, inputs: readonly StageInput[], logger: Logger): Promise<{ stateHash: string; auditOk: boolean }> {
  const bus = new ReplayBus();
  const shard = await createRiskShard(bus, config, logger);
  await shard.start();
  for (const input of inputs) {
    if (input.kind === 'message') bus.deliver(input.envelope);
    else if (input.input === RISK_TIME_TICK_INPUT) shard.risk.advanceTime(input.value);
    else throw new Error(`the risk shard has no local input ${input.input}`);
  }
  const result = { stateHash: shard.risk.engine.stateHash(), auditOk: shard.risk.engine.audit().ok };
  await shard.closeStages();
  return result;
}

export async function foldMatching(config: MatchingProcessConfig, inputs: readonly StageInput[], logger: Logger): Promise<{ stateHash: string; commandsApplied: number }> {
  const bus = new ReplayBus();
  const service = await createMatchingService({ ...matchingServiceOptions(config), bus, logger });
  for (const input of inputs) {
    if (input.kind === 'message') bus.deliver(input.envelope);
    else throw new Error(`matching has no local input ${input.input}`);
  }
  const result = { stateHash: service.engine.stateHash(), commandsApplied: service.engine.commandsApplied };
  await service.close();
  return result;
}

export { MATCHING_TOPICS, RISK_SHARD_TOPICS };
