/**
 * What the operator API needs of the core (ARCHITECTURE.md: consumers declare
 * their ports). `ClientOperatorCore` implements it over the core's typed
 * `ExchangeClient`, in whichever mode the client runs.
 *
 * Every command resolves with the stage's own answer (accepted, or its reject code
 * and text): the operator sees exactly what the core decided, nothing is assumed.
 */
import type { AssetSpec, MarketSpec } from '@perpcore/domain';
import type { StressAnswer, StressRequest } from '@perpcore/exchange';
import type { SpotAccountReport } from '@perpcore/exchange';

export type CoreAnswer = { readonly ok: true; readonly detail?: Record<string, string> } | { readonly ok: false; readonly code: string; readonly message: string };

export interface InsuranceFundView {
  readonly fundId: string;
  readonly accountId: number;
  readonly asset: string;
  readonly balanceUnits: number;
  /** The markets whose losses this fund covers. */
  readonly markets: readonly string[];
}

export interface OperatorCorePort {
  /** Assets custody credits and debits, with their decimals. */
  readonly assets: readonly AssetSpec[];
  /** Listed markets (core symbols). */
  readonly markets: readonly string[];
  transfer(kind: 'deposit' | 'withdraw', accountId: number, asset: string, amountUnits: number): Promise<CoreAnswer>;
  /** Assets the spot-margin ledger holds, with their decimals (empty when the core has no spot stage). */
  readonly spotAssets: readonly AssetSpec[];
  /** Custody into / out of an account's spot-margin ledger (a separate ledger from the perps wallet); detail `balanceAfterUnits`. */
  spotTransfer(kind: 'deposit' | 'withdraw', accountId: number, asset: string, amountUnits: number): Promise<CoreAnswer>;
  /** Spot margin's three questions for the account; null without spot rows. */
  spotAccount(accountId: number): Promise<SpotAccountReport | null>;
  haltMarket(market: string, reason: string): Promise<CoreAnswer>;
  resumeMarket(market: string): Promise<CoreAnswer>;
  /** Per-account kill switch, enforced by the risk stage (it holds across gateways). */
  setKillSwitch(accountId: number, engaged: boolean): Promise<CoreAnswer>;
  /** A backstop liquidator's terms, enforced by the risk stage; `enabled: false` removes it. */
  setBackstopLiquidator(accountId: number, terms: { enabled: boolean; markets: readonly string[]; maxPositionNotionalUnits: number }): Promise<CoreAnswer>;
  insuranceFunds(): readonly InsuranceFundView[];
  /** A listed market's spec and mark resolution (subticks per tick), for prices given as decimals. */
  marketSpec(market: string): { readonly spec: MarketSpec; readonly markSubticksPerTick: number } | undefined;
  /** The what-if stress query (read-only): the risk stage's report, or its RISK_STRESS_* refusal. */
  stress(request: StressRequest): Promise<StressAnswer>;
}
