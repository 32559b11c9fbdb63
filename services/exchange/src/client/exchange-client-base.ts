/**
 * What both `ExchangeClient` implementations share, written once: the account
 * calls (perps settings and money, loans, the lending pool) and the two operator
 * market calls (each names its command kind and body and hands it to the client's
 * own `accountCommand` / `marketCommand`: embedded, the synchronous publish; Kafka,
 * publish and wait for the stage's answer), and the
 * event subscribers with the bus subscriptions a client closes; the spot-margin
 * calls answer SPOT_NOT_LISTED unless the client's core runs a spot stage.
 */
import type { SpotMaxBorrow } from '@perpcore/margin';
import type { AssetSpec, MarginMode } from '@perpcore/domain';
import type { SpotAccountReport, SpotOpenOrder, SpotOrderInput, SpotPairSpec, SpotPlaceResult, SpotResult } from '@perpcore/risk';
import type { Subscription } from '@perpcore/bus';
import type { MatchingCommandV1 } from '@perpcore/proto';
import type { AccountCommandBodies } from './command-stamp.js';
import { loanAfter } from './command-answers.js';
import type { AccountCommandResult, BackstopLiquidatorTerms, ClientSubscription, CoreEventHandlers, LoanCommandResult, MarketCommandResult, SpotCommandAnswer, SpotDepth } from './exchange-client.js';

/** The answer of a spot call on a core without a spot stage. */
export const NO_SPOT: { readonly ok: false; readonly code: string } = Object.freeze({ ok: false, code: 'SPOT_NOT_LISTED' });

export abstract class ExchangeClientBase {
  /** Every subscriber's handlers; each event reaches each once, in bus order. */
  protected readonly handlers = new Set<CoreEventHandlers>();
  /** The client's own bus subscriptions, closed with it. */
  protected readonly subscriptions: Subscription[] = [];

  protected abstract accountCommand<K extends keyof AccountCommandBodies>(accountId: number, kind: K, body: AccountCommandBodies[K]): Promise<AccountCommandResult>;
  protected abstract marketCommand(market: string, fill: (cmd: MatchingCommandV1) => void): Promise<MarketCommandResult>;

  /** The operator's market halt: new orders and amends refused, the book kept, cancels allowed. */
  haltMarket(market: string, reason: string): Promise<MarketCommandResult> {
    return this.marketCommand(market, (cmd) => {
      cmd.command = 'haltMarket';
      cmd.haltMarket = { reason };
    });
  }

  resumeMarket(market: string): Promise<MarketCommandResult> {
    return this.marketCommand(market, (cmd) => {
      cmd.command = 'resumeMarket';
      cmd.resumeMarket = {};
    });
  }

  deposit(accountId: number, asset: string, amountUnits: number): Promise<AccountCommandResult> {
    return this.accountCommand(accountId, 'deposit', { asset, amountUnits });
  }

  withdraw(accountId: number, asset: string, amountUnits: number): Promise<AccountCommandResult> {
    return this.accountCommand(accountId, 'withdraw', { asset, amountUnits });
  }

  setLeverage(accountId: number, market: string, leverage: number): Promise<AccountCommandResult> {
    return this.accountCommand(accountId, 'setLeverage', { market, leverage });
  }

  setMarginMode(accountId: number, market: string, mode: MarginMode): Promise<AccountCommandResult> {
    return this.accountCommand(accountId, 'setMarginMode', { market, mode });
  }

  /** > 0 adds to the isolated bucket, < 0 removes. */
  adjustIsolatedMargin(accountId: number, market: string, deltaUnits: number): Promise<AccountCommandResult> {
    return this.accountCommand(accountId, 'adjustIsolatedMargin', { market, deltaUnits });
  }

  /** The operator's per-account kill switch: engaged cancels every order and refuses new ones until released. */
  setKillSwitch(accountId: number, engaged: boolean): Promise<AccountCommandResult> {
    return this.accountCommand(accountId, 'setKillSwitch', { engaged });
  }

  /**
   * Operator: signs the account up as a backstop liquidator (it takes over liquidated positions at their
   * bankruptcy price before the insurance fund, within its margin and terms), changes its terms, or, with
   * `enabled: false`, removes it.
   */
  setBackstopLiquidator(accountId: number, terms: BackstopLiquidatorTerms): Promise<AccountCommandResult> {
    return this.accountCommand(accountId, 'setBackstopLiquidator', { enabled: terms.enabled, markets: [...(terms.markets ?? [])], maxPositionNotionalUnits: terms.maxPositionNotionalUnits ?? 0 });
  }

  openLoan(accountId: number, loanAsset: string, collateralAsset: string, principalUnits: number, collateralUnits: number): Promise<LoanCommandResult> {
    return this.loanCommand(accountId, 'openLoan', { loanAsset, collateralAsset, principalUnits, collateralUnits });
  }

  addLoanCollateral(accountId: number, loanId: number, amountUnits: number): Promise<LoanCommandResult> {
    return this.loanCommand(accountId, 'addLoanCollateral', { loanId, amountUnits });
  }

  removeLoanCollateral(accountId: number, loanId: number, amountUnits: number): Promise<LoanCommandResult> {
    return this.loanCommand(accountId, 'removeLoanCollateral', { loanId, amountUnits });
  }

  repayLoan(accountId: number, loanId: number, amountUnits: number, returnCollateral = false): Promise<LoanCommandResult> {
    return this.loanCommand(accountId, 'repayLoan', { loanId, amountUnits, returnCollateral });
  }

  closeLoan(accountId: number, loanId: number): Promise<LoanCommandResult> {
    return this.loanCommand(accountId, 'closeLoan', { loanId });
  }

  poolSupply(accountId: number, asset: string, amountUnits: number): Promise<AccountCommandResult> {
    return this.accountCommand(accountId, 'poolSupply', { asset, amountUnits });
  }

  poolWithdraw(accountId: number, asset: string, amountUnits: number): Promise<AccountCommandResult> {
    return this.accountCommand(accountId, 'poolWithdraw', { asset, amountUnits });
  }

  poolBorrow(accountId: number, asset: string, amountUnits: number): Promise<AccountCommandResult> {
    return this.accountCommand(accountId, 'poolBorrow', { asset, amountUnits });
  }

  poolRepay(accountId: number, asset: string, amountUnits: number): Promise<AccountCommandResult> {
    return this.accountCommand(accountId, 'poolRepay', { asset, amountUnits });
  }

  liquidationCall(liquidatorAccountId: number, borrowerAccountId: number, debtAsset: string, collateralAsset: string, debtToCoverUnits: number, expectedPositionSeq: number): Promise<AccountCommandResult> {
    return this.accountCommand(liquidatorAccountId, 'liquidationCall', { borrowerAccountId, debtAsset, collateralAsset, debtToCoverUnits, expectedPositionSeq });
  }

  private async loanCommand<K extends 'openLoan' | 'addLoanCollateral' | 'removeLoanCollateral' | 'repayLoan' | 'closeLoan'>(accountId: number, kind: K, body: AccountCommandBodies[K]): Promise<LoanCommandResult> {
    const result = await this.accountCommand(accountId, kind, body);
    return { ...result, loan: result.rejection === null ? loanAfter(accountId, result.riskEvents) : null };
  }

  subscribe(handlers: CoreEventHandlers): Promise<ClientSubscription> {
    this.handlers.add(handlers);
    return Promise.resolve({ close: async () => void this.handlers.delete(handlers) });
  }

  async close(): Promise<void> {
    this.handlers.clear();
    for (const s of this.subscriptions.splice(0)) await s.close();
  }

  spotAssets(): readonly AssetSpec[] {
    return [];
  }

  spotDeposit(_accountId: number, _asset: string, _amountUnits: number): Promise<SpotResult> {
    return Promise.resolve(NO_SPOT);
  }

  spotWithdraw(_accountId: number, _asset: string, _amountUnits: number): Promise<SpotResult> {
    return Promise.resolve(NO_SPOT);
  }

  spotAccount(_accountId: number): Promise<SpotAccountReport | null> {
    return Promise.resolve(null);
  }

  spotPairs(): readonly SpotPairSpec[] {
    return [];
  }

  spotIndexTicks(_symbol: string): Promise<number | null> {
    return Promise.resolve(null);
  }

  spotMaxBorrowable(_accountId: number, _asset: string): Promise<SpotMaxBorrow> {
    return Promise.resolve({ amountUnits: 0, limitUnits: 0 });
  }

  spotBorrow(_accountId: number, _asset: string, _amountUnits: number): Promise<SpotCommandAnswer> {
    return Promise.resolve(NO_SPOT);
  }

  spotRepay(_accountId: number, _asset: string, _amountUnits: number): Promise<SpotCommandAnswer> {
    return Promise.resolve(NO_SPOT);
  }

  spotPlaceOrder(_order: SpotOrderInput): Promise<SpotPlaceResult> {
    return Promise.resolve(NO_SPOT);
  }

  spotCancelOrder(_accountId: number, _orderId: number): Promise<SpotResult> {
    return Promise.resolve(NO_SPOT);
  }

  spotCancelAll(_accountId: number): Promise<SpotResult> {
    return Promise.resolve(NO_SPOT);
  }

  spotOpenOrders(_accountId: number): Promise<readonly SpotOpenOrder[]> {
    return Promise.resolve([]);
  }

  spotDepth(_symbol: string, _levels: number): Promise<SpotDepth | null> {
    return Promise.resolve(null);
  }
}
