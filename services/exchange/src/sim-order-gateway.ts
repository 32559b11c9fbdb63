/**
 * The simulated market's entry point into the pipeline: turns the order flow's
 * intents into `MatchingCommandV1` envelopes (source `gateway-sim`, one sequence per
 * market), stamped with the simulation's event time, and publishes them on the
 * order-command topic (risk's pre-trade hold in front of matching). Also feeds the
 * book's answers back to the flow so makers only move orders that still rest.
 */
import { Side, TimeInForce } from '@perpcore/domain';
import { type Bus, type Topic, Topics } from '@perpcore/bus';
import { SCHEMA_MAJOR_V1, sideFromWire, sideToWire, type MatchingCommandV1, type MatchingEventV1 } from '@perpcore/proto';
import type { OrderFlowPort, OrderFlowSimulation, PlaceIntent } from '@perpcore/simulation';

export const SIM_SOURCE = 'gateway-sim';

/** A simulated trader's place command: no trigger, no client id, self-trade prevention cancels the taker, never reduce-only. */
export function simulatedPlace(o: Pick<PlaceIntent, 'orderId' | 'accountId' | 'side' | 'type' | 'timeInForce' | 'priceTicks' | 'qtyLots'>): NonNullable<MatchingCommandV1['place']> {
  return {
    orderId: o.orderId,
    accountId: o.accountId,
    side: sideToWire(o.side),
    type: o.type,
    timeInForce: o.timeInForce,
    priceTicks: o.priceTicks,
    qtyLots: o.qtyLots,
    triggerPriceTicks: 0,
    triggerSource: 0,
    selfTradePrevention: 1,
    reduceOnly: false,
    clientOrderId: '',
    liquidationId: 0,
  } as NonNullable<MatchingCommandV1['place']>;
}

export class SimOrderGateway implements OrderFlowPort {
  private readonly seqByMarket = new Map<string, number>();
  tsNs = 0;
  commandsSent = 0;

  constructor(
    private readonly bus: Bus,
    private readonly topic: Topic<MatchingCommandV1> = Topics.gatewayOrderCommands,
    /** The command stream's producer name (consumers dedup per source): one per run in cluster mode. */
    private readonly source: string = SIM_SOURCE,
  ) {}

  private envelope(symbol: string): MatchingCommandV1 {
    const seq = (this.seqByMarket.get(symbol) ?? 0) + 1;
    this.seqByMarket.set(symbol, seq);
    this.commandsSent++;
    return { schemaMajor: SCHEMA_MAJOR_V1, market: symbol, seq, tsNs: this.tsNs, source: this.source } as MatchingCommandV1;
  }

  place(intent: PlaceIntent): void {
    const cmd = this.envelope(intent.symbol);
    cmd.command = 'place';
    cmd.place = simulatedPlace(intent);
    this.bus.publish(this.topic, cmd);
  }

  cancel(symbol: string, accountId: number, orderId: number): void {
    const cmd = this.envelope(symbol);
    cmd.command = 'cancel';
    cmd.cancel = { orderId, accountId };
    this.bus.publish(this.topic, cmd);
  }

  amend(symbol: string, accountId: number, orderId: number, priceTicks: number, qtyLots: number): void {
    const cmd = this.envelope(symbol);
    cmd.command = 'amend';
    cmd.amend = { orderId, accountId, priceTicks, qtyLots };
    this.bus.publish(this.topic, cmd);
  }
}

/** Tells the flow which orders rest and which left the book, from the matching stream. */
export function feedBackToFlow(flow: OrderFlowSimulation, marketIndex: Map<string, number>, event: MatchingEventV1): void {
  switch (event.event) {
    case 'accepted': {
      const a = event.accepted;
      if (a == null || a.timeInForce !== TimeInForce.GoodTillCancel) return;
      const side = sideFromWire(a.side) ?? Side.Buy;
      flow.orderRested(marketIndex.get(event.market) ?? 0, a.orderId, a.accountId, side);
      return;
    }
    case 'filled': {
      const f = event.filled;
      if (f == null) return;
      if (f.makerRemainingLots === 0) flow.orderClosed(f.makerOrderId);
      if (f.takerRemainingLots === 0) flow.orderClosed(f.takerOrderId);
      return;
    }
    case 'canceled':
      if (event.canceled != null) flow.orderClosed(event.canceled.orderId);
      return;
    default:
  }
}
