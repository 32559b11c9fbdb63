/**
 * Account commands (RISK-SPEC §3.4–§3.5): deposit, withdraw, set leverage, set
 * margin mode, adjust isolated margin. Each is answered with exactly one
 * `AccountCommandAcceptedV1` or `AccountCommandRejectedV1` (echoing command_id);
 * a reject changes nothing.
 *
 * Rules
 * - Deposit: a known asset and a positive safe amount; an unknown account is
 *   opened (a venue opens an account on first deposit). Everything else on an
 *   unknown account is RISK_UNKNOWN_ACCOUNT. System accounts (the fee account, the
 *   insurance funds) take no deposits (RISK_SYSTEM_ACCOUNT; a fund's capital is its
 *   configured seed); the balance after may not exceed the asset's
 *   `maxBalanceUnits` (RISK_BALANCE_ABOVE_MAX) nor the stage's deposits −
 *   withdrawals its `maxNetDepositsUnits` (RISK_NET_DEPOSITS_ABOVE_MAX), so every
 *   later sum stays exact (balance-limits.ts).
 * - Withdraw (settle asset): at most `max(0, min(WB − ΣPF, E) − Σ IM)` over the
 *   cross scope (`withdrawableUnits`): unrealized profit cannot be withdrawn; more
 *   than the wallet holds is RISK_INSUFFICIENT_BALANCE, more than the IM allows
 *   RISK_WITHDRAW_BELOW_IM. Another asset: at most its balance, and the cross
 *   scope's available margin after the withdrawal (collateral revalued) ≥ 0.
 *   System accounts and liquidating scopes cannot withdraw. Funding is settled
 *   first on accept (the check already accounts for it, so a reject moves nothing).
 * - Set leverage: 1 ≤ L, allowed by the tier that holds the position and open
 *   orders (`checkLeverageForOrders`); lowering L must leave the scope's available
 *   margin ≥ 0 (RISK_INSUFFICIENT_MARGIN).
 * - Set margin mode: refused while the market has a position or open orders
 *   (RISK_MODE_CHANGE_WITH_POSITION); leaving isolated returns the bucket.
 * - Adjust isolated margin: isolated rows only; adding needs the cross scope's
 *   withdrawable amount; removing keeps `min(bucket − PF, E_iso) ≥ IMpos + IMord`
 *   (the spec's floor is IMpos; the bucket also backs the open orders) and
 *   `bucket − PF ≥ IMpos + Σ holds` (`OpenOrders.holdsOfRow`): each order's hold
 *   was fixed when it was placed, while IMord moves with the mark, so after a mark
 *   move the current IMord can be below what the orders hold, and a removal down to
 *   it would leave their cancels less than they moved in (isolated-margin.ts).
 * - Set kill switch (operator): a trader account only. Engaging publishes
 *   `KillSwitchSetV1`, then a cancel-all of the account in every market (the
 *   cancels come back as matching events and release the holds as any cancel
 *   does); while engaged, pre-trade refuses its places and amends. Releasing
 *   publishes `KillSwitchSetV1` too; a command that changes nothing is accepted
 *   without it.
 * - Set backstop liquidator (operator): a trader account only. Enabling needs a
 *   positive safe `maxPositionNotionalUnits` and listed, distinct markets (none =
 *   every market); the account joins the end of the backstop order, or keeps its
 *   place when only its terms change. Disabling removes it. Each change publishes
 *   `BackstopLiquidatorSetV1`; a command that changes nothing is accepted without
 *   it (liquidation-port/backstop-liquidators.ts).
 */
import { DomainError, MarginMode } from '@perpcore/domain';
import { checkLeverageForOrders, withdrawableUnits } from '@perpcore/margin';
import type { AccountCommandV1 } from '@perpcore/proto';
import { perpcore } from '@perpcore/proto';
import { AccountKind } from './account-book.js';
import type { IsolatedMargin } from '../margin-watch/isolated-margin.js';
import { MarginStateCode } from '../margin-watch/margin-state-code.js';
import type { MarginWatch } from '../margin-watch/margin-watch.js';
import { RiskReject, RiskRejection } from '../risk-reject-codes.js';
import type { RiskState } from '../risk-state.js';
import type { LoanCommands } from '../loans/loan-commands.js';

import Cmd = perpcore.risk.v1;

export class AccountCommands {
  constructor(
    private readonly s: RiskState,
    private readonly isolated: IsolatedMargin,
    private readonly watch: MarginWatch,
    private readonly loans: LoanCommands | null = null,
  ) {}

  /** Applies one command and publishes its answer. Returns the reject code or ''. */
  apply(cmd: AccountCommandV1): string {
    const firstEventSeq = this.s.accounts.peekEventSeq(cmd.accountId, this.s.accounts.slotOf(cmd.accountId));
    try {
      const market = this.run(cmd);
      this.answer(cmd, null, market, firstEventSeq);
      return '';
    } catch (error) {
      if (error instanceof RiskRejection) {
        this.answer(cmd, error, '', 0);
        return error.code;
      }
      if (error instanceof DomainError) {
        const rejection = new RiskRejection(error.code, error.message);
        this.answer(cmd, rejection, '', 0);
        return error.code;
      }
      throw error;
    }
  }

  private run(cmd: AccountCommandV1): string {
    switch (cmd.command) {
      case 'deposit':
        return this.deposit(cmd, cmd.deposit as Cmd.DepositV1);
      case 'withdraw':
        return this.withdraw(cmd, cmd.withdraw as Cmd.WithdrawV1);
      case 'setLeverage':
        return this.setLeverage(cmd, cmd.setLeverage as Cmd.SetLeverageV1);
      case 'setMarginMode':
        return this.setMarginMode(cmd, cmd.setMarginMode as Cmd.SetMarginModeV1);
      case 'adjustIsolatedMargin':
        return this.adjustIsolated(cmd, cmd.adjustIsolatedMargin as Cmd.AdjustIsolatedMarginV1);
      case 'setKillSwitch':
        return this.setKillSwitch(cmd, (cmd.setKillSwitch as Cmd.SetKillSwitchV1).engaged === true);
      case 'setBackstopLiquidator':
        return this.setBackstopLiquidator(cmd, cmd.setBackstopLiquidator as Cmd.SetBackstopLiquidatorV1);
      case 'openLoan':
      case 'addLoanCollateral':
      case 'repayLoan':
      case 'closeLoan':
      case 'removeLoanCollateral':
        if (this.loans === null) throw new RiskRejection(RiskReject.InvalidCommand, 'loan commands are not wired');
        return this.loans.run(cmd);
      default:
        throw new RiskRejection(RiskReject.InvalidCommand, 'account command carries no command');
    }
  }

  private setKillSwitch(cmd: AccountCommandV1, engaged: boolean): string {
    const s = this.s;
    const slot = this.trader(cmd.accountId);
    if (s.killSwitched.has(cmd.accountId) === engaged) return '';
    if (engaged) s.killSwitched.add(cmd.accountId);
    else s.killSwitched.delete(cmd.accountId);
    s.events.account(cmd.accountId, slot, '', cmd.tsNs, { event: 'killSwitchSet', killSwitchSet: { engaged } as Cmd.KillSwitchSetV1 });
    if (engaged) {
      const reason = perpcore.matching.v1.CancelReason.CANCEL_REASON_CANCEL_ALL;
      for (const market of s.markets) s.events.cancelAll(market, cmd.tsNs, { accountId: cmd.accountId, reason } as perpcore.matching.v1.CancelAllOrdersV1);
    }
    return '';
  }

  private setBackstopLiquidator(cmd: AccountCommandV1, b: Cmd.SetBackstopLiquidatorV1): string {
    const s = this.s;
    const slot = this.trader(cmd.accountId);
    const current = s.backstopLiquidators.get(cmd.accountId);
    if (b.enabled !== true) {
      if (current === undefined) return '';
      s.backstopLiquidators.delete(cmd.accountId);
      s.events.account(cmd.accountId, slot, '', cmd.tsNs, { event: 'backstopLiquidatorSet', backstopLiquidatorSet: { enabled: false, markets: [], maxPositionNotionalUnits: 0 } as unknown as Cmd.BackstopLiquidatorSetV1 });
      return '';
    }
    const cap = Number(b.maxPositionNotionalUnits);
    if (!Number.isSafeInteger(cap) || cap <= 0) throw new RiskRejection(RiskReject.InvalidAmount, `maxPositionNotionalUnits must be a positive safe integer, got ${String(b.maxPositionNotionalUnits)}`);
    const symbols = [...(b.markets ?? [])].sort();
    for (let i = 0; i < symbols.length; i++) {
      if (!s.setup.marketIndex.has(symbols[i])) throw new RiskRejection(RiskReject.UnknownMarket, `market ${symbols[i]} is not listed`);
      if (i > 0 && symbols[i] === symbols[i - 1]) throw new RiskRejection(RiskReject.InvalidCommand, `market ${symbols[i]} is named twice`);
    }
    if (current !== undefined && current.maxPositionNotionalUnits === cap && current.markets.join(',') === symbols.join(',')) return '';
    const marketIndexes = symbols.length === 0 ? null : symbols.map((symbol) => s.setup.marketIndex.get(symbol) as number);
    s.backstopLiquidators.set(cmd.accountId, { markets: symbols, marketIndexes, maxPositionNotionalUnits: cap });
    s.events.account(cmd.accountId, slot, '', cmd.tsNs, { event: 'backstopLiquidatorSet', backstopLiquidatorSet: { enabled: true, markets: symbols, maxPositionNotionalUnits: cap } as unknown as Cmd.BackstopLiquidatorSetV1 });
    return '';
  }

  private deposit(cmd: AccountCommandV1, d: Cmd.DepositV1): string {
    const s = this.s;
    const asset = this.asset(d.asset);
    const amount = this.amount(d.amountUnits);
    this.accountIdValid(cmd.accountId);
    let slot = s.accounts.slotOf(cmd.accountId);
    if (slot >= 0 && s.accounts.kind[slot] !== AccountKind.Trader) throw new RiskRejection(RiskReject.SystemAccount, `account ${cmd.accountId} is a system account: it takes no deposits`);
    const balance = slot < 0 ? 0 : s.accounts.balances[asset][slot];
    const code = s.setup.assetCodes[asset];
    const maxBalance = s.setup.limits.maxBalanceUnits[asset];
    // amount ≤ 2^53 − 1 and balance ≤ 2^53 − 1: the difference form cannot round
    if (amount > maxBalance - balance) throw new RiskRejection(RiskReject.BalanceAboveMax, `deposit ${amount} would take account ${cmd.accountId}'s ${code} balance ${balance} above its maximum ${maxBalance} units`);
    const net = s.depositedUnits[asset] - s.withdrawnUnits[asset];
    const maxNet = s.setup.limits.maxNetDepositsUnits[asset];
    if (net + BigInt(amount) > maxNet) throw new RiskRejection(RiskReject.NetDepositsAboveMax, `deposit ${amount} would take the stage's ${code} deposits − withdrawals ${net} above its cap ${maxNet} units`);
    if (slot < 0) slot = s.accounts.open(cmd.accountId, AccountKind.Trader);
    s.accounts.addBalance(slot, asset, amount);
    s.depositedUnits[asset] += BigInt(amount);
    this.lastAsset = asset;
    this.lastSlot = slot;
    this.afterTransfer(slot, cmd.tsNs);
    return '';
  }

  private withdraw(cmd: AccountCommandV1, w: Cmd.WithdrawV1): string {
    const s = this.s;
    const slot = this.trader(cmd.accountId);
    const asset = this.asset(w.asset);
    const amount = this.amount(w.amountUnits);
    this.prepareWalletDebit(slot, asset, amount, cmd.tsNs);
    s.accounts.addBalance(slot, asset, -amount);
    s.withdrawnUnits[asset] += BigInt(amount);
    this.lastAsset = asset;
    this.lastSlot = slot;
    this.afterTransfer(slot, cmd.tsNs);
    return '';
  }

  /**
   * Refuses (RiskRejection) taking `amount` of `asset` out of a trader's wallet
   * where a withdrawal would be refused (the rules above); on accept settles the
   * cross scope's funding, so the caller only moves the balance. Also the lending
   * pool's debits (a supply, a repayment, a liquidator's payment).
   */
  prepareWalletDebit(slot: number, asset: number, amount: number, tsNs: number): void {
    const s = this.s;
    if (s.accounts.crossState[slot] === MarginStateCode.Liquidating) throw new RiskRejection(RiskReject.AccountLiquidating, `account ${s.accounts.ids[slot]} is being liquidated`);
    const ev = s.evaluator;
    const balance = s.accounts.balances[asset][slot];
    if (asset === 0) {
      const res = ev.evaluateCross(slot);
      const wallet = balance - ev.pendingFundingUnits;
      if (amount > wallet) throw new RiskRejection(RiskReject.InsufficientBalance, `withdrawal ${amount} exceeds the wallet balance ${wallet} (after pending funding)`);
      const free = withdrawableUnits(wallet, res.equityUnits, ev.initialUnits);
      if (amount > free) throw new RiskRejection(RiskReject.WithdrawBelowIm, `withdrawal ${amount} exceeds the ${free} withdrawable above initial margin ${ev.initialUnits}`);
    } else {
      if (amount > balance) throw new RiskRejection(RiskReject.InsufficientBalance, `withdrawal ${amount} exceeds the ${s.setup.assetCodes[asset]} balance ${balance}`);
      s.accounts.addBalance(slot, asset, -amount);
      const res = ev.evaluateCross(slot);
      const available = res.equityUnits - ev.initialUnits;
      s.accounts.addBalance(slot, asset, amount);
      if (available < 0) throw new RiskRejection(RiskReject.WithdrawBelowIm, `withdrawing ${amount} ${s.setup.assetCodes[asset]} would leave available margin ${available}`);
    }
    this.settleCrossFunding(slot, tsNs);
  }

  private setLeverage(cmd: AccountCommandV1, l: Cmd.SetLeverageV1): string {
    const s = this.s;
    const slot = this.trader(cmd.accountId);
    const m = this.market(l.market);
    const market = s.markets[m];
    const leverage = l.leverage;
    if (!Number.isSafeInteger(leverage) || leverage < 1) throw new RiskRejection(RiskReject.InvalidAmount, `leverage must be a positive integer, got ${leverage}`);
    const led = s.ledger;
    const existing = led.rowOf(s.accounts.firstRow[slot], m);
    const q = existing < 0 ? 0 : led.qtyLots[existing];
    if (leverage > market.params.tiers.maxLeverage[0]) {
      throw new RiskRejection(RiskReject.LeverageAboveTierMax, `leverage ${leverage} exceeds ${market.symbol}'s highest tier maximum ${market.params.tiers.maxLeverage[0]}`);
    }
    if (existing >= 0 && this.scopeState(existing) === MarginStateCode.Liquidating) throw new RiskRejection(RiskReject.AccountLiquidating, `account ${cmd.accountId} is being liquidated in ${market.symbol}`);
    if (existing >= 0 && market.markSubticks > 0 && (q !== 0 || led.openOrders[existing] > 0)) {
      s.kernel.orderIm(market.params, existing, q, leverage, market.markSubticks, market.initialFractionE8());
      checkLeverageForOrders(market.params, { qtyLots: q, markSubticks: market.markSubticks, openingNotionalUnits: s.kernel.openingNotionalUnits }, leverage);
      const previous = led.leverage[existing];
      led.leverage[existing] = leverage;
      const available = this.scopeAvailable(existing);
      if (leverage < previous && available < 0) {
        led.leverage[existing] = previous;
        throw new RiskRejection(RiskReject.InsufficientMargin, `leverage ${leverage} needs more initial margin: available would be ${available}`);
      }
    }
    const r = existing >= 0 ? existing : s.rowFor(slot, m);
    led.leverage[r] = leverage;
    this.afterTransfer(slot, cmd.tsNs);
    return market.symbol;
  }

  private setMarginMode(cmd: AccountCommandV1, mm: Cmd.SetMarginModeV1): string {
    const s = this.s;
    const slot = this.trader(cmd.accountId);
    const m = this.market(mm.market);
    if (mm.mode !== MarginMode.Cross && mm.mode !== MarginMode.Isolated) throw new RiskRejection(RiskReject.InvalidCommand, `margin mode ${mm.mode} is not CROSS or ISOLATED`);
    const led = s.ledger;
    const existing = led.rowOf(s.accounts.firstRow[slot], m);
    if (existing >= 0 && (led.qtyLots[existing] !== 0 || led.openOrders[existing] > 0)) {
      throw new RiskRejection(RiskReject.ModeChangeWithPosition, `${s.markets[m].symbol} has a position or open orders: close them before changing the margin mode`);
    }
    // a flat isolated scope still LIQUIDATING awaits its release by the ladder: resetting it here would end the liquidation without its event
    if (existing >= 0 && led.mode[existing] === MarginMode.Isolated && led.isolatedState[existing] === MarginStateCode.Liquidating) {
      throw new RiskRejection(RiskReject.AccountLiquidating, `account ${cmd.accountId} is being liquidated in ${s.markets[m].symbol}`);
    }
    const r = existing >= 0 ? existing : s.rowFor(slot, m);
    if (led.mode[r] === MarginMode.Isolated && mm.mode === MarginMode.Cross && led.isolatedUnits[r] !== 0) this.isolated.transfer(r, -led.isolatedUnits[r], cmd.tsNs);
    led.mode[r] = mm.mode;
    led.isolatedState[r] = MarginStateCode.Healthy;
    s.triggers.clearRow(r);
    this.afterTransfer(slot, cmd.tsNs);
    return s.markets[m].symbol;
  }

  private adjustIsolated(cmd: AccountCommandV1, a: Cmd.AdjustIsolatedMarginV1): string {
    const s = this.s;
    const slot = this.trader(cmd.accountId);
    const m = this.market(a.market);
    const led = s.ledger;
    const r = led.rowOf(s.accounts.firstRow[slot], m);
    if (r < 0 || led.mode[r] !== MarginMode.Isolated) throw new RiskRejection(RiskReject.NotIsolated, `${s.markets[m].symbol} is not in isolated mode for account ${cmd.accountId}`);
    const delta = a.deltaUnits;
    if (!Number.isSafeInteger(delta) || delta === 0) throw new RiskRejection(RiskReject.InvalidAmount, `deltaUnits must be a non-zero safe integer, got ${delta}`);
    if (this.scopeState(r) === MarginStateCode.Liquidating && delta < 0) throw new RiskRejection(RiskReject.AccountLiquidating, `account ${cmd.accountId} is being liquidated in ${s.markets[m].symbol}`);
    const ev = s.evaluator;
    if (delta > 0) {
      const res = ev.evaluateCross(slot);
      const free = withdrawableUnits(s.accounts.balances[0][slot] - ev.pendingFundingUnits, res.equityUnits, ev.initialUnits);
      if (delta > free) throw new RiskRejection(RiskReject.InsufficientMargin, `adding ${delta} exceeds the ${free} cross margin can move`);
      this.settleCrossFunding(slot, cmd.tsNs);
    } else {
      const iso = ev.evaluateIsolated(r);
      const bucket = led.isolatedUnits[r] - led.pendingFundingUnits[r];
      const positionIm = iso.initialUnits;
      const keep = Math.max(ev.initialUnits, positionIm + s.orders.holdsOfRow(r));
      const removable = Math.max(0, Math.min(bucket - keep, iso.equityUnits - ev.initialUnits));
      if (-delta > removable) throw new RiskRejection(RiskReject.IsolatedBelowIm, `removing ${-delta} exceeds the ${removable} above the isolated initial margin ${ev.initialUnits} and the open orders' holds (bucket keeps ${keep} + pending funding)`);
      s.settleRowFundingWithEvent(r, cmd.tsNs);
    }
    this.isolated.transfer(r, delta, cmd.tsNs);
    this.afterTransfer(slot, cmd.tsNs);
    return s.markets[m].symbol;
  }

  private lastAsset = -1;
  private lastSlot = -1;

  private answer(cmd: AccountCommandV1, rejection: RiskRejection | null, market: string, firstEventSeq: number): void {
    const s = this.s;
    const slot = s.accounts.slotOf(cmd.accountId);
    if (rejection !== null) {
      s.events.account(cmd.accountId, slot, '', cmd.tsNs, {
        event: 'commandRejected',
        commandRejected: { commandId: cmd.commandId, code: rejection.code, message: rejection.message } as Cmd.AccountCommandRejectedV1,
      });
      return;
    }
    const moved = this.lastAsset >= 0 && this.lastSlot === slot;
    // a settings command names its market: the row's settings after it, for consumers folding the stream
    const settings = cmd.command === 'setLeverage' || cmd.command === 'setMarginMode';
    const r = settings ? s.ledger.rowOf(s.accounts.firstRow[slot], s.setup.marketIndex.get(market) as number) : -1;
    s.events.account(cmd.accountId, slot, market, cmd.tsNs, {
      event: 'commandAccepted',
      commandAccepted: {
        commandId: cmd.commandId,
        asset: moved ? s.setup.assetCodes[this.lastAsset] : '',
        balanceAfterUnits: moved ? String(s.accounts.balances[this.lastAsset][slot]) : '',
        leverage: r >= 0 ? s.ledger.leverage[r] : 0,
        // only a mode change names the mode: a consumer resets the isolated scope state on it, as setMarginMode does
        marginMode: r >= 0 && cmd.command === 'setMarginMode' ? s.ledger.mode[r] : 0,
        firstEventSeq,
      } as Cmd.AccountCommandAcceptedV1,
    });
    this.lastAsset = -1;
    this.lastSlot = -1;
  }

  private afterTransfer(slot: number, tsNs: number): void {
    this.watch.reevaluateAccount(slot, this.anyMarketOf(slot), tsNs);
  }

  /** A market to name as the trigger of a re-evaluation caused by a transfer: the account's first. */
  private anyMarketOf(slot: number): number {
    const r = this.s.accounts.firstRow[slot];
    return r >= 0 ? this.s.ledger.market[r] : 0;
  }

  private settleCrossFunding(slot: number, tsNs: number): void {
    const led = this.s.ledger;
    for (let r = this.s.accounts.firstRow[slot]; r >= 0; r = led.nextOfAccount[r]) if (led.mode[r] !== MarginMode.Isolated) this.s.settleRowFundingWithEvent(r, tsNs);
  }

  private scopeState(r: number): number {
    const led = this.s.ledger;
    return led.mode[r] === MarginMode.Isolated ? led.isolatedState[r] : this.s.accounts.crossState[led.account[r]];
  }

  private scopeAvailable(r: number): number {
    const ev = this.s.evaluator;
    const res = this.s.ledger.mode[r] === MarginMode.Isolated ? ev.evaluateIsolated(r) : ev.evaluateCross(this.s.ledger.account[r]);
    return res.equityUnits - ev.initialUnits;
  }

  private trader(accountId: number): number {
    const slot = this.s.accounts.slotOf(accountId);
    if (slot < 0) throw new RiskRejection(RiskReject.UnknownAccount, `account ${accountId} does not exist`);
    if (this.s.accounts.kind[slot] !== AccountKind.Trader) throw new RiskRejection(RiskReject.SystemAccount, `account ${accountId} is a system account`);
    return slot;
  }

  private accountIdValid(accountId: number): void {
    if (!Number.isInteger(accountId) || accountId < 1 || accountId > 0xffff_ffff) throw new RiskRejection(RiskReject.UnknownAccount, `account id ${accountId} is not in 1..2^32−1`);
  }

  private asset(code: string): number {
    const a = this.s.setup.assetIndex.get(code);
    if (a === undefined) throw new RiskRejection(RiskReject.UnknownAsset, `asset ${JSON.stringify(code)} is not accepted`);
    return a;
  }

  private market(symbol: string): number {
    const m = this.s.setup.marketIndex.get(symbol);
    if (m === undefined) throw new RiskRejection(RiskReject.UnknownMarket, `market ${JSON.stringify(symbol)} is not listed`);
    return m;
  }

  private amount(value: number): number {
    if (!Number.isSafeInteger(value) || value <= 0) throw new RiskRejection(RiskReject.InvalidAmount, `amount must be a positive safe integer, got ${String(value)}`);
    return value;
  }
}
