/**
 * Prices and quantities as whole steps of a market's tick or lot (exchangeInfo's
 * `tickSize` / `stepSize` strings), converted without floats: a decimal string is
 * a bigint mantissa and a count of decimals.
 */
export interface StepSize {
  readonly mantissa: bigint;
  readonly decimals: number;
}

export function stepSizeOf(text: string): StepSize {
  const m = /^([0-9]+)(?:\.([0-9]+))?$/.exec(text);
  if (m === null) throw new Error(`step size ${JSON.stringify(text)} is not a decimal`);
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  const mantissa = BigInt(`${m[1]}${fraction}`);
  if (mantissa <= 0n) throw new Error(`step size ${JSON.stringify(text)} must be positive`);
  return { mantissa, decimals: fraction.length };
}

/** `steps × step` as a decimal string (what the REST API takes). */
export function formatSteps(steps: number, step: StepSize): string {
  const digits = (BigInt(steps) * step.mantissa).toString().padStart(step.decimals + 1, '0');
  if (step.decimals === 0) return digits;
  return `${digits.slice(0, -step.decimals)}.${digits.slice(-step.decimals)}`;
}

/** Whole steps in a decimal string, rounded down (a mark price between ticks lands on the tick below). */
export function stepsIn(text: string, step: StepSize): number {
  const m = /^([0-9]+)(?:\.([0-9]+))?$/.exec(text);
  if (m === null) throw new Error(`${JSON.stringify(text)} is not a decimal`);
  const fraction = (m[2] ?? '').padEnd(step.decimals, '0');
  const scaled = BigInt(`${m[1]}${fraction.slice(0, step.decimals)}`);
  return Number(scaled / step.mantissa);
}

/**
 * The fewest lots whose notional at `priceTicks` is at least `notionalMicro` µ-units
 * of the quote asset: ceil(notional / (price × lot)), exact.
 */
export function lotsForNotional(priceTicks: number, tick: StepSize, lot: StepSize, notionalMicro: bigint): number {
  const perLotScaled = BigInt(priceTicks) * tick.mantissa * lot.mantissa; // notional of one lot × 10^(dt+dl)
  const targetScaled = notionalMicro * 10n ** BigInt(tick.decimals + lot.decimals);
  const micro = 1_000_000n;
  const denominator = perLotScaled * micro;
  return Math.max(1, Number((targetScaled + denominator - 1n) / denominator));
}
