/**
 * The spot stage's answers to gateways' spot questions (`GatewayQueryV1.spot` on
 * `gateway.queries.v1`): read-only, from the stage's state, never an input of it.
 * Every number in the answers is a safe integer, so JSON carries them exactly.
 */
import { type Bus, type Subscription, Topics } from '@perpcore/bus';
import { perpcore, SCHEMA_MAJOR_V1, type GatewayQueryV1, type GatewayReplyV1 } from '@perpcore/proto';
import type { SpotStage } from './spot-stage.js';

import Kind = perpcore.gateway.v1.SpotQueryKindV1;

/** The levels a depth answer carries at most, a side (Binance's largest depth limit). */
export const SPOT_DEPTH_MAX_LEVELS = 1_000;

function answerJson(stage: SpotStage, query: GatewayQueryV1): { ok: boolean; code: string; message: string; json: string } {
  const q = query.spot;
  const engine = stage.engine;
  const ok = (value: unknown) => ({ ok: true, code: '', message: '', json: JSON.stringify(value) });
  switch (Number(q?.kind ?? 0)) {
    case Kind.SPOT_QUERY_KIND_ACCOUNT:
      return ok(engine.accountReport(Number(q?.accountId ?? 0)));
    case Kind.SPOT_QUERY_KIND_OPEN_ORDERS:
      return ok(engine.openOrdersOf(Number(q?.accountId ?? 0)));
    case Kind.SPOT_QUERY_KIND_DEPTH:
      return ok(engine.depthOf(String(q?.symbol ?? ''), Math.min(Math.max(1, Number(q?.levels ?? 0)), SPOT_DEPTH_MAX_LEVELS)));
    case Kind.SPOT_QUERY_KIND_INDEX:
      return ok(engine.indexTicksOf(String(q?.symbol ?? '')));
    case Kind.SPOT_QUERY_KIND_MAX_BORROWABLE:
      return ok(engine.maxBorrowable(Number(q?.accountId ?? 0), String(q?.asset ?? '')));
    default:
      return { ok: false, code: 'RISK_SPOT_INVALID_QUERY', message: `unknown spot query kind ${String(q?.kind)}`, json: '' };
  }
}

/** The spot stage's reply to a query or a command (`to`: its seq and source), carrying the stage's halt reason. */
export function spotReply(to: { readonly seq: number; readonly source: string }, stage: SpotStage, source: string, tsNs: number, spot: perpcore.gateway.v1.ISpotReplyV1): GatewayReplyV1 {
  return { schemaMajor: SCHEMA_MAJOR_V1, seq: to.seq, tsNs, replyTo: to.source, source, halted: stage.halted, reply: 'spot', spot } as GatewayReplyV1;
}

export function answerSpotQuery(stage: SpotStage, source: string, query: GatewayQueryV1, nowNs: number): GatewayReplyV1 {
  return spotReply(query, stage, source, nowNs, { ...answerJson(stage, query), tranId: 0 });
}

/** Answers the spot queries on `gateway.queries.v1` (its own group: the risk shard reads the same topic for its own). */
export function serveSpotQueries(bus: Bus, source: string, stage: SpotStage, nowNs: () => number): Promise<Subscription> {
  return bus.subscribe(Topics.gatewayQueries, { groupId: `${source}-queries` }, (message) => {
    if (message.value.query !== 'spot') return;
    return bus.publish(Topics.gatewayQueryReplies, answerSpotQuery(stage, source, message.value, nowNs()));
  });
}
