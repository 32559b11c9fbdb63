/**
 * The auto-deleveraging queue of a market side (RISK-SPEC §8.8): every trader
 * position opposite the liquidated one, except the liquidated account itself,
 * insurance funds and fee accounts, and scopes that are being liquidated, ranked by
 * the market's `adlRanking` score descending, ties by account id.
 *
 * - PNL_X_LEVERAGE (default): `adlScorePnlTimesLeverage` with the candidate's own
 *   whole-position bankruptcy value (BV = Q × BP of its scope).
 * - LEVERAGE_PNL: `adlScoreLeveragePnl` with the candidate scope's wallet (or
 *   bucket), UPnL and MM.
 *
 * A run (`adlSlices`) walks the queue in order, each candidate closing
 * `min(remaining, its size)`, until the liquidated position is covered. When the
 * ranked traders hold fewer lots than the position, the run goes on, in tiers:
 * 1. ranked traders (above), the `ADL_COUNTERPARTY_KIND_RANKED_TRADER` legs;
 * 2. insurance funds holding the opposite side: the market's own fund first, then
 *    the others by account id. Reducing the fund's own position at BP only lowers
 *    its exposure, so no fund equity test applies (§8.7 judges taking on risk);
 * 3. opposite scopes that are themselves being liquidated, by account id, those whose
 *    own step IOC in the market is still out last (`lastSlots`: an IOC fill larger than
 *    the position left would turn it; their ladder then closes that too). They trade at
 *    the liquidated position's BP, which is beyond the mark in their favour (a
 *    long's BP is below mark, so the short that buys there gains): the reduction
 *    shrinks their position and raises their equity, and their own ladder re-reads
 *    both (positions and BP are read from risk at every step). A trader position the
 *    ranking cannot score (PNL_X_LEVERAGE skips a zero cost basis) is taken here
 *    too, as a ranked-trader leg, so no opposite position is ever left out.
 * Open interest is conserved (long = short), and one account holds one row per
 * market, so the tiers together always cover the position: a run that cannot is an
 * internal invariant breach (the caller halts the stage), never a reject.
 *
 * Scores are exact rationals compared by cross-multiplication. The ranked tier is
 * read from the kept ranking (adl-rankings.ts: rescored per change, rebuilt once per
 * price epoch), so a cascade's runs cost O(legs log n) after one O(n) build, not
 * O(holders) each; the 1–5 indicator and `adlQueue` read the same ranking.
 */
import { MarginMode } from '@perpcore/domain';
import { AdlRanking, type AdlScore, adlBucketsByCount, adlBucketsByQuantity } from '@perpcore/margin';
import { AccountKind } from '../accounts/account-book.js';
import { adlQueueRecomputed } from './adl-queue-recomputed.js';
import type { RowBankruptcy } from './adl-rankings.js';
import { MarginStateCode } from '../margin-watch/margin-state-code.js';
import type { RiskState } from '../risk-state.js';

export type { RowBankruptcy } from './adl-rankings.js';

export interface AdlQueueEntry {
  readonly accountId: number;
  /** Signed position of the candidate. */
  readonly qtyLots: number;
  readonly score: AdlScore;
}

/** Candidates with positions of sign `sideSign` (+1 longs, −1 shorts) in market m, best first. Reads; changes no risk state. */
export function adlQueue(s: RiskState, m: number, sideSign: number, excludeSlot: number, bankruptcyOfRow: RowBankruptcy): AdlQueueEntry[] {
  if (s.adlRankings.fullRecomputation) return adlQueueRecomputed(s, m, sideSign, excludeSlot, bankruptcyOfRow);
  const side = s.adlRankings.side(m, sideSign, bankruptcyOfRow);
  const out: AdlQueueEntry[] = [];
  side.beginWalk();
  for (let r = side.nextRow(); r >= 0; r = side.nextRow()) {
    const slot = s.ledger.account[r];
    if (slot !== excludeSlot) out.push({ accountId: s.accounts.ids[slot], qtyLots: s.ledger.qtyLots[r], score: side.walkedScore() });
  }
  return out;
}

/** Which tier of the run a counterparty came from (the wire's AdlCounterpartyKind). */
export const AdlCounterpartyKind = { RankedTrader: 1, InsuranceFund: 2, LiquidatingScope: 3 } as const;
export type AdlCounterpartyKind = (typeof AdlCounterpartyKind)[keyof typeof AdlCounterpartyKind];

/** The slices of one ADL run: queue order, each `min(remaining, its size)` (parallel arrays). */
export interface AdlSlices {
  readonly rows: number[];
  readonly slots: number[];
  readonly lots: number[];
  readonly kinds: AdlCounterpartyKind[];
  /** Lots of the liquidated position the queue could not take (0 normally). */
  readonly remainingLots: number;
}

/** Plans an ADL run against the liquidated position of signed `qtyLots` (slot `liquidatedSlot`) in market m. */
export function adlSlices(s: RiskState, m: number, qtyLots: number, liquidatedSlot: number, bankruptcyOfRow: RowBankruptcy, lastSlots: () => readonly number[] = () => []): AdlSlices {
  const led = s.ledger;
  const out = { rows: [] as number[], slots: [] as number[], lots: [] as number[], kinds: [] as AdlCounterpartyKind[] };
  let remaining = Math.abs(qtyLots);
  const take = (r: number, kind: AdlCounterpartyKind) => {
    const n = Math.min(remaining, Math.abs(led.qtyLots[r]));
    out.rows.push(r);
    out.slots.push(led.account[r]);
    out.lots.push(n);
    out.kinds.push(kind);
    remaining -= n;
  };
  takeRanked(s, m, -Math.sign(qtyLots), liquidatedSlot, bankruptcyOfRow, () => remaining > 0, (r) => take(r, AdlCounterpartyKind.RankedTrader));
  if (remaining > 0) for (const r of fallbackRows(s, m, -Math.sign(qtyLots), liquidatedSlot, AccountKind.InsuranceFund, new Set())) if (remaining > 0) take(r, AdlCounterpartyKind.InsuranceFund);
  if (remaining > 0) {
    for (const r of fallbackRows(s, m, -Math.sign(qtyLots), liquidatedSlot, AccountKind.Trader, new Set(lastSlots()))) {
      if (remaining > 0 && !out.rows.includes(r)) take(r, isLiquidating(s, r) ? AdlCounterpartyKind.LiquidatingScope : AdlCounterpartyKind.RankedTrader);
    }
  }
  return { ...out, remainingLots: remaining };
}

/**
 * Feeds `take` the ranked queue's rows best first while `wanted()`: a walk of the kept
 * ranking (nothing allocated per row), or of the full recomputation in reference mode.
 */
function takeRanked(s: RiskState, m: number, sideSign: number, excludeSlot: number, bankruptcyOfRow: RowBankruptcy, wanted: () => boolean, take: (r: number) => void): void {
  if (s.adlRankings.fullRecomputation) {
    for (const candidate of adlQueueRecomputed(s, m, sideSign, excludeSlot, bankruptcyOfRow)) {
      if (!wanted()) return;
      take(s.ledger.rowOf(s.accounts.firstRow[s.accounts.slotOf(candidate.accountId)], m));
    }
    return;
  }
  const side = s.adlRankings.side(m, sideSign, bankruptcyOfRow);
  side.beginWalk();
  while (wanted()) {
    const r = side.nextRow();
    if (r < 0) return;
    if (s.ledger.account[r] !== excludeSlot) take(r);
  }
}

/**
 * Rows of side `sideSign` in market m beyond the ranked queue: insurance funds
 * (`kind` InsuranceFund; the market's own first, then by account id) or trader
 * scopes (`kind` Trader; by account id, `lastSlots` last; the caller skips the rows
 * the ranked queue took). Rare path: allocation is fine.
 */
function fallbackRows(s: RiskState, m: number, sideSign: number, excludeSlot: number, kind: AccountKind, lastSlots: ReadonlySet<number>): number[] {
  const led = s.ledger;
  const own = s.markets[m].fundSlot;
  const rows: number[] = [];
  for (const r of led.rowsOfMarket[m]) {
    const q = led.qtyLots[r];
    const slot = led.account[r];
    if (q === 0 || Math.sign(q) !== sideSign || slot === excludeSlot) continue;
    if ((s.accounts.kind[slot] === AccountKind.Trader) !== (kind === AccountKind.Trader)) continue;
    rows.push(r);
  }
  // account ids are below 2^32: a scope taken last ranks after every other
  const rank = (r: number) => {
    const slot = led.account[r];
    if (kind !== AccountKind.Trader) return slot === own ? -1 : s.accounts.ids[slot];
    return (lastSlots.has(slot) ? 2 ** 32 : 0) + s.accounts.ids[slot];
  };
  return rows.sort((a, b) => rank(a) - rank(b));
}

function isLiquidating(s: RiskState, r: number): boolean {
  const led = s.ledger;
  return (led.mode[r] === MarginMode.Isolated ? led.isolatedState[r] : s.accounts.crossState[led.account[r]]) === MarginStateCode.Liquidating;
}

export interface AdlIndicatorEntry {
  readonly accountId: number;
  /** +1 long, −1 short. */
  readonly sideSign: number;
  /** 1 (front of the queue) .. 5; a UI shows 6 − bucket lights. */
  readonly bucket: number;
}

/**
 * The advisory ADL indicator of a market (RISK-SPEC §8, ADL indicator): both sides
 * ranked as the queue would be, bucketed by cumulative quantity share
 * (PNL_X_LEVERAGE) or by rank / count (LEVERAGE_PNL, Binance's display).
 */
export function adlIndicator(s: RiskState, m: number, bankruptcyOfRow: RowBankruptcy): AdlIndicatorEntry[] {
  const out: AdlIndicatorEntry[] = [];
  const byCount = s.markets[m].params.adlRanking === AdlRanking.LeveragePnl;
  for (const sideSign of [1, -1]) {
    const queue = adlQueue(s, m, sideSign, -1, bankruptcyOfRow);
    if (queue.length === 0) continue;
    const buckets = byCount ? adlBucketsByCount(queue.length) : adlBucketsByQuantity(queue.map((e) => Math.abs(e.qtyLots)));
    queue.forEach((e, i) => out.push({ accountId: e.accountId, sideSign, bucket: buckets[i] as number }));
  }
  return out;
}
