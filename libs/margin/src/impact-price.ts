/**
 * Impact notional and impact prices (RISK-SPEC §5.3).
 *
 * `IMN = impactMarginUnits / IMR_max`, with `IMR_max = 1 / maxLeverage_1`, so
 * `IMN = impactMarginUnits × maxLeverage_1` (units, exact).
 *
 * Impact bid (ask): the average price of selling (buying) IMN notional into the bids
 * (asks), walking levels best first. The last level is taken fractionally, so the
 * average is exact: with full levels of `filledLots` and `rest` units left at
 * level price p, `avg = IMN × p / (filledLots × lotTickUnits × p + rest)` ticks. If
 * the side cannot fill IMN the result is null (that premium sample counts as 0).
 *
 * Purity: levels come in as arrays, or through a caller-owned walker whose `visit`
 * fits the order book's `forEachLevel(side, maxLevels, visit)`; nothing is read from
 * a book here.
 *
 * Rounding: none (exact rational; the premium rounds).
 *
 * Example (RISK-SPEC §11.6): max leverage 20×, impact margin 200 USDT → IMN 4,000.
 * Bids 1 BTC @ 30,015 and more below: selling 4,000 USDT fills inside the first
 * level, so the impact bid is 30,015.
 */
import { DomainError } from '@perpcore/domain';
import type { Ratio } from './exact-ratio.js';
import type { MarketRiskParams } from './market-risk-params.js';
import { requirePrice } from './input-guards.js';
import { mulDivFloorWide, wideRemainder } from './wide-arithmetic.js';

/** IMN in settle units. */
export function impactNotionalUnits(params: MarketRiskParams): number {
  const imn = params.impactMarginUnits * params.tiers.maxLeverage[0];
  if (!Number.isSafeInteger(imn)) throw new DomainError('DOMAIN_OUT_OF_RANGE', `${params.symbol}: impact notional exceeds the safe-integer range`);
  return imn;
}

/** Caller-owned accumulator over book levels, best first. */
export interface ImpactPriceWalker {
  /** Starts a new walk for `impactNotionalUnits`. */
  begin(impactNotionalUnits: number): void;
  /** Feeds one level; levels after the fill are ignored. A bound function: pass it as a visitor. */
  readonly visit: (priceTicks: number, qtyLots: number) => void;
  /** The impact price in ticks, or null when the levels could not fill the notional. */
  result(): Ratio | null;
}

export function createImpactPriceWalker(params: MarketRiskParams): ImpactPriceWalker {
  const ltu = params.lotTickUnits;
  let target = 0;
  let rest = 0;
  let filledLots = 0;
  let lastPrice = 0;
  let done = false;
  const visit = (priceTicks: number, qtyLots: number): void => {
    if (done) return;
    requirePrice('priceTicks', priceTicks);
    requirePrice('qtyLots', qtyLots);
    const perLotUnits = priceTicks * ltu;
    if (!Number.isSafeInteger(perLotUnits)) throw new DomainError('DOMAIN_OUT_OF_RANGE', 'priceTicks × lotTickUnits exceeds the safe-integer range');
    // lots this level must supply to finish: ceil(rest / perLotUnits), exact
    const whole = mulDivFloorWide(rest, 1, perLotUnits);
    const needLots = wideRemainder() > 0 ? whole + 1 : whole;
    if (qtyLots >= needLots) {
      lastPrice = priceTicks;
      done = true;
      return;
    }
    rest -= qtyLots * perLotUnits;
    filledLots += qtyLots;
  };
  return {
    begin(impactNotionalUnits: number): void {
      target = requirePrice('impactNotionalUnits', impactNotionalUnits);
      rest = target;
      filledLots = 0;
      lastPrice = 0;
      done = false;
    },
    visit,
    result(): Ratio | null {
      if (!done) return null;
      const p = BigInt(lastPrice);
      return { num: BigInt(target) * p, den: BigInt(filledLots) * BigInt(ltu) * p + BigInt(rest) };
    },
  };
}

/** Impact price from parallel arrays of levels (best first), or null if they cannot fill. */
export function impactPriceFromLevels(
  params: MarketRiskParams,
  priceTicks: ArrayLike<number>,
  qtyLots: ArrayLike<number>,
  impactNotionalUnits: number,
): Ratio | null {
  if (priceTicks.length !== qtyLots.length) throw new DomainError('RISK_INVALID_ARGUMENT', 'priceTicks and qtyLots must have the same length');
  const walker = createImpactPriceWalker(params);
  walker.begin(impactNotionalUnits);
  for (let i = 0; i < priceTicks.length; i++) walker.visit(priceTicks[i], qtyLots[i]);
  return walker.result();
}
