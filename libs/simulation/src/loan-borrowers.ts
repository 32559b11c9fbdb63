/**
 * A few crypto-backed loan borrowers for the simulated market: each deposits some
 * BTC or ETH, and at a scheduled time borrows USDT against it at an LTV drawn
 * between `minLtvE8` and `maxLtvE8` of the collateral's value at that moment; a
 * share of them (`topUpShare`) add a fifth more collateral at a later scheduled time,
 * as a cautious borrower would. What the venue does with them when the price falls
 * (calls, liquidations) is the risk stage's.
 *
 * Deterministic for a seed; amounts are integer units. The collateral's value comes
 * from the caller (`valueUnits`), so the bot needs no price model of its own.
 */
import { SeededRandom } from './seeded-random.js';

export interface LoanBorrowersConfig {
  seed: number;
  firstAccountId: number;
  borrowers: number;
  /** Collateral assets to draw from, with the range of units each borrower deposits. */
  collateral: readonly { asset: string; minUnits: number; maxUnits: number }[];
  loanAsset: string;
  minLtvE8: number;
  maxLtvE8: number;
  openStartNs: number;
  openEndNs: number;
  topUpShare: number;
  /** When the cautious ones top up (after every loan opened). */
  topUpAtNs: number;
}

export interface LoanBorrowerPort {
  deposit(accountId: number, asset: string, amountUnits: number): void;
  openLoan(accountId: number, loanAsset: string, collateralAsset: string, principalUnits: number, collateralUnits: number): void;
  /** Loan ids are the risk stage's: the port finds the account's loan. */
  addLoanCollateral(accountId: number, amountUnits: number): void;
}

interface Borrower {
  accountId: number;
  asset: string;
  collateralUnits: number;
  ltvE8: number;
  openAtNs: number;
  topsUp: boolean;
}

export class LoanBorrowers {
  private readonly borrowers: Borrower[] = [];
  private nextOpen = 0;
  private toppedUp = false;
  opened = 0;
  toppedUpCount = 0;

  constructor(private readonly config: LoanBorrowersConfig) {
    const r = new SeededRandom(config.seed);
    const span = Math.max(1, config.openEndNs - config.openStartNs);
    for (let i = 0; i < config.borrowers; i++) {
      const c = config.collateral[r.int(0, config.collateral.length - 1)];
      this.borrowers.push({
        accountId: config.firstAccountId + i,
        asset: c.asset,
        collateralUnits: r.int(c.minUnits, c.maxUnits),
        ltvE8: r.int(config.minLtvE8, config.maxLtvE8),
        openAtNs: config.openStartNs + Math.floor((span * i) / Math.max(1, config.borrowers)),
        topsUp: r.chance(config.topUpShare),
      });
    }
  }

  get accountIds(): number[] {
    return this.borrowers.map((b) => b.accountId);
  }

  /** Deposits every borrower's collateral (at the start of the run). */
  setUp(port: LoanBorrowerPort): void {
    for (const b of this.borrowers) port.deposit(b.accountId, b.asset, b.collateralUnits + (b.topsUp ? Math.ceil(b.collateralUnits / 5) : 0));
  }

  /** Opens the loans that are due by `tsNs`, then the top-ups once due. */
  advance(tsNs: number, valueUnits: (asset: string, units: number) => number | null, port: LoanBorrowerPort): void {
    while (this.nextOpen < this.borrowers.length && this.borrowers[this.nextOpen].openAtNs <= tsNs) {
      const b = this.borrowers[this.nextOpen++];
      const value = valueUnits(b.asset, b.collateralUnits);
      if (value === null || value <= 0) continue;
      const principal = Math.floor((value * b.ltvE8) / 100_000_000);
      if (principal <= 0) continue;
      port.openLoan(b.accountId, this.config.loanAsset, b.asset, principal, b.collateralUnits);
      this.opened++;
    }
    if (!this.toppedUp && tsNs >= this.config.topUpAtNs) {
      this.toppedUp = true;
      for (const b of this.borrowers) {
        if (!b.topsUp) continue;
        port.addLoanCollateral(b.accountId, Math.ceil(b.collateralUnits / 5));
        this.toppedUpCount++;
      }
    }
  }
}
