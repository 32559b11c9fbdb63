/**
 * `stateHash()`: a digest of everything the risk stage's future outputs depend on,
 * in a canonical order, so the same input log gives the same hash and a replica can
 * prove it agrees (RISK-SPEC §9.7).
 *
 * Covered, in order: per market its prices (and the last applied index time, which
 * decides whether the next index is stale), funding index, pool, residue, open
 * interest, basis ring and funding schedule; collateral prices; per account (slot
 * order = arrival order) id, kind, balances, cross state and liquidation id; per
 * position row (creation order) everything but caches; open orders per market by
 * id (with each order's isolated hold and its amend's part); the liquidation id counter and the deposit / withdrawal totals;
 * the accounts whose kill switch is engaged (by id, ascending).
 * Not covered, so that a reject leaves the hash unchanged: the sequence numbers of
 * the input and output streams (a reject consumes an input and publishes an event,
 * by design; the event log's own order pins them), the breach index (a cache that
 * evaluation rebuilds), and rows created but never changed (a rejected order may
 * open one; it is the same as no row).
 *
 * Digest: two independent 32-bit FNV-1a lanes over the decimal text, hex-joined.
 */
import type { RiskState } from '../risk-state.js';
import { lendingPoolHashValues } from '../defi-liquidation/pool-audit.js';

class Fnv {
  private a = 0x811c9dc5;
  private b = 0x01000193 ^ 0x5bd1e995;

  text(value: string): void {
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      this.a = Math.imul(this.a ^ c, 0x01000193);
      this.b = Math.imul(this.b ^ c, 0x01000193) ^ (this.b >>> 13);
    }
    this.a = Math.imul(this.a ^ 0x7c, 0x01000193);
    this.b = Math.imul(this.b ^ 0x7c, 0x01000193);
  }

  num(value: number | bigint | boolean): void {
    this.text(String(value));
  }

  digest(): string {
    return (this.a >>> 0).toString(16).padStart(8, '0') + (this.b >>> 0).toString(16).padStart(8, '0');
  }
}

export function riskStateHash(s: RiskState): string {
  const h = new Fnv();
  h.text(s.setup.source);
  const scratch: number[] = [];
  for (let m = 0; m < s.markets.length; m++) {
    const k = s.markets[m];
    h.text(k.symbol);
    for (const v of [k.indexSubticks, k.indexTsNs, k.markSubticks, k.markP1Subticks, k.markP2Subticks, k.markP3Subticks, k.lastTradeTicks, k.fundingPoolUnits, k.lastFundingRateE8, k.lastPublishedRateE8 ?? 'none', k.longLots, k.shortLots]) h.text(String(v));
    h.num(k.fundingIndex);
    h.num(k.fundingResidueScaled);
    scratch.length = 0;
    s.markTrackers[m].hashInto(scratch);
    s.funding[m].hashInto(scratch);
    for (const v of scratch) h.num(v);
  }
  for (const c of s.setup.collateral) h.num(c.indexSubticks);
  const acc = s.accounts;
  for (let slot = 0; slot < acc.count; slot++) {
    h.num(acc.ids[slot]);
    h.num(acc.kind[slot]);
    for (let a = 0; a < acc.assetCount; a++) h.num(acc.balances[a][slot]);
    h.num(acc.crossState[slot]);
    h.num(acc.crossLiquidationId[slot]);
  }
  const led = s.ledger;
  for (let r = 0; r < led.count; r++) {
    const market = s.markets[led.market[r]];
    const pristine =
      led.qtyLots[r] === 0 && led.costUnits[r] === 0 && led.leverage[r] === market.defaultLeverage && led.mode[r] === 1 && led.isolatedUnits[r] === 0 &&
      led.openOrders[r] === 0 && led.pendingFundingUnits[r] === 0 && led.isolatedState[r] === 0 && led.isolatedLiquidationId[r] === 0;
    if (pristine) continue;
    h.num(acc.ids[led.account[r]]);
    h.num(led.market[r]);
    for (const v of [led.qtyLots[r], led.costUnits[r], led.leverage[r], led.mode[r], led.isolatedUnits[r], led.pendingFundingUnits[r], led.isolatedState[r], led.isolatedLiquidationId[r]]) h.num(v);
    h.num(led.reduceOnlyBuyLots[r]);
    h.num(led.reduceOnlySellLots[r]);
    h.num(led.qtyLots[r] === 0 ? 0n : led.fundingSnapshot[r]);
  }
  const o = s.orders;
  for (let m = 0; m < s.markets.length; m++) {
    for (const id of o.idsOfMarket(m)) {
      const slot = o.find(m, id);
      for (const v of [id, acc.ids[led.account[o.row[slot]]], o.side[slot], o.priceTicks[slot], o.remainingLots[slot], o.reduceOnly[slot], o.state[slot], o.amendPrevPriceTicks[slot], o.amendPrevLots[slot], o.holdUnits[slot], o.amendHoldUnits[slot]]) h.num(v);
    }
  }
  h.num(s.nextLiquidationId);
  for (let a = 0; a < s.depositedUnits.length; a++) {
    h.num(s.depositedUnits[a]);
    h.num(s.withdrawnUnits[a]);
  }
  // only when some are engaged, so a stage that never used the switch keeps its hash
  if (s.killSwitched.size !== 0) for (const id of [...s.killSwitched].sort((x, y) => x - y)) h.num(id);
  // backstop liquidators in their order, with their terms (nothing while none was ever enabled)
  for (const [id, terms] of s.backstopLiquidators) {
    h.num(id);
    h.text(terms.markets.join(','));
    h.num(terms.maxPositionNotionalUnits);
  }
  // loans, principal, interest, collateral and the lender's totals (nothing while no loan was ever opened)
  s.loans?.hashInto((v) => h.text(String(v)));
  // the lending pool (empty without one, so a stage without a pool keeps its hash)
  for (const v of lendingPoolHashValues(s)) h.num(v);
  return h.digest();
}
