/**
 * The simulated gateway's command streams in cluster mode: one stream per account.
 *
 * Why: `gateway.order-commands.v1` is keyed by account (risk shards by account), so
 * Kafka keeps commands in order per account only; commands of different accounts
 * reach risk interleaved in any order. Risk deduplicates order commands per
 * (source, market) sequence, which is only safe if each such stream lives in one
 * partition. Publishing every account under its own source (`<base>-a<account>`,
 * numbered per market by its own `SimOrderGateway`) makes each stream one account's,
 * hence one partition's, so its sequence numbers arrive strictly increasing and no
 * command is mistaken for a redelivery. (One source for all accounts lost most
 * commands as "duplicates" on a real broker.)
 */
import type { Bus } from '@perpcore/bus';
import { Topics } from '@perpcore/bus';
import type { OrderFlowPort, PlaceIntent } from '@perpcore/simulation';
import { SimOrderGateway } from './sim-order-gateway.js';

export class PerAccountOrderStreams implements OrderFlowPort {
  private readonly streams = new Map<number, SimOrderGateway>();
  /** Stamped on the next command (the caller sets it from its clock). */
  tsNs = 0;

  constructor(
    private readonly bus: Bus,
    /** Source prefix; each account's stream is `<base>-a<accountId>`. */
    readonly baseSource: string,
  ) {}

  /** The source name of an account's stream. */
  sourceOf(accountId: number): string {
    return `${this.baseSource}-a${accountId}`;
  }

  get commandsSent(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.commandsSent;
    return n;
  }

  private stream(accountId: number): SimOrderGateway {
    let s = this.streams.get(accountId);
    if (s === undefined) {
      s = new SimOrderGateway(this.bus, Topics.gatewayOrderCommands, this.sourceOf(accountId));
      this.streams.set(accountId, s);
    }
    s.tsNs = this.tsNs;
    return s;
  }

  place(intent: PlaceIntent): void {
    this.stream(intent.accountId).place(intent);
  }

  cancel(symbol: string, accountId: number, orderId: number): void {
    this.stream(accountId).cancel(symbol, accountId, orderId);
  }

  amend(symbol: string, accountId: number, orderId: number, priceTicks: number, qtyLots: number): void {
    this.stream(accountId).amend(symbol, accountId, orderId, priceTicks, qtyLots);
  }
}
