/**
 * Per-asset balance bounds of the risk stage: how much of an asset one account may
 * hold through deposits (`maxBalanceUnits`) and how much the whole stage may hold
 * (`maxNetDepositsUnits`, deposits − withdrawals), chosen so that every sum the
 * stage forms in JS numbers stays an exact integer. Validated once, at load
 * (`createBalanceLimits`); a deposit above either bound is refused
 * (RISK_BALANCE_ABOVE_MAX, RISK_NET_DEPOSITS_ABOVE_MAX) and changes nothing.
 *
 * The arithmetic (H = 2^53 − 1, the largest exact JS integer):
 * - Settle asset. The net-deposit cap is at most D = 2^52 = (H + 1) / 2 (4.5e15
 *   units: 4.5 billion USDT at 6 decimals; `npm start`'s simulated venue alone
 *   deposits 2.5e15). Conservation (RISK-SPEC §9.2) keeps Σ (WB + buckets − ΣC) +
 *   fee account + pools = net deposits ≤ D, so every money cell — a wallet, an
 *   isolated bucket, the fee account, an insurance fund, a funding pool — holds at
 *   most D plus what positions realize from each other. One fill leg forms
 *   `WB − PF + realized − fee` and the fee account `fees + fee`; each term past
 *   the first is bounded by the position's notional, and order entry admits no
 *   position above the market's top tier cap N (RISK_NOTIONAL_ABOVE_MAX_TIER), so
 *   the load check `D + 4 × N ≤ H` per market leaves room for the terms of one leg
 *   on top of the whole stage's money (the default venue's largest N is 20
 *   million USDT = 2e13 units; the headroom H − D is 4.5e15).
 * - Collateral assets. Their balances are valued in the settle asset at the index
 *   (collateral.ts) and an account's collateral values are summed with its wallet,
 *   so the k collateral assets share the other half of the range: each asset's
 *   cap is the largest balance whose value at the index market's highest price is
 *   at most V = 2^52 / (2k) (a sum of k such values plus a wallet of at most D plus
 *   UPnL stays below H):
 *   `floor(V × perAssetUnits / (maxPriceTicks × markSubticksPerTick ×
 *   settleUnitsPerSubtick))`, and at most D.
 * - Totals that grow without bound (deposits, withdrawals, the funding residue, the
 *   conservation sums) are bigint and need no cap.
 * What these bounds cannot promise — a cross account realizing more from gapped
 * markets than the headroom — the fill plan (fill-settlement.ts) checks exactly
 * before the first write: a value outside the safe range halts the stage instead
 * of being rounded or half-applied.
 *
 * A bound can be lowered per asset in the config (`balanceLimits`), never raised
 * above these defaults. Balances can exceed `maxBalanceUnits` through trading; the
 * bound refuses deposits only.
 */
import { DomainError } from '@perpcore/domain';
import type { CollateralSetup, RiskMarketConfig } from '../risk-config.js';

/** 2^52: the settle asset's ceiling, half of the safe-integer range. */
export const SETTLE_NET_DEPOSITS_CEILING_UNITS = 2 ** 52;

/** V: the most one collateral asset's balance may be worth at its highest index price, with k collateral assets. */
export function collateralValueBudgetUnits(collateralCount: number): bigint {
  return BigInt(SETTLE_NET_DEPOSITS_CEILING_UNITS) / BigInt(2 * Math.max(1, collateralCount));
}

export interface AssetBalanceLimitConfig {
  /** Most a single account may hold of the asset after a deposit. */
  readonly maxBalanceUnits?: number;
  /** Most the stage may hold of the asset in total (deposits − withdrawals, insurance seeds included). */
  readonly maxNetDepositsUnits?: number;
}

/** Per asset index (0 = settle). */
export interface BalanceLimits {
  readonly maxBalanceUnits: readonly number[];
  readonly maxNetDepositsUnits: readonly bigint[];
}

function bad(key: string, why: string): never {
  throw new DomainError('RISK_INVALID_CONFIG', `${key} ${why}`);
}

/** The default (and highest allowed) net-deposit cap of each asset, per the arithmetic above. */
function ceilingsUnits(markets: readonly RiskMarketConfig[], collateral: readonly CollateralSetup[]): number[] {
  const settle = BigInt(SETTLE_NET_DEPOSITS_CEILING_UNITS);
  const H = BigInt(Number.MAX_SAFE_INTEGER);
  for (const m of markets) {
    const tiers = m.risk.tiers;
    const topCapUnits = BigInt(tiers.capUnits[tiers.count - 1]);
    if (settle + 4n * topCapUnits > H) {
      bad(`${m.spec.symbol}.risk.tiers`, `top tier cap ${topCapUnits} units leaves no headroom above the settle cap 2^52: it must satisfy 2^52 + 4 × cap ≤ 2^53 − 1`);
    }
  }
  const out = [SETTLE_NET_DEPOSITS_CEILING_UNITS];
  const budget = collateralValueBudgetUnits(collateral.length);
  for (const c of collateral) {
    const market = markets[c.indexMarket];
    const maxSubticks = BigInt(market.spec.maxPriceTicks) * BigInt(market.risk.markSubticksPerTick);
    const cap = (budget * BigInt(c.perAssetUnits)) / (maxSubticks * BigInt(c.settleUnitsPerSubtick));
    if (cap < 1n) bad(`collateral ${c.asset.asset}`, `cannot hold one unit: one unit at the highest index price is worth more than its value budget ${budget}`);
    out.push(Number(cap < settle ? cap : settle));
  }
  return out;
}

export function createBalanceLimits(
  assetCodes: readonly string[],
  markets: readonly RiskMarketConfig[],
  collateral: readonly CollateralSetup[],
  config: Readonly<Record<string, AssetBalanceLimitConfig>> = {},
): BalanceLimits {
  for (const code of Object.keys(config)) if (!assetCodes.includes(code)) bad(`balanceLimits.${code}`, 'names an asset the stage does not accept');
  const ceilings = ceilingsUnits(markets, collateral);
  const maxBalanceUnits: number[] = [];
  const maxNetDepositsUnits: bigint[] = [];
  assetCodes.forEach((code, a) => {
    const given = config[code] ?? {};
    const net = given.maxNetDepositsUnits ?? ceilings[a];
    if (!Number.isSafeInteger(net) || net < 1 || net > ceilings[a]) bad(`balanceLimits.${code}.maxNetDepositsUnits`, `must be an integer in 1..${ceilings[a]}, got ${String(net)}`);
    const perAccount = given.maxBalanceUnits ?? net;
    if (!Number.isSafeInteger(perAccount) || perAccount < 1 || perAccount > net) bad(`balanceLimits.${code}.maxBalanceUnits`, `must be an integer in 1..${net} (the net-deposit cap), got ${String(perAccount)}`);
    maxBalanceUnits.push(perAccount);
    maxNetDepositsUnits.push(BigInt(net));
  });
  return { maxBalanceUnits, maxNetDepositsUnits };
}
