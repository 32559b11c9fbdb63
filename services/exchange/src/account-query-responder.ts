/**
 * The risk process's answer to gateway queries (cluster mode): each
 * `GatewayQueryV1` on `gateway.queries.v1` is answered on
 * `gateway.query-replies.v1`, keyed by the asking gateway's source, with the
 * shard's account report as JSON (the same view the embedded client hands out:
 * risk's `AccountReport` plus each position's ADL indicator), its stress report, or
 * the lending pool's liquidation candidates.
 *
 * Invariants
 * - Read-only: answering calls only the engine's report functions, so a query is
 *   no input of the stage, is not journaled, and leaves `stateHash()` unchanged
 *   (account-query-responder.test.ts checks it).
 * - Every well-formed query is answered once, also while the shard is halted (the
 *   reply carries the halt reason; the gateway answers 503 then).
 */
import { type Bus, type Subscription, Topics } from '@perpcore/bus';
import { SCHEMA_MAJOR_V1, type GatewayQueryV1, type GatewayReplyV1 } from '@perpcore/proto';
import { type AccountReport, type LiquidationCandidate, type StressReport, StressRequestError } from '@perpcore/risk';
import { liquidationCandidateViews } from './client/liquidation-candidates.js';

export interface AccountQuerySource {
  accountReport(accountId: number): AccountReport | null;
  adlBucket(market: string, accountId: number): number | undefined;
  /** The shard's stress query (`RiskEngine.stress`); a shard without it refuses stress queries. */
  stress?(request: unknown): StressReport;
  /** The lending pool's positions below health factor 1; a shard without it answers an empty list. */
  liquidationCandidates?(): readonly LiquidationCandidate[];
  /** '' while the shard runs. */
  halted(): string;
  nowNs(): number;
}

/** JSON of an account report with its ADL indicators: the wire form `KafkaExchangeClient.account` reads back. */
export function accountViewJson(report: AccountReport, adlBucket: (market: string) => number | undefined): string {
  const buckets: [string, number][] = [];
  for (const scope of [report.cross, ...report.isolated]) {
    for (const p of scope.positions) {
      const bucket = adlBucket(p.market);
      if (bucket !== undefined) buckets.push([p.market, bucket]);
    }
  }
  return JSON.stringify({ ...report, adlBuckets: buckets });
}

/** What every reply carries: the query's seq and source, this shard, its halt reason, and the reply's kind. */
function replyHead(query: GatewayQueryV1, source: string, state: AccountQuerySource, reply: GatewayReplyV1['reply']) {
  return { schemaMajor: SCHEMA_MAJOR_V1, seq: query.seq, tsNs: state.nowNs(), replyTo: query.source, source, halted: state.halted(), reply };
}

/**
 * The stress query's reply: the report as JSON, or the refusal's code. With
 * several risk shards each answers for the accounts it holds (the query is keyed
 * like any other; gathering shards is the caller's).
 */
export function answerStressQuery(query: GatewayQueryV1, source: string, state: AccountQuerySource): GatewayReplyV1 {
  const head = replyHead(query, source, state, 'stress');
  const refuse = (code: string, message: string) => ({ ...head, stress: { ok: false, code, message, reportJson: '' } }) as GatewayReplyV1;
  if (state.stress === undefined) return refuse('RISK_STRESS_UNAVAILABLE', `${source} does not answer stress queries`);
  let request: unknown;
  try {
    request = JSON.parse(query.stress?.requestJson ?? '');
  } catch {
    return refuse('RISK_STRESS_INVALID_REQUEST', 'the stress request is not JSON');
  }
  try {
    return { ...head, stress: { ok: true, code: '', message: '', reportJson: JSON.stringify(state.stress(request)) } } as GatewayReplyV1;
  } catch (error) {
    if (error instanceof StressRequestError) return refuse(error.code, error.message);
    throw error;
  }
}

export function answerQuery(query: GatewayQueryV1, source: string, state: AccountQuerySource): GatewayReplyV1 {
  const accountId = query.account?.accountId ?? 0;
  const report = state.accountReport(accountId);
  return {
    ...replyHead(query, source, state, 'account'),
    account: {
      accountId,
      found: report !== null,
      reportJson: report === null ? '' : accountViewJson(report, (market) => state.adlBucket(market, accountId)),
    },
  } as GatewayReplyV1;
}

/** The liquidation candidates' reply: read-only, like every query. */
export function answerCandidatesQuery(query: GatewayQueryV1, source: string, state: AccountQuerySource): GatewayReplyV1 {
  const candidates = liquidationCandidateViews(state.liquidationCandidates?.() ?? []);
  return { ...replyHead(query, source, state, 'liquidationCandidates'), liquidationCandidates: { candidatesJson: JSON.stringify(candidates) } } as GatewayReplyV1;
}

/** Subscribes the shard to gateway queries; the group is the shard's, so one shard answers each query. */
export function serveAccountQueries(bus: Bus, groupId: string, source: string, state: AccountQuerySource): Promise<Subscription> {
  return bus.subscribe(Topics.gatewayQueries, { groupId }, (message) => {
    switch (message.value.query) {
      case 'account':
        return bus.publish(Topics.gatewayQueryReplies, answerQuery(message.value, source, state));
      case 'stress':
        return bus.publish(Topics.gatewayQueryReplies, answerStressQuery(message.value, source, state));
      case 'liquidationCandidates':
        return bus.publish(Topics.gatewayQueryReplies, answerCandidatesQuery(message.value, source, state));
      default:
    }
  });
}
