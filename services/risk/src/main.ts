#!/usr/bin/env node
/**
 * The risk service as its own process (cluster mode): one risk shard. Reads account
 * and order commands from the gateway topics, index prices from the oracle, and
 * matching's fills (`matching.account-events.v1`, this shard's legs, by default);
 * publishes risk events and forwards accepted orders to `matching.commands.v1`.
 * Wired only by Kafka; the wall clock drives time-only schedules (funding) through
 * `advanceTime` every PERPCORE_RISK_TIME_TICK_MS.
 *
 * Bad input: a message for a market this shard does not list (order command, fill,
 * index) is refused before the engine sees it: logged with its offset, sent to the
 * topic's dead-letter topic (RISK_UNKNOWN_MARKET), nothing applied, the consumer goes
 * on. Malformed bytes and unknown schema versions go there too (the bus's decode).
 * An index of a listed market that the engine refuses (stale, invalid price or
 * time) is answered with `IndexPriceRejectedV1` on `risk.market-events.v1`,
 * logged at warn with its reason and counted per reason in the stats
 * (`indexPricesRejected`).
 *
 * Halt (services/risk stage-halt.ts): an internal error in the stage is logged at
 * fatal with the input's identity (kind, source, seq, market, account), the shard
 * publishes StageHaltedV1 and stops consuming (its subscriptions close; the
 * offsets after the halting input stay uncommitted). The process does not exit:
 * without durability a restart would come back empty and rebuild the shard from
 * the committed offsets onward, i.e. wrong; staying up keeps the halted state for
 * inspection, its stats line reports `halted`, and an operator decides. SIGTERM
 * then ends it with exit code 1 (close reports the halt as a failure), so a
 * supervisor sees an abnormal end.
 *
 * Environment (validated at start; a bad value names the variable):
 *   PERPCORE_KAFKA_*                 see libs/bus kafka-config.ts (PERPCORE_KAFKA_BROKERS required)
 *   PERPCORE_RISK_SOURCE             shard name on its event streams and its consumer group (default risk-0)
 *   PERPCORE_RISK_MARKETS            symbols this shard margins (default: every default market)
 *   PERPCORE_RISK_MATCHING_INPUT     account (matching.account-events.v1, default) | market (matching.events.v1)
 *   PERPCORE_RISK_FUND_SEED_UNITS  the insurance fund's starting capital in settle units (default 20,000 USDT, as npm start)
 *   PERPCORE_RISK_TIME_TICK_MS       how often the wall clock advances time-only schedules (default 1000)
 *   PERPCORE_RISK_LOANS, PERPCORE_RISK_LENDING_POOL  true: loans / the lending pool (lending-contexts.ts; default false)
 *   PERPCORE_LOG_LEVEL, PERPCORE_SHUTDOWN_TIMEOUT_MS, PERPCORE_STATS_INTERVAL_MS (libs/runtime)
 */
import { guardInputs, KafkaBus, kafkaBusOptions, kafkaConfigSchema, topicGuard, Topics } from '@perpcore/bus';
import { enumField, integerField, listField, stringField } from '@perpcore/config';
import { defaultInsuranceFundSeedUnits, defaultMarketSpecs, defaultSettleAsset, defaultSystemAccounts, defaultVenueMarkets, selectMarkets } from '@perpcore/markets';
import { runServiceProcess, wallClockNs } from '@perpcore/runtime';
import { createRiskService } from './create-risk-service.js';
import { lendingContexts } from './lending-contexts.js';
import { SETTLE_NET_DEPOSITS_CEILING_UNITS } from './accounts/balance-limits.js';

runServiceProcess({
  name: 'risk',
  schema: {
    ...kafkaConfigSchema,
    source: stringField('PERPCORE_RISK_SOURCE', { fallback: 'risk-0', pattern: /^[a-z0-9-]{1,64}$/ }),
    markets: listField('PERPCORE_RISK_MARKETS', { fallback: defaultMarketSpecs.map((s) => s.symbol), itemPattern: /^[A-Z0-9-]{2,32}$/ }),
    matchingInput: enumField('PERPCORE_RISK_MATCHING_INPUT', ['account', 'market'] as const, 'account'),
    fundSeedUnits: integerField('PERPCORE_RISK_FUND_SEED_UNITS', { min: 0, max: SETTLE_NET_DEPOSITS_CEILING_UNITS, fallback: defaultInsuranceFundSeedUnits }),
    timeTickMs: integerField('PERPCORE_RISK_TIME_TICK_MS', { min: 10, max: 3_600_000, fallback: 1_000 }),
    loans: enumField('PERPCORE_RISK_LOANS', ['true', 'false'] as const, 'false'),
    lendingPool: enumField('PERPCORE_RISK_LENDING_POOL', ['true', 'false'] as const, 'false'),
  },
  async start({ config, logger }) {
    const markets = defaultVenueMarkets(selectMarkets(config.markets));
    const listed = new Set(markets.map((m) => m.spec.symbol));
    const unlisted = (market: string) => (listed.has(market) ? null : { code: 'RISK_UNKNOWN_MARKET', message: `market ${JSON.stringify(market)} is not listed on ${config.source}` });
    const bus = await KafkaBus.connect(kafkaBusOptions(config, config.source, logger));
    const guards = [
      topicGuard(Topics.gatewayOrderCommands, (c) => unlisted(c.market)),
      topicGuard(Topics.matchingEvents, (e) => unlisted(e.market)),
      topicGuard(Topics.matchingAccountEvents, (e) => unlisted(e.event.market)),
      topicGuard(Topics.oracleIndexPrices, (e) => unlisted(e.symbol)),
    ];
    let service;
    try {
      service = await createRiskService({
        bus: guardInputs(bus, guards),
        logger,
        stopConsumingOnHalt: true,
        matchingInput: config.matchingInput,
        config: {
          source: config.source,
          settleAsset: defaultSettleAsset,
          markets,
          feeAccountId: defaultSystemAccounts.feeAccountId,
          insuranceFunds: defaultSystemAccounts.insuranceFunds.map((f) => ({ ...f, seedUnits: config.fundSeedUnits })),
          ...lendingContexts({ loans: config.loans === 'true', lendingPool: config.lendingPool === 'true' }, markets.map((m) => m.spec)),
        },
      });
    } catch (error) {
      await bus.close().catch(() => undefined);
      throw error;
    }
    const engine = service.engine;
    const timer = setInterval(() => service.advanceTime(wallClockNs()), config.timeTickMs);
    return {
      stats() {
        const openInterest: Record<string, { longLots: number; shortLots: number }> = {};
        for (const market of engine.state.markets) openInterest[market.symbol] = { longLots: market.longLots, shortLots: market.shortLots };
        const audit = engine.audit(); // O(accounts + positions): fine at one call a second for a shard
        return {
          eventsPublished: engine.state.events.eventsPublished,
          commandsSent: engine.state.events.commandsSent,
          // gateway orders passed on to matching: every command risk sent minus the cancels it issued itself
          ordersForwarded: engine.state.events.commandsSent - engine.lifecycle.riskCancelsSent,
          duplicatesDropped: engine.duplicatesDropped,
          indexPricesRejected: { ...engine.indexGate.rejectedByReason }, // stale / invalid / unlisted, each also logged
          openInterest,
          auditOk: audit.ok,
          auditProblems: audit.problems.slice(0, 5),
          halted: engine.halted ? engine.halt.describe() : false,
          inputsRefusedWhileHalted: engine.halt.commandsRefused + engine.halt.eventsDropped,
        };
      },
      async close() {
        clearInterval(timer);
        await service.close();
        await bus.close();
        const audit = engine.audit();
        if (audit.ok) logger.info({ stateHash: engine.stateHash() }, 'conservation audit ok at shutdown');
        else logger.error({ problems: audit.problems }, 'conservation audit failed at shutdown');
        if (engine.halted) throw new Error(engine.halt.describe()); // exit code 1: the shard ended halted
      },
    };
  },
});
