/**
 * Inverse (coin-margined) contracts, BitMEX XBTUSD style: the contract is worth a
 * fixed amount of the quote currency (1 USD), margin, PnL and funding are in the
 * base coin (settle asset = the coin, units = satoshis).
 *
 * Formulas (K = quote value of one lot, P a price in quote per coin, s = sign Q):
 * ```
 * V(P)    = Q × K / P                      signed coin value ("XBT contract value")
 * PnL     = Q × K × (1/entry − 1/exit)     BitMEX's published form
 * C       = Σ fills Q_i × K / P_i           signed coin cost basis; UPnL = C − V(M)
 * IM      = |V(M)| / L                      MM = |V(M)| × mmr_k − cum_k (tiers in coin units)
 * funding = V(P_f) × F                     positive = pays
 * LP      : W + C − V = s·mmr·V − cum  ⇒  V = (W + C + cum) / (1 + s·mmr),  P = Q·K / V
 * BP      : W + C − V = 0              ⇒  V = W + C,                      P = Q·K / V
 * ```
 * W is the scope's collateral in coin (cross: accepted collateral − PF and the other
 * positions' UPnL − MM; isolated: the bucket − PF). Tier re-selection as in
 * liquidation-price.ts: the tier holding |V| at the answer, ≤ T re-solves.
 *
 * Where it differs from linear: the value is convex in 1/P, so an inverse short's
 * loss is bounded (a 1× short has no liquidation price: null), while a long's is not
 * bounded in coin terms. `null` means no positive price reaches the level.
 *
 * Rounding (venue's favour, RISK-SPEC §0): IM, MM and funding paid up (funding
 * received down); PnL, UPnL and the cost basis C toward −∞ (so a long and a short
 * of the same fill together never gain a unit: they sum to 0 or −1); liquidation
 * price reported long up, short down; bankruptcy limit long up, short down to the tick.
 *
 * Numbers: bigint rationals (off the hot path). Lots may hold several contracts:
 * K = lotSize × contractValueQuote.
 *
 * Example (BitMEX inverse futures guide, XBT at 10,000 USD, 1 USD contracts): long
 * 100,000 contracts = 10 XBT; at 100× the margin is 0.1 XBT; sold at 10,500 the
 * profit is 100,000 × (1/10,000 − 1/10,500) = 0.47619047 XBT (47,619,047 sat).
 */
import { DomainError, Rounding, divRoundBig } from '@perpcore/domain';
import { type DerivedPrice, derivedPrice } from './derived-price.js';
import { type Ratio, ratio } from './exact-ratio.js';
import type { MarketRiskParams } from './market-risk-params.js';
import { requireLeverage, requirePrice, requireQtyLots, requireSafeResult, requireUnits } from './input-guards.js';
import { RiskErrorCode } from './risk-error-codes.js';
import { E8 } from './tier-table.js';

const E8N = BigInt(E8);

/** Coin units × subticks per lot, as kNum / kDen: V(P subticks) = Q × kNum / (P × kDen). */
interface InverseScale {
  readonly num: bigint;
  readonly den: bigint;
}

const scales = new WeakMap<MarketRiskParams, InverseScale>();

function scaleOf(params: MarketRiskParams): InverseScale {
  let s = scales.get(params);
  if (s !== undefined) return s;
  const k = params.model.contractValueQuote;
  if (params.model.contract !== 'INVERSE' || k === null) {
    throw new DomainError(RiskErrorCode.InvalidArgument, `${params.symbol} is not an INVERSE contract`);
  }
  const lot = params.lot;
  const tick = params.tick;
  // V = q × lot × K × 10^sd / (P/spt × tick)
  s = {
    num: lot.mantissa * k.mantissa * 10n ** BigInt(params.settleDecimals + tick.scale) * BigInt(params.markSubticksPerTick),
    den: 10n ** BigInt(lot.scale + k.scale) * tick.mantissa,
  };
  scales.set(params, s);
  return s;
}

/** Exact signed coin value V = Q × K / P in settle units (P in subticks). */
export function inverseValue(params: MarketRiskParams, qtyLots: number, priceSubticks: number): Ratio {
  const q = requireQtyLots('qtyLots', qtyLots);
  const p = requirePrice('priceSubticks', priceSubticks);
  const s = scaleOf(params);
  return ratio(BigInt(q) * s.num, BigInt(p) * s.den);
}

function round(name: string, r: Ratio, rounding: Rounding): number {
  return requireSafeResult(name, Number(divRoundBig(r.num, r.den, rounding)));
}

function abs(r: Ratio): Ratio {
  return r.num < 0n ? { num: -r.num, den: r.den } : r;
}

/** Signed coin cost of a fill of Q lots at a tick price, rounded down (the cost basis C). */
export function inverseFillCostUnits(params: MarketRiskParams, qtyLots: number, priceTicks: number): number {
  const p = requirePrice('priceTicks', priceTicks);
  return round('inverseFillCostUnits', inverseValue(params, qtyLots, p * params.markSubticksPerTick), Rounding.Floor);
}

/** BitMEX PnL `Q × K × (1/entry − 1/exit)` in coin units, rounded down. */
export function inversePnlUnits(params: MarketRiskParams, qtyLots: number, entrySubticks: number, exitSubticks: number): number {
  const entry = inverseValue(params, qtyLots, entrySubticks);
  const exit = inverseValue(params, qtyLots, exitSubticks);
  return round('inversePnlUnits', { num: entry.num * exit.den - exit.num * entry.den, den: entry.den * exit.den }, Rounding.Floor);
}

/** UPnL = C − V(M), rounded down. */
export function inverseUnrealizedPnlUnits(params: MarketRiskParams, qtyLots: number, costUnits: number, markSubticks: number): number {
  const c = BigInt(requireUnits('costUnits', costUnits));
  const v = inverseValue(params, qtyLots, markSubticks);
  return round('inverseUnrealizedPnlUnits', { num: c * v.den - v.num, den: v.den }, Rounding.Floor);
}

/** IM = ceil(|V(M)| / L). */
export function inverseInitialMarginUnits(params: MarketRiskParams, qtyLots: number, markSubticks: number, leverage: number): number {
  const lev = BigInt(requireLeverage(params, leverage));
  const v = abs(inverseValue(params, qtyLots, markSubticks));
  return round('inverseInitialMarginUnits', { num: v.num, den: v.den * lev }, Rounding.Ceil);
}

/** Tier of a coin value |V| = num / den (N ≤ cap_k picks k). */
function tierOf(params: MarketRiskParams, v: Ratio): number {
  const caps = params.tiers.capUnits;
  const last = params.tiers.count - 1;
  for (let k = 0; k < last; k++) if (v.num <= BigInt(caps[k]) * v.den) return k;
  return last;
}

/** MM = ceil(|V(M)| × mmr_k) − cum_k, k the tier of |V(M)| in coin units. */
export function inverseMaintenanceMarginUnits(params: MarketRiskParams, qtyLots: number, markSubticks: number): number {
  const v = abs(inverseValue(params, qtyLots, markSubticks));
  const k = tierOf(params, v);
  return round('inverseMaintenanceMarginUnits', { num: v.num * BigInt(params.tiers.mmrE8[k]), den: v.den * E8N }, Rounding.Ceil) - params.tiers.cumUnits[k];
}

/** Funding paid `V(P_f) × F`, rounded up: payers pay the ceiling, receivers get the floor. */
export function inverseFundingPaymentUnits(params: MarketRiskParams, qtyLots: number, fundingPriceSubticks: number, rateE8: number): number {
  const rate = BigInt(requireUnits('rateE8', rateE8));
  const v = inverseValue(params, qtyLots, fundingPriceSubticks);
  return round('inverseFundingPaymentUnits', { num: v.num * rate, den: v.den * E8N }, Rounding.Ceil);
}

export interface InversePriceInput {
  /** Signed Q, ≠ 0. */
  readonly qtyLots: number;
  /** Signed coin cost basis C (inverseFillCostUnits summed). */
  readonly costUnits: number;
  /** Current mark: the first tier tried is the one at mark. */
  readonly markSubticks: number;
  /** W in coin units (see the module doc). */
  readonly walletUnits: number;
}

/** The price in ticks at which V = target (a coin value with the sign of Q), or null. */
function priceForValue(params: MarketRiskParams, q: number, target: Ratio): Ratio | null {
  if (target.num === 0n || target.num < 0n !== q < 0) return null;
  const s = scaleOf(params);
  // P(subticks) = Q × kNum / (V × kDen); ticks = P / spt
  return ratio(BigInt(q) * s.num * target.den, target.num * s.den * BigInt(params.markSubticksPerTick));
}

function prepare(params: MarketRiskParams, input: InversePriceInput): { q: number; base: bigint } {
  const q = requireQtyLots('qtyLots', input.qtyLots);
  if (q === 0) throw new DomainError(RiskErrorCode.InvalidArgument, 'qtyLots must not be 0 for an inverse price');
  requirePrice('markSubticks', input.markSubticks);
  return { q, base: BigInt(requireUnits('walletUnits', input.walletUnits)) + BigInt(requireUnits('costUnits', input.costUnits)) };
}

/** Liquidation price (E = MM) of an inverse position, with tier re-selection; null when no price reaches it. */
export function inverseLiquidationPrice(params: MarketRiskParams, input: InversePriceInput): DerivedPrice | null {
  const { q, base } = prepare(params, input);
  const sign = q > 0 ? 1n : -1n;
  const valueAt = (k: number): Ratio => ratio((base + BigInt(params.tiers.cumUnits[k])) * E8N, E8N + sign * BigInt(params.tiers.mmrE8[k]));
  let k = tierOf(params, abs(inverseValue(params, q, input.markSubticks)));
  let v = valueAt(k);
  for (let round = 0; round < params.tiers.count; round++) {
    const next = tierOf(params, abs(v));
    if (next === k) break;
    k = next;
    v = valueAt(k);
  }
  const ticks = priceForValue(params, q, v);
  return ticks === null ? null : derivedPrice(params, ticks, k, q > 0);
}

export interface InverseBankruptcy {
  /** Book limit in ticks: long rounded up, short down. */
  readonly limitPriceTicks: number;
  readonly price: DerivedPrice;
}

/** Bankruptcy price (E = 0) of a whole inverse position; null when no price reaches it. */
export function inverseBankruptcyPrice(params: MarketRiskParams, input: InversePriceInput): InverseBankruptcy | null {
  const { q, base } = prepare(params, input);
  const ticks = priceForValue(params, q, { num: base, den: 1n });
  if (ticks === null) return null;
  const long = q > 0;
  const limitPriceTicks = round('inverseBankruptcyPriceTicks', ticks, long ? Rounding.Ceil : Rounding.Floor);
  return Object.freeze({ limitPriceTicks, price: derivedPrice(params, ticks, 0, long) });
}
