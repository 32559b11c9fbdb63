/**
 * The inputs a pipeline received, in the order it applied them: every envelope on
 * the three input topics (gateway account and order commands, index prices) and
 * every direct time advance. Replaying the log into a fresh pipeline rebuilds the
 * same state (the determinism the snapshots rely on); the stage-state tests record
 * an engine fuzz run with it, then replay, cut, export and import.
 *
 * `OutputLog` collects what the stages publish on every output topic, to compare
 * two pipelines event for event.
 */
import { Topics } from '@perpcore/bus';
import type { AccountCommandV1, MatchingCommandV1, OracleEventV1 } from '@perpcore/proto';
import type { Pipeline } from '../pipeline.js';

export type LoggedInput =
  | { readonly kind: 'account'; readonly value: AccountCommandV1 }
  | { readonly kind: 'order'; readonly value: MatchingCommandV1 }
  | { readonly kind: 'index'; readonly value: OracleEventV1 }
  | { readonly kind: 'time'; readonly tsNs: number };

/** Starts recording `pipeline`'s inputs into the returned array (subscribe before the first input). */
export async function recordInputs(pipeline: Pipeline): Promise<LoggedInput[]> {
  const log: LoggedInput[] = [];
  const group = { groupId: 'input-log', fromBeginning: true };
  await pipeline.bus.subscribe(Topics.gatewayAccountCommands, group, (m) => void log.push({ kind: 'account', value: structuredClone(m.value) }));
  await pipeline.bus.subscribe(Topics.gatewayOrderCommands, group, (m) => void log.push({ kind: 'order', value: structuredClone(m.value) }));
  await pipeline.bus.subscribe(Topics.oracleIndexPrices, group, (m) => void log.push({ kind: 'index', value: structuredClone(m.value) }));
  const advance = pipeline.risk.advanceTime.bind(pipeline.risk);
  (pipeline.risk as { advanceTime: (tsNs: number) => void }).advanceTime = (tsNs: number) => {
    log.push({ kind: 'time', tsNs });
    advance(tsNs);
  };
  return log;
}

export function applyInput(pipeline: Pipeline, input: LoggedInput): void {
  switch (input.kind) {
    case 'account':
      return pipeline.bus.publish(Topics.gatewayAccountCommands, structuredClone(input.value));
    case 'order':
      return pipeline.bus.publish(Topics.gatewayOrderCommands, structuredClone(input.value));
    case 'index':
      return pipeline.bus.publish(Topics.oracleIndexPrices, structuredClone(input.value));
    case 'time':
      return pipeline.risk.advanceTime(input.tsNs);
  }
}

const OUTPUT_TOPICS = [Topics.matchingCommands, Topics.matchingEvents, Topics.riskAccountEvents, Topics.riskMarketEvents, Topics.liquidationEvents] as const;

export class OutputLog {
  private events: { topic: string; value: unknown }[] = [];

  static async attach(pipeline: Pipeline): Promise<OutputLog> {
    const out = new OutputLog();
    for (const topic of OUTPUT_TOPICS) {
      await pipeline.bus.subscribe(topic as typeof Topics.matchingEvents, { groupId: 'output-log', fromBeginning: true }, (m) => void out.events.push({ topic: topic.name, value: structuredClone(m.value) }));
    }
    return out;
  }

  /** The events since the last call. */
  take(): { topic: string; value: unknown }[] {
    const taken = this.events;
    this.events = [];
    return taken;
  }
}
