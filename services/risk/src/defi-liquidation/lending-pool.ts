/**
 * The lending pool's state: one position per account (collateral supplied and debt
 * per pool asset) and per asset the pool's cash, its borrow-interest index and the
 * totals the conservation audit checks. Data only (the snapshot captures it as it
 * is); the rules live in pool-commands.ts and pool-liquidation.ts.
 *
 * Invariants (pool-audit.ts), per pool asset, to the unit:
 * - pool books: `cash + Σ principal = Σ supplied + interestSettled`;
 * - money: Σ account balances + cash = deposits − withdrawals (with the perps terms
 *   for the settle asset; conservation-audit.ts);
 * - every position's `version` grows by one on each change: a liquidation names the
 *   version it saw, so the first in input order wins.
 *
 * Debt legs keep `principal` and the index snapshot it was last settled at
 * (borrow-interest.ts): debt now = ceil(principal × I_now / I_snap), rounded up.
 * Positions live in a Map by account id, in the order they opened (deterministic
 * iteration for events and the state hash).
 */
import { INTEREST_INDEX_SCALE } from '@perpcore/margin';
import type { LendingPoolSetup } from './pool-config.js';

export interface PoolPosition {
  readonly accountId: number;
  version: number;
  /** Per pool asset. */
  readonly suppliedUnits: number[];
  readonly principalUnits: number[];
  readonly indexSnapshot: bigint[];
  /** HF < 1 as last published (HealthFactorBelowOneV1 / RecoveredV1 on transitions). */
  belowOne: boolean;
}

export class LendingPool {
  readonly positions = new Map<number, PoolPosition>();
  /** Per pool asset: money held by the pool (supplied, repaid, interest) minus what is lent out. */
  readonly cashUnits: bigint[];
  readonly borrowIndex: bigint[];
  /** The whole hour the indices were last accrued to (ns). */
  indexHourNs = -1;
  readonly interestSettledUnits: bigint[];
  readonly protocolFeesUnits: bigint[];
  readonly seizedUnits: bigint[];
  liquidations = 0;

  constructor(readonly setup: LendingPoolSetup) {
    const n = setup.assets.length;
    this.cashUnits = Array.from({ length: n }, () => 0n);
    this.borrowIndex = Array.from({ length: n }, () => INTEREST_INDEX_SCALE);
    this.interestSettledUnits = Array.from({ length: n }, () => 0n);
    this.protocolFeesUnits = Array.from({ length: n }, () => 0n);
    this.seizedUnits = Array.from({ length: n }, () => 0n);
  }

  get enabled(): boolean {
    return this.setup.assets.length > 0;
  }

  positionFor(accountId: number): PoolPosition {
    let p = this.positions.get(accountId);
    if (p === undefined) {
      const n = this.setup.assets.length;
      p = { accountId, version: 0, suppliedUnits: new Array<number>(n).fill(0), principalUnits: new Array<number>(n).fill(0), indexSnapshot: this.borrowIndex.slice(), belowOne: false };
      this.positions.set(accountId, p);
    }
    return p;
  }

  /** Interest settled in risk asset `a` (0 when the pool does not list it). */
  byAssetInterestOf(a: number): bigint {
    const k = this.setup.byAssetIndex[a];
    return k < 0 ? 0n : this.interestSettledUnits[k];
  }

  hasDebt(p: PoolPosition): boolean {
    for (const v of p.principalUnits) if (v > 0) return true;
    return false;
  }
}
