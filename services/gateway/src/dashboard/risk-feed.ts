/**
 * The dashboard's risk feed: margin calls, liquidations, insurance-fund takeovers
 * and ADL legs, folded from the core's events into a bounded ring (the newest
 * `capacity` items; older ones fall off) and pushed to a listener as they happen.
 *
 * Figures are exact decimal text built from the events' integers: margin levels in
 * percent (level_e8 / 1e6), prices from ticks or subticks, quantities from lots.
 * Only these four kinds are kept; every other event costs one switch.
 */
import { formatScaled, type MarketSpec } from '@perpcore/domain';
import type { LiquidationEventV1, perpcore, RiskEventV1 } from '@perpcore/proto';

type MarginLevelV1 = perpcore.risk.v1.MarginLevelV1;
import { priceText, qtyText, subticksText } from '../market-data/wire-format.js';

export type RiskFeedKind = 'MARGIN_CALL' | 'LIQUIDATION' | 'BACKSTOP_TAKEOVER' | 'FUND_TAKEOVER' | 'ADL';

export interface RiskFeedItem {
  /** 1, 2, 3, … in arrival order (a client resumes from the last id it has). */
  readonly id: number;
  readonly kind: RiskFeedKind;
  /** The event's time (the core's event clock), ms since the epoch. */
  readonly tsMs: number;
  readonly accountId: number;
  readonly market: string;
  /** One line for the operator, figures exact. */
  readonly text: string;
}

/** What the feed needs of a market to print its figures. */
export interface FeedMarket {
  readonly spec: MarketSpec;
  readonly subticksPerTick: number;
}

export interface RiskFeedOptions {
  readonly marketOf: (symbol: string) => FeedMarket | undefined;
  readonly capacity?: number;
  readonly onItem?: (item: RiskFeedItem) => void;
}

export const DEFAULT_FEED_CAPACITY = 200;

/** level_e8 as a percentage with its exact digits ("78.5%" for 78_500_000). */
export function levelPercentText(levelE8: number): string {
  return `${formatScaled(levelE8, 6)}%`;
}

export class RiskFeed {
  private readonly ring: (RiskFeedItem | undefined)[];
  private nextId = 1;
  readonly totals: Record<RiskFeedKind, number> = { MARGIN_CALL: 0, LIQUIDATION: 0, BACKSTOP_TAKEOVER: 0, FUND_TAKEOVER: 0, ADL: 0 };

  constructor(private readonly options: RiskFeedOptions) {
    const capacity = options.capacity ?? DEFAULT_FEED_CAPACITY;
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`feed capacity must be a positive integer, got ${capacity}`);
    this.ring = new Array<RiskFeedItem | undefined>(capacity);
  }

  onRiskEvent(e: RiskEventV1): void {
    if (e.event === 'marginCall' && e.marginCall?.level != null) {
      this.push('MARGIN_CALL', e.tsNs, e.accountId, e.marginCall.level.triggerMarket, `margin call: ${this.levelText(e.marginCall.level)}`);
    } else if (e.event === 'liquidationTriggered' && e.liquidationTriggered?.level != null) {
      const t = e.liquidationTriggered;
      const level = t.level as MarginLevelV1;
      const positions = (t.positions ?? []).map((p) => {
        const m = this.options.marketOf(p.market ?? '');
        const size = m === undefined ? `${p.positionLots} lots` : qtyText(m.spec, Number(p.positionLots));
        const bp = m === undefined ? `${p.bankruptcyPriceTicks} ticks` : priceText(m.spec, Number(p.bankruptcyPriceTicks));
        return `${p.market} ${size} (bankruptcy ${bp})`;
      });
      this.push('LIQUIDATION', e.tsNs, e.accountId, level.triggerMarket, `liquidation #${t.liquidationId}: ${this.levelText(level)}; ${positions.join(', ')}`);
    }
  }

  onLiquidationEvent(e: LiquidationEventV1): void {
    if (e.event === 'insuranceTakeover' && e.insuranceTakeover != null) {
      const t = e.insuranceTakeover;
      const m = this.options.marketOf(t.market);
      const size = m === undefined ? `${t.positionLots} lots` : qtyText(m.spec, t.positionLots);
      const price = m === undefined ? `${t.fillPriceTicks} ticks` : priceText(m.spec, t.fillPriceTicks);
      this.push('FUND_TAKEOVER', e.tsNs, e.accountId, t.market, `fund ${t.fundId} took over ${size} ${t.market} at ${price} (liquidation #${e.liquidationId})`);
    } else if (e.event === 'backstopTakeover' && e.backstopTakeover != null) {
      const t = e.backstopTakeover;
      const m = this.options.marketOf(t.market);
      const size = m === undefined ? `${t.positionLots} lots` : qtyText(m.spec, Number(t.positionLots));
      const price = m === undefined ? `${t.fillPriceTicks} ticks` : priceText(m.spec, Number(t.fillPriceTicks));
      this.push('BACKSTOP_TAKEOVER', e.tsNs, e.accountId, t.market, `backstop liquidator ${t.liquidatorAccountId} took over ${size} ${t.market} at ${price} (liquidation #${e.liquidationId})`);
    } else if (e.event === 'positionDeleveraged' && e.positionDeleveraged != null) {
      const d = e.positionDeleveraged;
      const m = this.options.marketOf(d.market);
      const size = m === undefined ? `${d.qtyLots} lots` : qtyText(m.spec, d.qtyLots);
      const price = m === undefined ? `${d.fillPriceTicks} ticks` : priceText(m.spec, d.fillPriceTicks);
      this.push('ADL', e.tsNs, e.accountId, d.market, `ADL: account ${d.counterpartyAccountId} reduced by ${size} ${d.market} at ${price} against liquidation #${e.liquidationId}`);
    }
  }

  /** The kept items, oldest first; with `afterId`, only those newer than it. */
  items(afterId = 0): RiskFeedItem[] {
    const out: RiskFeedItem[] = [];
    const n = this.ring.length;
    for (let i = 0; i < n; i++) {
      const item = this.ring[(this.nextId + i) % n];
      if (item !== undefined && item.id > afterId) out.push(item);
    }
    return out;
  }

  private levelText(level: MarginLevelV1): string {
    const m = this.options.marketOf(level.triggerMarket);
    const mark = m === undefined ? `${level.markSubticks} subticks` : subticksText(m.spec, level.markSubticks, m.subticksPerTick);
    return `margin level ${levelPercentText(level.levelE8)} (call ${levelPercentText(level.marginCallLevelE8)}, liquidation ${levelPercentText(level.liquidationLevelE8)}) on ${level.triggerMarket} mark ${mark}`;
  }

  private push(kind: RiskFeedKind, tsNs: number, accountId: number, market: string, text: string): void {
    const item: RiskFeedItem = { id: this.nextId, kind, tsMs: Math.floor(tsNs / 1_000_000), accountId, market, text };
    this.ring[this.nextId % this.ring.length] = item;
    this.nextId++;
    this.totals[kind]++;
    this.options.onItem?.(item);
  }
}
