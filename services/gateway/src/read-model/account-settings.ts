/**
 * Per (account, market) leverage and margin mode, folded from risk's answers to
 * setting commands (AccountCommandAcceptedV1 carries the settings after): the
 * gateway needs the current mode to answer -4046 "No need to change margin type."
 * without sending a command. Defaults are risk's: cross, and
 * min(20, the first tier's max leverage) (services/risk risk-config.ts).
 */
import { MarginMode } from '@perpcore/domain';
import type { VenueMarket } from '@perpcore/markets';
import type { RiskEventV1 } from '@perpcore/proto';

export interface MarketSetting {
  leverage: number;
  mode: MarginMode;
}

export class AccountSettings {
  private readonly byKey = new Map<string, MarketSetting>();
  private readonly defaults: Map<string, number>;

  constructor(venue: readonly VenueMarket[]) {
    this.defaults = new Map(venue.map((m) => [m.spec.symbol, Math.min(20, m.risk.tiers.maxLeverage[0] ?? 20)]));
  }

  get(accountId: number, market: string): MarketSetting {
    return this.byKey.get(`${accountId}|${market}`) ?? { leverage: this.defaults.get(market) ?? 20, mode: MarginMode.Cross };
  }

  onRiskEvent(e: RiskEventV1): void {
    if (e.event !== 'commandAccepted' || e.commandAccepted == null || e.market === '' || e.market == null) return;
    const a = e.commandAccepted;
    if ((a.leverage ?? 0) === 0 && (a.marginMode ?? 0) === 0) return;
    const now = this.get(e.accountId, e.market);
    const next = { leverage: a.leverage || now.leverage, mode: (a.marginMode || now.mode) as MarginMode };
    this.byKey.set(`${e.accountId}|${e.market}`, next);
  }
}
