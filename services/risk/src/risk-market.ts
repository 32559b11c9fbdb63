/**
 * Per-market state of the risk stage: the market's spec and risk parameters, fee
 * rates, prices (index X, mark M and its components, last trade), the funding
 * cumulative index G and the market's funding pool, open interest, and the input
 * and output sequence numbers of the market's streams.
 *
 * Invariants
 * - `longLots = shortLots` after every applied event (RISK-SPEC §9.1; audited).
 * - `fundingPoolUnits × S + Σ_open (G − G_pos) × Q = fundingResidueScaled`, with
 *   S = 1e8 × markSubticksPerTick (§9.4): each settlement leaves a residue in [0, S).
 * - `markSubticks = 0` until the first index (or first fill, which marks at the fill
 *   price provisionally so a position is never valued without a price).
 * - `indexTsNs` (the symbol's last applied index time, 0 before the first) only
 *   grows: the index gate refuses an index stamped at or before it.
 * - `lastMatchingSeq` only grows: an event of the per-market matching stream at or
 *   below it was applied already and is dropped.
 * - `initialFractionE8()` is a pure function of `longLots` and the index (or mark): a
 *   cache, not state, so it is in neither the state hash nor the snapshot.
 */
import { type MarketSpec, Rounding, divRound } from '@perpcore/domain';
import { type MarketRiskParams, type ScopeLevels, fundingIndexScale, imfRampE8, openNotionalUnits, scopeLevelsOf } from '@perpcore/margin';
import type { RiskMarketConfig } from './risk-config.js';

export class RiskMarket {
  readonly symbol: string;
  readonly spec: MarketSpec;
  readonly params: MarketRiskParams;
  readonly makerFeeRateE8: number;
  readonly takerFeeRateE8: number;
  readonly defaultLeverage: number;
  readonly isolatedLevels: ScopeLevels;
  readonly fundingScale: bigint;
  /** Slot of the insurance fund account backing this market (set by the engine). */
  fundSlot = -1;

  indexSubticks = 0;
  indexTsNs = 0;
  markSubticks = 0;
  markP1Subticks = 0;
  markP2Subticks = 0;
  markP3Subticks = 0;
  lastTradeTicks = 0;

  fundingIndex = 0n;
  fundingPoolUnits = 0;
  fundingResidueScaled = 0n;
  lastFundingRateE8 = 0;
  lastPublishedRateE8: number | null = null;

  longLots = 0;
  shortLots = 0;

  /** Per-market stream of RiskEventV1 market events (mark, funding). */
  marketEventSeq = 0;
  /** Per-market stream of commands this shard sends to matching. */
  commandSeq = 0;
  /** Last applied `MatchingEventV1.seq` of the per-market stream. */
  lastMatchingSeq = 0;

  constructor(
    readonly index: number,
    config: RiskMarketConfig,
  ) {
    this.spec = config.spec;
    this.symbol = config.spec.symbol;
    this.params = config.risk;
    this.makerFeeRateE8 = config.makerFeeRateE8;
    this.takerFeeRateE8 = config.takerFeeRateE8;
    this.defaultLeverage = config.defaultLeverage ?? Math.min(20, config.risk.tiers.maxLeverage[0]);
    this.isolatedLevels = scopeLevelsOf(config.risk);
    this.fundingScale = fundingIndexScale(config.risk);
  }

  /**
   * The market's IMF_RAMP fraction now (E8; 0 when the market's IM is FIXED): dYdX's
   * ramp on the open notional `longLots × index` (the mark until the first index),
   * recomputed only when open interest or that price moved. Allocation-free.
   */
  initialFractionE8(): number {
    const ramp = this.params.model.imfRamp;
    if (ramp === null) return 0;
    const price = this.indexSubticks > 0 ? this.indexSubticks : this.markSubticks;
    if (this.imfLongLots !== this.longLots || this.imfPriceSubticks !== price) {
      this.imfLongLots = this.longLots;
      this.imfPriceSubticks = price;
      this.imfE8 = price > 0 ? imfRampE8(ramp, openNotionalUnits(this.params, this.longLots, price)) : ramp.baseImfE8;
    }
    return this.imfE8;
  }

  private imfLongLots = -1;
  private imfPriceSubticks = -1;
  private imfE8 = 0;

  /** The mark in whole ticks, rounded up (matching's mark triggers and band reference). */
  markTicksRoundedUp(): number {
    return divRound(this.markSubticks, this.params.markSubticksPerTick, Rounding.Ceil);
  }
}
