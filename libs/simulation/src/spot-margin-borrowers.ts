/**
 * Spot-margin borrowers: each deposits the quote asset, then at its entry time opens
 * a margin trade on one spot pair — a long buys the base with borrowed quote, a short
 * sells borrowed base — sized at a multiple of its deposit (3× to 5.8×: the larger
 * ones start near the 100 % opening level, so a price shock calls or liquidates
 * them). At its exit time a survivor closes: a long sells its base and repays the
 * quote loan, a short buys the base back and repays it.
 *
 * Deterministic for a seed; orders are IOC limits 0.5 % through the index. The port
 * says whether each command was accepted; the bot counts what happened.
 */
import { Side } from '@perpcore/domain';
import { SeededRandom } from './seeded-random.js';

export interface SpotBorrowersConfig {
  seed: number;
  firstAccountId: number;
  accounts: number;
  baseAsset: string;
  quoteAsset: string;
  baseUnitsPerLot: number;
  quoteUnitsPerLotTick: number;
  minDepositUnits: number;
  maxDepositUnits: number;
  longShare: number;
  entryStartNs: number;
  entryEndNs: number;
  /** How long after its entry a borrower closes. */
  holdNs: number;
}

export interface SpotBorrowerPort {
  deposit(accountId: number, asset: string, amountUnits: number): boolean;
  repay(accountId: number, asset: string, amountUnits: number): boolean;
  debtUnits(accountId: number, asset: string): number;
  availableUnits(accountId: number, asset: string): number;
  placeIoc(accountId: number, side: Side, priceTicks: number, qtyLots: number, autoBorrow: boolean): boolean;
}

interface BorrowerPlan {
  accountId: number;
  side: Side;
  depositUnits: number;
  /** Notional as a multiple of the deposit, in tenths. */
  multipleTenths: number;
  entryNs: number;
  exitNs: number;
  entered: boolean;
  exited: boolean;
}

export interface SpotBorrowerTally {
  entered: number;
  refused: number;
  closed: number;
}

export class SpotMarginBorrowers {
  private readonly plans: BorrowerPlan[] = [];
  readonly tally: SpotBorrowerTally = { entered: 0, refused: 0, closed: 0 };

  constructor(private readonly config: SpotBorrowersConfig) {
    const r = new SeededRandom(config.seed);
    const span = Math.max(1, config.entryEndNs - config.entryStartNs);
    for (let i = 0; i < config.accounts; i++) {
      const entryNs = config.entryStartNs + Math.floor(r.nextFloat() * span);
      this.plans.push({
        accountId: config.firstAccountId + i,
        side: r.chance(config.longShare) ? Side.Buy : Side.Sell,
        depositUnits: r.int(config.minDepositUnits, config.maxDepositUnits),
        multipleTenths: r.int(30, 58),
        entryNs,
        exitNs: entryNs + config.holdNs,
        entered: false,
        exited: false,
      });
    }
  }

  accountIds(): number[] {
    return this.plans.map((p) => p.accountId);
  }

  setUp(port: SpotBorrowerPort): void {
    for (const p of this.plans) port.deposit(p.accountId, this.config.quoteAsset, p.depositUnits);
  }

  /** Enters and exits every borrower due by `tsNs` at the index `indexTicks`. */
  advance(tsNs: number, indexTicks: number, port: SpotBorrowerPort): void {
    const c = this.config;
    const lotCostUnits = indexTicks * c.quoteUnitsPerLotTick;
    for (const p of this.plans) {
      if (!p.entered && p.entryNs <= tsNs) {
        p.entered = true;
        const qtyLots = Math.floor((p.depositUnits * p.multipleTenths) / 10 / lotCostUnits);
        const limit = p.side === Side.Buy ? Math.ceil((indexTicks * 1005) / 1000) : Math.floor((indexTicks * 995) / 1000);
        if (qtyLots >= 1 && port.placeIoc(p.accountId, p.side, limit, qtyLots, true)) this.tally.entered++;
        else this.tally.refused++;
      } else if (p.entered && !p.exited && p.exitNs <= tsNs) {
        p.exited = true;
        if (this.close(p, indexTicks, port)) this.tally.closed++;
      }
    }
  }

  private close(p: BorrowerPlan, indexTicks: number, port: SpotBorrowerPort): boolean {
    const c = this.config;
    if (p.side === Side.Buy) {
      if (port.debtUnits(p.accountId, c.quoteAsset) === 0) return false; // liquidated already
      const lots = Math.floor(port.availableUnits(p.accountId, c.baseAsset) / c.baseUnitsPerLot);
      if (lots >= 1) port.placeIoc(p.accountId, Side.Sell, Math.floor((indexTicks * 995) / 1000), lots, false);
      const pay = Math.min(port.debtUnits(p.accountId, c.quoteAsset), port.availableUnits(p.accountId, c.quoteAsset));
      return pay > 0 && port.repay(p.accountId, c.quoteAsset, pay);
    }
    const owed = port.debtUnits(p.accountId, c.baseAsset);
    if (owed === 0) return false;
    const lots = Math.ceil((owed - Math.min(owed, port.availableUnits(p.accountId, c.baseAsset))) / c.baseUnitsPerLot);
    if (lots >= 1) port.placeIoc(p.accountId, Side.Buy, Math.ceil((indexTicks * 1005) / 1000), lots, false);
    const pay = Math.min(port.debtUnits(p.accountId, c.baseAsset), port.availableUnits(p.accountId, c.baseAsset));
    return pay > 0 && port.repay(p.accountId, c.baseAsset, pay);
  }
}
