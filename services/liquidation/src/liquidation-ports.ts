/**
 * The ports the liquidation engine needs, and nothing more (dYdX's
 * "expected keepers"): it reads a scope's exact state from the risk stage, asks the
 * risk stage to move money and positions (the risk stage owns every balance, so
 * conservation is kept in one place), and places orders through matching. The
 * composition root adapts the risk engine and the bus to these interfaces
 * (`satisfies` checks them at compile time).
 */
import type { MarketSpec, Side } from '@perpcore/domain';
import type { Bankruptcy, MarginState, MarketRiskParams } from '@perpcore/margin';

/** A margin scope: the cross scope of an account, or one isolated position. */
export interface ScopeRef {
  readonly accountId: number;
  /** '' for cross; the market symbol of the isolated position otherwise. */
  readonly isolatedMarket: string;
}

export interface ScopeHealth {
  /** The live classification at the current marks (not a remembered state). */
  readonly state: MarginState;
  readonly equityUnits: number;
  /** The level basis (Σ MMpos with levelBasis MM). */
  readonly basisUnits: number;
  /** E / basis in 1e-8, null when the basis is 0. */
  readonly levelE8: number | null;
  /** At or below the market's `takeoverLevel` (skip the book). */
  readonly belowTakeover: boolean;
  /**
   * The liquidation the risk stage holds the scope in (LIQUIDATING is sticky until
   * `releaseScope`), 0 when it holds none. Unlike `state`, this is remembered: a
   * trigger read late can find the live level recovered while risk still waits for
   * the ladder to end that liquidation.
   */
  readonly heldLiquidationId: number;
}

export interface ScopePosition {
  readonly market: string;
  /** Signed lots. */
  readonly qtyLots: number;
  readonly maintenanceUnits: number;
  readonly markSubticks: number;
}

/**
 * The price a takeover or an ADL run actually used (RISK-SPEC §8.7–§8.8): BP once
 * for the whole position, every leg at `fillPriceTicks` = max(BP, 1 tick).
 */
export interface BankruptcyClose {
  /** BP of the whole position when the close started; may be < 1 tick. */
  readonly bankruptcyPriceTicks: number;
  readonly fillPriceTicks: number;
  /** BPamount of what closed. */
  readonly bankruptcyAmountUnits: number;
  /** Account → fund, ≥ 0. */
  readonly tickDifferenceUnits: number;
  /** BPamount the 1-tick fill could not deliver (BP below one tick): left as the scope's deficit. */
  readonly shortfallUnits: number;
  readonly fundBalanceAfterUnits: bigint;
}

export type TakeoverResult = ({ readonly ok: true } & BankruptcyClose) | { readonly ok: false; readonly reason: string };

/** A backstop liquidator that could not take a position, and why. */
export interface BackstopDecline {
  readonly accountId: number;
  readonly reason: string;
}

/** A backstop liquidator's takeover, or none; either way who declined first, in order. */
export type BackstopResult =
  | ({ readonly ok: true; readonly liquidatorAccountId: number; readonly liquidatorPositionAfterLots: number; readonly declined: readonly BackstopDecline[] } & BankruptcyClose)
  | { readonly ok: false; readonly declined: readonly BackstopDecline[] };

export interface DeleverageLeg {
  readonly counterpartyAccountId: number;
  /** The run's tier it came from (wire AdlCounterpartyKind): 1 ranked trader, 2 insurance fund, 3 liquidating scope. */
  readonly kind: number;
  readonly qtyLots: number;
  /** The counterparty position's side before the reduction. */
  readonly counterpartySide: Side;
  readonly counterpartyRemainingLots: number;
  /** This slice's share of the run's BPamount. */
  readonly bankruptcyAmountUnits: number;
  readonly tickDifferenceUnits: number;
  readonly shortfallUnits: number;
}

export interface DeleverageResult extends BankruptcyClose {
  readonly legs: readonly DeleverageLeg[];
}

export interface ScopeCompletion {
  readonly residueSweptUnits: number;
  /** Covered by collateral conversion and the fund. */
  readonly deficitCoveredUnits: number;
  /** What neither could cover: stays on the scope as a negative balance (bad debt). */
  readonly uncoveredDeficitUnits: number;
}

/** Read side of the risk stage. */
/** A scope's open positions and health read together (`RiskReader.scopeCheck`). */
export interface ScopeCheck {
  /** Open positions of the scope (cross: every cross position; isolated: the one); none for an unknown scope. */
  readonly positions: readonly ScopePosition[];
  readonly health: ScopeHealth | undefined;
}

export interface RiskReader {
  scopeHealth(scope: ScopeRef): ScopeHealth | undefined;
  /** The positions and the health in one read of the scope (the ladder's re-check reads both at every step). */
  scopeCheck(scope: ScopeRef): ScopeCheck;
  /** BPamount and BP of closing `closeLots` of the scope's position in `market`, at the current mark. */
  bankruptcy(scope: ScopeRef, market: string, closeLots: number): Bankruptcy;
  marketSpec(market: string): MarketSpec;
  marketParams(market: string): MarketRiskParams;
  /** The 1–5 ADL queue position of every trader position in `market`. */
  adlIndicator(market: string): readonly AdlIndicatorEntry[];
}

export interface AdlIndicatorEntry {
  readonly accountId: number;
  /** +1 long, −1 short. */
  readonly sideSign: number;
  readonly bucket: number;
}

/** Money and position movements the ladder orders; each keeps conservation and emits its own risk event. */
export interface LiquidationLedger {
  /** Moves `amountUnits` from the scope to the insurance fund (clearance fee); returns the fund's balance after. */
  chargeClearanceFee(scope: ScopeRef, market: string, amountUnits: number, liquidationId: number, tsNs: number): bigint;
  /**
   * Before the fund: the first backstop liquidator (risk's backstop-liquidators.ts) whose margin
   * allows it takes the scope's whole position in `market` at its BP; not ok, nothing changed, when none can.
   */
  backstopTakeover(scope: ScopeRef, market: string, liquidationId: number, tsNs: number): BackstopResult;
  /** The fund takes the scope's whole position in `market` at its BP (RISK-SPEC §8.7), if its limits allow. */
  insuranceTakeover(scope: ScopeRef, market: string, liquidationId: number, tsNs: number): TakeoverResult;
  /**
   * Closes the scope's whole remaining position in `market`, all at the one BP of that position, atomically
   * (§8.8): against the ranked traders, then the fund's own opposite position, then opposite scopes being
   * liquidated themselves (each leg's `kind`). Long = short, so it always closes the position; it throws,
   * changing nothing, only on a reject (the scope is not liquidating, has no such position).
   * `stepInFlight`: liquidating scopes whose own step IOC in `market` is still out; they are taken
   * last (an IOC fill larger than the position left would turn it, and their ladder then closes that too).
   * Asked only when a run reaches that tier (rare): listing them is O(liquidations in flight), which
   * asked for every run made a mass cascade quadratic.
   */
  deleverage(scope: ScopeRef, market: string, liquidationId: number, tsNs: number, stepInFlight?: () => readonly ScopeRef[]): DeleverageResult;
  /** A scope without positions: sweep its residue to the fund, convert collateral or cover a deficit (§8.9). */
  completeScope(scope: ScopeRef, liquidationId: number, tsNs: number): ScopeCompletion;
  /** Hands the scope back to normal risk evaluation (after completion or abort). */
  releaseScope(scope: ScopeRef, tsNs: number): void;
}

/** Order entry toward matching (the liquidation engine's orders re-enter the same command topic). */
export interface OrderPlacer {
  /** Cancels every open order of the account in every market (reason LIQUIDATION). */
  cancelAllOrders(accountId: number, tsNs: number): void;
  /** An IOC limit order whose fills carry fill type LIQUIDATION and the liquidation id. */
  placeLiquidationOrder(order: LiquidationOrder): void;
}

export interface LiquidationOrder {
  readonly market: string;
  readonly orderId: number;
  readonly accountId: number;
  readonly side: Side;
  readonly qtyLots: number;
  readonly limitPriceTicks: number;
  readonly liquidationId: number;
  readonly tsNs: number;
}
