/**
 * Hot path: one cross account evaluated at the current marks (RISK-SPEC §3.4, §6),
 * allocation-free. The risk service runs it for every holder on every mark tick.
 *
 * Per position i (same kernels as the readable functions, so the results are
 * identical to `crossEquityUnits`, `maintenanceMarginUnits`,
 * `positionInitialMarginUnits` and `orderMarginAtMark`):
 * ```
 * N_i      = q_i × M_i                        exact (whole + fraction/spt)
 * UPnL_i   = floor(Q_i × M_i − C_i)
 * MM_i     = ceil(N_i × mmr_k) − cum_k         k = tier of N_i
 * IMpos_i  = ceil(N_i / L_i)
 * IM_i     = IMpos_i + max(IMord_buy, IMord_sell)   (orders from a prebuilt OrderExposure)
 * ```
 * and for the scope: `E = acceptedCollateral + Σ (UPnL_i − PF_i)`, `MM = Σ MM_i`,
 * `IM = Σ IM_i`, basis = MM or ΣIMpos per `levels.levelBasis`, state by
 * cross-multiplication (margin-level.ts).
 *
 * Layout: the caller owns everything. `CrossAccount.positions` is an array of
 * monomorphic slot objects the risk service updates in place on fills and funding;
 * marks come from a per-market array (`marksSubticks[slot.marketIndex]`), so one
 * mark tick is one array write. Results go into a caller-owned `CrossEvaluation`
 * (create once with `createCrossEvaluation(capacity)`), including per-position MM
 * for the liquidation order (largest MM first).
 *
 * Numbers: every value is an exact safe integer; products that can pass 2^53
 * (`q·ltu·M`, `N·mmr`) go through the exact float kernel (wide-arithmetic.ts), never
 * `bigint`; a money total outside the safe range throws `DOMAIN_OUT_OF_RANGE`.
 * Inputs are checked with cheap integer tests; a bad one throws a `DomainError`
 * naming `positions[i].<field>` and leaves `out` unspecified.
 *
 * Example: WB 500 USDT and one long 0.02 BTC at 50,000 marked at 50,000, 20×:
 * E = 500, MM = 4, IM = 50, level 125 → HEALTHY (call at 1.25 would need E ≤ 5).
 */
import { DomainError } from '@perpcore/domain';
import type { MarketRiskParams } from './market-risk-params.js';
import { initialFromNotional } from './initial-margin.js';
import { requireLeverage } from './input-guards.js';
import { maintenanceFromNotional } from './maintenance-margin.js';
import { type MarginState, type ScopeLevels, MarginState as State, belowTakeoverTrusted, classifyTrusted } from './margin-level.js';
import { LevelBasis } from './market-risk-params.js';
import { loadNotionalAtMark, notionalFraction } from './notional.js';
import { type OrderExposure, orderMarginAtMark } from './order-margin.js';
import { upnlFromNotional } from './unrealized-pnl.js';

const MAX = Number.MAX_SAFE_INTEGER;

/** One position of a cross account, owned and updated in place by the caller. */
export interface CrossPositionSlot {
  params: MarketRiskParams;
  /** Index of this market in the marks array. */
  marketIndex: number;
  /** Signed Q (0 allowed: a market with only open orders). */
  qtyLots: number;
  /** Signed cost basis C. */
  costUnits: number;
  leverage: number;
  /** PF, recomputed at funding times (funding-index.ts). */
  pendingFundingUnits: number;
  /** Mark-independent order margin (`buildOrderExposure`), or null with no open orders. */
  orders: OrderExposure | null;
}

export interface CrossAccount {
  /** Σ accepted collateral (collateral.ts), recomputed when balances or index prices change. */
  acceptedCollateralUnits: number;
  positions: CrossPositionSlot[];
  /** Slots 0..positionCount−1 are evaluated. */
  positionCount: number;
}

/** Caller-owned result, filled by `evaluateCrossAccount`. */
export interface CrossEvaluation {
  equityUnits: number;
  upnlUnits: number;
  maintenanceUnits: number;
  positionInitialUnits: number;
  /** Σ market IM: positions plus open orders (for available margin). */
  initialUnits: number;
  /** Denominator of the level: maintenanceUnits or positionInitialUnits. */
  basisUnits: number;
  state: MarginState;
  atOrBelowTakeover: boolean;
  /** Per slot. */
  readonly positionMaintenanceUnits: Float64Array;
  readonly positionUpnlUnits: Float64Array;
}

export function createCrossEvaluation(capacity: number): CrossEvaluation {
  if (!Number.isSafeInteger(capacity) || capacity < 0) throw new DomainError('DOMAIN_NOT_AN_INTEGER', `capacity must be a non-negative integer, got ${String(capacity)}`);
  return {
    equityUnits: 0,
    upnlUnits: 0,
    maintenanceUnits: 0,
    positionInitialUnits: 0,
    initialUnits: 0,
    basisUnits: 0,
    state: State.Healthy,
    atOrBelowTakeover: false,
    positionMaintenanceUnits: new Float64Array(capacity),
    positionUpnlUnits: new Float64Array(capacity),
  };
}

function bad(i: number, field: string, value: number): never {
  throw new DomainError('DOMAIN_NOT_AN_INTEGER', `positions[${i}].${field} must be a ${field === 'mark' ? 'positive ' : ''}safe integer, got ${String(value)}`);
}

function outOfRange(what: string): never {
  throw new DomainError('DOMAIN_OUT_OF_RANGE', `${what} exceeds the safe-integer range`);
}

// Accumulator slots. Totals live in a Float64Array and positions are evaluated by a
// separate function taking only objects and small integers: the optimiser then
// inlines each kernel into one of two bodies within its budget, and no double
// crosses a call boundary (which would box it into a fresh heap number).
const EQUITY = 0;
const UPNL = 1;
const MM = 2;
const IM_POS = 3;
const IM = 4;
const acc = new Float64Array(5);

/** Adds slot i's UPnL − PF, MM, IMpos and market IM to `acc`; writes its MM and UPnL to `out`. */
function accumulatePosition(p: CrossPositionSlot, i: number, marksSubticks: ArrayLike<number>, out: CrossEvaluation): void {
  const params = p.params;
  const q = p.qtyLots;
  const cost = p.costUnits;
  const pf = p.pendingFundingUnits;
  const mark = marksSubticks[p.marketIndex];
  if (!Number.isSafeInteger(q)) bad(i, 'qtyLots', q);
  if (!Number.isSafeInteger(cost)) bad(i, 'costUnits', cost);
  if (!Number.isSafeInteger(pf)) bad(i, 'pendingFundingUnits', pf);
  if (!(mark > 0) || !Number.isSafeInteger(mark)) bad(i, 'mark', mark);
  const leverage = p.leverage;
  if (!Number.isSafeInteger(leverage) || leverage < 1 || leverage > params.tiers.maxLeverage[0]) requireLeverage(params, leverage, `positions[${i}].leverage`);

  const spt = params.markSubticksPerTick;
  const whole = loadNotionalAtMark(params, q < 0 ? -q : q, mark);
  const fraction = notionalFraction();
  const upnl = upnlFromNotional(q, whole, fraction, cost);
  const mm = maintenanceFromNotional(params.tiers, whole, fraction, spt);
  const imPos = initialFromNotional(whole, fraction, spt, leverage);
  const imOrders = p.orders === null ? 0 : orderMarginAtMark(params, p.orders, mark);

  out.positionMaintenanceUnits[i] = mm;
  out.positionUpnlUnits[i] = upnl;
  const equity = acc[EQUITY] + upnl - pf;
  const upnlTotal = acc[UPNL] + upnl;
  const mmTotal = acc[MM] + mm;
  const imTotal = acc[IM] + imPos + imOrders;
  // one check per position: a partial sum past 2^53 would silently lose units
  if (equity > MAX || equity < -MAX || upnl > MAX || upnl < -MAX || upnlTotal > MAX || upnlTotal < -MAX || imTotal > MAX || mmTotal > MAX) {
    outOfRange(`cross account totals at positions[${i}]`);
  }
  acc[EQUITY] = equity;
  acc[UPNL] = upnlTotal;
  acc[MM] = mmTotal;
  acc[IM_POS] += imPos;
  acc[IM] = imTotal;
}

/** Evaluates one cross account into `out` (see the module doc) and returns it. */
export function evaluateCrossAccount(account: CrossAccount, marksSubticks: ArrayLike<number>, levels: ScopeLevels, out: CrossEvaluation): CrossEvaluation {
  const n = account.positionCount;
  if (n > out.positionMaintenanceUnits.length) throw new DomainError('RISK_INVALID_ARGUMENT', `out holds ${out.positionMaintenanceUnits.length} positions, account has ${n}`);
  const collateral = account.acceptedCollateralUnits;
  if (!Number.isSafeInteger(collateral)) throw new DomainError('DOMAIN_NOT_AN_INTEGER', `acceptedCollateralUnits must be a safe integer, got ${String(collateral)}`);
  acc[EQUITY] = collateral;
  acc[UPNL] = 0;
  acc[MM] = 0;
  acc[IM_POS] = 0;
  acc[IM] = 0;
  const positions = account.positions;
  for (let i = 0; i < n; i++) accumulatePosition(positions[i], i, marksSubticks, out);
  const equity = acc[EQUITY];
  const basis = levels.levelBasis === LevelBasis.MM ? acc[MM] : acc[IM_POS];
  out.equityUnits = equity;
  out.upnlUnits = acc[UPNL];
  out.maintenanceUnits = acc[MM];
  out.positionInitialUnits = acc[IM_POS];
  out.initialUnits = acc[IM];
  out.basisUnits = basis;
  out.state = classifyTrusted(equity, basis, levels);
  out.atOrBelowTakeover = belowTakeoverTrusted(equity, basis, levels);
  return out;
}
