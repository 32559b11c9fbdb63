/**
 * The risk engine's state in one place, shared by the modules that change it
 * (pre-trade check, fill settlement, account commands, funding, margin watch,
 * liquidation ledger), plus the few helpers they all need: find or open a position
 * row, settle a row's pending funding, move money in and out of a scope.
 *
 * Money invariant kept by every helper (RISK-SPEC §9.2, audited by
 * conservation-audit.ts): Σ over accounts of (WB + isolated buckets − Σ C) + Σ
 * funding pools = deposits − withdrawals of the settle asset, to the unit; for every
 * other asset Σ balances = deposits − withdrawals.
 */
import { MarginMode } from '@perpcore/domain';
import type { perpcore } from '@perpcore/proto';
import { AccountBook, AccountKind } from './accounts/account-book.js';
import { AdlRankings } from './adl/adl-rankings.js';
import { BreachIndex } from './margin-watch/breach-index.js';
import { BreachTriggers } from './margin-watch/breach-triggers.js';
import { OpenOrders } from './orders/open-orders.js';
import { OrderMarginKernel } from './orders/order-margin-kernel.js';
import { PositionLedger } from './accounts/position-ledger.js';
import type { BookTopProvider, RiskSetup } from './risk-config.js';
import { type RiskEnginePorts, RiskEventSink } from './audit/risk-events.js';
import { RiskMarket } from './risk-market.js';
import { ScopeEvaluator } from './margin-watch/scope-evaluator.js';
import { MarkPriceTracker } from './prices/mark-price-tracker.js';
import { FundingSchedule } from './prices/funding-schedule.js';
import { LoanBook } from './loans/loan-book.js';
import { LendingPool } from './defi-liquidation/lending-pool.js';
import { createLendingPoolSetup } from './defi-liquidation/pool-config.js';
import type { BackstopTerms } from './liquidation-port/backstop-liquidators.js';

export class RiskState {
  readonly markets: RiskMarket[];
  readonly accounts: AccountBook;
  readonly ledger: PositionLedger;
  readonly orders: OpenOrders;
  readonly kernel: OrderMarginKernel;
  readonly evaluator: ScopeEvaluator;
  readonly breach: BreachIndex;
  readonly triggers: BreachTriggers;
  readonly events: RiskEventSink;
  /** The ADL queues, kept ranked between runs (derived: rebuilt from positions and prices on restore). */
  readonly adlRankings: AdlRankings;
  readonly markTrackers: MarkPriceTracker[];
  readonly funding: FundingSchedule[];
  /** Totals per asset since the start (bigint: they grow without bound). */
  readonly depositedUnits: bigint[];
  readonly withdrawnUnits: bigint[];
  readonly feeSlot: number;
  readonly fundSlotById = new Map<string, number>();
  nextLiquidationId = 1;
  /** Accounts whose operator kill switch is engaged (account-commands.ts; pre-trade refuses their orders). */
  readonly killSwitched = new Set<number>();
  /**
   * Backstop liquidators: account id → terms, in the order they were enabled, which is the
   * order a liquidated position is offered to them (liquidation-port/backstop-liquidators.ts).
   */
  readonly backstopLiquidators = new Map<number, BackstopTerms>();
  /** Crypto-backed loans (loans/), null when the stage has no loan configuration. */
  readonly loans: LoanBook | null;
  /** The DeFi-style lending pool (defi-liquidation/); empty when not configured. */
  readonly lendingPool: LendingPool;

  constructor(
    readonly setup: RiskSetup,
    ports: RiskEnginePorts,
    bookTop: BookTopProvider | undefined,
  ) {
    this.markets = setup.markets.map((m, i) => new RiskMarket(i, m));
    this.accounts = new AccountBook(setup.assetCodes.length);
    this.ledger = new PositionLedger(this.markets.length);
    this.orders = new OpenOrders(this.markets.length, this.ledger);
    this.kernel = new OrderMarginKernel(this.orders, this.ledger);
    this.evaluator = new ScopeEvaluator(this.markets, setup.collateral, this.accounts, this.ledger, this.orders, this.kernel);
    this.breach = new BreachIndex(this.markets.length + setup.collateral.length, (dim, ref, version) => this.triggers.isLive(dim, ref, version));
    this.triggers = new BreachTriggers(this.breach, this.markets, setup.collateral, this.accounts, this.ledger);
    this.events = new RiskEventSink(setup.source, this.accounts, ports);
    // the provider is asked at each sample: books may be created after the engine
    this.markTrackers = this.markets.map((m) => new MarkPriceTracker(m, () => bookTop?.(m.symbol)));
    this.funding = this.markets.map((m) => new FundingSchedule(m, () => bookTop?.(m.symbol), setup.impactDepthLevels));
    this.depositedUnits = setup.assetCodes.map(() => 0n);
    this.withdrawnUnits = setup.assetCodes.map(() => 0n);
    this.feeSlot = this.accounts.open(setup.feeAccountId, AccountKind.FeeAccount);
    for (const [fundId, accountId] of setup.fundAccountIds) {
      const slot = this.accounts.open(accountId, AccountKind.InsuranceFund);
      this.fundSlotById.set(fundId, slot);
      // the seed is the fund's capital from outside: a deposit, so conservation counts it
      const seed = setup.fundSeedUnits.get(fundId) ?? 0;
      this.accounts.addBalance(slot, 0, seed);
      this.depositedUnits[0] += BigInt(seed);
    }
    this.loans = setup.loans === null ? null : new LoanBook(setup.loans, setup.assetCodes.length);
    for (const m of this.markets) m.fundSlot = this.fundSlotById.get(m.params.insuranceFundId) as number;
    this.adlRankings = new AdlRankings(this);
    this.lendingPool = new LendingPool(createLendingPoolSetup(setup.lendingPool, setup));
  }

  /** The row of (slot, market), opened with the market's defaults if the account has none. */
  rowFor(slot: number, m: number): number {
    const first = this.accounts.firstRow[slot];
    const found = this.ledger.rowOf(first, m);
    if (found >= 0) return found;
    const market = this.markets[m];
    const r = this.ledger.create(slot, m, first, market.defaultLeverage, market.fundingIndex);
    this.accounts.firstRow[slot] = r;
    return r;
  }

  /**
   * Settles a row's pending funding (RISK-SPEC §5.7): PF leaves the wallet (or the
   * bucket) for the market's funding pool and G_pos becomes G. Returns PF
   * (> 0 paid). Allocation-free unless G moved since the row's last settlement.
   */
  settleRowFunding(r: number): number {
    const led = this.ledger;
    const market = this.markets[led.market[r]];
    const g = market.fundingIndex;
    const snapshot = led.fundingSnapshot[r];
    if (snapshot === g) return 0;
    const q = led.qtyLots[r];
    const pf = led.pendingFundingUnits[r];
    if (q !== 0) {
      // residue of the ceiling: PF × S − (G − G_pos) × Q ∈ [0, S)
      market.fundingResidueScaled += BigInt(pf) * market.fundingScale - (g - snapshot) * BigInt(q);
      if (pf !== 0) {
        this.addScopeUnits(r, -pf);
        market.fundingPoolUnits += pf;
      }
    }
    led.fundingSnapshot[r] = g;
    led.pendingFundingUnits[r] = 0;
    return pf;
  }

  /**
   * `settleRowFunding` outside a fill (a withdrawal, an isolated adjustment): the
   * money it moves is published as `PositionFundingSettledV1`, since no
   * `PositionSettledV1` will carry it. Returns PF.
   */
  settleRowFundingWithEvent(r: number, tsNs: number): number {
    const pf = this.settleRowFunding(r);
    if (pf === 0) return 0;
    const slot = this.ledger.account[r];
    const symbol = this.markets[this.ledger.market[r]].symbol;
    this.events.account(this.accounts.ids[slot], slot, symbol, tsNs, {
      event: 'positionFundingSettled',
      positionFundingSettled: { market: symbol, fundingSettledUnits: pf, walletBalanceAfterUnits: String(this.scopeUnits(r)) } as perpcore.risk.v1.PositionFundingSettledV1,
    });
    return pf;
  }

  /** Adds to the money of the row's scope: the bucket when isolated, else the account's WB. */
  addScopeUnits(r: number, deltaUnits: number): number {
    if (this.ledger.mode[r] === MarginMode.Isolated) {
      const after = this.ledger.isolatedUnits[r] + deltaUnits;
      if (!Number.isSafeInteger(after)) throw new RangeError(`isolated bucket of row ${r} would leave the safe-integer range`);
      this.ledger.isolatedUnits[r] = after;
      return after;
    }
    return this.accounts.addBalance(this.ledger.account[r], 0, deltaUnits);
  }

  /** The settle-asset money of the row's scope. */
  scopeUnits(r: number): number {
    return this.ledger.mode[r] === MarginMode.Isolated ? this.ledger.isolatedUnits[r] : this.accounts.balances[0][this.ledger.account[r]];
  }

  isTrader(slot: number): boolean {
    return this.accounts.kind[slot] === AccountKind.Trader;
  }
}
