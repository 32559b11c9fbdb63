/**
 * The spot-margin market of the embedded simulation: a BTC/USDT spot pair (the
 * perp's tick and lot, so the perp's index ticks are the pair's), a maker quoting
 * 0.1 % either side of the index at every index publication, and the spot-margin
 * borrowers bot. The spot stage keeps its own ledger beside the perps risk engine
 * (see services/risk/src/spot-margin), fed with the same index and clock; every
 * input it gets passes the core input gate (journaled as kind 6, spot-input.ts).
 */
import { type AssetSpec, Side, createAssetSpec } from '@perpcore/domain';
import { createHaircutSchedule, createSpotMarginParams } from '@perpcore/margin';
import { type SpotMarginEvent, SpotEventKind, SpotMarginEngine, type SpotWirePublisher, createSpotPairSpec } from '@perpcore/risk';
import { SpotMarginBorrowers } from '@perpcore/simulation';
import type { MarketSpec } from '@perpcore/domain';
import type { CoreInputGate } from './durability/core-input-gate.js';
import type { SpotInput } from './durability/spot-input.js';

const MAKER_ID = 1;
/** The spot stage's producer name on the risk topics: its streams never share a sequence with the perps stage's `risk-0`. */
export const SPOT_STAGE_SOURCE = 'spot-0';
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

/** The spot pair of a perp: its base and settle assets, the perp's tick and lot. */
export function spotPairOf(perp: MarketSpec) {
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
  return { pair, lotSat };
}

/** The spot ledger's assets with their decimals (custody amounts are given in them): the pair's base in satoshi, its quote as the perp settles. */
export function spotLedgerAssets(perp: MarketSpec): readonly AssetSpec[] {
  return [createAssetSpec(perp.baseAsset, Math.log10(SAT_PER_BTC)), createAssetSpec(perp.settleAsset, perp.settleDecimals)];
}

/** The venue's own cash lent into the spot pool before the first borrow: 2,000,000 of the quote, 100 of the base. */
export function spotPoolSeed(perp: MarketSpec): readonly { readonly asset: string; readonly amountUnits: number }[] {
  return [
    { asset: perp.settleAsset, amountUnits: 2_000_000 * USDT },
    { asset: perp.baseAsset, amountUnits: 100 * SAT_PER_BTC },
  ];
}

/**
 * The spot stage of the embedded venue for `perp` (its configuration only: every
 * input reaches it through the core input gate). A journal replay builds the same
 * engine from the journal's markets.
 */
export function embeddedSpotEngine(perp: MarketSpec, sink: (e: SpotMarginEvent) => void = () => undefined): SpotMarginEngine {
  const { pair } = spotPairOf(perp);
  const params = createSpotMarginParams({
    settleAsset: perp.settleAsset,
    maxAccountDebtValueUnits: 1_000_000 * USDT,
    borrowable: [
      { asset: perp.settleAsset, maxLeverage: 5, hourlyRateE8: 2_000, maxBorrowUnits: 500_000 * USDT },
      { asset: perp.baseAsset, maxLeverage: 5, hourlyRateE8: 1_000, maxBorrowUnits: 20 * SAT_PER_BTC },
    ],
  });
  return new SpotMarginEngine(
    { params, pairs: [pair], haircuts: [createHaircutSchedule(perp.baseAsset, [{ upToValueUnits: null, ratioE8: 100_000_000 }])] },
    sink,
  );
}

/** The venue's spot perp: the spot pair is the BTC perp's. */
export function spotPerpOf(markets: readonly MarketSpec[]): MarketSpec | undefined {
  return markets.find((m) => m.baseAsset === 'BTC');
}

export class EmbeddedSpotMargin {
  readonly engine: SpotMarginEngine;
  readonly borrowers: SpotMarginBorrowers;
  readonly symbol: string;
  /** The ledger's assets with their decimals (custody amounts are given in them): the pair's base in satoshi, its quote as the perp settles. */
  readonly assets: readonly AssetSpec[];
  /** Where every spot input goes (journaled, then applied to `engine`); set once the exchange's gate exists. */
  inputs: CoreInputGate | null = null;
  /**
   * Where every spot event goes out as a RiskEventV1 (spotBusPublisher onto the
   * pipeline's bus); set with the gate. A field, not a closure, so a snapshot
   * carries its stream sequences and a restored twin numbers on from them.
   */
  wire: SpotWirePublisher | null = null;
  private indexTicks = 0;
  private started = false;
  private readonly poolSeed: ReturnType<typeof spotPoolSeed>;
  private readonly borrowedByAsset = new Map<string, bigint>();

  constructor(perp: MarketSpec, seed: number, startTsNs: number, entryStartS: number, entryEndS: number, holdS: number) {
    const { pair, lotSat } = spotPairOf(perp);
    this.symbol = pair.symbol;
    this.assets = spotLedgerAssets(perp);
    this.engine = embeddedSpotEngine(perp, (e) => this.onEvent(e));
    this.poolSeed = spotPoolSeed(perp);
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
    this.wire?.onEvent(e);
    if (e.kind === SpotEventKind.Borrowed) this.borrowedByAsset.set(e.asset, (this.borrowedByAsset.get(e.asset) ?? 0n) + BigInt(e.amountUnits));
  }

  private submit(input: SpotInput): boolean {
    if (this.inputs === null) throw new Error('the spot market has no input gate yet');
    return this.inputs.spot(input).ok;
  }

  private port(tsNs: number) {
    const engine = this.engine;
    const row = (id: number, asset: string) => engine.context.state.peekRow(id, asset);
    return {
      deposit: (accountId: number, asset: string, amountUnits: number) => this.submit({ op: 'deposit', tsNs, accountId, asset, amountUnits }),
      repay: (accountId: number, asset: string, amountUnits: number) => this.submit({ op: 'repay', tsNs, accountId, asset, amountUnits }),
      debtUnits: (id: number, asset: string) => engine.context.debtNow(id, asset),
      availableUnits: (id: number, asset: string) => {
        const r = row(id, asset);
        return r === undefined ? 0 : r.balanceUnits - r.heldUnits;
      },
      placeIoc: (accountId: number, side: Side, priceTicks: number, qtyLots: number, autoBorrow: boolean) =>
        this.submit({ op: 'order', tsNs, accountId, symbol: this.symbol, side, priceTicks, qtyLots, immediateOrCancel: true, autoBorrow }),
    };
  }

  /** A new index for the pair: requote the maker around it, then let the watch see it. */
  onIndex(tsNs: number, indexTicks: number): void {
    const [base, quote] = this.symbol.split('/') as [string, string];
    if (!this.started) {
      this.started = true;
      for (const { asset, amountUnits } of this.poolSeed) this.submit({ op: 'fundPool', tsNs, asset, amountUnits });
      this.submit({ op: 'deposit', tsNs, accountId: MAKER_ID, asset: base, amountUnits: 500 * SAT_PER_BTC });
      this.submit({ op: 'deposit', tsNs, accountId: MAKER_ID, asset: quote, amountUnits: 50_000_000 * USDT });
      this.borrowers.setUp(this.port(tsNs));
    }
    this.indexTicks = indexTicks;
    const symbol = this.symbol;
    this.submit({ op: 'index', tsNs, symbol, priceTicks: indexTicks });
    this.submit({ op: 'cancelAll', tsNs, accountId: MAKER_ID });
    const qtyLots = 100_000; // 100 BTC a side: deep enough for every borrower and liquidation
    const quoteAt = (side: Side, priceTicks: number): boolean =>
      this.submit({ op: 'order', tsNs, accountId: MAKER_ID, symbol, side, priceTicks, qtyLots, immediateOrCancel: false, autoBorrow: false });
    quoteAt(Side.Buy, Math.floor((indexTicks * 999) / 1000));
    quoteAt(Side.Sell, Math.ceil((indexTicks * 1001) / 1000));
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
