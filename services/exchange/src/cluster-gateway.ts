#!/usr/bin/env node
/**
 * The simulated gateway as its own process (cluster mode): the same seeded order
 * flow as `npm start` (libs/markets simulated-market.ts), published onto Kafka at a
 * fixed rate for a fixed time, with the book's answers fed back from
 * `matching.events.v1` so makers only move orders that still rest, and the makers'
 * fair price following the oracle's index (`oracle.index-prices.v1`), as in npm start.
 *
 * Sequence:
 * 1. deposit SIM_DEPOSIT_UNITS for every simulated account (`gateway.account-commands.v1`);
 * 2. wait until risk accepted every deposit and published a mark for every market
 *    (before that, orders would only be refused: RISK_UNKNOWN_ACCOUNT, RISK_NO_MARK_PRICE);
 *    `ready` is reported then;
 * 3. publish order commands on `gateway.order-commands.v1` (risk's pre-trade hold)
 *    at PERPCORE_SIM_RATE_PER_S, each stamped with the wall clock, for
 *    PERPCORE_SIM_DURATION_S (0: until stopped); then flush and exit 0.
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
 *   PERPCORE_SIM_READY_TIMEOUT_MS   how long step 2 may take (default 120000)
 */
import { KafkaBus, kafkaBusOptions, kafkaConfigSchema, type Subscription, Topics } from '@perpcore/bus';
import { integerField, listField, stringField } from '@perpcore/config';
import { defaultMarketSpecs, defaultVenueMarkets, selectMarkets, SIM_DEPOSIT_UNITS, simulatedAccountIds, simulatedOrderFlowConfig } from '@perpcore/markets';
import type { Logger } from '@perpcore/observability';
import { type AccountCommandV1, SCHEMA_MAJOR_V1 } from '@perpcore/proto';
import { runServiceProcess, wallClockNs } from '@perpcore/runtime';
import { OrderFlowSimulation } from '@perpcore/simulation';
import { feedBackToFlow, SimOrderGateway } from './sim-order-gateway.js';

/** Most commands one pacing tick may emit (keeps the event loop responsive to replies). */
const MAX_PER_TICK = 2_000;
const TICK_MS = 5;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface GatewayCounters {
  phase: 'depositing' | 'trading' | 'done';
  commandsSent: number;
  depositsAccepted: number;
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
  },
  async start({ config, logger }) {
    const markets = selectMarkets(config.markets);
    const flowConfig = simulatedOrderFlowConfig(config.seed, markets, config.firstOrderId);
    const accounts = simulatedAccountIds(flowConfig);
    const counters: GatewayCounters = { phase: 'depositing', commandsSent: 0, depositsAccepted: 0, fillsSeen: 0, matchingRejects: 0, riskRejects: {}, restingQuotes: 0, tradingStartedNs: 0 };

    const bus = await KafkaBus.connect(kafkaBusOptions(config, config.source, logger));
    const gateway = new SimOrderGateway(bus, Topics.gatewayOrderCommands, config.source);
    const flow = new OrderFlowSimulation(flowConfig, gateway);
    const marketIndex = new Map(markets.map((m, i) => [m.symbol, i]));
    const subticks = new Map(defaultVenueMarkets(markets).map((m) => [m.spec.symbol, m.risk.markSubticksPerTick]));
    const depositPending = new Set(accounts);
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
        }),
        await bus.subscribe(Topics.riskAccountEvents, { groupId }, (message) => {
          const event = message.value;
          if (event.event === 'commandAccepted' && event.commandAccepted?.commandId === event.accountId && depositPending.delete(event.accountId)) {
            counters.depositsAccepted++;
          } else if (event.event === 'orderRejected' && event.orderRejected?.inputSource === config.source) {
            const code = event.orderRejected.code;
            counters.riskRejects[code] = (counters.riskRejects[code] ?? 0) + 1;
          } else if (event.event === 'commandRejected' && event.commandRejected?.commandId === event.accountId) {
            logger.error({ accountId: event.accountId, code: event.commandRejected.code, reason: event.commandRejected.message }, 'deposit refused by risk');
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
      publishDeposits(bus, config.source, accounts);
      await bus.flush();
      await waitUntilReady(depositPending, markPending, config.readyTimeoutMs, logger);
    } catch (error) {
      await closeAll().catch(() => undefined);
      throw error;
    }

    counters.phase = 'trading';
    counters.tradingStartedNs = wallClockNs();
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
        counters.commandsSent = gateway.commandsSent;
        await sleep(TICK_MS);
      }
      await bus.flush();
      counters.commandsSent = gateway.commandsSent;
      counters.phase = 'done';
      logger.info({ commandsSent: gateway.commandsSent, riskRejects: counters.riskRejects }, 'simulated run finished');
    })();

    return {
      finished,
      stats() {
        counters.restingQuotes = flow.restingQuoteCount();
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

function publishDeposits(bus: KafkaBus, source: string, accounts: readonly number[]): void {
  const tsNs = wallClockNs();
  for (const accountId of accounts) {
    const deposit = {
      schemaMajor: SCHEMA_MAJOR_V1,
      accountId,
      seq: 1,
      tsNs,
      source,
      commandId: accountId,
      command: 'deposit',
      deposit: { asset: 'USDT', amountUnits: SIM_DEPOSIT_UNITS },
    } as AccountCommandV1;
    bus.publish(Topics.gatewayAccountCommands, deposit);
  }
}

async function waitUntilReady(deposits: Set<number>, marks: Set<string>, timeoutMs: number, logger: Logger): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let nextLogMs = Date.now() + 5_000;
  while (deposits.size > 0 || marks.size > 0) {
    if (Date.now() > deadline) {
      throw new Error(
        `risk did not become ready in ${timeoutMs} ms: ${deposits.size} deposits unanswered (accounts ${[...deposits].slice(0, 5).join(', ')}…), ` +
          `no mark price yet for ${[...marks].join(', ') || 'none'}. Are the risk and oracle services running?`,
      );
    }
    if (Date.now() > nextLogMs) {
      logger.info({ depositsPending: deposits.size, marksPending: [...marks] }, 'waiting for risk: deposits and marks');
      nextLogMs = Date.now() + 5_000;
    }
    await sleep(50);
  }
}
