#!/usr/bin/env node
/**
 * The simulated gateway as its own process (cluster mode): the same seeded order
 * flow as `npm start` (libs/markets simulated-market.ts), published onto Kafka at a
 * fixed rate for a fixed time, with the book's answers fed back from
 * `matching.events.v1` so makers only move orders that still rest, and the makers'
 * fair price following the oracle's index (`oracle.index-prices.v1`), as in npm start.
 *
 * Sequence:
 * 1. account commands (`gateway.account-commands.v1`): SIM_DEPOSIT_UNITS for every
 *    account of the flow, the insurance fund's seed, and npm start's leveraged crowd
 *    (small deposits, leverage 2–20x per account);
 * 2. wait until risk answered every one and published a mark for every market
 *    (before that, orders would only be refused: RISK_UNKNOWN_ACCOUNT, RISK_NO_MARK_PRICE);
 *    `ready` is reported then;
 * 3. publish order commands on `gateway.order-commands.v1` (risk's pre-trade hold)
 *    at PERPCORE_SIM_RATE_PER_S, each stamped with the wall clock, for
 *    PERPCORE_SIM_DURATION_S (0: until stopped); the crowd opens its positions (IOC,
 *    0.5% through the fair price) between PERPCORE_SIM_CROWD_ENTRY_START_S and
 *    _END_S after trading starts. Each entry is followed to its settled outcome
 *    (crowd-entry-outcomes.ts): the stats' `crowdSettled` turns true once every entry
 *    is placed (or trading ended) and risk settled all of them; the launcher arms the
 *    oracle's price shock on it (services/oracle main.ts, PERPCORE_ORACLE_SHOCK_TRIGGER=parent),
 *    so the crowd is liquidated as in npm start however late risk runs.
 * 4. After trading: wait until the crowd is settled (PERPCORE_SIM_READY_TIMEOUT_MS at
 *    most: the shock must not wait on a gateway that has gone), flush and exit 0.
 *
 * Dedup: risk drops a (source, stream, seq) it has seen, so each run publishes under
 * its own source (`gateway-sim-<start time, base 36>` unless PERPCORE_SIM_SOURCE is
 * set), and reads replies under a consumer group of that name. Commands are numbered
 * per market; the topic keeps them in order per account only, which is enough: risk
 * deduplicates per (source, account, market).
 *
 * Environment (validated at start; a bad value names the variable):
 *   PERPCORE_KAFKA_*                see libs/bus kafka-config.ts (PERPCORE_KAFKA_BROKERS required)
 *   PERPCORE_SIM_SEED               flow seed (default 42, as npm start)
 *   PERPCORE_SIM_RATE_PER_S         order commands per second (default 2000)
 *   PERPCORE_SIM_DURATION_S         seconds of trading; 0 = until stopped (default 10)
 *   PERPCORE_SIM_MARKETS            symbols to trade (default: every default market)
 *   PERPCORE_SIM_SOURCE             producer name (default gateway-sim-<base36 start ms>)
 *   PERPCORE_SIM_FIRST_ORDER_ID     first order id (default 1; raise it to re-run against live books)
 *   PERPCORE_SIM_READY_TIMEOUT_MS   how long step 2 may take, and step 4 (default 120000)
 *   PERPCORE_SIM_CROWD_ACCOUNTS     leveraged crowd size (default 300, as npm start; 0 = none)
 *   PERPCORE_SIM_CROWD_ENTRY_START_S, PERPCORE_SIM_CROWD_ENTRY_END_S   entry window (default 1 and 5)
 *   PERPCORE_SIM_BACKSTOPS          backstop liquidators signed up at the start (default 2, as npm start; 0 = none)
 */
import { KafkaBus, kafkaBusOptions, kafkaConfigSchema, type Subscription, Topics } from '@perpcore/bus';
import { integerField, listField, stringField } from '@perpcore/config';
import { defaultMarketSpecs, defaultSettleAsset, defaultVenueMarkets, selectMarkets, SIM_DEPOSIT_UNITS, simulatedAccountIds, simulatedOrderFlowConfig } from '@perpcore/markets';
import type { Logger } from '@perpcore/observability';
import { runServiceProcess, wallClockNs } from '@perpcore/runtime';
import { LeveragedCrowd, OrderFlowSimulation } from '@perpcore/simulation';
import { CrowdEntryOutcomes } from './crowd-entry-outcomes.js';
import { defaultEmbeddedScenario } from './embedded-scenario.js';
import { SimAccountGateway } from './sim-account-gateway.js';
import { feedBackToFlow, SimOrderGateway } from './sim-order-gateway.js';

/** Most commands one pacing tick may emit (keeps the event loop responsive to replies). */
const MAX_PER_TICK = 2_000;
const TICK_MS = 5;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface GatewayCounters {
  phase: 'depositing' | 'trading' | 'done';
  commandsSent: number;
  accountCommandsAnswered: number;
  crowdEntered: number;
  /** Entries risk has settled (refused, or every fill settled after matching ended the order). */
  crowdEntriesSettled: number;
  /** Every entry is placed (or trading ended) and settled: the price shock may land. */
  crowdSettled: boolean;
  fillsSeen: number;
  matchingRejects: number;
  riskRejects: Record<string, number>;
  restingQuotes: number;
  tradingStartedNs: number;
}

runServiceProcess({
  name: 'gateway-sim',
  schema: {
    ...kafkaConfigSchema,
    seed: integerField('PERPCORE_SIM_SEED', { min: 0, max: 0xffff_ffff, fallback: 42 }),
    ratePerS: integerField('PERPCORE_SIM_RATE_PER_S', { min: 1, max: 10_000_000, fallback: 2_000 }),
    durationS: integerField('PERPCORE_SIM_DURATION_S', { min: 0, max: 30 * 86_400, fallback: 10 }),
    markets: listField('PERPCORE_SIM_MARKETS', { fallback: defaultMarketSpecs.map((s) => s.symbol), itemPattern: /^[A-Z0-9-]{2,32}$/ }),
    source: stringField('PERPCORE_SIM_SOURCE', { fallback: `gateway-sim-${Date.now().toString(36)}`, pattern: /^[a-z0-9-]{1,64}$/ }),
    firstOrderId: integerField('PERPCORE_SIM_FIRST_ORDER_ID', { min: 1, max: 2 ** 52, fallback: 1 }),
    readyTimeoutMs: integerField('PERPCORE_SIM_READY_TIMEOUT_MS', { min: 1_000, max: 3_600_000, fallback: 120_000 }),
    crowdAccounts: integerField('PERPCORE_SIM_CROWD_ACCOUNTS', { min: 0, max: 100_000, fallback: defaultEmbeddedScenario.crowdAccounts }),
    crowdEntryStartS: integerField('PERPCORE_SIM_CROWD_ENTRY_START_S', { min: 0, max: 86_400, fallback: 1 }),
    crowdEntryEndS: integerField('PERPCORE_SIM_CROWD_ENTRY_END_S', { min: 0, max: 86_400, fallback: 5 }),
    backstops: integerField('PERPCORE_SIM_BACKSTOPS', { min: 0, max: 100, fallback: 2 }),
  },
  async start({ config, logger }) {
    const markets = selectMarkets(config.markets);
    const flowConfig = simulatedOrderFlowConfig(config.seed, markets, config.firstOrderId);
    const accounts = simulatedAccountIds(flowConfig);
    const counters: GatewayCounters = { phase: 'depositing', commandsSent: 0, accountCommandsAnswered: 0, crowdEntered: 0, crowdEntriesSettled: 0, crowdSettled: false, fillsSeen: 0, matchingRejects: 0, riskRejects: {}, restingQuotes: 0, tradingStartedNs: 0 };

    const bus = await KafkaBus.connect(kafkaBusOptions(config, config.source, logger));
    const gateway = new SimOrderGateway(bus, Topics.gatewayOrderCommands, config.source);
    const flow = new OrderFlowSimulation(flowConfig, gateway);
    const marketIndex = new Map(markets.map((m, i) => [m.symbol, i]));
    const subticks = new Map(defaultVenueMarkets(markets).map((m) => [m.spec.symbol, m.risk.markSubticksPerTick]));
    const accountGateway = new SimAccountGateway(bus, config.source);
    const scenario = defaultEmbeddedScenario;
    const crowd = new LeveragedCrowd({
      seed: config.seed ^ 0xc0ffee,
      firstAccountId: scenario.crowdFirstAccountId,
      accounts: config.crowdAccounts,
      markets: markets.map((m) => ({ symbol: m.symbol, lotTickUnits: m.lotTickUnits, maxQtyLots: m.maxQtyLots })),
      minDepositUnits: scenario.crowdMinDepositUnits,
      maxDepositUnits: scenario.crowdMaxDepositUnits,
      minLeverage: scenario.crowdMinLeverage,
      maxLeverage: scenario.crowdMaxLeverage,
      longShare: scenario.crowdLongShare,
      entryStartNs: config.crowdEntryStartS * 1e9,
      entryEndNs: Math.max(config.crowdEntryStartS, config.crowdEntryEndS) * 1e9,
      firstOrderId: 500_000_000_000_000,
    });
    const crowdOutcomes = new CrowdEntryOutcomes();
    const answerPending = new Set<number>();
    const markPending = new Set(markets.map((m) => m.symbol));
    const groupId = config.source;
    const subscriptions: Subscription[] = [];
    const closeAll = async (): Promise<void> => {
      for (const s of subscriptions) await s.close();
      await bus.close();
    };
    try {
      subscriptions.push(
        await bus.subscribe(Topics.matchingEvents, { groupId }, (message) => {
          const event = message.value;
          if (event.event === 'filled') counters.fillsSeen++;
          else if (event.event === 'rejected') counters.matchingRejects++;
          feedBackToFlow(flow, marketIndex, event);
          crowdOutcomes.onMatchingEvent(event);
        }),
        await bus.subscribe(Topics.riskAccountEvents, { groupId }, (message) => {
          const event = message.value;
          crowdOutcomes.onRiskEvent(event);
          if (event.event === 'commandAccepted' && event.commandAccepted != null && answerPending.delete(event.commandAccepted.commandId)) {
            counters.accountCommandsAnswered++;
          } else if (event.event === 'orderRejected' && event.orderRejected?.inputSource === config.source) {
            const code = event.orderRejected.code;
            counters.riskRejects[code] = (counters.riskRejects[code] ?? 0) + 1;
          } else if (event.event === 'commandRejected' && event.commandRejected != null && answerPending.delete(event.commandRejected.commandId)) {
            counters.accountCommandsAnswered++;
            logger.error({ accountId: event.accountId, code: event.commandRejected.code, reason: event.commandRejected.message }, 'account command refused by risk');
          }
        }),
        await bus.subscribe(Topics.riskMarketEvents, { groupId }, (message) => {
          if (message.value.event === 'markPrice') markPending.delete(message.value.market);
        }),
        // makers quote around the index, as in npm start (real market makers hedge against spot)
        await bus.subscribe(Topics.oracleIndexPrices, { groupId }, (message) => {
          const e = message.value;
          const m = marketIndex.get(e.symbol);
          if (e.event !== 'indexPrice' || e.indexPrice == null || m === undefined) return;
          flow.setFairPriceTicks(m, e.indexPrice.priceSubticks / (subticks.get(e.symbol) ?? 100));
        }),
      );
      // money in before any order: the flow's accounts, the crowd (the fund's capital is the risk process's PERPCORE_RISK_FUND_SEED_UNITS)
      accountGateway.tsNs = wallClockNs();
      for (const accountId of accounts) accountGateway.deposit(accountId, defaultSettleAsset.asset, SIM_DEPOSIT_UNITS);
      crowd.setUp({
        deposit: (id, units) => accountGateway.deposit(id, defaultSettleAsset.asset, units),
        setLeverage: (id, symbol, leverage) => accountGateway.setLeverage(id, symbol, leverage),
        place: () => undefined,
      });
      // as npm start: backstop liquidators take the gapped positions before the fund (risk's backstop-liquidators.ts)
      for (let i = 0; i < config.backstops; i++) {
        const id = scenario.backstopFirstAccountId + i;
        accountGateway.deposit(id, defaultSettleAsset.asset, scenario.backstopDepositUnits);
        accountGateway.enableBackstopLiquidator(id, scenario.backstopMaxPositionNotionalUnits);
      }
      for (let id = 1; id <= accountGateway.lastCommandId; id++) answerPending.add(id);
      await bus.flush();
      await waitUntilReady(answerPending, markPending, config.readyTimeoutMs, logger);
    } catch (error) {
      await closeAll().catch(() => undefined);
      throw error;
    }

    counters.phase = 'trading';
    counters.tradingStartedNs = wallClockNs();
    const crowdPort = {
      deposit: () => undefined,
      setLeverage: () => undefined,
      place: (intent: Parameters<SimOrderGateway['place']>[0]) => {
        crowdOutcomes.onPlaced(intent.orderId, intent.accountId, intent.symbol);
        gateway.place(intent);
      },
    };
    const crowdSettled = (): boolean => (crowd.allDue || counters.phase !== 'trading') && crowdOutcomes.pending === 0;
    let stopped = false;
    const finished = (async () => {
      const startMs = performance.now();
      const endMs = config.durationS === 0 ? Number.POSITIVE_INFINITY : startMs + config.durationS * 1_000;
      while (!stopped) {
        const nowMs = performance.now();
        if (nowMs >= endMs) break;
        const due = Math.floor(((nowMs - startMs) / 1_000) * config.ratePerS) - gateway.commandsSent;
        for (let i = Math.min(due, MAX_PER_TICK); i > 0; i--) {
          gateway.tsNs = wallClockNs();
          flow.step();
        }
        // the crowd's entry times count from the start of trading
        gateway.tsNs = wallClockNs();
        crowd.advance(gateway.tsNs - counters.tradingStartedNs, (m) => flow.fairPriceTicks(m), crowdPort);
        counters.crowdEntered = crowd.entered;
        counters.commandsSent = gateway.commandsSent;
        await sleep(TICK_MS);
      }
      await bus.flush();
      counters.commandsSent = gateway.commandsSent;
      counters.phase = 'done';
      // the launcher arms the shock on crowdSettled: stay until it can (entries still being settled by risk)
      await waitUntil(() => stopped || crowdSettled(), config.readyTimeoutMs, () => `risk did not settle the crowd's entries in ${config.readyTimeoutMs} ms after trading: ${crowdOutcomes.pending} of ${crowdOutcomes.placed} pending`);
      logger.info({ commandsSent: gateway.commandsSent, riskRejects: counters.riskRejects }, 'simulated run finished');
    })();

    return {
      finished,
      stats() {
        counters.restingQuotes = flow.restingQuoteCount();
        counters.crowdEntriesSettled = crowdOutcomes.settled;
        counters.crowdSettled = crowdSettled();
        return { ...counters, riskRejects: { ...counters.riskRejects } };
      },
      async close() {
        stopped = true;
        await finished.catch(() => undefined);
        await closeAll();
      },
    };
  },
});

async function waitUntilReady(commands: Set<number>, marks: Set<string>, timeoutMs: number, logger: Logger): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let nextLogMs = Date.now() + 5_000;
  while (commands.size > 0 || marks.size > 0) {
    if (Date.now() > deadline) {
      throw new Error(
        `risk did not become ready in ${timeoutMs} ms: ${commands.size} account commands unanswered, ` +
          `no mark price yet for ${[...marks].join(', ') || 'none'}. Are the risk and oracle services running?`,
      );
    }
    if (Date.now() > nextLogMs) {
      logger.info({ accountCommandsPending: commands.size, marksPending: [...marks] }, 'waiting for risk: account commands and marks');
      nextLogMs = Date.now() + 5_000;
    }
    await sleep(50);
  }
}

async function waitUntil(done: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(describe());
    await sleep(20);
  }
}
