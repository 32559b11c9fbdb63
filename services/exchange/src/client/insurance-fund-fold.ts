/**
 * The insurance funds' balances as a remote client sees them: folded from the
 * liquidation stream's `InsuranceFundDeltaV1` events, each of which carries the
 * fund's balance after it (`balance_after_units`), so the fold only ever takes the
 * newest balance and never sums deltas (a missed or redelivered event cannot skew
 * it). Before a fund's first delta it shows the configured seed, which is what the
 * risk process starts each fund with.
 *
 * Limit: a client that joins after a delta shows the seed until the fund's next
 * delta (the liquidation topic is read from where the client joined).
 */
import { defaultSettleAsset, defaultSystemAccounts, type VenueMarket } from '@perpcore/markets';
import type { LiquidationEventV1 } from '@perpcore/proto';
import type { InsuranceFundBalance } from './exchange-client.js';

export class InsuranceFundFold {
  private readonly balances_ = new Map<string, InsuranceFundBalance>();

  constructor(venue: readonly VenueMarket[], seedUnits: number) {
    for (const f of defaultSystemAccounts.insuranceFunds) {
      const markets = venue.filter((m) => m.risk.insuranceFundId === f.fundId).map((m) => m.spec.symbol);
      if (markets.length === 0) continue;
      this.balances_.set(f.fundId, { fundId: f.fundId, accountId: f.accountId, asset: defaultSettleAsset.asset, balanceUnits: seedUnits, markets });
    }
  }

  apply(e: LiquidationEventV1): void {
    if (e.event !== 'insuranceFundDelta' || e.insuranceFundDelta == null) return;
    const d = e.insuranceFundDelta;
    const fund = this.balances_.get(d.fundId);
    const after = Number(d.balanceAfterUnits);
    if (fund === undefined || !Number.isSafeInteger(after) || after < 0) return;
    this.balances_.set(d.fundId, { ...fund, balanceUnits: after });
  }

  balances(): readonly InsuranceFundBalance[] {
    return [...this.balances_.values()];
  }
}
