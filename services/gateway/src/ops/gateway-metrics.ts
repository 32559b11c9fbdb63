/**
 * Prometheus metrics (prom-client, on the gateway's own registry, so two servers
 * in one process never share counters): requests by route and status, latency
 * histograms by route, and the core's figures folded from its event feed —
 * orders accepted, fills, rejects by code, margin calls, liquidations — plus
 * gauges read at scrape time: insurance fund balances and bus lag.
 *
 * Label values are bounded: a route is its template (unmatched paths are one
 * label), a reject code comes from the stages' closed catalogues.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LiquidationEventV1, MatchingEventV1, RiskEventV1 } from '@perpcore/proto';

/** What /metrics needs of the core, read at scrape time. */
export interface MetricsSources {
  /** Fund balances in the settle asset's whole units (a gauge is a float: for display only). */
  insuranceFunds(): readonly { fundId: string; balance: number }[];
  /** Messages published but not yet consumed, per topic (0 in embedded mode). */
  busLag(): readonly { topic: string; messages: number }[];
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: 'perpcore_gateway_requests_total', help: 'HTTP requests answered, by route template, method and status', labelNames: ['route', 'method', 'status'], registers: [this.registry] });
  private readonly latency = new Histogram({
    name: 'perpcore_gateway_request_duration_seconds',
    help: 'Time to answer, by route template',
    labelNames: ['route'],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  private readonly orders = new Counter({ name: 'perpcore_orders_accepted_total', help: 'Orders accepted by matching, by market', labelNames: ['market'], registers: [this.registry] });
  private readonly fills = new Counter({ name: 'perpcore_fills_total', help: 'Fills, by market', labelNames: ['market'], registers: [this.registry] });
  private readonly rejects = new Counter({ name: 'perpcore_rejects_total', help: 'Rejected orders and commands, by stage reject code', labelNames: ['code'], registers: [this.registry] });
  private readonly marginCalls = new Counter({ name: 'perpcore_margin_calls_total', help: 'Margin calls issued', registers: [this.registry] });
  private readonly liquidations = new Counter({ name: 'perpcore_liquidations_total', help: 'Liquidations triggered', registers: [this.registry] });
  readonly refusals = new Counter({ name: 'perpcore_gateway_refusals_total', help: 'Gateway refusals, by Binance code', labelNames: ['code'], registers: [this.registry] });

  constructor(sources: MetricsSources) {
    collectDefaultMetrics({ register: this.registry, prefix: 'perpcore_gateway_' });
    this.scrapedGauge('perpcore_insurance_fund_balance', 'Insurance fund balance, settle asset units (whole)', 'fund', () => sources.insuranceFunds().map((f) => [f.fundId, f.balance]));
    this.scrapedGauge('perpcore_bus_lag_messages', 'Messages published and not yet consumed, by topic', 'topic', () => sources.busLag().map((l) => [l.topic, l.messages]));
  }

  /** A gauge whose values are read from the core at scrape time. */
  private scrapedGauge(name: string, help: string, label: string, read: () => [string, number][]): void {
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [value, figure] of read()) this.set({ [label]: value }, figure);
      },
    });
  }

  /**
   * The latency child of a (route, method, status) with its request counter counted once more.
   * Children are kept per label set: prom-client hashes a label object on every call
   * otherwise. The label sets are bounded (route templates × methods × statuses).
   */
  private answered(route: string, method: string, status: number): { observe(seconds: number): void } {
    const key = `${method} ${status} ${route}`;
    let child = this.answeredChildren.get(key);
    if (child === undefined) {
      const counter = this.requests.labels(route, method, String(status));
      const latency = this.latency.labels(route);
      child = {
        observe(seconds: number) {
          counter.inc();
          latency.observe(seconds);
        },
      };
      this.answeredChildren.set(key, child);
    }
    return child;
  }

  private readonly answeredChildren = new Map<string, { observe(seconds: number): void }>();

  /** Counts every answered request (onResponse) and serves GET /metrics. */
  register(app: FastifyInstance): void {
    // a callback hook: an async one costs a promise and a microtask on every request
    app.addHook('onResponse', (request, reply, done) => {
      this.answered(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode).observe(reply.elapsedTime / 1000);
      done();
    });
    app.get('/metrics', { config: { limits: { weight: 0 } } }, async (_request, reply) => {
      reply.header('Content-Type', this.registry.contentType);
      return this.registry.metrics();
    });
  }

  onMatchingEvent(e: MatchingEventV1): void {
    if (e.event === 'accepted') this.orders.inc({ market: e.market });
    else if (e.event === 'filled') this.fills.inc({ market: e.market });
    else if (e.event === 'rejected' && e.rejected != null) this.rejects.inc({ code: e.rejected.code });
  }

  onRiskEvent(e: RiskEventV1): void {
    if (e.event === 'orderRejected' && e.orderRejected != null) this.rejects.inc({ code: e.orderRejected.code });
    else if (e.event === 'commandRejected' && e.commandRejected != null) this.rejects.inc({ code: e.commandRejected.code });
    else if (e.event === 'marginCall') this.marginCalls.inc();
    else if (e.event === 'liquidationTriggered') this.liquidations.inc();
  }

  onLiquidationEvent(_e: LiquidationEventV1): void {
    // liquidations are counted once, from the risk stage's trigger; the ladder's steps are in its own events
  }

  onRefusal(code: number): void {
    this.refusals.inc({ code: String(code) });
  }
}
