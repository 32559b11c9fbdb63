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
// - gateway.order-commands.v1: every order command (place, cancel, amend, cancel-all)
//   of every source (the simulated gateway and the real gateways' REST traffic),
//   deduplicated as risk does (per (source, account, market) stream, by seq): what
//   risk must have forwarded to matching or refused (orderRejected, by input source).
// - risk.market-events.v1: the time of the last mark price risk published per market
//   (the launcher waits for a mark at or after the price shock before it drains).
// - liquidation.events.v1: the ladder's steps, counted by kind. The gap
//   from the event's tsNs (the order command's wall-clock stamp, carried through
//   risk and matching) to the moment the observer reads the settlement is the
//   end-to-end latency "order sent → settled, seen on Kafka".
// - Per hop (hops()): each record's timestamp is the moment its stage published it
//   (KafkaBus stamps the record when it is queued), so a book fill's path splits into
//   gateway sent (the order's tsNs) → risk forwarded it (matching.commands.v1 record,
//   by market and taker order id) → matching filled it (matching.events.v1 record) →
//   risk settled it (risk.account-events.v1 record) → the observer read it.
// - drained(): every consumer group of the pipeline has committed up to the end of
//   its topics (kafkajs admin), so nothing is still in flight.
//
// Plain Node ESM over the built packages (npm run build / scripts/ensure-built.mjs).
import { Kafka, logLevel } from 'kafkajs';
import { KafkaBus, Topics, kafkaGroupIdOf } from './built-packages.mjs';

const LIQUIDITY_MAKER = 1;
const OBSERVED = [Topics.matchingEvents.name, Topics.riskAccountEvents.name, Topics.liquidationEvents.name, Topics.gatewayOrderCommands.name];

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
    this.riskRejectsBySource = new Map(); // input source → order commands risk refused
    this.orderCommands = new Map(); // source → order commands on gateway.order-commands.v1 (redeliveries dropped)
    this.orderCommandSeq = new Map(); // `${source}|${account}|${market}` → last seq counted
    this.liquidationsTriggered = 0;
    this.riskSeq = new Map(); // `${source}|${account}` → last seq applied
    this.transferLegs = new Map(); // fill type → position legs moved outside the book
    this.liquidationEvents = new Map(); // event kind → count
    this.liquidations = new Map(); // liquidation id → { accountId, triggered, ended, events: [kind…] }
    this.latencyMs = [];
    this.markTsNs = new Map(); // market → tsNs of the latest mark price (its index's time)
    this.forwardedAtMs = new Map(); // `${market}|${orderId}` → when risk published the order to matching
    this.filledAtMs = new Map(); // `${market}|${tradeSeq}` → [when matching published the fill, taker order id]
    this.settleStamps = []; // [market, tradeSeq, order sent ms, settlement published ms, read ms] per maker leg
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
    for (const topic of [...OBSERVED, Topics.riskMarketEvents.name, Topics.matchingCommands.name]) {
      const offsets = await this.admin.fetchTopicOffsets(topic);
      this.startOffsets.set(topic, new Map(offsets.map((p) => [p.partition, BigInt(p.high)])));
      await this.admin.setOffsets({ groupId: kafkaGroupIdOf(groupId, topic), topic, partitions: offsets.map((p) => ({ partition: p.partition, offset: p.high })) });
    }
    this.trafficStart = await this.highOffsets(Object.values(Topics).map((t) => t.name));
    this.bus = await KafkaBus.connect({ brokers: this.brokers, clientId: `cluster-observer-${this.runId}`, logger: this.logger });
    this.subscriptions = [
      await this.bus.subscribe(Topics.matchingEvents, { groupId }, (m) => this.onMatchingEvent(m.value, m.publishedAtMs)),
      await this.bus.subscribe(Topics.riskAccountEvents, { groupId }, (m) => this.onRiskEvent(m.value, m.publishedAtMs)),
      await this.bus.subscribe(Topics.liquidationEvents, { groupId }, (m) => this.onLiquidationEvent(m.value)),
      // not in OBSERVED (the drain): the oracle publishes every second, so risk's marks never stop
      await this.bus.subscribe(Topics.riskMarketEvents, { groupId }, (m) => this.onRiskMarketEvent(m.value)),
      await this.bus.subscribe(Topics.gatewayOrderCommands, { groupId }, (m) => this.onOrderCommand(m.value)),
      // not in OBSERVED either: read for the per-hop stamps only
      await this.bus.subscribe(Topics.matchingCommands, { groupId }, (m) => this.onMatchingCommand(m.value, m.publishedAtMs)),
    ];
  }

  /** The observer's own (group, topic) pairs, for lag(). */
  ownPairs() {
    return OBSERVED.map((topic) => ({ groupId: this.groupId, topic, startAt: this.startOffsets.get(topic) }));
  }

  onOrderCommand(c) {
    // at-least-once delivery; risk drops a seq it has seen on the same (source, account, market) stream
    if (c.seq > 0) {
      const accountId = c.place?.accountId ?? c.amend?.accountId ?? c.cancel?.accountId ?? c.cancelAll?.accountId ?? 0;
      const stream = `${c.source}|${accountId}|${c.market}`;
      if (c.seq <= (this.orderCommandSeq.get(stream) ?? 0)) return;
      this.orderCommandSeq.set(stream, c.seq);
    }
    this.orderCommands.set(c.source, (this.orderCommands.get(c.source) ?? 0) + 1);
  }

  /** Order commands seen on gateway.order-commands.v1 from `source`, or from every source. */
  orderCommandsFrom(source) {
    if (source !== undefined) return this.orderCommands.get(source) ?? 0;
    let n = 0;
    for (const count of this.orderCommands.values()) n += count;
    return n;
  }

  onMatchingCommand(c, atMs) {
    const orderId = c.command === 'place' ? c.place.orderId : c.command === 'amend' ? c.amend.orderId : 0;
    if (orderId !== 0) this.forwardedAtMs.set(`${c.market}|${orderId}`, atMs);
  }

  onMatchingEvent(e, atMs) {
    if (e.event === 'filled') {
      this.filledAtMs.set(`${e.market}|${e.filled.tradeSeq}`, [atMs, e.filled.takerOrderId]);
      let seen = this.fills.get(e.market);
      if (seen === undefined) this.fills.set(e.market, (seen = new Set()));
      seen.add(e.filled.tradeSeq);
      if (e.filled.tradeSeq > (this.maxTradeSeq.get(e.market) ?? 0)) this.maxTradeSeq.set(e.market, e.filled.tradeSeq);
    } else if (e.event === 'rejected') {
      this.matchingRejects++;
    }
  }

  onRiskEvent(e, atMs) {
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
      if (p.liquidity === LIQUIDITY_MAKER) {
        const readNs = nowNs();
        this.latencyMs.push((readNs - e.tsNs) / 1e6);
        this.settleStamps.push([p.market, p.tradeSeq, e.tsNs / 1e6, atMs, readNs / 1e6]);
      }
    } else if (e.event === 'orderRejected') {
      const code = e.orderRejected.code;
      this.riskRejects.set(code, (this.riskRejects.get(code) ?? 0) + 1);
      const from = e.orderRejected.inputSource;
      this.riskRejectsBySource.set(from, (this.riskRejectsBySource.get(from) ?? 0) + 1);
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
   * Where a book fill's order → settled time goes, hop by hop (ms percentiles; record
   * timestamps have ms resolution). Fills whose forwarded command or fill record the
   * observer did not see (liquidation steps placed by the ladder, records before its
   * start) are left out of the hops that need them.
   */
  hops() {
    const hop = { 'gateway → risk forwarded': [], 'risk → matching filled': [], 'matching → risk settled': [], 'risk settled → read': [] };
    const names = Object.keys(hop);
    for (const [market, tradeSeq, sentMs, settledMs, readMs] of this.settleStamps) {
      hop[names[3]].push(readMs - settledMs);
      const fill = this.filledAtMs.get(`${market}|${tradeSeq}`);
      if (fill === undefined) continue;
      hop[names[2]].push(settledMs - fill[0]);
      const forwardedMs = this.forwardedAtMs.get(`${market}|${fill[1]}`);
      if (forwardedMs === undefined) continue;
      hop[names[1]].push(fill[0] - forwardedMs);
      hop[names[0]].push(forwardedMs - sentMs);
    }
    return names.map((name) => {
      const xs = hop[name].sort((a, b) => a - b);
      const at = (q) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))];
      return { hop: name, samples: xs.length, p50Ms: at(0.5) ?? 0, p99Ms: at(0.99) ?? 0, maxMs: xs.at(-1) ?? 0 };
    });
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

  async highOffsets(topicNames) {
    const out = new Map();
    for (const name of topicNames) {
      const offsets = await this.admin.fetchTopicOffsets(name).catch(() => []);
      out.set(name, offsets.reduce((n, p) => n + Number(p.high), 0));
    }
    return out;
  }

  /** Kafka records written per topic since start() (high watermarks), and per second of `seconds`. */
  async topicTraffic(topicNames, seconds) {
    const end = await this.highOffsets(topicNames);
    return topicNames.map((topic) => {
      const records = end.get(topic) - (this.trafficStart?.get(topic) ?? 0);
      return { topic, records, recordsPerS: records / seconds };
    });
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
