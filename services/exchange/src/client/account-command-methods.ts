/**
 * The six account calls and the two operator market calls of `ExchangeClient`,
 * written once: each names its command kind and body and hands it to the client's
 * own `accountCommand` / `marketCommand` (embedded: the synchronous publish; Kafka:
 * publish and wait for the stage's answer).
 */
import type { MarginMode } from '@perpcore/domain';
import type { MatchingCommandV1 } from '@perpcore/proto';
import type { AccountCommandBodies } from './command-stamp.js';
import type { AccountCommandResult, MarketCommandResult } from './exchange-client.js';

export abstract class AccountCommandMethods {
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
}
