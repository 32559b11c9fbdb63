/**
 * The insurance funds over time for the dashboard: one sample per dashboard tick of
 * every fund's balance as the risk stage holds it (`ExchangeClient.insuranceFunds`),
 * the newest `capacity` samples kept (default one hour at one a second). Balances are
 * exact decimal text in the settle asset.
 */
import { formatScaled } from '@perpcore/domain';
import type { InsuranceFundBalance } from '@perpcore/exchange';

export interface FundSample {
  /** Wall clock, ms since the epoch. */
  readonly tMs: number;
  /** fundId → balance (decimal). */
  readonly balances: Readonly<Record<string, string>>;
}

export class FundHistory {
  private readonly samples: FundSample[] = [];

  constructor(
    private readonly settleDecimals: number,
    private readonly capacity = 3_600,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`fund history capacity must be a positive integer, got ${capacity}`);
  }

  record(tMs: number, funds: readonly InsuranceFundBalance[]): FundSample {
    const balances: Record<string, string> = {};
    for (const f of funds) balances[f.fundId] = formatScaled(f.balanceUnits, this.settleDecimals);
    const sample = { tMs, balances };
    this.samples.push(sample);
    if (this.samples.length > this.capacity) this.samples.shift();
    return sample;
  }

  all(): readonly FundSample[] {
    return this.samples;
  }
}
