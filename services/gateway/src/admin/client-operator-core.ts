/**
 * `OperatorCorePort` over the core's typed client (`ExchangeClient`): custody
 * transfers, market halts, the kill switch and the insurance funds go through the
 * same door as trading, so the operator API works in either mode the client does.
 * Each answer is the stage's own (accepted, or its reject code and text).
 */
import type { MarketSpec } from '@perpcore/domain';
import type { AccountCommandResult, ExchangeClient, MarketCommandResult, StressAnswer, StressRequest } from '@perpcore/exchange';
import type { SpotAccountReport } from '@perpcore/exchange';
import type { CoreAnswer, InsuranceFundView, OperatorCorePort } from './operator-core-port.js';

export class ClientOperatorCore implements OperatorCorePort {
  readonly assets;
  readonly markets: readonly string[];
  readonly spotAssets;

  constructor(private readonly client: ExchangeClient) {
    this.spotAssets = client.spotAssets();
    // the settle asset and the collateral the risk stage values (BTC, ETH with loans or the lending pool)
    this.assets = client.ledgerAssets();
    this.markets = client.markets().map((m) => m.spec.symbol);
  }

  async transfer(kind: 'deposit' | 'withdraw', accountId: number, asset: string, amountUnits: number): Promise<CoreAnswer> {
    const r = kind === 'deposit' ? await this.client.deposit(accountId, asset, amountUnits) : await this.client.withdraw(accountId, asset, amountUnits);
    return accountAnswer(r, { asset, balanceAfterUnits: r.balanceAfterUnits });
  }

  async spotTransfer(kind: 'deposit' | 'withdraw', accountId: number, asset: string, amountUnits: number): Promise<CoreAnswer> {
    const r = kind === 'deposit' ? await this.client.spotDeposit(accountId, asset, amountUnits) : await this.client.spotWithdraw(accountId, asset, amountUnits);
    if (!r.ok) return { ok: false, code: r.code, message: `the spot-margin stage refused the ${kind}: ${r.code}` };
    const row = (await this.client.spotAccount(accountId))?.assets.find((a) => a.asset === asset);
    return { ok: true, detail: row === undefined ? {} : { balanceAfterUnits: String(row.balanceUnits) } };
  }

  spotAccount(accountId: number): Promise<SpotAccountReport | null> {
    return this.client.spotAccount(accountId);
  }

  async haltMarket(market: string, reason: string): Promise<CoreAnswer> {
    return marketAnswer(await this.client.haltMarket(market, reason));
  }

  async resumeMarket(market: string): Promise<CoreAnswer> {
    return marketAnswer(await this.client.resumeMarket(market));
  }

  async setKillSwitch(accountId: number, engaged: boolean): Promise<CoreAnswer> {
    return accountAnswer(await this.client.setKillSwitch(accountId, engaged), {});
  }

  async setBackstopLiquidator(accountId: number, terms: { enabled: boolean; markets: readonly string[]; maxPositionNotionalUnits: number }): Promise<CoreAnswer> {
    return accountAnswer(await this.client.setBackstopLiquidator(accountId, terms), {});
  }

  insuranceFunds(): readonly InsuranceFundView[] {
    return this.client.insuranceFunds();
  }

  marketSpec(market: string): { readonly spec: MarketSpec; readonly markSubticksPerTick: number } | undefined {
    const m = this.client.markets().find((v) => v.spec.symbol === market);
    return m === undefined ? undefined : { spec: m.spec, markSubticksPerTick: m.risk.markSubticksPerTick };
  }

  stress(request: StressRequest): Promise<StressAnswer> {
    return this.client.stress(request);
  }
}

function accountAnswer(r: AccountCommandResult, detail: Record<string, string>): CoreAnswer {
  if (r.rejection !== null) return { ok: false, code: r.rejection.code, message: r.rejection.message };
  return { ok: true, detail: r.balanceAfterUnits === '' ? {} : detail };
}

function marketAnswer(r: MarketCommandResult): CoreAnswer {
  return r.rejection === null ? { ok: true } : { ok: false, code: r.rejection.code, message: r.rejection.message };
}
