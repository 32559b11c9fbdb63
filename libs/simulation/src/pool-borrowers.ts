/**
 * Lending-pool borrowers for the simulated market (issue 13.3): a supplier funds the
 * pool's USDT, and each borrower supplies BTC and, once the index prices it,
 * borrows USDT at a loan-to-value drawn between `minLtvE8` and `maxLtvE8` of its
 * collateral's value. Those near the top of the range sit close to HF = 1, so a
 * price shock takes them below it for the external liquidator bot.
 *
 * Deterministic for a seed; amounts are integer units.
 */
import { SeededRandom } from './seeded-random.js';

export interface PoolPort {
  deposit(accountId: number, asset: string, amountUnits: number): void;
  supply(accountId: number, asset: string, amountUnits: number): void;
  borrow(accountId: number, asset: string, amountUnits: number): void;
}

export interface PoolBorrowersConfig {
  seed: number;
  firstAccountId: number;
  accounts: number;
  supplierAccountId: number;
  supplierUnits: number;
  collateralAsset: string;
  debtAsset: string;
  minCollateralUnits: number;
  maxCollateralUnits: number;
  minLtvE8: number;
  maxLtvE8: number;
  borrowAtNs: number;
}

interface Borrower {
  accountId: number;
  collateralUnits: number;
  ltvE8: number;
}

export class PoolBorrowers {
  private readonly borrowers: Borrower[] = [];
  borrowed = false;

  constructor(private readonly config: PoolBorrowersConfig) {
    const r = new SeededRandom(config.seed);
    for (let i = 0; i < config.accounts; i++) {
      this.borrowers.push({ accountId: config.firstAccountId + i, collateralUnits: r.int(config.minCollateralUnits, config.maxCollateralUnits), ltvE8: r.int(config.minLtvE8, config.maxLtvE8) });
    }
  }

  /** Deposits and supplies (no price needed). */
  setUp(port: PoolPort): void {
    const c = this.config;
    port.deposit(c.supplierAccountId, c.debtAsset, c.supplierUnits);
    port.supply(c.supplierAccountId, c.debtAsset, c.supplierUnits);
    for (const b of this.borrowers) {
      port.deposit(b.accountId, c.collateralAsset, b.collateralUnits);
      port.supply(b.accountId, c.collateralAsset, b.collateralUnits);
    }
  }

  /** At `borrowAtNs`, each borrower borrows its LTV of the collateral's value (`valueUnits` of the debt asset, rounded down). */
  advance(tsNs: number, valueUnits: (collateralUnits: number) => number, port: PoolPort): void {
    if (this.borrowed || tsNs < this.config.borrowAtNs) return;
    this.borrowed = true;
    for (const b of this.borrowers) {
      const amount = Math.floor((valueUnits(b.collateralUnits) * (b.ltvE8 / 1e4)) / 1e4);
      if (amount > 0) port.borrow(b.accountId, this.config.debtAsset, amount);
    }
  }
}
