/**
 * The topic catalogue: every topic the stages exchange, its envelope codec,
 * partition key and default partition count (ARCHITECTURE.md, scale-out):
 *
 * | topic                        | envelope               | key      | producer → consumers |
 * |------------------------------|------------------------|----------|----------------------|
 * | gateway.order-commands.v1    | MatchingCommandV1      | account  | gateway → risk (pre-trade hold) |
 * | gateway.account-commands.v1  | AccountCommandV1       | account  | gateway → risk |
 * | gateway.spot-commands.v1     | SpotCommandV1          | (one partition) | gateway → the spot-margin stage (one order for its book and ledger) |
 * | matching.commands.v1         | MatchingCommandV1      | market   | risk, liquidation → matching |
 * | matching.events.v1           | MatchingEventV1        | market   | matching → risk, liquidation, journal (cluster: fills and order state; embedded: book deltas too) |
 * | matching.market-data.v1      | MatchingEventV1        | market   | matching → gateway (cluster: book deltas, conflated per window) |
 * | matching.account-events.v1   | MatchingAccountEventV1 | account  | matching → risk (fills once per side, order lifecycle) |
 * | risk.account-events.v1       | RiskEventV1            | account  | risk → liquidation, gateway |
 * | risk.market-events.v1        | RiskEventV1            | market   | risk → every risk shard, matching (mark triggers) |
 * | liquidation.events.v1        | LiquidationEventV1     | account (market for ADL indicators) | liquidation → risk, gateway |
 * | oracle.index-prices.v1       | OracleEventV1          | symbol   | oracle → risk |
 * | gateway.queries.v1           | GatewayQueryV1         | account  | gateway → risk, spot (read-only questions, cluster mode) |
 * | gateway.query-replies.v1     | GatewayReplyV1         | gateway source | risk, spot → the asking gateway |
 * | gateway.registry.v1          | RegistryCommandV1      | (one partition) | gateway → every gateway (accounts and API keys; kept forever) |
 *
 * Each has a dead-letter topic `<name>.dlq`. Account keys are the decimal account id.
 */
import {
  type AccountCommandV1,
  type LiquidationEventV1,
  type MatchingAccountEventV1,
  type MatchingCommandV1,
  type MatchingEventV1,
  type OracleEventV1,
  type RiskEventV1,
  type GatewayQueryV1,
  type SpotCommandV1,
  type GatewayReplyV1,
  type RegistryCommandV1,
  accountCommandCodec,
  gatewayQueryCodec,
  spotCommandCodec,
  gatewayReplyCodec,
  registryCommandCodec,
  liquidationEventCodec,
  matchingAccountEventCodec,
  matchingCommandCodec,
  matchingEventCodec,
  oracleEventCodec,
  riskEventCodec,
} from '@perpcore/proto';
import type { Topic } from './bus.js';
import { defineTopic } from './topic.js';

const ACCOUNT_PARTITIONS = 8;
const MARKET_PARTITIONS = 4;

/** The account a matching command acts for (0 for the operator's market commands, which act for none). */
export function commandAccountId(command: MatchingCommandV1): number {
  switch (command.command) {
    case 'place':
      return command.place?.accountId ?? 0;
    case 'cancel':
      return command.cancel?.accountId ?? 0;
    case 'amend':
      return command.amend?.accountId ?? 0;
    case 'cancelAll':
      return command.cancelAll?.accountId ?? 0;
    default:
      return 0;
  }
}

export const Topics = {
  gatewayOrderCommands: defineTopic<MatchingCommandV1>('gateway.order-commands.v1', ACCOUNT_PARTITIONS, matchingCommandCodec, (c) => String(commandAccountId(c))),
  gatewayAccountCommands: defineTopic<AccountCommandV1>('gateway.account-commands.v1', ACCOUNT_PARTITIONS, accountCommandCodec, (c) => String(c.accountId)),
  // one partition: the spot stage's book and ledger are a fold of one order of every gateway's commands
  gatewaySpotCommands: defineTopic<SpotCommandV1>('gateway.spot-commands.v1', 1, spotCommandCodec, (c) => String(c.accountId)),
  matchingCommands: defineTopic<MatchingCommandV1>('matching.commands.v1', MARKET_PARTITIONS, matchingCommandCodec, (c) => c.market),
  matchingEvents: defineTopic<MatchingEventV1>('matching.events.v1', MARKET_PARTITIONS, matchingEventCodec, (e) => e.market),
  matchingMarketData: defineTopic<MatchingEventV1>('matching.market-data.v1', MARKET_PARTITIONS, matchingEventCodec, (e) => e.market),
  matchingAccountEvents: defineTopic<MatchingAccountEventV1>('matching.account-events.v1', ACCOUNT_PARTITIONS, matchingAccountEventCodec, (e) => String(e.accountId)),
  riskAccountEvents: defineTopic<RiskEventV1>('risk.account-events.v1', ACCOUNT_PARTITIONS, riskEventCodec, (e) => String(e.accountId)),
  riskMarketEvents: defineTopic<RiskEventV1>('risk.market-events.v1', MARKET_PARTITIONS, riskEventCodec, (e) => e.market),
  liquidationEvents: defineTopic<LiquidationEventV1>('liquidation.events.v1', ACCOUNT_PARTITIONS, liquidationEventCodec, (e) =>
    e.accountId !== 0 ? String(e.accountId) : e.market,
  ),
  oracleIndexPrices: defineTopic<OracleEventV1>('oracle.index-prices.v1', MARKET_PARTITIONS, oracleEventCodec, (e) => e.symbol),
  gatewayQueries: defineTopic<GatewayQueryV1>('gateway.queries.v1', ACCOUNT_PARTITIONS, gatewayQueryCodec, (q) => String(q.account?.accountId ?? 0)),
  gatewayQueryReplies: defineTopic<GatewayReplyV1>('gateway.query-replies.v1', MARKET_PARTITIONS, gatewayReplyCodec, (r) => r.replyTo),
  // one partition: every gateway folds the same commands in one order; never deleted: a gateway rebuilds its registry from the start
  gatewayRegistry: { ...defineTopic<RegistryCommandV1>('gateway.registry.v1', 1, registryCommandCodec, () => 'registry'), keepForever: true },
} as const;
