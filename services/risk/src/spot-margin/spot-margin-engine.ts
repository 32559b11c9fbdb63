/**
 * The spot-margin stage (issue 13.1): Kraken-style margin on spot pairs, one
 * deterministic state machine. Inputs: account commands (deposit, withdraw, borrow,
 * repay), spot orders (place with optional auto-borrow, cancel), index prices per
 * pair and the clock. Each input accrues the interest indices to its time, applies
 * fully or is refused with a code (one `SPOT_REJECTED` event, nothing changed), then
 * re-runs the margin watch (which may liquidate). Outputs: `SpotMarginEvent`s.
 *
 * Same inputs → same events and `stateHash()`; `captureState` / `restoreState` carry
 * the whole state (books included) for snapshots; `ledgerHash()` is the part the
 * event fold rebuilds. See spot-margin-context.ts for the money primitives.
 */
import { DomainError, requirePositiveInteger, Side } from '@perpcore/domain';
import { MarginState, maxSpotBorrow, type SpotMaxBorrow, SpotStageErrorCode } from '@perpcore/margin';
import { CancelReason } from '@perpcore/orderbook';
import { type SpotAccountReport, spotAccountReport } from './spot-account-report.js';
import { type SpotConservationReport, auditSpotConservation } from './spot-conservation-audit.js';
import { type SpotResult, OK, SpotMarginCommands } from './spot-margin-commands.js';
import { type SpotMarginConfig, SpotMarginContext } from './spot-margin-context.js';
import { SpotEventKind, type SpotEventSink } from './spot-margin-events.js';
import { type SpotMarginSnapshot, captureOrders, captureSpotLedger, hashOf, restoreSpotLedger } from './spot-margin-snapshot.js';
import { SpotMarginWatch } from './spot-margin-watch.js';
import { SpotLiquidation } from './spot-liquidation.js';
import { type SpotOpenOrder, type SpotOrderInput, type SpotPlaceResult, SpotOrderFlow } from './spot-order-flow.js';

export class SpotMarginEngine {
  readonly context: SpotMarginContext;
  readonly commands: SpotMarginCommands;
  readonly orders: SpotOrderFlow;
  readonly watch: SpotMarginWatch;

  constructor(config: SpotMarginConfig, sink: SpotEventSink) {
    this.context = new SpotMarginContext(config, sink);
    this.commands = new SpotMarginCommands(this.context);
    this.orders = new SpotOrderFlow(this.context, this.commands);
    this.watch = new SpotMarginWatch(this.context, new SpotLiquidation(this.context, this.commands, this.orders));
  }

  private then(result: SpotResult, tsNs: number): SpotResult {
    if (result.ok) this.watch.reviewAll(tsNs, '', 0);
    return result;
  }

  deposit(accountId: number, asset: string, amountUnits: number, tsNs: number): SpotResult {
    return this.then(this.commands.deposit(accountId, asset, amountUnits, tsNs), tsNs);
  }

  withdraw(accountId: number, asset: string, amountUnits: number, tsNs: number): SpotResult {
    return this.then(this.commands.withdraw(accountId, asset, amountUnits, tsNs), tsNs);
  }

  fundPool(asset: string, amountUnits: number, tsNs: number): SpotResult {
    return this.commands.fundPool(asset, amountUnits, tsNs);
  }

  borrow(accountId: number, asset: string, amountUnits: number, tsNs: number): SpotResult {
    return this.then(this.commands.borrow(accountId, asset, amountUnits, tsNs), tsNs);
  }

  repay(accountId: number, asset: string, amountUnits: number, tsNs: number): SpotResult {
    return this.then(this.commands.repay(accountId, asset, amountUnits, tsNs), tsNs);
  }

  /** Places a spot order; ok answers carry the placement (order id, fills as taker, what rests), read before the watch runs. */
  placeOrder(input: SpotOrderInput, tsNs: number): SpotPlaceResult {
    const result = this.orders.place(input, tsNs);
    this.then(result, tsNs);
    return result;
  }

  /** The account's open spot orders, oldest first. */
  openOrdersOf(accountId: number): SpotOpenOrder[] {
    const out: SpotOpenOrder[] = [];
    for (const o of this.orders.orders.values()) if (o.accountId === accountId) out.push(o);
    return out.sort((a, b) => a.orderId - b.orderId);
  }

  /**
   * How much of `asset` the account could borrow now (the largest amount a borrow
   * would accept, libs/margin spot-max-borrow.ts) and its per-account limit; read-only.
   * 0 while it is liquidating, or while an asset it holds or owes has no index price.
   */
  maxBorrowable(accountId: number, asset: string): SpotMaxBorrow {
    const c = this.context;
    const limitUnits = c.config.params.borrowable.get(asset)?.maxBorrowUnits ?? 0;
    if (c.state.marginStates.get(accountId) === MarginState.Liquidating) return { amountUnits: 0, limitUnits };
    const holdings = c.holdings(accountId);
    if (holdings === null) return { amountUnits: 0, limitUnits };
    return maxSpotBorrow(c.config.params, holdings, asset, c.state.venue.get(asset)?.poolUnits ?? 0);
  }

  /** A pair's book, best `levels` a side as [price ticks, lots], best first; null for a pair not traded. */
  depthOf(symbol: string, levels: number): { bids: [number, number][]; asks: [number, number][] } | null {
    const book = this.orders.books.get(symbol);
    if (book === undefined) return null;
    const bids: [number, number][] = [];
    const asks: [number, number][] = [];
    book.forEachLevel(Side.Buy, levels, (p, q) => void bids.push([p, q]));
    book.forEachLevel(Side.Sell, levels, (p, q) => void asks.push([p, q]));
    return { bids, asks };
  }

  /** The pair's index price in ticks (the trigger feed of its base asset), or null before the first. */
  indexTicksOf(symbol: string): number | null {
    const pair = this.context.pairBySymbol.get(symbol);
    return pair === undefined ? null : (this.context.state.indexTicks.get(pair.baseAsset) ?? null);
  }

  cancelOrder(accountId: number, orderId: number, tsNs: number): SpotResult {
    return this.then(this.orders.cancel(accountId, orderId, tsNs), tsNs);
  }

  /** Cancels all of the account's open spot orders (a maker requoting). */
  cancelAllOrders(accountId: number, tsNs: number): SpotResult {
    return this.then(this.commands.run(tsNs, accountId, '', 0, () => {
      requirePositiveInteger('accountId', accountId);
      this.context.accrueTo(tsNs);
      this.orders.cancelAllOf(accountId, tsNs, CancelReason.CancelAll);
      return OK;
    }), tsNs);
  }

  /** A pair's index price (ticks): the trigger feed of its base asset. */
  setIndexPrice(symbol: string, priceTicks: number, tsNs: number): SpotResult {
    const c = this.context;
    const pair = c.pairBySymbol.get(symbol);
    const result = this.commands.run(tsNs, 0, pair?.baseAsset ?? '', 0, () => {
      if (pair === undefined) throw new DomainError(SpotStageErrorCode.UnknownPair, `unknown spot pair ${String(symbol)}`);
      const ticks = requirePositiveInteger('priceTicks', priceTicks);
      if (ticks > pair.maxPriceTicks) throw new DomainError('DOMAIN_OUT_OF_RANGE', `priceTicks ${ticks} exceeds ${pair.maxPriceTicks}`);
      c.accrueTo(tsNs);
      c.state.indexTicks.set(pair.baseAsset, ticks);
      c.emit(SpotEventKind.IndexPriceSet, tsNs, 0, pair.baseAsset, ticks, symbol, [], []);
      return OK;
    });
    if (result.ok) this.watch.reviewAll(tsNs, symbol, priceTicks);
    return result;
  }

  /** The clock alone: interest accrues, and the watch sees the grown debts. */
  advanceTime(tsNs: number): SpotResult {
    return this.then(this.commands.run(tsNs, 0, '', 0, () => {
      this.context.accrueTo(tsNs);
      return OK;
    }), tsNs);
  }

  accountReport(accountId: number): SpotAccountReport | null {
    return spotAccountReport(this.context, accountId);
  }

  audit(): SpotConservationReport {
    return auditSpotConservation(this.context, this.orders.orders);
  }

  ledgerHash(): string {
    return hashOf(captureSpotLedger(this.context.state));
  }

  captureState(): SpotMarginSnapshot {
    const s = this.context.state;
    return {
      ledger: captureSpotLedger(s),
      nextOrderId: s.nextOrderId,
      lastTsNs: s.lastTsNs,
      orders: captureOrders(this.orders.orders),
      books: [...this.orders.books.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([sym, book]) => [sym, book.exportState()]),
    };
  }

  /** Loads a capture into this engine, which must be fresh (no input applied). */
  restoreState(snap: SpotMarginSnapshot): void {
    const s = this.context.state;
    if (s.lastTsNs !== 0 || s.accounts.size !== 0) throw new Error('spot margin: restoreState needs a fresh engine');
    restoreSpotLedger(s, snap.ledger);
    s.nextOrderId = snap.nextOrderId;
    s.lastTsNs = snap.lastTsNs;
    for (const [orderId, accountId, symbol, side, priceTicks, remainingLots, origLots, placedTsNs, clientOrderId, filledLots, filledQuoteUnits] of snap.orders) {
      this.orders.orders.set(orderId, { orderId, accountId, symbol, side: side as 1 | -1, priceTicks, remainingLots, origLots, placedTsNs, clientOrderId, filledLots, filledQuoteUnits });
    }
    for (const [sym, state] of snap.books) this.orders.books.get(sym)!.importState(state);
  }

  stateHash(): string {
    return hashOf(this.captureState());
  }
}
