/**
 * The conservation invariants of RISK-SPEC §9, computed from the state with bigint
 * sums (they can outgrow 2^53). An operational audit: cheap enough to run after
 * every event in tests, and on demand in production.
 *
 * 1. Open interest: per market Σ long lots = Σ short lots (the fund included).
 * 2. Money, settle asset: Σ over every account (the fee account and the insurance
 *    funds are accounts) of (WB + isolated buckets − Σ C) + Σ funding pools =
 *    deposits − withdrawals, to the unit. Every other asset: Σ balances = deposits
 *    − withdrawals. The lending pool's cash counts as a holding of its asset
 *    (defi-liquidation/pool-audit.ts, which also checks the pool's own books).
 * 4. Funding: per market `pool × S + Σ_open (G − G_pos) × Q` equals the accumulated
 *    settlement residue, which is ≥ 0 (payers pay the ceiling; the truncation stays
 *    in the market's funding pool, its named account).
 * 6. The insurance funds' settle balances are never negative.
 * Loans (loans/loan-audit.ts): the lending pool and locked collateral count in the
 * money sums, and the lender's book of principal and interest balances to the unit.
 */
import type { RiskState } from '../risk-state.js';
import { loanHeldUnits, loanProblems } from '../loans/loan-audit.js';
import { auditLendingPool, poolCashUnits } from '../defi-liquidation/pool-audit.js';

export interface ConservationReport {
  readonly ok: boolean;
  readonly problems: readonly string[];
  /** Σ (WB + buckets − Σ C) + pools, settle asset. */
  readonly settleHeldUnits: bigint;
  readonly settleNetDepositsUnits: bigint;
  readonly fundingResidueScaled: readonly bigint[];
}

export function auditConservation(s: RiskState): ConservationReport {
  const problems: string[] = [];
  const acc = s.accounts;
  const led = s.ledger;
  let held = 0n;
  for (let slot = 0; slot < acc.count; slot++) held += BigInt(acc.balances[0][slot]);
  const long = s.markets.map(() => 0);
  const short = s.markets.map(() => 0);
  const pending = s.markets.map(() => 0n);
  for (let r = 0; r < led.count; r++) {
    held += BigInt(led.isolatedUnits[r]) - BigInt(led.costUnits[r]);
    const q = led.qtyLots[r];
    const m = led.market[r];
    if (q > 0) long[m] += q;
    else short[m] -= q;
    if (q !== 0) pending[m] += (s.markets[m].fundingIndex - led.fundingSnapshot[r]) * BigInt(q);
  }
  const residues: bigint[] = [];
  for (const market of s.markets) {
    held += BigInt(market.fundingPoolUnits);
    const m = market.index;
    if (long[m] !== short[m]) problems.push(`${market.symbol}: long ${long[m]} lots ≠ short ${short[m]} lots`);
    if (long[m] !== market.longLots || short[m] !== market.shortLots) problems.push(`${market.symbol}: open interest counters ${market.longLots}/${market.shortLots} ≠ rows ${long[m]}/${short[m]}`);
    const residue = BigInt(market.fundingPoolUnits) * market.fundingScale + pending[m];
    residues.push(residue);
    if (residue !== market.fundingResidueScaled) problems.push(`${market.symbol}: funding pool × S + pending = ${residue} ≠ accumulated residue ${market.fundingResidueScaled}`);
    if (residue < 0n) problems.push(`${market.symbol}: funding residue ${residue} < 0`);
  }
  held += loanHeldUnits(s, 0);
  held += poolCashUnits(s, 0);
  const net = s.depositedUnits[0] - s.withdrawnUnits[0];
  if (held !== net) problems.push(`settle asset: held ${held} ≠ deposits − withdrawals ${net} (off by ${held - net})`);
  for (let a = 1; a < acc.assetCount; a++) {
    let total = 0n;
    for (let slot = 0; slot < acc.count; slot++) total += BigInt(acc.balances[a][slot]);
    total += loanHeldUnits(s, a);
    total += poolCashUnits(s, a);
    const assetNet = s.depositedUnits[a] - s.withdrawnUnits[a];
    if (total !== assetNet) problems.push(`${s.setup.assetCodes[a]}: Σ balances ${total} ≠ deposits − withdrawals ${assetNet}`);
  }
  problems.push(...loanProblems(s));
  auditLendingPool(s, problems);
  for (const [fundId, slot] of s.fundSlotById) if (acc.balances[0][slot] < 0) problems.push(`insurance fund ${fundId} balance ${acc.balances[0][slot]} < 0`);
  return { ok: problems.length === 0, problems, settleHeldUnits: held, settleNetDepositsUnits: net, fundingResidueScaled: residues };
}
