/**
 * The spot-margin market of the embedded simulation: a BTC/USDT spot pair (the
 * perp's tick and lot, so the perp's index ticks are the pair's), a maker quoting
 * 0.1 % either side of the index at every index publication, and the spot-margin
 * borrowers bot. The spot stage keeps its own ledger beside the perps risk engine
 * (see services/risk/src/spot-margin), fed with the same index and clock.
 */
import { Side } from '@perpcore/domain';
import { createHaircutSchedule, createSpotMarginParams } from '@perpcore/margin';
import { type SpotMarginEvent, SpotEventKind, SpotMarginEngine, createSpotPairSpec } from '@perpcore/risk';
import { SpotMarginBorrowers } from '@perpcore/simulation';
import type { MarketSpec } from '@perpcore/domain';

const MAKER_ID = 1;
const USDT = 1_000_000;
const SAT_PER_BTC = 100_000_000;

export interface SpotMarginFigures {
  borrowers: number;
  entered: number;
  refused: number;
  closed: number;
  /** Per asset: borrowed in total and interest settled (paid into the loan), in the asset's units. */
  perAsset: { asset: string; decimals: number; borrowedUnits: bigint; interestUnits: bigint }[];
  calls: number;
  liquidations: number;
  liquidationFeeUnits: bigint;
  writtenOffUnits: bigint;
  stateHash: string;
  conservationOk: boolean;
  conservationProblems: readonly string[];
}

export class EmbeddedSpotMargin {
  readonly engine: SpotMarginEngine;
  readonly borrowers: SpotMarginBorrowers;
  readonly symbol: string;
  private indexTicks = 0;
  private started = false;
  private readonly borrowedByAsset = new Map<string, bigint>();

  constructor(perp: MarketSpec, seed: number, startTsNs: number, entryStartS: number, entryEndS: number, holdS: number) {
    const lotSat = Number((BigInt(SAT_PER_BTC) * perp.lot.mantissa) / 10n ** BigInt(perp.lot.scale));
    const pair = createSpotPairSpec({
      symbol: `${perp.baseAsset}/${perp.settleAsset}`,
      baseAsset: perp.baseAsset,
      quoteAsset: perp.settleAsset,
      baseUnitsPerLot: lotSat,
      quoteUnitsPerLotTick: perp.lotTickUnits,
      maxPriceTicks: perp.maxPriceTicks,
      maxQtyLots: perp.maxQtyLots,
      priceBandE8: perp.priceBandE8,
    });
    this.symbol = pair.symbol;
    const params = createSpotMarginParams({
      settleAsset: perp.settleAsset,
      maxAccountDebtValueUnits: 1_000_000 * USDT,
      borrowable: [
        { asset: perp.settleAsset, maxLeverage: 5, hourlyRateE8: 2_000, maxBorrowUnits: 500_000 * USDT },
        { asset: perp.baseAsset, maxLeverage: 5, hourlyRateE8: 1_000, maxBorrowUnits: 20 * SAT_PER_BTC },
      ],
    });
    this.engine = new SpotMarginEngine(
      { params, pairs: [pair], haircuts: [createHaircutSchedule(perp.baseAsset, [{ upToValueUnits: null, ratioE8: 100_000_000 }])] },
      (e) => this.onEvent(e),
    );
    this.borrowers = new SpotMarginBorrowers({
      seed: seed ^ 0x5b07,
      firstAccountId: 100,
      accounts: 24,
      baseAsset: perp.baseAsset,
      quoteAsset: perp.settleAsset,
      baseUnitsPerLot: lotSat,
      quoteUnitsPerLotTick: perp.lotTickUnits,
      minDepositUnits: 2_000 * USDT,
      maxDepositUnits: 20_000 * USDT,
      longShare: 0.75,
      entryStartNs: startTsNs + entryStartS * 1e9,
      entryEndNs: startTsNs + entryEndS * 1e9,
      holdNs: holdS * 1e9,
    });
  }

  private onEvent(e: SpotMarginEvent): void {
    if (e.kind === SpotEventKind.Borrowed) this.borrowedByAsset.set(e.asset, (this.borrowedByAsset.get(e.asset) ?? 0n) + BigInt(e.amountUnits));
  }

  private port(tsNs: number) {
    const engine = this.engine;
    const row = (id: number, asset: string) => engine.context.state.peekRow(id, asset);
    return {
      deposit: (id: number, asset: string, units: number) => engine.deposit(id, asset, units, tsNs).ok,
      repay: (id: number, asset: string, units: number) => engine.repay(id, asset, units, tsNs).ok,
      debtUnits: (id: number, asset: string) => engine.context.debtNow(id, asset),
      availableUnits: (id: number, asset: string) => {
        const r = row(id, asset);
        return r === undefined ? 0 : r.balanceUnits - r.heldUnits;
      },
      placeIoc: (id: number, side: Side, priceTicks: number, qtyLots: number, autoBorrow: boolean) =>
        engine.placeOrder({ accountId: id, symbol: this.symbol, side, priceTicks, qtyLots, immediateOrCancel: true, autoBorrow }, tsNs).ok,
    };
  }

  /** A new index for the pair: requote the maker around it, then let the watch see it. */
  onIndex(tsNs: number, indexTicks: number): void {
    const e = this.engine;
    const [base, quote] = this.symbol.split('/') as [string, string];
    if (!this.started) {
      this.started = true;
      e.fundPool(quote, 2_000_000 * USDT, tsNs);
      e.fundPool(base, 100 * SAT_PER_BTC, tsNs);
      e.deposit(MAKER_ID, base, 500 * SAT_PER_BTC, tsNs);
      e.deposit(MAKER_ID, quote, 50_000_000 * USDT, tsNs);
      this.borrowers.setUp(this.port(tsNs));
    }
    this.indexTicks = indexTicks;
    e.setIndexPrice(this.symbol, indexTicks, tsNs);
    e.cancelAllOrders(MAKER_ID, tsNs);
    const lots = 100_000; // 100 BTC a side: deep enough for every borrower and liquidation
    e.placeOrder({ accountId: MAKER_ID, symbol: this.symbol, side: Side.Buy, priceTicks: Math.floor((indexTicks * 999) / 1000), qtyLots: lots, immediateOrCancel: false, autoBorrow: false }, tsNs);
    e.placeOrder({ accountId: MAKER_ID, symbol: this.symbol, side: Side.Sell, priceTicks: Math.ceil((indexTicks * 1001) / 1000), qtyLots: lots, immediateOrCancel: false, autoBorrow: false }, tsNs);
  }

  step(tsNs: number): void {
    if (this.indexTicks > 0) this.borrowers.advance(tsNs, this.indexTicks, this.port(tsNs));
  }

  figures(): SpotMarginFigures {
    const audit = this.engine.audit();
    const quote = audit.assets[0];
    let written = 0n;
    for (const v of this.engine.context.state.venue.values()) written += v.writtenOffUnits;
    return {
      borrowers: this.borrowers.accountIds().length,
      entered: this.borrowers.tally.entered,
      refused: this.borrowers.tally.refused,
      closed: this.borrowers.tally.closed,
      perAsset: audit.assets.map((a) => ({
        asset: a.asset,
        decimals: a.asset === quote.asset ? 6 : 8,
        borrowedUnits: this.borrowedByAsset.get(a.asset) ?? 0n,
        interestUnits: a.interestSettledUnits,
      })),
      calls: this.engine.watch.counters.calls,
      liquidations: this.engine.watch.counters.liquidations,
      liquidationFeeUnits: quote.liquidationFeeUnits,
      writtenOffUnits: written,
      stateHash: this.engine.stateHash(),
      conservationOk: audit.ok,
      conservationProblems: audit.problems,
    };
  }
}
