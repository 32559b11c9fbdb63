/**
 * The vocabulary of the liquidation engine's port into the risk stage
 * (risk-ledger.ts): the scope a call names, what `readScope` reports, and what
 * each bankruptcy-priced close (takeover, ADL run) returns. Plain data, no logic.
 */
import type { AdlCounterpartyKind } from '../adl/adl-queue.js';
import type { BackstopDecline } from './backstop-liquidators.js';

/** A margin scope: the account's cross scope, or its isolated position in `isolatedMarket`. */
export interface ScopeRef {
  readonly accountId: number;
  readonly isolatedMarket?: string;
}

export interface LedgerPosition {
  readonly market: string;
  readonly qtyLots: number;
  readonly costUnits: number;
  readonly markSubticks: number;
  readonly maintenanceUnits: number;
  readonly upnlUnits: number;
  readonly pendingFundingUnits: number;
  readonly leverage: number;
}

/** A scope's level and balances without its positions (`RiskLedger.readScopeLevel`). */
export interface LedgerScopeLevel {
  readonly accountId: number;
  readonly isolatedMarket: string;
  readonly state: string;
  readonly liquidationId: number;
  readonly equityUnits: number;
  readonly maintenanceUnits: number;
  readonly basisUnits: number;
  readonly initialUnits: number;
  readonly atOrBelowTakeover: boolean;
  readonly marginCallLevelE8: number;
  readonly liquidationLevelE8: number;
  /** WB (cross) or the bucket (isolated). */
  readonly settleBalanceUnits: number;
}

export interface LedgerScopeState extends LedgerScopeLevel {
  readonly positions: readonly LedgerPosition[];
}

/** A bankruptcy-priced close of a whole position (takeover) or of an ADL run's slices. */
export interface CloseResult {
  /** Signed lots closed, as the liquidated scope held them. */
  readonly qtyLots: number;
  /** BPamount of what closed (Σ of the slices' shares). */
  readonly bankruptcyAmountUnits: number;
  /** BP of the whole position when the close started, in ticks; may be < 1. */
  readonly bankruptcyPriceTicks: number;
  /** The price every leg settled at: max(BP, 1 tick). */
  readonly fillPriceTicks: number;
  /** Account → fund. */
  readonly tickDifferenceUnits: number;
  /** Left in the scope as a deficit (BP below one tick). */
  readonly shortfallUnits: number;
}

export type TakeoverResult = CloseResult;

/** A backstop liquidator's takeover (`RiskLedger.applyBackstopTakeover`): who took it, or none, and who declined first. */
export interface BackstopTakeoverResult {
  /** Null when no backstop could take the position (the ladder goes on to the fund). */
  readonly taken: (CloseResult & { readonly liquidatorAccountId: number; readonly liquidatorPositionAfterLots: number }) | null;
  readonly declined: readonly BackstopDecline[];
}

export interface DeleverageLegResult {
  readonly counterpartyAccountId: number;
  /** The tier the counterparty came from: ranked trader, insurance fund, liquidating scope. */
  readonly kind: AdlCounterpartyKind;
  /** > 0: lots closed on each side. */
  readonly qtyLots: number;
  /** Signed, before the reduction. */
  readonly counterpartyPositionLots: number;
  readonly counterpartyRemainingLots: number;
  /** This slice's share of BPamount. */
  readonly bankruptcyAmountUnits: number;
  readonly tickDifferenceUnits: number;
  readonly shortfallUnits: number;
}

export interface DeleverageResult extends CloseResult {
  readonly legs: readonly DeleverageLegResult[];
}

/** One counterparty of a planned ADL run (`RiskLedger.adlCounterparties`), in run order. */
export interface AdlCounterparty {
  readonly accountId: number;
  /** The counterparty's scope in the market: '' cross, else the market (isolated). */
  readonly isolatedMarket: string;
  readonly kind: AdlCounterpartyKind;
  /** > 0: lots this counterparty would close. */
  readonly qtyLots: number;
  /** Its signed position before the run. */
  readonly positionLots: number;
}

/** A scope the risk stage holds LIQUIDATING ('' = cross). */
export interface HeldLiquidation {
  readonly accountId: number;
  readonly isolatedMarket: string;
  readonly liquidationId: number;
}

export interface LedgerCallContext {
  readonly liquidationId: number;
  readonly tsNs: number;
}
