/**
 * The crash test's checks on what the topics hold, independent of the stages:
 *
 * - input coverage: a stage's applied sequence (its input-order log) holds every
 *   envelope of its input topics written before the drain exactly once, each
 *   partition in offset order: nothing lost across a kill, nothing applied twice;
 * - republished outputs: a restarted stage publishes again the outputs of the inputs
 *   after its snapshot, under the same (stream, seq); consumers keep the first and
 *   drop the rest, so each copy must be byte for byte the first (a copy that differs
 *   is a decision downstream never sees: a forwarded order refused on replay);
 * - fills: every fill on matching.events.v1 settled exactly once per side in risk's
 *   PositionSettledV1 events, none settled that matching did not produce, and per
 *   market Σ long lots = Σ short lots from each account's last position.
 */
import { Topics } from '@perpcore/bus';
import type { MatchingEventV1, RiskEventV1 } from '@perpcore/proto';
import type { StageInput } from './stage-input-replay.js';
import { type EndOffsets, type Envelope, envelopeId } from './topic-contents.js';

const LIQUIDITY_MAKER = 1;

export function inputCoverage(stage: string, inputs: readonly StageInput[], topics: readonly string[], contents: ReadonlyMap<string, readonly Envelope[]>, drainedAt: EndOffsets): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const lastAt = new Map<string, [number, number]>();
  for (const input of inputs) {
    if (input.kind !== 'message') continue;
    const e = input.envelope;
    const id = envelopeId(e.topic, e.partition, e.offset, e.indexInRecord);
    if (seen.has(id)) problems.push(`${stage}: applied ${id} twice`);
    seen.add(id);
    const where = `${e.topic}|${e.partition}`;
    const last = lastAt.get(where);
    if (last !== undefined && (e.offset < last[0] || (e.offset === last[0] && e.indexInRecord <= last[1]))) problems.push(`${stage}: applied ${id} after ${where}@${last[0]}#${last[1]} (out of partition order)`);
    lastAt.set(where, [e.offset, e.indexInRecord]);
  }
  for (const topic of topics) {
    const ends = drainedAt.get(topic) ?? new Map<number, number>();
    let missing = 0;
    let first = '';
    for (const e of contents.get(topic) ?? []) {
      if (e.offset >= (ends.get(e.partition) ?? 0)) continue;
      if (seen.has(envelopeId(e.topic, e.partition, e.offset, e.indexInRecord))) continue;
      if (missing++ === 0) first = `${e.partition}@${e.offset}#${e.indexInRecord}`;
    }
    if (missing > 0) problems.push(`${stage}: ${missing} envelope(s) of ${topic} written before the drain were never applied (first ${first})`);
  }
  return problems;
}

/** The (stream, seq) an output envelope is deduplicated on, or null for an unnumbered one. */
function outputStream(value: unknown): string | null {
  const v = value as { seq?: number; source?: string; accountId?: number; market?: string; symbol?: string } | undefined;
  if (v === undefined || typeof v.seq !== 'number' || v.seq <= 0) return null;
  const accountId = v.accountId ?? 0;
  return `${v.source ?? ''}|${accountId}|${accountId === 0 ? (v.market ?? v.symbol ?? '') : ''}|${v.seq}`;
}

export interface RepublishReport {
  /** Envelopes published more than once under one (stream, seq), counted beyond the first. */
  republished: number;
  problems: string[];
}

export function republishedOutputs(contents: ReadonlyMap<string, readonly Envelope[]>, topics: readonly string[]): RepublishReport {
  const problems: string[] = [];
  let republished = 0;
  for (const topic of topics) {
    const first = new Map<string, Envelope>();
    for (const e of contents.get(topic) ?? []) {
      const stream = outputStream(e.value);
      if (stream === null) continue;
      const earlier = first.get(stream);
      if (earlier === undefined) {
        first.set(stream, e);
        continue;
      }
      republished++;
      if (!Buffer.from(earlier.bytes).equals(Buffer.from(e.bytes)) && problems.length < 20) {
        problems.push(`${topic}: (source|account|market|seq) ${stream} published at ${earlier.partition}@${earlier.offset}#${earlier.indexInRecord} and again, different, at ${e.partition}@${e.offset}#${e.indexInRecord}`);
      }
    }
  }
  return { republished, problems };
}

export interface FillReport {
  fills: number;
  /** Distinct liquidations risk triggered (first copies), and margin calls it raised. */
  liquidationsTriggered: number;
  marginCalls: number;
  settledLegs: number;
  openInterestLots: Record<string, { longLots: number; shortLots: number }>;
  problems: string[];
}

export function fillSettlement(contents: ReadonlyMap<string, readonly Envelope[]>): FillReport {
  const problems: string[] = [];
  const fills = new Set<string>();
  const matchingSeq = new Map<string, Set<number>>();
  for (const e of contents.get(Topics.matchingEvents.name) ?? []) {
    const m = e.value as MatchingEventV1;
    let seqs = matchingSeq.get(m.market);
    if (seqs === undefined) matchingSeq.set(m.market, (seqs = new Set()));
    if (seqs.has(m.seq)) continue; // a republished copy
    seqs.add(m.seq);
    if (m.event === 'filled' && m.filled != null) fills.add(`${m.market}|${m.filled.tradeSeq}`);
  }
  const legs = new Map<string, number>();
  const riskSeq = new Map<string, Set<number>>();
  const positions = new Map<string, { market: string; lots: number }>();
  let liquidationsTriggered = 0;
  let marginCalls = 0;
  for (const e of contents.get(Topics.riskAccountEvents.name) ?? []) {
    const r = e.value as RiskEventV1;
    const stream = `${r.source}|${r.accountId}`;
    let seqs = riskSeq.get(stream);
    if (seqs === undefined) riskSeq.set(stream, (seqs = new Set()));
    if (seqs.has(r.seq)) continue;
    seqs.add(r.seq);
    if (r.event === 'liquidationTriggered') liquidationsTriggered++;
    if (r.event === 'marginCall') marginCalls++;
    if (r.event !== 'positionSettled' || r.positionSettled == null) continue;
    const p = r.positionSettled;
    positions.set(`${r.accountId}|${p.market}`, { market: p.market, lots: p.positionAfterLots });
    if (p.tradeSeq === 0) continue; // moved by the ladder outside the book (a takeover or an ADL leg): counted in the positions all the same
    const leg = `${p.market}|${p.tradeSeq}|${p.liquidity === LIQUIDITY_MAKER ? 'maker' : 'taker'}`;
    legs.set(leg, (legs.get(leg) ?? 0) + 1);
    if (!fills.has(`${p.market}|${p.tradeSeq}`) && problems.length < 20) problems.push(`risk settled ${leg}, a fill matching never produced`);
  }
  let settledLegs = 0;
  for (const fill of fills) {
    for (const side of ['maker', 'taker']) {
      const n = legs.get(`${fill}|${side}`) ?? 0;
      settledLegs += n;
      if (n !== 1 && problems.length < 20) problems.push(`fill ${fill}: its ${side} leg settled ${n} times`);
    }
  }
  const openInterestLots: Record<string, { longLots: number; shortLots: number }> = {};
  for (const { market, lots } of positions.values()) {
    const oi = (openInterestLots[market] ??= { longLots: 0, shortLots: 0 });
    if (lots > 0) oi.longLots += lots;
    else oi.shortLots -= lots;
  }
  for (const [market, oi] of Object.entries(openInterestLots)) if (oi.longLots !== oi.shortLots) problems.push(`${market}: Σ long ${oi.longLots} lots ≠ Σ short ${oi.shortLots} lots`);
  return { fills: fills.size, liquidationsTriggered, marginCalls, settledLegs, openInterestLots, problems };
}
