// The cluster's independent witness: reads what the stages put on Kafka and
// reconciles it, without asking the stages anything.
//
// - matching.events.v1: every fill matching produced, per market, deduplicated by
//   (market, trade seq) (delivery is at-least-once); trade seqs must be 1..N.
// - risk.account-events.v1 (deduplicated by each (source, account) stream's seq):
//   every PositionSettledV1, one per fill leg, counted per (market, trade seq,
//   liquidity), plus the legs the liquidation ladder moves outside the book (fund
//   takeover, ADL: trade seq 0); the last position per (account, market) gives
//   Σ long lots and Σ short lots per market, which must be equal.
// - risk.market-events.v1: the time of the last mark price risk published per market
//   (the launcher waits for a mark at or after the price shock before it drains).
// - liquidation.events.v1: the ladder's steps, counted by kind. The gap
//   from the event's tsNs (the order command's wall-clock stamp, carried through
//   risk and matching) to the moment the observer reads the settlement is the
//   end-to-end latency "order sent → settled, seen on Kafka".
// - drained(): every consumer group of the pipeline has committed up to the end of
//   its topics (kafkajs admin), so nothing is still in flight.
//
// Plain Node ESM over the built packages (npm run build / scripts/ensure-built.mjs).
import { Kafka, logLevel } from 'kafkajs';
import { KafkaBus, Topics, kafkaGroupIdOf } from './built-packages.mjs';

const LIQUIDITY_MAKER = 1;
const OBSERVED = [Topics.matchingEvents.name, Topics.riskAccountEvents.name, Topics.liquidationEvents.name];

export class ClusterObserver {
  constructor({ brokers, runId, logger }) {
    this.brokers = brokers;
    this.runId = runId;
    this.logger = logger;
    this.fills = new Map(); // market → Set(tradeSeq)
    this.maxTradeSeq = new Map();
    this.matchingRejects = 0;
    this.settledLegs = new Map(); // market → Set(tradeSeq * 2 + makerBit)
    this.positions = new Map(); // `${account}|${market}` → lots
    this.riskRejects = new Map(); // code → count
    this.liquidationsTriggered = 0;
    this.riskSeq = new Map(); // `${source}|${account}` → last seq applied
    this.transferLegs = new Map(); // fill type → position legs moved outside the book
    this.liquidationEvents = new Map(); // event kind → count
    this.liquidations = new Map(); // liquidation id → { accountId, triggered, ended, events: [kind…] }
    this.latencyMs = [];
    this.markTsNs = new Map(); // market → tsNs of the latest mark price (its index's time)
  }

  async start() {
    this.kafka = new Kafka({ clientId: `cluster-observer-admin-${this.runId}`, brokers: this.brokers, logLevel: logLevel.NOTHING });
    this.admin = this.kafka.admin();
    await this.admin.connect();
    const groupId = `cluster-observer-${this.runId}`;
    this.groupId = groupId;
    // The observer reads from the ends of its topics as of now, before any order is sent.
    // A fresh group "starting at the end" would take the end as of its first fetch, which
    // kafkajs makes some time after the join: on a loaded machine the gateway may already
    // be trading by then, and the first fills would go unseen. So the ends are read here
    // and committed for the fresh groups before they join: the start is fixed by causality.
    this.startOffsets = new Map();
    for (const topic of [...OBSERVED, Topics.riskMarketEvents.name]) {
      const offsets = await this.admin.fetchTopicOffsets(topic);
      this.startOffsets.set(topic, new Map(offsets.map((p) => [p.partition, BigInt(p.high)])));
      await this.admin.setOffsets({ groupId: kafkaGroupIdOf(groupId, topic), topic, partitions: offsets.map((p) => ({ partition: p.partition, offset: p.high })) });
    }
    this.bus = await KafkaBus.connect({ brokers: this.brokers, clientId: `cluster-observer-${this.runId}`, logger: this.logger });
    this.subscriptions = [
      await this.bus.subscribe(Topics.matchingEvents, { groupId }, (m) => this.onMatchingEvent(m.value)),
      await this.bus.subscribe(Topics.riskAccountEvents, { groupId }, (m) => this.onRiskEvent(m.value)),
      await this.bus.subscribe(Topics.liquidationEvents, { groupId }, (m) => this.onLiquidationEvent(m.value)),
      // not in OBSERVED (the drain): the oracle publishes every second, so risk's marks never stop
      await this.bus.subscribe(Topics.riskMarketEvents, { groupId }, (m) => this.onRiskMarketEvent(m.value)),
    ];
  }

  /** The observer's own (group, topic) pairs, for lag(). */
  ownPairs() {
    return OBSERVED.map((topic) => ({ groupId: this.groupId, topic, startAt: this.startOffsets.get(topic) }));
  }

  onMatchingEvent(e) {
    if (e.event === 'filled') {
      let seen = this.fills.get(e.market);
      if (seen === undefined) this.fills.set(e.market, (seen = new Set()));
      seen.add(e.filled.tradeSeq);
      if (e.filled.tradeSeq > (this.maxTradeSeq.get(e.market) ?? 0)) this.maxTradeSeq.set(e.market, e.filled.tradeSeq);
    } else if (e.event === 'rejected') {
      this.matchingRejects++;
    }
  }

  onRiskEvent(e) {
    // at-least-once delivery: each (source, account) stream is numbered 1, 2, 3, …
    const stream = `${e.source}|${e.accountId}`;
    if (e.seq <= (this.riskSeq.get(stream) ?? 0)) return;
    this.riskSeq.set(stream, e.seq);
    if (e.event === 'positionSettled') {
      const p = e.positionSettled;
      this.positions.set(`${e.accountId}|${p.market}`, p.positionAfterLots);
      if (p.tradeSeq === 0) {
        // not a book fill: a position moved by the liquidation ladder (fund takeover, ADL), one event per side
        this.transferLegs.set(p.fillType, (this.transferLegs.get(p.fillType) ?? 0) + 1);
        return;
      }
      let legs = this.settledLegs.get(p.market);
      if (legs === undefined) this.settledLegs.set(p.market, (legs = new Set()));
      legs.add(p.tradeSeq * 2 + (p.liquidity === LIQUIDITY_MAKER ? 1 : 0));
      if (p.liquidity === LIQUIDITY_MAKER) this.latencyMs.push((nowNs() - e.tsNs) / 1e6);
    } else if (e.event === 'orderRejected') {
      const code = e.orderRejected.code;
      this.riskRejects.set(code, (this.riskRejects.get(code) ?? 0) + 1);
    } else if (e.event === 'liquidationTriggered') {
      this.liquidationsTriggered++;
      this.liquidation(e.liquidationTriggered.liquidationId, e.accountId).triggered = true;
    }
  }

  onRiskMarketEvent(e) {
    if (e.event === 'markPrice' && e.tsNs > (this.markTsNs.get(e.market) ?? 0)) this.markTsNs.set(e.market, e.tsNs);
  }

  /** Markets whose latest mark from risk is older than `tsNs` (every market: none seen yet). */
  marksBefore(tsNs, markets) {
    return markets.filter((m) => (this.markTsNs.get(m) ?? 0) < tsNs);
  }

  onLiquidationEvent(e) {
    if (e.event === 'adlIndicator') return;
    const stream = `liq|${e.source}|${e.accountId}`;
    if (e.seq <= (this.riskSeq.get(stream) ?? 0)) return;
    this.riskSeq.set(stream, e.seq);
    this.liquidationEvents.set(e.event, (this.liquidationEvents.get(e.event) ?? 0) + 1);
    const liq = this.liquidation(e.liquidationId, e.accountId);
    liq.events.push(e.event);
    if (e.event === 'completed' || e.event === 'aborted') liq.ended = true;
  }

  liquidation(liquidationId, accountId) {
    let liq = this.liquidations.get(liquidationId);
    if (liq === undefined) this.liquidations.set(liquidationId, (liq = { liquidationId, accountId, triggered: false, ended: false, events: [] }));
    return liq;
  }

  /** Liquidations risk triggered that the ladder has not ended (completed or aborted), with the ladder's events so far. */
  unendedLiquidations() {
    return [...this.liquidations.values()].filter((l) => l.triggered && !l.ended);
  }

  fillsProduced() {
    let n = 0;
    for (const s of this.fills.values()) n += s.size;
    return n;
  }

  legsSettled() {
    let n = 0;
    for (const s of this.settledLegs.values()) n += s.size;
    return n;
  }

  /** Latency percentiles (ms) of the samples taken since `from` (index into the sample list). */
  latency(from = 0) {
    const xs = this.latencyMs.slice(from).sort((a, b) => a - b);
    if (xs.length === 0) return null;
    const at = (q) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))];
    return { samples: xs.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: xs[xs.length - 1] };
  }

  /**
   * Consumer lag (messages not yet committed) of each (group, topic) pair. A partition
   * the group never committed counts from `startAt` (offsets by partition: where a
   * group that started at the end began) or else from its first message.
   */
  async lag(pairs) {
    const out = [];
    for (const { groupId, topic, startAt } of pairs) {
      const kafkaGroup = kafkaGroupIdOf(groupId, topic);
      const [ends, committed] = await Promise.all([
        this.admin.fetchTopicOffsets(topic),
        this.admin.fetchOffsets({ groupId: kafkaGroup, topics: [topic] }),
      ]);
      const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
      let lag = 0n;
      for (const p of ends) {
        const at = done.get(p.partition) ?? -1n;
        const from = at >= 0n ? at : (startAt?.get(p.partition) ?? BigInt(p.low));
        if (BigInt(p.high) > from) lag += BigInt(p.high) - from;
      }
      out.push({ groupId, topic, lag: Number(lag) });
    }
    return out;
  }

  /** The reconciliation: fills produced = fills settled (both legs), Σ long = Σ short per market. */
  reconcile(markets) {
    const perMarket = [];
    const problems = [];
    for (const market of markets) {
      const produced = this.fills.get(market)?.size ?? 0;
      const maxSeq = this.maxTradeSeq.get(market) ?? 0;
      const legs = this.settledLegs.get(market)?.size ?? 0;
      let longLots = 0;
      let shortLots = 0;
      for (const [key, lots] of this.positions) {
        if (!key.endsWith(`|${market}`)) continue;
        if (lots > 0) longLots += lots;
        else shortLots -= lots;
      }
      if (produced !== maxSeq) problems.push(`${market}: trade seqs are not contiguous (${produced} distinct, highest ${maxSeq})`);
      if (legs !== 2 * produced) problems.push(`${market}: ${produced} fills produced but ${legs} legs settled (expected ${2 * produced})`);
      if (longLots !== shortLots) problems.push(`${market}: Σ long ${longLots} lots ≠ Σ short ${shortLots} lots`);
      perMarket.push({ market, fillsProduced: produced, fillsSettled: legs / 2, legsSettled: legs, longLots, shortLots });
    }
    return { ok: problems.length === 0, problems, perMarket };
  }

  /** Dead letters per topic so far (on a reused broker: since `since`, a previous call's answer). */
  async deadLetterCounts(topicNames, since = {}) {
    const counts = {};
    for (const name of topicNames) {
      const offsets = await this.admin.fetchTopicOffsets(`${name}.dlq`).catch(() => []);
      counts[name] = offsets.reduce((n, p) => n + Number(BigInt(p.high) - BigInt(p.low)), 0) - (since[name] ?? 0);
    }
    return counts;
  }

  async close() {
    for (const s of this.subscriptions ?? []) await s.close().catch(() => undefined);
    await this.bus?.close().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }
}

export function nowNs() {
  return Math.round((performance.timeOrigin + performance.now()) * 1e6);
}
