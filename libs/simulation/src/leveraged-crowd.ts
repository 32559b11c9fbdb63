/**
 * A crowd of small, leveraged traders: each deposits a little, picks a leverage and
 * a side, and opens one position with an IOC limit order near the fair price at a
 * scheduled time. Combined with a price shock it produces what a liquidation engine
 * must handle: positions closed in the book with a surplus, positions gapped past
 * their bankruptcy price (insurance fund takeover), and, with a small fund, ADL.
 *
 * Deterministic for a seed; sizes are whole lots computed from integer notional.
 */
import { OrderType, Side, TimeInForce } from '@perpcore/domain';
import type { PlaceIntent } from './order-flow.js';
import { SeededRandom } from './seeded-random.js';

export interface CrowdMarket {
  symbol: string;
  lotTickUnits: number;
  maxQtyLots: number;
}

export interface LeveragedCrowdConfig {
  seed: number;
  firstAccountId: number;
  accounts: number;
  markets: CrowdMarket[];
  minDepositUnits: number;
  maxDepositUnits: number;
  minLeverage: number;
  maxLeverage: number;
  /** Share of the crowd that goes long (the rest short). */
  longShare: number;
  entryStartNs: number;
  entryEndNs: number;
  firstOrderId: number;
}

export interface CrowdPort {
  deposit(accountId: number, amountUnits: number): void;
  setLeverage(accountId: number, symbol: string, leverage: number): void;
  place(intent: PlaceIntent): void;
}

interface CrowdEntry {
  accountId: number;
  market: number;
  side: Side;
  depositUnits: number;
  leverage: number;
  atNs: number;
}

export class LeveragedCrowd {
  private readonly entries: CrowdEntry[] = [];
  private next = 0;
  private nextOrderId: number;
  entered = 0;

  constructor(private readonly config: LeveragedCrowdConfig) {
    const r = new SeededRandom(config.seed);
    const span = Math.max(1, config.entryEndNs - config.entryStartNs);
    for (let i = 0; i < config.accounts; i++) {
      this.entries.push({
        accountId: config.firstAccountId + i,
        market: r.int(0, config.markets.length - 1),
        side: r.chance(config.longShare) ? Side.Buy : Side.Sell,
        depositUnits: r.int(config.minDepositUnits, config.maxDepositUnits),
        leverage: r.int(config.minLeverage, config.maxLeverage),
        atNs: config.entryStartNs + Math.floor(r.nextFloat() * span),
      });
    }
    this.entries.sort((a, b) => a.atNs - b.atNs || a.accountId - b.accountId);
    this.nextOrderId = config.firstOrderId;
  }

  /** Every entry's time has come (placed, or skipped for a size below one lot). */
  get allDue(): boolean {
    return this.next === this.entries.length;
  }

  accountIds(): number[] {
    return this.entries.map((e) => e.accountId).sort((a, b) => a - b);
  }

  /** Deposits and leverage settings, before any order. */
  setUp(port: CrowdPort): void {
    for (const e of [...this.entries].sort((a, b) => a.accountId - b.accountId)) {
      port.deposit(e.accountId, e.depositUnits);
      port.setLeverage(e.accountId, (this.config.markets[e.market] as CrowdMarket).symbol, e.leverage);
    }
  }

  /** Places the orders of every entry due by `tsNs`, priced 0.5% through the fair price. */
  advance(tsNs: number, fairPriceTicks: (marketIndex: number) => number, port: CrowdPort): void {
    while (this.next < this.entries.length && (this.entries[this.next] as CrowdEntry).atNs <= tsNs) {
      const e = this.entries[this.next++] as CrowdEntry;
      const market = this.config.markets[e.market] as CrowdMarket;
      const fair = fairPriceTicks(e.market);
      // 90% of the leverage's buying power, so the initial margin (plus fees) fits
      const notionalUnits = Math.floor((e.depositUnits * e.leverage * 9) / 10);
      const qtyLots = Math.min(market.maxQtyLots, Math.floor(notionalUnits / (fair * market.lotTickUnits)));
      if (qtyLots < 1) continue;
      const limit = e.side === Side.Buy ? Math.ceil((fair * 1005) / 1000) : Math.floor((fair * 995) / 1000);
      port.place({
        symbol: market.symbol,
        orderId: this.nextOrderId++,
        accountId: e.accountId,
        side: e.side,
        type: OrderType.Limit,
        timeInForce: TimeInForce.ImmediateOrCancel,
        priceTicks: Math.max(1, limit),
        qtyLots,
      });
      this.entered++;
    }
  }
}
