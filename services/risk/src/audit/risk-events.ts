/**
 * The risk stage's output port and envelope builders.
 *
 * - `RiskEventV1` envelopes carry the stage's per-stream sequence number: per
 *   (source, account) for account events (account_id set), per (source, market)
 *   for market events (account_id 0: mark, funding), per (source, "") for the
 *   stage's own events that name no market (a halt). Consumers dedup on it; a
 *   refused index for a symbol no market lists has no stream and carries seq 0.
 * - Commands to matching (`MatchingCommandV1`) carry source = the shard name and a
 *   per-market sequence: accepted orders and the cancels risk issues itself
 *   (maker re-check, reduce-only excess).
 * Each envelope is a fresh object handed over to the port: nothing is shared or
 * mutated after publication.
 */
import { SCHEMA_MAJOR_V1, type MatchingCommandV1, type RiskEventV1, type perpcore } from '@perpcore/proto';
import type { AccountBook } from '../accounts/account-book.js';
import type { RiskMarket } from '../risk-market.js';

export interface RiskEnginePorts {
  /** Every risk event, in the order the engine produced them. */
  publish(event: RiskEventV1): void;
  /** Commands for matching. */
  toMatching(command: MatchingCommandV1): void;
}

type RiskEventBody = Omit<RiskEventV1, 'schemaMajor' | 'seq' | 'tsNs' | 'source' | 'accountId' | 'market'>;

export class RiskEventSink {
  eventsPublished = 0;
  commandsSent = 0;
  /** Sequence of the stage stream (account_id 0, market ""). */
  stageEventSeq = 0;

  constructor(
    readonly source: string,
    private readonly accounts: AccountBook,
    private readonly ports: RiskEnginePorts,
  ) {}

  /** Publishes an account event; `slot` −1 for an id without an account (a reject). */
  account(accountId: number, slot: number, market: string, tsNs: number, body: RiskEventBody): void {
    this.stamp(body, this.accounts.nextEventSeq(accountId, slot), tsNs, accountId, market);
  }

  /** The hot path's event (one per fill leg), built in one literal so every instance shares one shape. */
  positionSettled(accountId: number, slot: number, market: string, tsNs: number, payload: perpcore.risk.v1.PositionSettledV1): void {
    const event = {
      schemaMajor: SCHEMA_MAJOR_V1,
      seq: this.accounts.nextEventSeq(accountId, slot),
      tsNs,
      source: this.source,
      accountId,
      market,
      event: 'positionSettled',
      positionSettled: payload,
    } as RiskEventV1;
    this.eventsPublished++;
    this.ports.publish(event);
  }

  market(market: RiskMarket, tsNs: number, body: RiskEventBody): void {
    this.stamp(body, ++market.marketEventSeq, tsNs, 0, market.symbol);
  }

  /** A stage event that names no market (account_id 0, market ""). */
  stage(tsNs: number, body: RiskEventBody): void {
    this.stamp(body, ++this.stageEventSeq, tsNs, 0, '');
  }

  /**
   * A market event about a symbol no listed market has (a refused oracle input):
   * there is no stream for it, so seq 0 (consumers do not deduplicate it) and time 0.
   */
  unlistedMarket(symbol: string, body: RiskEventBody): void {
    this.stamp(body, 0, 0, 0, symbol);
  }

  /** Completes a body into its envelope and publishes it. */
  private stamp(body: RiskEventBody, seq: number, tsNs: number, accountId: number, market: string): void {
    const event = body as RiskEventV1;
    event.schemaMajor = SCHEMA_MAJOR_V1;
    event.seq = seq;
    event.tsNs = tsNs;
    event.source = this.source;
    event.accountId = accountId;
    event.market = market;
    this.eventsPublished++;
    this.ports.publish(event);
  }

  /*
   * Commands to matching: each envelope is one object literal per kind (one hidden
   * class per kind, no property added after construction), around a body the caller
   * does not keep.
   */
  place(market: RiskMarket, tsNs: number, place: perpcore.matching.v1.PlaceOrderV1): void {
    this.send({ schemaMajor: SCHEMA_MAJOR_V1, market: market.symbol, seq: ++market.commandSeq, tsNs, source: this.source, command: 'place', place } as MatchingCommandV1);
  }

  amend(market: RiskMarket, tsNs: number, amend: perpcore.matching.v1.AmendOrderV1): void {
    this.send({ schemaMajor: SCHEMA_MAJOR_V1, market: market.symbol, seq: ++market.commandSeq, tsNs, source: this.source, command: 'amend', amend } as MatchingCommandV1);
  }

  cancelAll(market: RiskMarket, tsNs: number, cancelAll: perpcore.matching.v1.CancelAllOrdersV1): void {
    this.send({ schemaMajor: SCHEMA_MAJOR_V1, market: market.symbol, seq: ++market.commandSeq, tsNs, source: this.source, command: 'cancelAll', cancelAll } as MatchingCommandV1);
  }

  /** A cancel of one order (forwarded from the gateway, or issued by risk itself). */
  cancel(market: RiskMarket, tsNs: number, accountId: number, orderId: number): void {
    const cancel = { orderId, accountId } as perpcore.matching.v1.CancelOrderV1;
    this.send({ schemaMajor: SCHEMA_MAJOR_V1, market: market.symbol, seq: ++market.commandSeq, tsNs, source: this.source, command: 'cancel', cancel } as MatchingCommandV1);
  }

  private send(command: MatchingCommandV1): void {
    this.commandsSent++;
    this.ports.toMatching(command);
  }
}
