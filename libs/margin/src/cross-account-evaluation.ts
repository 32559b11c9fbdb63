/**
 * Hot path: one cross account evaluated at the current marks (RISK-SPEC §3.4, §6),
 * allocation-free. The risk service runs it for every holder on every mark tick.
 *
 * Per position i (the same formulas and roundings as the readable functions; a
 * property test holds the results identical to `crossEquityUnits`,
 * `maintenanceMarginUnits`, `positionInitialMarginUnits` and `marketInitialMargin`):
 * ```
 * N_i      = q_i × M_i                        exact (whole + fraction/spt)
 * UPnL_i   = floor(Q_i × M_i − C_i)
 * MM_i     = ceil(N_i × mmr_k) − cum_k         k = tier of N_i
 * IMpos_i  = max(ceil(N_i / L_i), ceil(N_i × imf_i))  imf_i the slot's IMF_RAMP floor, if any
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
 * Numbers: every value is an exact safe integer. The common case keeps every
 * product under 2^52 (exact doubles, remainder-repaired divisions), written out in
 * one function body: V8 boxes a non-Smi number into a fresh heap number whenever it
 * crosses a call that is not inlined, and inlining is the optimiser's choice, so
 * the hot body does not depend on it. Rare cases (a position above ~45M USDT
 * notional × spt, an MMR above 45%, a near-tie level) call the exact kernels
 * (wide-arithmetic.ts) and may box a few numbers; never `bigint`. A money total
 * outside the safe range throws `DOMAIN_OUT_OF_RANGE`.
 * Inputs are checked with cheap integer tests; a bad one throws a `DomainError`
 * naming `positions[i].<field>` and leaves `out` unspecified.
 *
 * Example: WB 500 USDT and one long 0.02 BTC at 50,000 marked at 50,000, 20×:
 * E = 500, MM = 4, IM = 50, level 125 → HEALTHY (call at 1.25 would need E ≤ 5).
 */
import { DomainError } from '@perpcore/domain';
import type { MarketRiskParams } from './market-risk-params.js';
import { requireLeverage } from './input-guards.js';
import { type MarginState, type ScopeLevels, MarginState as State, belowTakeoverSlots, classifySlots } from './margin-level.js';
import { LevelBasis } from './market-risk-params.js';
import { rateKernelSlots, rateOfNotionalCeilInSlots } from './maintenance-margin.js';
import { type OrderExposure, loadOrderMarginAt, orderMarginSlot } from './order-margin.js';
import { E8 } from './tier-table.js';
import { mulDivFloorWide, wideRemainder } from './wide-arithmetic.js';

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
  /**
   * IMF floor of the position (E8; 0 or absent = none): `IMpos = max(ceil(N / L),
   * ceil(N × imf))`. The caller sets the market's current IMF_RAMP fraction (imf-ramp.ts).
   */
  initialFractionE8?: number;
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

// Accumulator slots: totals live in a Float64Array (stores never allocate), and the
// per-position function takes only objects and small integers.
const EQUITY = 0;
const BASIS = 1;
const UPNL = 2;
const MM = 3;
const IM_POS = 4;
const IM = 5;
const acc = new Float64Array(6);
const EXACT = 2 ** 52;

/** Adds slot i's UPnL − PF, MM, IMpos and market IM to `acc`; writes its MM and UPnL to `out`. */
function accumulatePosition(p: CrossPositionSlot, i: number, marksSubticks: ArrayLike<number>, out: CrossEvaluation): void {
  const params = p.params;
  const tiers = params.tiers;
  const q = p.qtyLots;
  const cost = p.costUnits;
  const pf = p.pendingFundingUnits;
  const mark = marksSubticks[p.marketIndex];
  const leverage = p.leverage;
  if (!Number.isSafeInteger(q)) bad(i, 'qtyLots', q);
  if (!Number.isSafeInteger(cost)) bad(i, 'costUnits', cost);
  if (!Number.isSafeInteger(pf)) bad(i, 'pendingFundingUnits', pf);
  if (!(mark > 0) || !Number.isSafeInteger(mark)) bad(i, 'mark', mark);
  if (!Number.isSafeInteger(leverage) || leverage < 1 || leverage > tiers.maxLeverage[0]) requireLeverage(params, leverage, `positions[${i}].leverage`);
  const spt = params.markSubticksPerTick;

  // N = q·ltu·mark / spt = whole + fraction/spt  (notional.ts)
  const unitsPerTick = (q < 0 ? -q : q) * params.lotTickUnits;
  if (unitsPerTick > MAX) outOfRange(`positions[${i}].qtyLots × lotTickUnits`);
  const scaled = unitsPerTick * mark;
  let whole: number;
  let fraction: number;
  if (scaled <= EXACT) {
    whole = Math.floor(scaled / spt);
    fraction = scaled - whole * spt;
    if (fraction < 0) {
      whole -= 1;
      fraction += spt;
    } else if (fraction >= spt) {
      whole += 1;
      fraction -= spt;
    }
  } else {
    whole = mulDivFloorWide(unitsPerTick, mark, spt);
    fraction = wideRemainder();
  }

  // UPnL = floor(s·N − C)  (unrealized-pnl.ts)
  const upnl = q >= 0 ? whole - cost : -whole - cost - (fraction > 0 ? 1 : 0);

  // MM = ceil(N·mmr_k) − cum_k, k = tier of N  (maintenance-margin.ts)
  const caps = tiers.capUnits;
  const last = tiers.count - 1;
  let k = 0;
  while (k < last && !(whole < caps[k] || (whole === caps[k] && fraction === 0))) k += 1;
  const mmr = tiers.mmrE8[k];
  let hi = Math.floor(whole / E8);
  let lo = whole - hi * E8;
  if (lo < 0) {
    hi -= 1;
    lo += E8;
  } else if (lo >= E8) {
    hi += 1;
    lo -= E8;
  }
  const loScaled = lo * mmr;
  let q1: number;
  let r1: number;
  if (loScaled <= EXACT) {
    q1 = Math.floor(loScaled / E8);
    r1 = loScaled - q1 * E8;
    if (r1 < 0) {
      q1 -= 1;
      r1 += E8;
    } else if (r1 >= E8) {
      q1 += 1;
      r1 -= E8;
    }
  } else {
    q1 = mulDivFloorWide(lo, mmr, E8);
    r1 = wideRemainder();
  }
  const carry = r1 * spt + fraction * mmr;
  const mm = hi * mmr + q1 + (carry === 0 ? 0 : carry > spt * E8 ? 2 : 1) - tiers.cumUnits[k];

  // IMpos = ceil(N / L)  (initial-margin.ts)
  let qL: number;
  let rL: number;
  if (whole <= EXACT) {
    qL = Math.floor(whole / leverage);
    rL = whole - qL * leverage;
    if (rL < 0) {
      qL -= 1;
      rL += leverage;
    } else if (rL >= leverage) {
      qL += 1;
      rL -= leverage;
    }
  } else {
    qL = mulDivFloorWide(whole, 1, leverage);
    rL = wideRemainder();
  }
  let imPos = rL * spt + fraction > 0 ? qL + 1 : qL;
  // IMF_RAMP markets: the open-interest fraction, when it asks for more than 1/L
  const imf = p.initialFractionE8;
  if (imf !== undefined && imf > 0) {
    rateKernelSlots[0] = whole;
    rateKernelSlots[1] = fraction;
    rateOfNotionalCeilInSlots(spt, imf);
    if (rateKernelSlots[2] > imPos) imPos = rateKernelSlots[2];
  }

  // IMord at the mark  (order-margin.ts)
  let imOrders = 0;
  if (p.orders !== null) {
    loadOrderMarginAt(params, p.orders, marksSubticks, p.marketIndex);
    imOrders = orderMarginSlot[0];
  }

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
  acc[BASIS] = levels.levelBasis === LevelBasis.MM ? acc[MM] : acc[IM_POS];
  out.equityUnits = acc[EQUITY];
  out.upnlUnits = acc[UPNL];
  out.maintenanceUnits = acc[MM];
  out.positionInitialUnits = acc[IM_POS];
  out.initialUnits = acc[IM];
  out.basisUnits = acc[BASIS];
  out.state = classifySlots(acc, levels);
  out.atOrBelowTakeover = belowTakeoverSlots(acc, levels);
  return out;
}
