/**
 * ADL ranking scores (RISK-SPEC §8), exact rationals compared by
 * cross-multiplication.
 *
 * `PNL_X_LEVERAGE` (BitMEX, default), per position, from signed values at mark
 * `MV = Q·M`, at entry `EV = C` and at the position's own bankruptcy price `BV = Q·BP`
 * (= the whole-position BPamount, bankruptcy-price.ts):
 * ```
 * pnl    = (MV − EV) / |EV|         effLev = |MV| / (MV − BV)
 * score  = pnl × effLev  if pnl > 0,  else  pnl / effLev
 * ```
 * `MV − BV ≤ 0` (a position at or past bankruptcy) means unbounded leverage: the
 * score is +∞ with a profit, 0 otherwise.
 *
 * `LEVERAGE_PNL` (Binance), per account:
 * ```
 * score = max(0, UPnL) / max(one settle coin, WB) × ratio,  ratio = MM / (WB + UPnL) if WB + UPnL > 0, else 0
 * ```
 *
 * Ranking: score descending, ties by account id ascending (`compareAdlCandidates`).
 *
 * Rounding: none; scores are never rounded, only compared.
 *
 * Example (PNL_X_LEVERAGE): long entered at 100 (EV 100), mark 120 (MV 120),
 * bankruptcy value 90 (BV): pnl = 0.2, effLev = 120 / 30 = 4, score = 0.8.
 * `adlScorePnlTimesLeverageWithFigures` also returns PnL% (20%) and effective
 * leverage (4×), each in E8 toward zero (display figures; the ranking uses the exact score).
 */
import { DomainError, Rounding, divRoundBig } from '@perpcore/domain';
import { E8 } from './tier-table.js';
import type { MarketRiskParams } from './market-risk-params.js';
import { requirePrice, requireQtyLots, requireUnits } from './input-guards.js';
import { RiskErrorCode } from './risk-error-codes.js';

/** A score num/den with den ≥ 0; den = 0 encodes +∞ (num = 1). */
export interface AdlScore {
  readonly num: bigint;
  readonly den: bigint;
}

const E8N = BigInt(E8);
const INFINITE: AdlScore = Object.freeze({ num: 1n, den: 0n });
const ZERO: AdlScore = Object.freeze({ num: 0n, den: 1n });

export interface PnlTimesLeverageInput {
  readonly qtyLots: number;
  readonly costUnits: number;
  readonly markSubticks: number;
  /** BV = Q × BP: the whole-position bankruptcy amount (`Bankruptcy.amountUnits`). */
  readonly bankruptcyValueUnits: number;
}

/** The score's terms, all × spt: gain = MV − EV, cushion = MV − BV. */
interface PnlLeverageTerms {
  readonly gain: bigint;
  readonly cushion: bigint;
  readonly absEv: bigint;
  readonly absMv: bigint;
}

function pnlLeverageTerms(params: MarketRiskParams, input: PnlTimesLeverageInput): PnlLeverageTerms {
  const Q = requireQtyLots('qtyLots', input.qtyLots);
  const cost = requireUnits('costUnits', input.costUnits);
  const mark = requirePrice('markSubticks', input.markSubticks);
  const bvUnits = requireUnits('bankruptcyValueUnits', input.bankruptcyValueUnits);
  if (Q === 0 || cost === 0) throw new DomainError(RiskErrorCode.InvalidArgument, 'an ADL score needs an open position with a non-zero cost');
  const spt = BigInt(params.markSubticksPerTick);
  const mv = BigInt(Q) * BigInt(mark) * BigInt(params.lotTickUnits); // all × spt
  const ev = BigInt(cost) * spt;
  const bv = BigInt(bvUnits) * spt;
  return { gain: mv - ev, cushion: mv - bv, absEv: ev < 0n ? -ev : ev, absMv: mv < 0n ? -mv : mv };
}

function scoreOf(t: PnlLeverageTerms): AdlScore {
  if (t.cushion <= 0n) return t.gain > 0n ? INFINITE : ZERO;
  if (t.gain > 0n) return { num: t.gain * t.absMv, den: t.absEv * t.cushion };
  return { num: t.gain * t.cushion, den: t.absEv * t.absMv };
}

export function adlScorePnlTimesLeverage(params: MarketRiskParams, input: PnlTimesLeverageInput): AdlScore {
  return scoreOf(pnlLeverageTerms(params, input));
}

/** The figures BitMEX publishes beside the score. */
export interface PnlTimesLeverageFigures {
  readonly score: AdlScore;
  /** PnL% = (MV − EV) / |EV| in E8, toward zero. */
  readonly pnlPercentE8: bigint;
  /** Effective leverage |MV| / (MV − BV) in E8, toward zero; null when unbounded (at or past bankruptcy). */
  readonly effectiveLeverageE8: bigint | null;
}

/** `adlScorePnlTimesLeverage` with its PnL% and effective leverage. */
export function adlScorePnlTimesLeverageWithFigures(params: MarketRiskParams, input: PnlTimesLeverageInput): PnlTimesLeverageFigures {
  const t = pnlLeverageTerms(params, input);
  return Object.freeze({
    score: scoreOf(t),
    pnlPercentE8: divRoundBig(t.gain * E8N, t.absEv, Rounding.TowardZero),
    effectiveLeverageE8: t.cushion <= 0n ? null : divRoundBig(t.absMv * E8N, t.cushion, Rounding.TowardZero),
  });
}

export interface LeveragePnlInput {
  readonly upnlUnits: number;
  readonly walletUnits: number;
  readonly maintenanceUnits: number;
}

export function adlScoreLeveragePnl(params: MarketRiskParams, input: LeveragePnlInput): AdlScore {
  const upnl = requireUnits('upnlUnits', input.upnlUnits);
  const wb = requireUnits('walletUnits', input.walletUnits);
  const mm = requireUnits('maintenanceUnits', input.maintenanceUnits);
  const equity = BigInt(wb) + BigInt(upnl);
  if (upnl <= 0 || equity <= 0n) return ZERO;
  const oneCoin = 10n ** BigInt(params.settleDecimals);
  const floorWallet = BigInt(wb) > oneCoin ? BigInt(wb) : oneCoin;
  return { num: BigInt(upnl) * BigInt(mm), den: floorWallet * equity };
}

/** Sign of a − b. */
export function compareAdlScores(a: AdlScore, b: AdlScore): number {
  if (a.den === 0n || b.den === 0n) {
    if (a.den === 0n && b.den === 0n) return 0;
    return a.den === 0n ? 1 : -1;
  }
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

export interface AdlCandidate {
  readonly accountId: number;
  readonly score: AdlScore;
}

/** Sort comparator for the ADL queue: score descending, ties by account id ascending. */
export function compareAdlCandidates(a: AdlCandidate, b: AdlCandidate): number {
  const c = compareAdlScores(b.score, a.score);
  return c !== 0 ? c : a.accountId - b.accountId;
}
