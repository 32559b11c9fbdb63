/**
 * The dashboard's server side on one `ExchangeClient`: its own subscription to the
 * core's events feeds the risk feed, the accounts-at-risk tracker and the stage
 * counters; once per tick (1 s on the stream clock) it samples the insurance funds,
 * the stage rates and the gateway's request latency, refreshes a round of account
 * reports, and pushes a `tick` frame to the operator stream. Risk-feed items are
 * pushed as they happen.
 *
 * Works the same on the embedded core and on the cluster's Kafka client: everything
 * comes through the client (events, insurance funds, account queries).
 */
import type { ExchangeClient, ClientSubscription } from '@perpcore/exchange';
import type { Logger } from '@perpcore/observability';
import type { Registry } from 'prom-client';
import { formatQty } from '@perpcore/domain';
import type { AdminToken } from '../admin/admin-token.js';
import type { MarketDataModel } from '../market-data/market-data-model.js';
import type { StreamClock } from '../streams/stream-clock.js';
import { toBinanceSymbol } from '../binance/symbols.js';
import { AccountsAtRisk, type AccountAtRisk } from './accounts-at-risk.js';
import { FundHistory } from './fund-history.js';
import { marketSummary } from './market-summary.js';
import { OperatorStream } from './operator-stream.js';
import { type LatencyFigures, RequestLatency } from './request-latency.js';
import { RiskFeed } from './risk-feed.js';
import { type StageRate, StageThroughput } from './stage-throughput.js';

export interface OperatorDashboardDeps {
  readonly client: ExchangeClient;
  readonly marketData: MarketDataModel;
  /** The gateway's Prometheus registry (request latency). */
  readonly metricsRegistry: Registry;
  readonly token: AdminToken;
  readonly clock: StreamClock;
  readonly logger: Logger;
  readonly tickMs?: number;
  /** Rows of the accounts-at-risk panel. */
  readonly accountRows?: number;
}

export interface DashboardTick {
  readonly tMs: number;
  /** The core's event time, ms since the epoch (embedded: the simulation's clock). */
  readonly coreTimeMs: number;
  readonly halted: string;
  readonly accounts: readonly AccountAtRisk[];
  readonly accountsTracked: number;
  readonly fund: { readonly tMs: number; readonly balances: Readonly<Record<string, string>> };
  readonly stages: readonly StageRate[];
  readonly latency: readonly LatencyFigures[];
  readonly totals: RiskFeed['totals'];
}

export class OperatorDashboard {
  readonly feed: RiskFeed;
  readonly accounts: AccountsAtRisk;
  readonly stream: OperatorStream;
  private readonly stages: StageThroughput;
  private readonly latency: RequestLatency;
  private readonly funds: FundHistory;
  private subscription: ClientSubscription | undefined;
  private cancelTick: (() => void) | undefined;
  private lastTick: DashboardTick | undefined;

  constructor(private readonly deps: OperatorDashboardDeps) {
    const { client, marketData } = deps;
    const settleDecimals = client.markets()[0]?.spec.settleDecimals ?? 0;
    this.stream = new OperatorStream({ token: deps.token, clock: deps.clock, snapshot: () => this.state() });
    this.feed = new RiskFeed({ marketOf: (symbol) => marketData.market(symbol), onItem: (item) => this.stream.broadcast({ type: 'feed', item }) });
    this.accounts = new AccountsAtRisk({
      account: (id) => client.account(id),
      settleDecimals,
      qtyText: (market, lots) => {
        const m = marketData.market(market);
        return m === undefined ? `${lots} lots` : formatQty(m.spec, lots);
      },
    });
    this.stages = new StageThroughput(deps.clock.nowMs());
    this.latency = new RequestLatency(deps.metricsRegistry);
    this.funds = new FundHistory(settleDecimals);
  }

  async start(): Promise<void> {
    this.subscription = await this.deps.client.subscribe({
      onMatchingEvent: (e) => this.stages.onMatchingEvent(e),
      onRiskEvent: (e) => {
        this.stages.onRiskEvent(e);
        this.feed.onRiskEvent(e);
        this.accounts.onRiskEvent(e);
      },
      onLiquidationEvent: (e) => {
        this.stages.onLiquidationEvent(e);
        this.feed.onLiquidationEvent(e);
        this.accounts.onLiquidationEvent(e);
      },
      onOracleEvent: () => this.stages.onOracleEvent(),
    });
    this.cancelTick = this.deps.clock.every(this.deps.tickMs ?? 1_000, () => {
      this.tick().catch((error: unknown) => this.deps.logger.error({ err: error }, 'dashboard: tick failed'));
    });
  }

  /** Samples everything once and pushes the tick frame (the clock calls it; a test may too). */
  async tick(): Promise<DashboardTick> {
    const { client, clock } = this.deps;
    const tMs = clock.nowMs();
    await this.accounts.refresh();
    const tick: DashboardTick = {
      tMs,
      coreTimeMs: Math.floor(client.nowNs() / 1_000_000),
      halted: client.halted(),
      accounts: this.accounts.top(this.deps.accountRows ?? 25),
      accountsTracked: this.accounts.trackedCount,
      fund: this.funds.record(tMs, client.insuranceFunds()),
      stages: this.stages.sample(tMs),
      latency: await this.latency.sample(),
      totals: { ...this.feed.totals },
    };
    this.lastTick = tick;
    this.stream.broadcast({ type: 'tick', ...tick });
    return tick;
  }

  /** Everything the page needs to draw at once: markets (with their live figures), the kept feed, fund history and the last tick. */
  state(): object {
    const markets = this.deps.client.markets().map((m) => {
      const live = this.deps.marketData.market(m.spec.symbol);
      return {
        symbol: m.spec.symbol,
        stream: toBinanceSymbol(m.spec.symbol).toLowerCase(),
        baseAsset: m.spec.baseAsset,
        settleAsset: m.spec.settleAsset,
        tickSize: m.spec.tickSize,
        lotSize: m.spec.lotSize,
        live: live === undefined ? null : marketSummary(live),
      };
    });
    const fundIds = this.deps.client.insuranceFunds().map((f) => f.fundId);
    return { markets, fundIds, feed: this.feed.items(), fundHistory: this.funds.all(), last: this.lastTick ?? null };
  }

  async close(): Promise<void> {
    this.cancelTick?.();
    this.stream.close();
    await this.subscription?.close();
  }
}
