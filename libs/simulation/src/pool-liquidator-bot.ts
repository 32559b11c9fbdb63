/**
 * An external liquidator for the lending pool (issue 13.3): every `periodNs` it
 * reads the candidates query (positions with HF < 1 at the oracle price) and sends
 * one `liquidationCall` per candidate naming the position version it saw, repaying
 * the whole debt leg when HF ≤ 0.95 or the leg is small (under `fullCloseBelowUnits`),
 * else half of it (Aave v3's close factor). The venue never liquidates these
 * positions itself: without this bot they stay below 1.
 *
 * Deterministic: it acts at fixed simulated times on the state it queries.
 */

export interface PoolCandidateView {
  readonly accountId: number;
  readonly positionSeq: number;
  readonly healthFactorE8: bigint;
  readonly legs: readonly { readonly asset: string; readonly suppliedUnits: number; readonly debtUnits: number }[];
}

export interface LiquidatorPort {
  deposit(accountId: number, asset: string, amountUnits: number): void;
  candidates(): readonly PoolCandidateView[];
  liquidate(liquidatorId: number, borrowerId: number, debtAsset: string, collateralAsset: string, debtToCoverUnits: number, expectedPositionSeq: number): void;
}

export interface PoolLiquidatorBotConfig {
  accountId: number;
  depositUnits: number;
  debtAsset: string;
  collateralAsset: string;
  periodNs: number;
  firstAtNs: number;
  /** A debt leg below this (debt-asset units) is repaid whole. */
  fullCloseBelowUnits: number;
}

export class PoolLiquidatorBot {
  private nextAtNs: number;
  callsSent = 0;

  constructor(private readonly config: PoolLiquidatorBotConfig) {
    this.nextAtNs = config.firstAtNs;
  }

  setUp(port: LiquidatorPort): void {
    port.deposit(this.config.accountId, this.config.debtAsset, this.config.depositUnits);
  }

  advance(tsNs: number, port: LiquidatorPort): void {
    if (tsNs < this.nextAtNs) return;
    this.nextAtNs = tsNs + this.config.periodNs;
    const c = this.config;
    for (const candidate of port.candidates()) {
      const debt = candidate.legs.find((l) => l.asset === c.debtAsset)?.debtUnits ?? 0;
      const collateral = candidate.legs.find((l) => l.asset === c.collateralAsset)?.suppliedUnits ?? 0;
      if (debt === 0 || collateral === 0 || candidate.accountId === c.accountId) continue;
      const whole = candidate.healthFactorE8 <= 95_000_000n || debt < c.fullCloseBelowUnits;
      port.liquidate(c.accountId, candidate.accountId, c.debtAsset, c.collateralAsset, whole ? debt : Math.floor(debt / 2), candidate.positionSeq);
      this.callsSent++;
    }
  }
}
