/**
 * A seeded simulated index for embedded mode: each symbol's "true" price follows a
 * random walk with occasional jumps, and a basket of simulated spot sources quotes
 * around it (with the odd outlier), aggregated by the real basket rule.
 *
 * Determinism: the path is a function of the seed, the config and the number of
 * whole steps since `startTsNs` only: `quoteAt(symbol, t)` returns the same value
 * for the same t whatever the call pattern. Each step draws a fixed number of
 * random values (walk, jump, then one noise and one outlier draw per source), and
 * uses only IEEE-exact operations (+, −, ×, /, sqrt, round), so every platform
 * computes the same integers. No clock: time is the argument.
 *
 * Step model, per `stepNs` (default 1 s), with z ≈ N(0, 1) (Irwin–Hall of 4 uniforms):
 *   r = volatilityE8/1e8 × z  (+ ±jumpSizeE8/1e8 × U(0.5, 1) with probability jumpChanceE8/1e8)
 *   price ← max(minPriceSubticks, round(price × (1 + r)))
 * Source i quotes round(price × (1 + noise)), noise uniform in ±sourceNoiseE8/1e8,
 * or an outlier (± outlierSizeE8/1e8) with probability outlierChanceE8/1e8.
 *
 * Example: BTC-USDT from 30,000.00 (3,000,000 subticks at 100/tick) with
 * volatility 0.02% per second drifts by roughly ±6 USDT a second, and with jump
 * chance 1e-4 per second jumps 1–2% about every three hours.
 */
import { DomainError } from '@perpcore/domain';
import { SeededRandom } from '@perpcore/simulation';
import { type BasketRule, OutlierRule, aggregateIndex } from './index-basket.js';
import type { IndexQuote, PriceFeed } from './price-feed.js';

export interface SimulatedSymbolConfig {
  readonly symbol: string;
  readonly startPriceSubticks: number;
  /** Std-dev of one step's return, 1e-8. */
  readonly volatilityE8: number;
  /** Chance of a jump per step, 1e-8. */
  readonly jumpChanceE8: number;
  /** Largest jump, 1e-8 of the price (a jump is 50–100% of it, either sign). */
  readonly jumpSizeE8: number;
  /** Floor of the walk (> 0). */
  readonly minPriceSubticks?: number;
  /** Number of simulated spot sources (default 3). */
  readonly sourceCount?: number;
  readonly sourceNoiseE8?: number;
  readonly outlierChanceE8?: number;
  readonly outlierSizeE8?: number;
}

export interface SimulatedIndexConfig {
  readonly seed: number;
  /** Time of step 0 (the start price). */
  readonly startTsNs: number;
  readonly stepNs?: number;
  readonly symbols: readonly SimulatedSymbolConfig[];
  readonly basket?: BasketRule;
}

const E8 = 100_000_000;
const SQRT3 = Math.sqrt(3);

interface SymbolPath {
  readonly config: SimulatedSymbolConfig;
  readonly random: SeededRandom;
  readonly sourceNames: string[];
  readonly sourcePrices: number[];
  readonly weightE8: number;
  priceSubticks: number;
  step: number;
  quote: IndexQuote;
}

function requireInt(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new DomainError('ORACLE_INVALID_CONFIG', `${name} must be a safe integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

export class SimulatedIndexFeed implements PriceFeed {
  readonly symbols: readonly string[];
  private readonly paths = new Map<string, SymbolPath>();
  private readonly stepNs: number;
  private readonly startTsNs: number;
  private readonly basket: BasketRule;

  constructor(config: SimulatedIndexConfig) {
    requireInt('seed', config.seed, 0);
    if (!Number.isInteger(config.startTsNs)) throw new DomainError('ORACLE_INVALID_CONFIG', `startTsNs must be an integer, got ${config.startTsNs}`);
    this.startTsNs = config.startTsNs;
    this.stepNs = requireInt('stepNs', config.stepNs ?? 1_000_000_000, 1);
    this.basket = config.basket ?? { outlierRule: OutlierRule.Drop, maxDeviationE8: 1_000_000 };
    const symbols: string[] = [];
    config.symbols.forEach((s, i) => {
      if (this.paths.has(s.symbol)) throw new DomainError('ORACLE_INVALID_CONFIG', `symbol ${s.symbol} is configured twice`);
      requireInt(`${s.symbol}.startPriceSubticks`, s.startPriceSubticks, 1);
      requireInt(`${s.symbol}.volatilityE8`, s.volatilityE8, 0);
      requireInt(`${s.symbol}.jumpChanceE8`, s.jumpChanceE8, 0);
      requireInt(`${s.symbol}.jumpSizeE8`, s.jumpSizeE8, 0);
      const sourceCount = requireInt(`${s.symbol}.sourceCount`, s.sourceCount ?? 3, 1);
      requireInt(`${s.symbol}.minPriceSubticks`, s.minPriceSubticks ?? 1, 1);
      const names = Array.from({ length: sourceCount }, (_, k) => `sim-${String.fromCharCode(97 + (k % 26))}${k >= 26 ? k : ''}`);
      const path: SymbolPath = {
        config: s,
        // one independent stream per symbol: adding a symbol does not change the others' paths
        random: new SeededRandom((config.seed + Math.imul(i + 1, 0x9e3779b9)) >>> 0),
        sourceNames: names,
        sourcePrices: names.map(() => s.startPriceSubticks),
        weightE8: Math.floor(E8 / sourceCount),
        priceSubticks: s.startPriceSubticks,
        step: 0,
        quote: { symbol: s.symbol, priceSubticks: s.startPriceSubticks, sources: [] },
      };
      path.quote = this.aggregate(path);
      this.paths.set(s.symbol, path);
      symbols.push(s.symbol);
    });
    this.symbols = Object.freeze(symbols);
  }

  quoteAt(symbol: string, tsNs: number): IndexQuote | undefined {
    const path = this.paths.get(symbol);
    if (path === undefined) return undefined;
    const target = tsNs <= this.startTsNs ? 0 : Math.floor((tsNs - this.startTsNs) / this.stepNs);
    if (target > path.step) {
      while (path.step < target) this.advance(path);
      path.quote = this.aggregate(path);
    }
    return path.quote;
  }

  private advance(path: SymbolPath): void {
    const c = path.config;
    const r = path.random;
    const z = (r.nextFloat() + r.nextFloat() + r.nextFloat() + r.nextFloat() - 2) * SQRT3;
    let ret = (c.volatilityE8 / E8) * z;
    const jumpRoll = r.nextFloat();
    const jumpSign = r.nextFloat() < 0.5 ? -1 : 1;
    const jumpScale = 0.5 + 0.5 * r.nextFloat();
    if (jumpRoll < c.jumpChanceE8 / E8) ret += jumpSign * jumpScale * (c.jumpSizeE8 / E8);
    path.priceSubticks = Math.max(c.minPriceSubticks ?? 1, Math.round(path.priceSubticks * (1 + ret)));
    const noise = (c.sourceNoiseE8 ?? 0) / E8;
    const outlierChance = (c.outlierChanceE8 ?? 0) / E8;
    const outlierSize = (c.outlierSizeE8 ?? 0) / E8;
    for (let k = 0; k < path.sourcePrices.length; k++) {
      const u = r.nextFloat();
      const o = r.nextFloat();
      const move = o < outlierChance ? (u < 0.5 ? -outlierSize : outlierSize) : noise * (2 * u - 1);
      path.sourcePrices[k] = Math.max(1, Math.round(path.priceSubticks * (1 + move)));
    }
    path.step++;
  }

  private aggregate(path: SymbolPath): IndexQuote {
    const index = aggregateIndex(
      path.sourceNames.map((source, k) => ({ source, priceSubticks: path.sourcePrices[k], weightE8: path.weightE8 })),
      this.basket,
    );
    return Object.freeze({ symbol: path.config.symbol, priceSubticks: index.priceSubticks, sources: Object.freeze(index.sources) });
  }
}
