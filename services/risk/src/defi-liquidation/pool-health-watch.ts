/**
 * Health-factor transitions of pool positions, for the liquidators' event stream:
 * `HealthFactorBelowOneV1` when a position's HF (at the oracle index price) falls
 * below 1, `HealthFactorRecoveredV1` when it is back at or above 1 or has no debt.
 * Events on transitions only. Re-evaluated after every pool change of the position
 * and, for every position with debt, after every applied index price
 * (`onIndex`, in the positions' opening order, so the same log gives the same events).
 * On index ticks a float screen skips positions clearly on the side last published;
 * every transition is decided on the exact rationals.
 *
 * Also the candidates query: every position with HF < 1 now, with the version a
 * `liquidationCall` must name.
 */
import { healthFactorE8, healthFactorReport, isHealthFactorBelowOne } from '@perpcore/margin';
import type { perpcore } from '@perpcore/proto';
import type { RiskState } from '../risk-state.js';
import type { PoolPosition } from './lending-pool.js';
import { HF_SCREEN_MARGIN, approxHealthFactor, debtNowUnits, poolAssetFeed, poolLegs, positionHealthFactor } from './pool-valuation.js';

export interface LiquidationCandidate {
  readonly accountId: number;
  readonly positionSeq: number;
  readonly healthFactorE8: bigint;
  /** Per pool asset with a balance: supplied and debt now (interest included). */
  readonly legs: readonly { readonly asset: string; readonly suppliedUnits: number; readonly debtUnits: number }[];
}

export class PoolHealthWatch {
  transitions = 0;

  constructor(private readonly s: RiskState) {}

  healthFactorE8(p: PoolPosition): bigint | null {
    const hf = positionHealthFactor(this.s, this.s.lendingPool, p);
    return hf === undefined ? null : healthFactorE8(hf);
  }

  /** Publishes the transition of `p`, if any; `feed` names the index market that moved ("" after a command). */
  evaluate(p: PoolPosition, feed: string, tsNs: number): void {
    const s = this.s;
    const pool = s.lendingPool;
    const legs = poolLegs(s, pool, p, 'lt');
    if (legs === null) return; // no price yet: nothing can be decided
    const r = healthFactorReport(legs.collateral, legs.debt);
    if (r.liquidatable === p.belowOne) return;
    p.belowOne = r.liquidatable;
    this.transitions++;
    const slot = s.accounts.slotOf(p.accountId);
    if (r.liquidatable) {
      s.events.account(p.accountId, slot, '', tsNs, {
        event: 'healthFactorBelowOne',
        healthFactorBelowOne: {
          healthFactorE8: String(r.healthFactorE8),
          acceptedCollateralUnits: String(r.acceptedCollateralUnits),
          debtValueUnits: String(r.debtValueUnits),
          positionSeq: p.version,
          triggerPriceFeed: feed,
        } as perpcore.risk.v1.HealthFactorBelowOneV1,
      });
    } else {
      s.events.account(p.accountId, slot, '', tsNs, {
        event: 'healthFactorRecovered',
        healthFactorRecovered: { healthFactorE8: r.healthFactorE8 === null ? '' : String(r.healthFactorE8), positionSeq: p.version } as perpcore.risk.v1.HealthFactorRecoveredV1,
      });
    }
  }

  /** After an applied index of market `m`: every position with debt whose legs that index prices. */
  onIndex(m: number, tsNs: number): void {
    const s = this.s;
    const pool = s.lendingPool;
    if (!pool.enabled) return;
    const feed = s.markets[m].symbol;
    let priced = false;
    for (let k = 0; k < pool.setup.assets.length; k++) if (poolAssetFeed(s, pool, k) === feed) priced = true;
    if (!priced) return;
    for (const p of pool.positions.values()) {
      if (!p.belowOne && !pool.hasDebt(p)) continue;
      // float screen: a position clearly on the side it was last published on needs no exact evaluation
      const hf = approxHealthFactor(s, pool, p);
      if (p.belowOne ? hf < 1 - HF_SCREEN_MARGIN : hf > 1 + HF_SCREEN_MARGIN) continue;
      this.evaluate(p, feed, tsNs);
    }
  }

  candidates(): LiquidationCandidate[] {
    const s = this.s;
    const pool = s.lendingPool;
    const out: LiquidationCandidate[] = [];
    for (const p of pool.positions.values()) {
      const hf = positionHealthFactor(s, pool, p);
      if (hf === undefined || !isHealthFactorBelowOne(hf)) continue;
      const legs = [];
      for (let k = 0; k < pool.setup.assets.length; k++) {
        const debt = debtNowUnits(pool, p, k);
        if (p.suppliedUnits[k] > 0 || debt > 0) legs.push({ asset: s.setup.assetCodes[pool.setup.assets[k].assetIndex], suppliedUnits: p.suppliedUnits[k], debtUnits: debt });
      }
      out.push({ accountId: p.accountId, positionSeq: p.version, healthFactorE8: healthFactorE8(hf) as bigint, legs });
    }
    return out;
  }
}
