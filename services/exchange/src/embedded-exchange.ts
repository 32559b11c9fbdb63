/**
 * The embedded exchange: every stage in one process over the in-process bus
 * (ARCHITECTURE.md, embedded mode). This file is the composition root: it builds
 * the bus, starts each service in pipeline order, adapts the risk engine to the
 * liquidation engine's ports, and attaches the simulated market. Services never
 * see each other, only topics.
 *
 * Subscription order is delivery order for each message on the in-process bus:
 * risk subscribes to the matching stream before the liquidation engine, so every
 * fill is settled before the ladder re-checks its scope.
 */
import type { MarketSpec } from '@perpcore/domain';
import { type InProcessBus, Topics } from '@perpcore/bus';
import type { LiquidationService } from '@perpcore/liquidation';
import type { MatchingService } from '@perpcore/matching';
import { type RiskService, spotBusPublisher } from '@perpcore/risk';
import {
  defaultMarketSpecs,
  defaultSettleAsset,
  defaultSystemAccounts,
  defaultVenueMarkets,
  SIM_DEPOSIT_UNITS,
  type VenueMarket,
  simulatedAccountIds,
  simulatedIndexStarts,
  simulatedOrderFlowConfig,
} from '@perpcore/markets';
import type { Logger } from '@perpcore/observability';
import { stageClientDeps } from './client/pipeline-client.js';
import { createOracleService, type OracleService, ScheduledShockFeed, SimulatedIndexFeed } from '@perpcore/oracle';
import type { OrderBookFactory } from '@perpcore/orderbook';
import { LeveragedCrowd, type LiquidatorPort, LoanBorrowers, type LoanBorrowerPort, OrderFlowSimulation, PoolBorrowers, PoolLiquidatorBot, type PoolPort } from '@perpcore/simulation';
import { defaultEmbeddedScenario, type EmbeddedScenario } from './embedded-scenario.js';

import { SimAccountGateway } from './sim-account-gateway.js';
import { feedBackToFlow, SimOrderGateway } from './sim-order-gateway.js';
import type { LoanFigures, RunFigures } from './run-summary.js';
import { EmbeddedSpotMargin, SPOT_STAGE_SOURCE, spotPerpOf } from './embedded-spot-margin.js';
import type { SpotInput } from './durability/spot-input.js';
import { StageCounters } from './stage-counters.js';
import type { BookSampleView } from './book-sample-view.js';
import { createPipeline } from './pipeline.js';
import { EmbeddedExchangeClient } from './client/embedded-exchange-client.js';
import { CoreInputGate } from './durability/core-input-gate.js';
import { coreStateHash, type CoreInputTargets, InputOrigin, pipelineTargets } from './durability/core-input-record.js';
import { embeddedVenueFingerprint } from './durability/venue-fingerprint.js';

export interface EmbeddedExchangeOptions {
  logger: Logger;
  seed: number;
  markets?: readonly MarketSpec[];
  createBook?: OrderBookFactory;
  /** Encode and decode every message on the bus (slower; proves the wire). */
  codecRoundTrip?: boolean;
  scenario?: Partial<EmbeddedScenario>;
  /** Overrides of the default venue's risk parameters (e.g. a short funding interval). */
  riskOverrides?: Parameters<typeof defaultVenueMarkets>[1];
  /**
   * The core's input entry point (durability/core-input-gate.ts): journaling and
   * recovery plug in here. Default: a gate without a journal (an in-memory run).
   */
  inputGate?: (targets: CoreInputTargets) => CoreInputGate;
  /**
   * Called once the stages and the simulation's subscriptions exist, before the first
   * input (in recovery: before the journal is replayed), so another reader of the
   * bus (a gateway's read model) sees every event from the first one.
   */
  beforeFirstInput?: (bus: InProcessBus, exchange: EmbeddedExchange) => Promise<void> | void;
  /**
   * Build every stage and the simulated market but send none of the opening inputs
   * (deposits, leverage, the first index): the twin a snapshot is restored into
   * (durability/exchange-state.ts).
   */
  bare?: boolean;
}

/** The clients of each exchange, outside its own fields: wiring, not state (a snapshot walks the fields). */
/** The lending pool's simulated supplier and external liquidator (far from the flow's and the crowds' ids). */
const POOL_SUPPLIER_ID = 30_001;
const POOL_LIQUIDATOR_ID = 30_002;

/** The pool bots' port per exchange: wiring, not state. */
const poolPorts = new WeakMap<EmbeddedExchange, PoolPort & LiquidatorPort>();

const clientsOf = new WeakMap<EmbeddedExchange, EmbeddedExchangeClient[]>();

export class EmbeddedExchange {
  readonly counters = new StageCounters();
  private tsNs: number;
  private nextIndexNs: number;
  private venue: readonly VenueMarket[] = [];
  /** Fingerprint of the configuration the exchange was created with (its snapshots carry it). */
  venueFingerprint = '';
  /** The book samples risk's mark price and premium index read (pipeline.ts): state, so a snapshot carries them. */
  private bookSamples: BookSampleView | null = null;
  /** The spot-margin market beside the perps (its own ledger; its inputs pass the journaled gate). */
  spotMargin: EmbeddedSpotMargin | null = null;
  /** The simulated loan borrowers (none when the scenario has loans off). */
  borrowers: LoanBorrowers | null = null;
  /** The lending pool's simulated borrowers and external liquidator (null without a pool). */
  simPool: { readonly borrowers: PoolBorrowers; readonly liquidator: PoolLiquidatorBot } | null = null;

  private constructor(
    readonly bus: InProcessBus,
    readonly markets: readonly MarketSpec[],
    readonly matching: MatchingService,
    readonly risk: RiskService,
    readonly liquidation: LiquidationService,
    readonly oracle: OracleService,
    readonly flow: OrderFlowSimulation,
    readonly crowd: LeveragedCrowd,
    private readonly orders: SimOrderGateway,
    private readonly accounts: SimAccountGateway,
    private readonly scenario: EmbeddedScenario,
    private readonly feed: ScheduledShockFeed,
    private readonly subticksPerTick: (symbol: string) => number,
    private readonly startTsNs: number,
    /** Every input of the core passes here (the simulated market, the oracle, the HTTP API, time advances). */
    readonly inputs: CoreInputGate,
  ) {
    this.tsNs = startTsNs;
    this.nextIndexNs = startTsNs;
  }

  static async create(options: EmbeddedExchangeOptions): Promise<EmbeddedExchange> {
    const scenario: EmbeddedScenario = { ...defaultEmbeddedScenario, ...options.scenario };
    const markets = options.markets ?? defaultMarketSpecs;
    const logger = options.logger;
    const pipeline = await createPipeline({
      logger,
      venue: defaultVenueMarkets(markets, options.riskOverrides),
      ...(options.createBook === undefined ? {} : { createBook: options.createBook }),
      codecRoundTrip: options.codecRoundTrip ?? false,
      adlRefreshMs: scenario.adlRefreshMs,
      insuranceFundSeedUnits: scenario.insuranceFundSeedUnits,
      loans: scenario.loanBorrowers > 0,
      lendingPool: true,
    });
    const { bus, matching, risk, liquidation } = pipeline;
    const subticksPerTick = (symbol: string) => pipeline.subticksPerTick(symbol);
    const startTsNs = 1_767_225_600_000_000_000; // 2026-01-01T00:00:00Z, the simulation's epoch
    const spotPerp = spotPerpOf(markets);
    const spotMargin = spotPerp === undefined ? null : new EmbeddedSpotMargin(spotPerp, options.seed, startTsNs, scenario.crowdEntryStartS, scenario.crowdEntryEndS, 2 * scenario.shockAtS);
    const targets = pipelineTargets(pipeline, spotMargin?.engine);
    const inputs = options.inputGate?.(targets) ?? new CoreInputGate({ targets });
    const simBus = inputs.busFor(InputOrigin.sim);
    if (spotMargin !== null) {
      spotMargin.inputs = inputs;
      spotMargin.wire = spotBusPublisher(bus, SPOT_STAGE_SOURCE);
    }
    const flowConfig = simulatedOrderFlowConfig(options.seed, markets);
    const feed = new ScheduledShockFeed(
      new SimulatedIndexFeed({
        seed: options.seed ^ 0x5eed,
        startTsNs,
        stepNs: scenario.indexPeriodNs,
        symbols: simulatedIndexStarts(flowConfig, subticksPerTick).map((s) => ({ ...s, volatilityE8: 20_000, jumpChanceE8: 10_000, jumpSizeE8: 1_000_000 })),
      }),
      scenario.shockAtS > 0 ? markets.map((m) => ({ symbol: m.symbol, atTsNs: startTsNs + scenario.shockAtS * 1e9, shockE8: scenario.shockE8 })) : [],
    );
    const oracle = createOracleService({ bus: simBus, feed, logger: logger.child({ stage: 'oracle' }) });

    const orders = new SimOrderGateway(simBus, Topics.gatewayOrderCommands);
    const accounts = new SimAccountGateway(simBus);
    const flow = new OrderFlowSimulation(flowConfig, orders);
    const crowd = new LeveragedCrowd({
      seed: options.seed ^ 0xc0ffee,
      firstAccountId: scenario.crowdFirstAccountId,
      accounts: scenario.crowdAccounts,
      markets: markets.map((m) => ({ symbol: m.symbol, lotTickUnits: m.lotTickUnits, maxQtyLots: m.maxQtyLots })),
      minDepositUnits: scenario.crowdMinDepositUnits,
      maxDepositUnits: scenario.crowdMaxDepositUnits,
      minLeverage: scenario.crowdMinLeverage,
      maxLeverage: scenario.crowdMaxLeverage,
      longShare: scenario.crowdLongShare,
      entryStartNs: startTsNs + scenario.crowdEntryStartS * 1e9,
      entryEndNs: startTsNs + scenario.crowdEntryEndS * 1e9,
      firstOrderId: 500_000_000_000_000,
    });
    const exchange = new EmbeddedExchange(bus, markets, matching, risk, liquidation, oracle, flow, crowd, orders, accounts, scenario, feed, subticksPerTick, startTsNs, inputs);
    exchange.venue = pipeline.venue;
    exchange.bookSamples = pipeline.bookSamples;
    exchange.spotMargin = spotMargin;
    if (scenario.loanBorrowers > 0) {
      exchange.borrowers = new LoanBorrowers({
        seed: options.seed ^ 0x10a45,
        firstAccountId: scenario.loanFirstAccountId,
        borrowers: scenario.loanBorrowers,
        collateral: [
          { asset: 'BTC', minUnits: 1_000_000, maxUnits: 20_000_000 },
          { asset: 'ETH', minUnits: 10_000_000, maxUnits: 200_000_000 },
        ].filter((c) => markets.some((m) => m.baseAsset === c.asset)),
        loanAsset: defaultSettleAsset.asset,
        minLtvE8: 66_000_000,
        maxLtvE8: 72_000_000,
        openStartNs: startTsNs + scenario.loanOpenStartS * 1e9,
        openEndNs: startTsNs + scenario.loanOpenEndS * 1e9,
        topUpShare: 0.25,
        topUpAtNs: startTsNs + scenario.loanTopUpAtS * 1e9,
      });
    }
    exchange.venueFingerprint = embeddedVenueFingerprint(options);
    if (risk.engine.state.lendingPool.enabled && scenario.poolBorrowers > 0) {
      exchange.simPool = {
        borrowers: new PoolBorrowers({
          seed: options.seed ^ 0xb0b0,
          firstAccountId: scenario.poolBorrowersFirstAccountId,
          accounts: scenario.poolBorrowers,
          supplierAccountId: POOL_SUPPLIER_ID,
          supplierUnits: 5_000_000 * 1_000_000,
          collateralAsset: 'BTC',
          debtAsset: defaultSettleAsset.asset,
          minCollateralUnits: 10_000_000,
          maxCollateralUnits: 200_000_000,
          minLtvE8: 60_000_000,
          maxLtvE8: 75_000_000,
          borrowAtNs: startTsNs + scenario.poolBorrowAtS * 1e9,
        }),
        liquidator: new PoolLiquidatorBot({
          accountId: POOL_LIQUIDATOR_ID,
          depositUnits: 5_000_000 * 1_000_000,
          debtAsset: defaultSettleAsset.asset,
          collateralAsset: 'BTC',
          periodNs: scenario.poolLiquidatorPeriodS * 1e9,
          firstAtNs: startTsNs,
          fullCloseBelowUnits: 2_000 * 1_000_000,
        }),
      };
    }

    const marketIndex = new Map(markets.map((m, i) => [m.symbol, i]));
    await bus.subscribe(Topics.matchingEvents, { groupId: 'simulation', fromBeginning: true }, (message) => {
      exchange.counters.onMatchingEvent(message.value);
      feedBackToFlow(flow, marketIndex, message.value);
    });
    await bus.subscribe(Topics.riskAccountEvents, { groupId: 'simulation', fromBeginning: true }, (message) => {
      exchange.counters.onRiskEvent(message.value);
    });
    await bus.subscribe(Topics.riskMarketEvents, { groupId: 'simulation', fromBeginning: true }, (message) => exchange.counters.onRiskEvent(message.value));
    await bus.subscribe(Topics.liquidationEvents, { groupId: 'simulation', fromBeginning: true }, (message) => exchange.counters.onLiquidationEvent(message.value));

    await options.beforeFirstInput?.(bus, exchange);
    if (options.bare === true) return exchange;
    // money in before any order: the flow's accounts and the crowd (the fund's seed is risk config)
    accounts.tsNs = startTsNs;
    for (const id of simulatedAccountIds(flowConfig)) accounts.deposit(id, defaultSettleAsset.asset, SIM_DEPOSIT_UNITS);
    crowd.setUp({
      deposit: (id, units) => accounts.deposit(id, defaultSettleAsset.asset, units),
      setLeverage: (id, symbol, leverage) => accounts.setLeverage(id, symbol, leverage),
      place: () => undefined,
    });
    for (let i = 0; i < scenario.backstopLiquidators; i++) {
      const id = scenario.backstopFirstAccountId + i;
      accounts.deposit(id, defaultSettleAsset.asset, scenario.backstopDepositUnits);
      accounts.enableBackstopLiquidator(id, scenario.backstopMaxPositionNotionalUnits);
    }
    exchange.borrowers?.setUp(exchange.loanPort());
    exchange.simPool?.borrowers.setUp(exchange.poolPort());
    exchange.simPool?.liquidator.setUp(exchange.poolPort());
    exchange.publishIndex();
    return exchange;
  }

  /**
   * A typed client of this exchange (`ExchangeClient`), stamping commands with the
   * simulation's clock as the producer `source` (one command stream per source).
   * Its commands pass the journaled input gate. After a restart from a journal the
   * source becomes `source@startSeq`: the client numbers its streams from 1 again,
   * and the stages would drop those as redeliveries of the previous start's.
   */
  async client(source = 'gateway-0'): Promise<EmbeddedExchangeClient> {
    const deps = stageClientDeps(
      { bus: this.bus, venue: this.venue, matching: this.matching, risk: this.risk, liquidation: this.liquidation },
      () => this.tsNs,
      this.inputs.startSeq === 0 ? source : `${source}@${this.inputs.startSeq}`,
    );
    // the journaled entry point: its commands are inputs like the simulation's
    const spotMargin = this.spotMargin;
    const spot = spotMargin?.engine;
    const client = await EmbeddedExchangeClient.create({
      ...deps,
      bus: this.inputs.busFor(InputOrigin.external),
      ...(spot === undefined ? {} : {
            spot: {
              assets: spotMargin!.assets,
              submit: (input: SpotInput) => this.inputs.spot(input, InputOrigin.external),
              accountReport: (id: number) => spot.accountReport(id),
              engine: spot,
              eventSeq: () => spotMargin!.wire?.spotSeq ?? 0,
            },
          }),
    });
    clientsOf.set(this, [...(clientsOf.get(this) ?? []), client]);
    return client;
  }

  /** Order-flow commands the simulated market has sent (recovered ones included). */
  get ordersSent(): number {
    return this.orders.commandsSent;
  }

  /** Simulated time now, ns since the Unix epoch. */
  nowNs(): number {
    return this.tsNs;
  }

  /**
   * The account query: the risk stage's report (accepted collateral, price source of
   * each trigger, distance to the call and to liquidation, positions with LP and
   * call price) with each position's ADL indicator from the liquidation engine, and
   * the spot-margin section (the same three questions on the spot ledger: accepted
   * collateral after haircuts per asset, the index feed of the trigger, margin level,
   * distance to the call and to liquidation in units and as index prices), null for
   * an account without spot rows. Undefined when the account is in neither.
   */
  accountView(accountId: number): unknown {
    const report = this.risk.engine.accountReport(accountId);
    const spot = this.spotMargin?.engine.accountReport(accountId) ?? null;
    if (report === null) return spot === null ? undefined : { accountId, spot };
    const withAdl = <S extends { positions: readonly { market: string }[] }>(scope: S) => ({
      ...scope,
      positions: scope.positions.map((p) => ({ ...p, adlBucket: this.liquidation.engine.adlBucket(p.market, accountId) ?? null })),
    });
    return { ...report, cross: withAdl(report.cross), isolated: report.isolated.map(withAdl), spot };
  }

  /** Runs `count` simulated order-flow commands, with the index, the crowd and funding on the same event clock. */
  step(count: number): void {
    const crowdPort = { deposit: () => undefined, setLeverage: () => undefined, place: (intent: Parameters<SimOrderGateway['place']>[0]) => this.orders.place(intent) };
    for (let i = 0; i < count; i++) {
      // external inputs (HTTP) only arrive between turns: in recovery they are applied here, from the journal
      this.inputs.drainExternal();
      this.tsNs += this.scenario.stepNs;
      this.orders.tsNs = this.tsNs;
      if (this.tsNs >= this.nextIndexNs) this.publishIndex();
      this.crowd.advance(this.tsNs, (m) => this.flow.fairPriceTicks(m), crowdPort);
      this.borrowers?.advance(this.tsNs, (asset, units) => this.collateralValueUnits(asset, units), this.loanPort());
      if (this.simPool !== null) {
        this.simPool.borrowers.advance(this.tsNs, (units) => this.btcValueUnits(units), this.poolPort());
        this.simPool.liquidator.advance(this.tsNs, this.poolPort());
      }
      this.flow.step();
      this.spotMargin?.step(this.tsNs);
    }
  }

  /** The loan borrowers' commands, as the simulated market's account commands. */
  private loanPort(): LoanBorrowerPort {
    const accounts = this.accounts;
    const loans = this.risk.engine.state.loans;
    return {
      deposit: (id, asset, units) => accounts.deposit(id, asset, units),
      openLoan: (id, loanAsset, collateralAsset, principal, collateral) => accounts.openLoan(id, loanAsset, collateralAsset, principal, collateral),
      addLoanCollateral: (id, units) => {
        const loan = loans?.loansOf(id)[0];
        if (loan !== undefined) accounts.addLoanCollateral(id, loan.loanId, units);
      },
    };
  }

  /** What `units` of a collateral asset are worth at the risk stage's index (settle units), null before its first index. */
  private collateralValueUnits(asset: string, units: number): number | null {
    const c = this.risk.engine.state.setup.collateral.find((x) => x.asset.asset === asset);
    if (c === undefined || c.price === null) return null;
    return Math.floor((units * c.price.settleUnits) / c.price.perAssetUnits);
  }

  /** The simulated pool clients' port: commands through the simulation's account gateway, candidates from the risk stage's query. */
  private poolPort(): PoolPort & LiquidatorPort {
    const built = poolPorts.get(this);
    if (built !== undefined) return built;
    const a = this.accounts;
    const now = () => {
      a.tsNs = this.tsNs;
      return a;
    };
    const port: PoolPort & LiquidatorPort = {
      deposit: (id, asset, units) => now().deposit(id, asset, units),
      supply: (id, asset, units) => now().poolSupply(id, asset, units),
      borrow: (id, asset, units) => now().poolBorrow(id, asset, units),
      liquidate: (liquidator, borrower, debtAsset, collateralAsset, units, version) => now().liquidationCall(liquidator, borrower, debtAsset, collateralAsset, units, version),
      candidates: () => this.risk.engine.liquidationCandidates(),
    };
    poolPorts.set(this, port);
    return port;
  }

  /** BTC units valued at the BTCUSDT index, settle units rounded down (0 before the first index). */
  private btcValueUnits(units: number): number {
    const price = this.risk.engine.state.setup.collateral.find((c) => c.asset.asset === 'BTC')?.price;
    return price == null ? 0 : Number((BigInt(units) * BigInt(price.settleUnits)) / BigInt(price.perAssetUnits));
  }

  private publishIndex(): void {
    this.oracle.publishAt(this.tsNs);
    this.inputs.advanceTime(this.tsNs);
    // makers quote around the index, as real market makers hedge against spot
    this.markets.forEach((spec, m) => {
      const quote = this.feed.quoteAt(spec.symbol, this.tsNs);
      if (quote !== undefined) this.flow.setFairPriceTicks(m, quote.priceSubticks / this.subticksPerTick(spec.symbol));
      if (quote !== undefined && this.spotMargin !== null && spec.baseAsset === 'BTC') {
        this.spotMargin.onIndex(this.tsNs, Math.round(quote.priceSubticks / this.subticksPerTick(spec.symbol)));
      }
    });
    this.nextIndexNs = this.tsNs + this.scenario.indexPeriodNs;
  }

  /** Open interest per market from the risk stage's positions (the fund's included). */
  openInterest(): { market: string; longLots: number; shortLots: number }[] {
    const state = this.risk.engine.state;
    const out = this.markets.map((m) => ({ market: m.symbol, longLots: 0, shortLots: 0 }));
    for (let r = 0; r < state.ledger.qtyLots.length; r++) {
      const q = state.ledger.qtyLots[r] as number;
      const row = out[state.ledger.market[r] as number];
      if (row === undefined) continue;
      if (q > 0) row.longLots += q;
      else row.shortLots -= q;
    }
    return out;
  }

  /**
   * What the live progress line shows, without the closing summary's audit, state
   * hash and account reports (a few ms each): it runs every 250 ms between the
   * market's slices, on the thread that serves the gateway.
   */
  progress(): { simulatedS: number; ordersSent: number; counters: StageCounters; riskHalted: string } {
    return { simulatedS: (this.tsNs - this.startTsNs) / 1e9, ordersSent: this.orders.commandsSent, counters: this.counters, riskHalted: this.risk.engine.halt.describe() };
  }

  figures(elapsedS: number): RunFigures {
    const engine = this.matching.engine;
    let resting = 0;
    for (const symbol of engine.markets()) resting += engine.book(symbol)?.restingOrderCount() ?? 0;
    const audit = this.risk.engine.audit();
    const spotMargin = this.spotMargin?.figures() ?? null;
    return {
      elapsedS,
      simulatedS: (this.tsNs - this.startTsNs) / 1e9,
      ordersSent: this.orders.commandsSent,
      matchingCommands: engine.commandsApplied,
      restingOrders: resting,
      counters: this.counters,
      insuranceFundUnits: this.risk.engine.ledger.fundBalanceUnits('shared'),
      insuranceFundEquityUnits: this.risk.engine.accountReport(defaultSystemAccounts.insuranceFunds[0]?.accountId ?? 0)?.cross.equityUnits ?? 0,
      insuranceFundSeedUnits: this.scenario.insuranceFundSeedUnits,
      riskHalted: this.risk.engine.halt.describe(),
      // one line for the venue: the perps ledger and the spot ledger (balances, loans, interest, fees, pool), each to the unit
      conservationOk: audit.ok && (spotMargin?.conservationOk ?? true),
      conservationProblems: [...audit.problems, ...(spotMargin?.conservationProblems ?? []).map((p) => `spot: ${p}`)],
      openInterest: this.openInterest(),
      loans: this.loanFigures(),
      pool: this.poolFigures(),
      stateHash: this.stateHash(),
      spotMargin,
    };
  }

  /** The loans' line of the run summary (null when loans are off). */
  private loanFigures(): LoanFigures | null {
    const book = this.risk.engine.state.loans;
    if (book === null) return null;
    let interestOwedUnits = 0n;
    for (const l of book.loans.values()) interestOwedUnits += BigInt(l.interestUnits);
    return {
      borrowers: this.borrowers?.accountIds.length ?? 0,
      opened: book.nextLoanId - 1,
      open: book.loans.size,
      marginCalls: book.margincalls,
      liquidations: book.liquidations,
      outstandingUnits: book.outstandingUnits[0],
      interestPaidUnits: book.interestPaidUnits[0],
      interestOwedUnits,
      feesUnits: book.feesUnits[0],
      writtenOffUnits: book.principalWrittenOffUnits[0] + book.interestWrittenOffUnits[0],
    };
  }

  private poolFigures(): RunFigures['pool'] {
    const pool = this.risk.engine.state.lendingPool;
    if (!pool.enabled) return null;
    return { positions: pool.positions.size, belowOneNow: this.risk.engine.liquidationCandidates().length, interestSettledUnits: pool.byAssetInterestOf(0) };
  }

  stateHash(): string {
    return coreStateHash(this.matching.engine, this.risk.engine, this.spotMargin?.engine);
  }

  async close(): Promise<void> {
    for (const c of clientsOf.get(this) ?? []) await c.close();
    clientsOf.delete(this);
    await this.liquidation.close();
    await this.risk.close();
    await this.matching.close();
    await this.bus.close();
  }
}
