/**
 * Order entry of the liquidation engine over the bus: its commands re-enter
 * matching through the same command topic as everyone's (ARCHITECTURE.md), as the
 * `liquidation-0` source with its own sequence per market.
 */
import { OrderType, SelfTradePrevention, TimeInForce, TriggerSource } from '@perpcore/domain';
import { type Bus, Topics } from '@perpcore/bus';
import { CancelReason } from '@perpcore/orderbook';
import { SCHEMA_MAJOR_V1, sideToWire, type MatchingCommandV1 } from '@perpcore/proto';
import type { LiquidationOrder, OrderPlacer } from './liquidation-ports.js';

export class BusOrderPlacer implements OrderPlacer {
  private readonly seqByMarket = new Map<string, number>();

  constructor(
    private readonly bus: Bus,
    private readonly markets: readonly string[],
    private readonly source = 'liquidation-0',
  ) {}

  private envelope(market: string, tsNs: number): MatchingCommandV1 {
    const seq = (this.seqByMarket.get(market) ?? 0) + 1;
    this.seqByMarket.set(market, seq);
    return { schemaMajor: SCHEMA_MAJOR_V1, market, seq, tsNs, source: this.source } as MatchingCommandV1;
  }

  cancelAllOrders(accountId: number, tsNs: number): void {
    for (const market of this.markets) {
      const cmd = this.envelope(market, tsNs);
      cmd.command = 'cancelAll';
      cmd.cancelAll = { accountId, reason: CancelReason.Liquidation };
      this.bus.publish(Topics.matchingCommands, cmd);
    }
  }

  placeLiquidationOrder(order: LiquidationOrder): void {
    const cmd = this.envelope(order.market, order.tsNs);
    cmd.command = 'place';
    cmd.place = {
      orderId: order.orderId,
      accountId: order.accountId,
      side: sideToWire(order.side),
      type: OrderType.Limit,
      timeInForce: TimeInForce.ImmediateOrCancel,
      priceTicks: order.limitPriceTicks,
      qtyLots: order.qtyLots,
      triggerPriceTicks: 0,
      triggerSource: TriggerSource.LastTrade,
      // a liquidation never trades with the liquidated account's own orders (they were cancelled first)
      selfTradePrevention: SelfTradePrevention.CancelTaker,
      reduceOnly: true,
      clientOrderId: '',
      liquidationId: order.liquidationId,
    };
    this.bus.publish(Topics.matchingCommands, cmd);
  }
}
