/**
 * The projected liquidation ladder of a stress (RISK-SPEC §8), on the view only.
 *
 * For each scope LIQUIDATING after the stress, in ladder order, every position
 * largest MMpos first (`compareLiquidationPriority`):
 * 1. Book: one IOC for the whole position at its bankruptcy price (the BP the
 *    trigger event reports: closing it at BP holds the scope's E/MM, so the later
 *    positions' BPs are the ones computed at the start), tightened to the price
 *    band around the stressed mark (`bandedLimitTicks`, the live ladder's), against
 *    the book's current resting depth. Depth is consumed cumulatively across
 *    scopes: a level one liquidation took is gone for the next. Each fill pays the
 *    clearance fee `min(ceil(rate × notional), surplus)` (`surplusUnits`,
 *    `clearanceFeeUnits`) to the market's fund.
 * 2. Backstop liquidators (backstop-liquidators.ts), in their order, before the
 *    fund: the first that passes the live test (`backstopRefusal`) on the view at
 *    the stressed marks, and is HEALTHY there, takes what the book left at the BP
 *    of those lots; the fund gets the tick difference less the shortfall, as live.
 *    A backstop takes at most one position per projection (its position and
 *    wallet are not carried into the view), so the projection never counts on
 *    capacity it has not checked: the fund's exposure is an upper bound.
 * 3. Otherwise takeover of what is left, at the BP of those lots, if the fund can:
 *    after it, wallet > 0, equity at the stressed marks ≥ 0 and net notional in the
 *    market ≤ `ifMaxNetNotionalE8` × wallet (§8.7).
 * 4. Otherwise ADL: the live `adlSlices` on the view with the view's own ranking
 *    (stress-view.ts: ranked at the stressed marks, liquidating scopes excluded,
 *    positions as earlier legs left them; the live ranking is not read), every leg at
 *    the one BP of the remaining lots (`planBankruptcyFill`).
 *
 * Where the projection is simpler than the live ladder (stated so a reader can
 * judge the figures): one IOC per position rather than partial steps with
 * re-checks (a live ladder that beats BP may stop early, RESTORED, so the
 * projection's book use and fund exposure are upper bounds); the BP of the lots
 * left for takeover/ADL is that of closing them out of the position at the start
 * (the live ladder re-reads it after the fills, whose surplus less fee only
 * raises the scope's equity); the liquidated scopes' own resting orders are not
 * removed from the depth; counterparties' wallets are not re-read after an ADL
 * leg (their positions and cost bases are); a takeover is not seen by a later
 * ADL run's fund tier (the fund's ledger rows stay as they are live).
 *
 * The fund's money: `equity = wallet + Σ (Q × M − C)` at the stressed marks; a
 * takeover is the fund's leg of a fill at max(BP, 1 tick) settled by `applyFill`
 * (netting, realized PnL) plus the tick difference less the shortfall, as the live
 * takeover settles it; the tick difference of an ADL run is the fund's too. The
 * loss is the fund's equity before the ladder less after (both at the stressed marks).
 */
import { FillType, MarginMode, Side } from '@perpcore/domain';
import {
  type Bankruptcy,
  bandedLimitTicks,
  bankruptcy,
  clearanceFeeUnits,
  compareLiquidationPriority,
  MarginState,
  isolatedBankruptcy,
  planBankruptcyFill,
  applyFill,
  reducedCostUnits,
  surplusUnits,
  unrealizedPnlUnits,
  notionalAtMarkUnits,
} from '@perpcore/margin';
import { adlSlices } from '../adl/adl-queue.js';
import { FillSettlement, LegPlan } from '../accounts/fill-settlement.js';
import { type BackstopDecline, backstopRefusal } from '../liquidation-port/backstop-liquidators.js';
import { AccountKind } from '../accounts/account-book.js';
import type { BookTopProvider } from '../risk-config.js';
import type { ScopeKey } from './stress-scopes.js';
import type { StressView } from './stress-view.js';

const E8 = 100_000_000n;
/** Depth walked per side (the impact price's default). */
const DEPTH_LEVELS = 1_000;

export interface StressBookFill {
  readonly priceTicks: number;
  readonly qtyLots: number;
  readonly clearanceFeeUnits: number;
}

export interface StressAdlLeg {
  readonly counterpartyAccountId: number;
  /** The run's tier (wire AdlCounterpartyKind): 1 ranked trader, 2 insurance fund, 3 liquidating scope. */
  readonly kind: number;
  readonly qtyLots: number;
  /** The counterparty's signed position before the leg. */
  readonly positionLots: number;
}

export interface StressPositionClose {
  readonly accountId: number;
  /** '' when the position belongs to the cross scope. */
  readonly isolatedMarket: string;
  readonly market: string;
  readonly qtyLots: number;
  readonly bankruptcyPriceTicks: number;
  readonly limitPriceTicks: number;
  readonly bookFills: readonly StressBookFill[];
  readonly bookLots: number;
  readonly takeoverLots: number;
  readonly adlLots: number;
  /** BPamount of the lots the fund took or ADL closed. */
  readonly bankruptcyAmountUnits: number;
  readonly fillPriceTicks: number;
  readonly adlLegs: readonly StressAdlLeg[];
  /** Why the fund could not take over ('' when it did, or nothing was left). */
  readonly takeoverRefusal: string;
  /** Lots a backstop liquidator took (all that the book left, or 0), and which one (0 = none). */
  readonly backstopLots: number;
  readonly backstopAccountId: number;
  /** Backstops asked before, in order, and why each could not. */
  readonly backstopDeclined: readonly BackstopDecline[];
}

export interface StressFundReport {
  readonly accountId: number;
  readonly walletUnits: number;
  readonly equityBeforeUnits: number;
  readonly equityAfterUnits: number;
  readonly clearanceFeesUnits: number;
  /** max(0, equity before − after): what the ladder costs the fund at the stressed marks. */
  readonly lossUnits: number;
}

export interface LadderProjection {
  readonly closes: StressPositionClose[];
  readonly funds: StressFundReport[];
}

/** The fund of one insurance fund id: its live wallet and positions, then the projection's changes. */
class FundModel {
  wallet: number;
  readonly qty: number[];
  readonly cost: number[];
  fees = 0;
  readonly equityBefore: number;

  constructor(
    private readonly view: StressView,
    readonly slot: number,
  ) {
    const s = view.live;
    this.wallet = s.accounts.balances[0][slot];
    this.qty = s.markets.map(() => 0);
    this.cost = s.markets.map(() => 0);
    for (let r = s.accounts.firstRow[slot]; r >= 0; r = s.ledger.nextOfAccount[r]) {
      this.qty[s.ledger.market[r]] = s.ledger.qtyLots[r];
      this.cost[s.ledger.market[r]] = s.ledger.costUnits[r];
    }
    this.equityBefore = this.equity();
  }

  equity(): number {
    let e = this.wallet;
    const s = this.view.live;
    for (let m = 0; m < this.qty.length; m++) if (this.qty[m] !== 0) e += unrealizedPnlUnits(s.markets[m].params, this.qty[m], this.cost[m], this.view.mark(m));
    return e;
  }

  /**
   * §8.7 on the fund after its leg of a fill (`side` +1 buys, `lots` at
   * `priceTicks`, settled by `applyFill` as the live leg is) plus `deltaUnits` to
   * its wallet (tick difference less shortfall): null if it may.
   */
  refusal(m: number, side: Side, lots: number, priceTicks: number, deltaUnits: number): string | null {
    const q0 = this.qty[m];
    const c0 = this.cost[m];
    const w0 = this.wallet;
    this.apply(m, side, lots, priceTicks, deltaUnits);
    const equity = this.equity();
    const wallet = this.wallet;
    const notional = this.qty[m] === 0 ? 0 : notionalAtMarkUnits(this.view.live.markets[m].params, this.qty[m], this.view.mark(m));
    this.qty[m] = q0;
    this.cost[m] = c0;
    this.wallet = w0;
    if (wallet <= 0) return `fund wallet would be ${wallet} units`;
    if (equity < 0) return `fund equity at mark would be ${equity} units`;
    const limit = (BigInt(this.view.live.markets[m].params.ifMaxNetNotionalE8) * BigInt(wallet)) / E8;
    if (BigInt(notional) > limit) return `fund net notional ${notional} units would exceed its limit ${limit}`;
    return null;
  }

  apply(m: number, side: Side, lots: number, priceTicks: number, deltaUnits: number): void {
    const out = applyFill(this.view.live.markets[m].params, { qtyLots: this.qty[m], costUnits: this.cost[m] }, { side, qtyLots: lots, priceTicks });
    this.qty[m] = out.qtyLots;
    this.cost[m] = out.costUnits;
    this.wallet += out.realizedPnlUnits + deltaUnits;
  }
}

/** One side's resting levels, best first; `lots` shrink as the ladder takes them, `cursor` skips the emptied head. */
interface BookSide {
  readonly prices: number[];
  readonly lots: number[];
  cursor: number;
}

interface PlannedClose {
  readonly r: number;
  readonly m: number;
  readonly q: number;
  readonly mm: number;
  readonly symbol: string;
  readonly bp: Bankruptcy;
  readonly equity: number;
  readonly maintenance: number;
}

export class StressLadder {
  readonly closes: StressPositionClose[] = [];
  private readonly funds = new Map<number, FundModel>();
  /** Per market and resting side: lots already taken at each price. */
  private readonly depth: (BookSide | null)[][];
  /**
   * Candidates' bankruptcies for the ADL ranking, per row, with the version of the
   * row's account when computed: a candidate's BP depends only on its own scope's
   * positions (marks, balances and PF are fixed in the view), which change only by
   * a leg or a close of that account (`touch`), so an entry of the same version is
   * what recomputing would give.
   */
  private readonly bankruptcyCache = new Map<number, { version: number; closeLots: number; bp: Bankruptcy }>();
  private readonly accountVersion = new Map<number, number>();
  private liquidating: readonly ScopeKey[] = [];
  /** Backstops that took a position in this projection (each is judged once). */
  private readonly backstopsUsed = new Set<number>();
  private readonly settlement: FillSettlement;
  private readonly backstopLeg = new LegPlan();

  constructor(
    private readonly view: StressView,
    private readonly bookTop: BookTopProvider | undefined,
  ) {
    this.depth = view.live.markets.map(() => [null, null]);
    this.settlement = new FillSettlement(view.state);
    for (const market of view.live.markets) this.fund(market.fundSlot);
  }

  /**
   * Runs the ladder for the scopes LIQUIDATING under the stress, in order. All of
   * them are LIQUIDATING at once, as after the live price move, so none is ranked
   * into another's ADL run.
   */
  liquidateAll(keys: readonly ScopeKey[]): void {
    this.liquidating = keys;
    const led = this.view.ledger;
    for (const key of keys) {
      const slot = key >= 0 ? key : led.account[-key - 1];
      for (const p of this.plan(key)) this.close(key, slot, p);
    }
  }

  report(): LadderProjection {
    const funds = [...this.funds.values()].map((f) => {
      const after = f.equity();
      return {
        accountId: this.view.live.accounts.ids[f.slot],
        walletUnits: this.view.live.accounts.balances[0][f.slot],
        equityBeforeUnits: f.equityBefore,
        equityAfterUnits: after,
        clearanceFeesUnits: f.fees,
        lossUnits: Math.max(0, f.equityBefore - after),
      };
    });
    return { closes: this.closes, funds };
  }

  /** The resting depth of one side, read once per query (best first), as the ladder consumes it. */
  private bookSide(m: number, side: Side): BookSide {
    const k = side === Side.Buy ? 0 : 1;
    let b = this.depth[m][k];
    if (b === null) {
      const built: BookSide = { prices: [], lots: [], cursor: 0 };
      this.bookTop?.(this.view.live.markets[m].symbol)?.forEachLevel(side, DEPTH_LEVELS, (priceTicks, lots) => {
        built.prices.push(priceTicks);
        built.lots.push(lots);
      });
      this.depth[m][k] = b = built;
    }
    return b;
  }

  private fund(slot: number): FundModel {
    let f = this.funds.get(slot);
    if (f === undefined) this.funds.set(slot, (f = new FundModel(this.view, slot)));
    return f;
  }

  /** The scope's positions, priority order, each with its whole-position BP at the stressed marks. */
  private plan(key: ScopeKey): PlannedClose[] {
    const view = this.view;
    const led = view.ledger;
    const s = view.live;
    const ev = view.evaluator;
    const res = key >= 0 ? ev.evaluateCross(key) : ev.evaluateIsolated(-key - 1);
    const out: PlannedClose[] = [];
    for (let i = 0; i < ev.rowCount; i++) {
      const r = ev.rows[i];
      const q = led.qtyLots[r];
      if (q === 0) continue;
      const m = led.market[r];
      const params = s.markets[m].params;
      const bp =
        key < 0
          ? isolatedBankruptcy(params, { qtyLots: q, costUnits: led.costUnits[r], isolatedMarginUnits: led.isolatedUnits[r], pendingFundingUnits: led.pendingFundingUnits[r] })
          : bankruptcy(params, { qtyLots: q, closeLots: Math.abs(q), markSubticks: view.mark(m), scopeEquityUnits: res.equityUnits, scopeMaintenanceUnits: res.maintenanceUnits });
      out.push({ r, m, q, mm: res.positionMaintenanceUnits[i], symbol: s.markets[m].symbol, bp, equity: res.equityUnits, maintenance: res.maintenanceUnits });
    }
    return out.sort((a, b) => compareLiquidationPriority({ symbol: a.symbol, maintenanceUnits: a.mm }, { symbol: b.symbol, maintenanceUnits: b.mm }));
  }

  private close(key: ScopeKey, slot: number, p: PlannedClose): void {
    const view = this.view;
    const s = view.live;
    const market = s.markets[p.m];
    const params = market.params;
    const q = Math.abs(p.q);
    const closingLong = p.q > 0;
    const side = closingLong ? Side.Sell : Side.Buy;
    const limit = bandedLimitTicks(market.spec, params, side, p.bp.limitPriceTicks, view.mark(p.m));
    const fund = this.fund(market.fundSlot);
    const fills: StressBookFill[] = [];
    let left = q;
    const book = this.bookSide(p.m, closingLong ? Side.Buy : Side.Sell);
    // levels best first; consumed ones are skipped for good (the cursor only moves forward)
    for (let i = book.cursor; i < book.prices.length && left > 0; i++) {
      const priceTicks = book.prices[i];
      if (closingLong ? priceTicks < limit : priceTicks > limit) break;
      const n = Math.min(book.lots[i], left);
      book.lots[i] -= n;
      if (book.lots[i] === 0 && i === book.cursor) book.cursor++;
      left -= n;
      const fee = clearanceFeeUnits(params, n * priceTicks * params.lotTickUnits, surplusUnits(p.bp, q, n, priceTicks, params.lotTickUnits, closingLong));
      fund.wallet += fee;
      fund.fees += fee;
      fills.push({ priceTicks, qtyLots: n, clearanceFeeUnits: fee });
    }
    const signedLeft = Math.sign(p.q) * left;
    let takeoverLots = 0;
    let backstopLots = 0;
    let backstopAccountId = 0;
    const backstopDeclined: BackstopDecline[] = [];
    let refusal = '';
    let legs: StressAdlLeg[] = [];
    let amount = 0;
    let fillPrice = 0;
    if (left > 0) {
      const bpLeft = left === q ? p.bp : bankruptcy(params, { qtyLots: p.q, closeLots: left, markSubticks: view.mark(p.m), scopeEquityUnits: p.equity, scopeMaintenanceUnits: p.maintenance });
      amount = bpLeft.amountUnits;
      const whole = planBankruptcyFill(params, signedLeft, bpLeft, [left]);
      fillPrice = whole.fillPriceTicks;
      const fundSide = p.q > 0 ? Side.Buy : Side.Sell;
      const fundDeltaUnits = whole.tickDifferenceUnits - whole.shortfallUnits;
      backstopAccountId = this.backstop(p.m, slot, signedLeft, fillPrice, backstopDeclined);
      const why = backstopAccountId !== 0 ? null : fund.refusal(p.m, fundSide, left, fillPrice, fundDeltaUnits);
      if (backstopAccountId !== 0) {
        // the tick difference now, the shortfall later (§8.9): the fund's, as on its own takeover
        fund.wallet += fundDeltaUnits;
        backstopLots = left;
      } else if (why === null) {
        fund.apply(p.m, fundSide, left, fillPrice, fundDeltaUnits);
        takeoverLots = left;
      } else {
        refusal = why;
        view.materialize(this.liquidating);
        view.ledger.qtyLots[p.r] = signedLeft;
        legs = this.deleverage(p.m, slot, signedLeft, bpLeft, fund);
      }
    }
    view.closeRow(p.r);
    this.touch(slot);
    this.closes.push({
      accountId: s.accounts.ids[slot],
      isolatedMarket: key >= 0 ? '' : market.symbol,
      market: market.symbol,
      qtyLots: p.q,
      bankruptcyPriceTicks: p.bp.limitPriceTicks,
      limitPriceTicks: limit,
      bookFills: fills,
      bookLots: q - left,
      takeoverLots,
      adlLots: left - takeoverLots - backstopLots,
      bankruptcyAmountUnits: amount,
      fillPriceTicks: fillPrice,
      adlLegs: legs,
      takeoverRefusal: refusal,
      backstopLots,
      backstopAccountId,
      backstopDeclined,
    });
  }

  /** The first backstop that may take `signedLots` in market m at `priceTicks` on the view, or 0; the others that could not go to `declined`. */
  private backstop(m: number, slot: number, signedLots: number, priceTicks: number, declined: BackstopDecline[]): number {
    const s = this.view.state;
    for (const [accountId, terms] of this.view.live.backstopLiquidators) {
      const bSlot = s.accounts.slotOf(accountId);
      let reason: string | null = null;
      if (bSlot === slot) reason = 'it is the liquidated account';
      else if (bSlot < 0) reason = 'it has no account';
      else if (this.backstopsUsed.has(bSlot)) reason = 'it takes one position per projection';
      else {
        const state = this.view.evaluator.evaluateCross(bSlot).state;
        if (state !== MarginState.Healthy) reason = `its cross scope is ${state} at the stressed marks`;
      }
      if (reason === null) {
        try {
          reason = backstopRefusal(s, bSlot, terms, this.settlement.planLeg(this.backstopLeg, m, accountId, Math.sign(signedLots), priceTicks, Math.abs(signedLots), 0, FillType.Liquidation));
        } catch (error) {
          if (!(error instanceof RangeError)) throw error;
          reason = error.message;
        }
      }
      if (reason === null) {
        this.backstopsUsed.add(bSlot);
        return accountId;
      }
      declined.push({ accountId, reason });
    }
    return 0;
  }

  /** One ADL run on the view (the view's ranking); applies its legs to the view's positions. */
  private deleverage(m: number, slot: number, signedLots: number, bp: Bankruptcy, marketFund: FundModel): StressAdlLeg[] {
    const view = this.view;
    const led = view.ledger;
    const s = view.live;
    const slices = adlSlices(view.state, m, signedLots, slot, (k, kRow, kr, n) => this.bankruptcyOfRow(k, kRow, kr, n).amountUnits);
    const fill = planBankruptcyFill(s.markets[m].params, signedLots, bp, slices.lots.length > 0 ? slices.lots : [Math.abs(signedLots)]);
    const legs: StressAdlLeg[] = [];
    for (let i = 0; i < slices.rows.length; i++) {
      const r = slices.rows[i];
      const k = slices.slots[i];
      const n = slices.lots[i];
      const before = led.qtyLots[r];
      legs.push({ counterpartyAccountId: s.accounts.ids[k], kind: slices.kinds[i], qtyLots: n, positionLots: before });
      if (s.accounts.kind[k] === AccountKind.InsuranceFund) this.fund(k).apply(m, before > 0 ? Side.Sell : Side.Buy, n, fill.fillPriceTicks, 0);
      this.touch(k);
      led.costUnits[r] = reducedCostUnits(led.costUnits[r], before, n);
      led.qtyLots[r] = before - Math.sign(before) * n;
    }
    // the tick difference of every slice is the market fund's (risk-ledger.ts applyDeleverage)
    marketFund.wallet += fill.tickDifferenceUnits;
    return legs;
  }

  private touch(slot: number): void {
    this.accountVersion.set(slot, (this.accountVersion.get(slot) ?? 0) + 1);
    this.view.accountChanged(slot);
  }

  /** The candidate's own bankruptcy at the stressed marks (risk-ledger.ts's, on the view), cached per row until its account changes. */
  private bankruptcyOfRow(slot: number, row: number, r: number, closeLots: number): Bankruptcy {
    const version = this.accountVersion.get(slot) ?? 0;
    const cached = this.bankruptcyCache.get(r);
    if (cached !== undefined && cached.version === version && cached.closeLots === closeLots) return cached.bp;
    const bp = this.computeBankruptcyOfRow(slot, row, r, closeLots);
    this.bankruptcyCache.set(r, { version, closeLots, bp });
    return bp;
  }

  private computeBankruptcyOfRow(slot: number, row: number, r: number, closeLots: number): Bankruptcy {
    const view = this.view;
    const led = view.ledger;
    const params = view.live.markets[led.market[r]].params;
    if (row >= 0 && led.mode[r] === MarginMode.Isolated && closeLots === Math.abs(led.qtyLots[r])) {
      return isolatedBankruptcy(params, { qtyLots: led.qtyLots[r], costUnits: led.costUnits[r], isolatedMarginUnits: led.isolatedUnits[r], pendingFundingUnits: led.pendingFundingUnits[r] });
    }
    const res = row >= 0 ? view.evaluator.evaluateIsolated(row) : view.evaluator.evaluateCross(slot);
    return bankruptcy(params, { qtyLots: led.qtyLots[r], closeLots, markSubticks: view.mark(led.market[r]), scopeEquityUnits: res.equityUnits, scopeMaintenanceUnits: res.maintenanceUnits });
  }
}
