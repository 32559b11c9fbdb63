/**
 * Events of the spot-margin context. Each carries what it changed as after-values
 * (`rows`: account × asset; `venue`: the venue's rows), so folding the stream
 * rebuilds the state (spot-margin-fold.ts) without re-running any rule; the
 * remaining fields say why (amounts, levels, prices) for readers and the three
 * questions. Mirrors proto/perpcore/risk/v1/spot-margin.proto.
 */
import type { Side } from '@perpcore/domain';
import type { MarginState } from '@perpcore/margin';

export interface SpotRowAfter {
  readonly accountId: number;
  readonly asset: string;
  readonly balanceUnits: number;
  readonly heldUnits: number;
  readonly principalUnits: number;
  /** The interest snapshot, decimal string of the 1e18-scaled index. */
  readonly snapshot: string;
  readonly entryUnits: number;
}

export interface SpotVenueAfter {
  readonly asset: string;
  readonly poolUnits: number;
  readonly fundUnits: number;
  /** Cumulative totals as decimal strings (bigint). */
  readonly totals: readonly string[];
}

export interface SpotIndexAfter {
  readonly asset: string;
  readonly index: string;
  readonly lastAccrualNs: number;
}

export const SpotEventKind = {
  Deposited: 'SPOT_DEPOSITED',
  Withdrawn: 'SPOT_WITHDRAWN',
  Borrowed: 'SPOT_BORROWED',
  Repaid: 'SPOT_REPAID',
  InterestSettled: 'SPOT_INTEREST_SETTLED',
  OrderPlaced: 'SPOT_ORDER_PLACED',
  OrderCanceled: 'SPOT_ORDER_CANCELED',
  Filled: 'SPOT_FILLED',
  MarginStateChanged: 'SPOT_MARGIN_STATE_CHANGED',
  LiquidationFeeCharged: 'SPOT_LIQUIDATION_FEE_CHARGED',
  BadDebtCovered: 'SPOT_BAD_DEBT_COVERED',
  IndexAccrued: 'SPOT_INDEX_ACCRUED',
  /** A pair's index price (detail: the pair, amountUnits: the price in ticks). */
  IndexPriceSet: 'SPOT_INDEX_PRICE_SET',
  Rejected: 'SPOT_REJECTED',
} as const;
export type SpotEventKind = (typeof SpotEventKind)[keyof typeof SpotEventKind];

export interface SpotMarginEvent {
  readonly kind: SpotEventKind;
  readonly tsNs: number;
  readonly accountId: number;
  readonly asset: string;
  readonly amountUnits: number;
  /** Rejections: the reject code; fills and orders: the pair symbol; else ''. */
  readonly detail: string;
  readonly rows: readonly SpotRowAfter[];
  readonly venue: readonly SpotVenueAfter[];
  readonly indices: readonly SpotIndexAfter[];
  /** Margin-state transitions: the three questions at the moment it moved. */
  readonly transition?: SpotTransition;
  /** Order placed / cancelled / filled: which order (cancelled: `qtyLots` is the part released; filled: the taker's order). */
  readonly order?: SpotOrderRef;
}

export interface SpotOrderRef {
  readonly orderId: number;
  readonly side: Side;
  readonly priceTicks: number;
  readonly qtyLots: number;
  /** Placed: the client's id ('' when none) and whether the rest is cancelled at once (IOC). */
  readonly clientOrderId?: string;
  readonly immediateOrCancel?: boolean;
  /** Filled: the resting order the taker traded against. */
  readonly makerOrderId?: number;
}

export interface SpotTransition {
  readonly from: MarginState;
  readonly to: MarginState;
  readonly equityUnits: number;
  readonly usedMarginUnits: number;
  readonly levelE8: number | null;
  readonly marginCallLevelE8: number;
  readonly liquidationLevelE8: number;
  /** The index feed that moved (pair symbol), '' when a command moved it. */
  readonly triggerFeed: string;
  readonly triggerPriceTicks: number;
}

export type SpotEventSink = (event: SpotMarginEvent) => void;
