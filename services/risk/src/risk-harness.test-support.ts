/**
 * Test support (not exported): a risk engine wired to real reference books, the
 * way embedded mode wires it, with a queue between them standing in for the bus
 * (commands risk sends are applied after the current input returns, never
 * re-entrantly). Markets and tables are built through the real constructors.
 *
 * BTCUSDT: tick 0.1, lot 0.001 BTC, USDT 6 decimals → lotTickUnits 100, 100 mark
 * subticks per tick; old Binance BTC tiers. ETHUSDT: tick 0.01, lot 0.01 ETH →
 * lotTickUnits 100. Fees: maker 0.02%, taker 0.05%.
 */
import assert from 'node:assert/strict';
import { FillType, OrderType, TimeInForce, createAssetSpec, createMarketSpec, type MarketSpec } from '@perpcore/domain';
import { type MarketRiskParamsInput, createHaircutSchedule, createMarketRiskParams } from '@perpcore/margin';
import { type BookEventSink, type OrderBook, createReferenceOrderBook } from '@perpcore/orderbook';
import { SCHEMA_MAJOR_V1, type AccountCommandV1, type MatchingCommandV1, type MatchingEventV1, type RiskEventV1, perpcore, riskEventCodec, sideFromWire } from '@perpcore/proto';
import { RiskEngine } from './risk-engine.js';
import type { RiskEngineConfig, RiskMarketConfig } from './risk-config.js';

export const USDT = 1_000_000;
export const FEE_ACCOUNT = 900_001;
export const FUND_ACCOUNT = 900_002;
const WireSide = perpcore.common.v1.Side;

export const btcSpec: MarketSpec = createMarketSpec({
  symbol: 'BTCUSDT', baseAsset: 'BTC', settleAsset: 'USDT', settleDecimals: 6,
  tickSize: '0.1', lotSize: '0.001', maxPriceTicks: 10_000_000, maxQtyLots: 1_000_000, priceBandE8: 5_000_000,
});
export const ethSpec: MarketSpec = createMarketSpec({
  symbol: 'ETHUSDT', baseAsset: 'ETH', settleAsset: 'USDT', settleDecimals: 6,
  tickSize: '0.01', lotSize: '0.01', maxPriceTicks: 100_000_000, maxQtyLots: 10_000_000, priceBandE8: 5_000_000,
});

const u = (n: number) => n * USDT;
export const btcTiers = [
  { floorUnits: 0, capUnits: u(50_000), maxLeverage: 125, mmrE8: 400_000 },
  { floorUnits: u(50_000), capUnits: u(250_000), maxLeverage: 100, mmrE8: 500_000 },
  { floorUnits: u(250_000), capUnits: u(1_000_000), maxLeverage: 50, mmrE8: 1_000_000 },
  { floorUnits: u(1_000_000), capUnits: u(5_000_000), maxLeverage: 20, mmrE8: 2_500_000 },
];
export const ethTiers = [
  { floorUnits: 0, capUnits: u(10_000), maxLeverage: 100, mmrE8: 500_000 },
  { floorUnits: u(10_000), capUnits: u(100_000), maxLeverage: 75, mmrE8: 650_000 },
  { floorUnits: u(100_000), capUnits: u(500_000), maxLeverage: 50, mmrE8: 1_000_000 },
];

export function marketConfigs(overrides: Partial<MarketRiskParamsInput> = {}): RiskMarketConfig[] {
  return [
    { spec: btcSpec, risk: createMarketRiskParams(btcSpec, { tiers: btcTiers, clearanceFeeRateE8: 1_250_000, ...overrides }), makerFeeRateE8: 20_000, takerFeeRateE8: 50_000 },
    { spec: ethSpec, risk: createMarketRiskParams(ethSpec, { tiers: ethTiers, clearanceFeeRateE8: 1_250_000, ...overrides }), makerFeeRateE8: 20_000, takerFeeRateE8: 50_000 },
  ];
}

export function riskConfig(overrides: Partial<MarketRiskParamsInput> = {}): RiskEngineConfig {
  return {
    source: 'risk-0',
    settleAsset: createAssetSpec('USDT', 6),
    markets: marketConfigs(overrides),
    collateral: [
      {
        asset: createAssetSpec('BTC', 8),
        haircut: createHaircutSchedule('BTC', [{ upToValueUnits: u(1_000_000), ratioE8: 95_000_000 }, { upToValueUnits: null, ratioE8: 80_000_000 }]),
        indexMarket: 'BTCUSDT',
      },
    ],
    feeAccountId: FEE_ACCOUNT,
    insuranceFunds: [{ fundId: 'shared', accountId: FUND_ACCOUNT }],
  };
}

/** The config with the insurance fund's starting capital (funds take no deposits). */
export function withFundSeed(config: RiskEngineConfig, seedUnits: number): RiskEngineConfig {
  return { ...config, insuranceFunds: config.insuranceFunds.map((f) => ({ ...f, seedUnits })) };
}

/** "30000.5" → BTCUSDT ticks (0.1). */
export const btcTicks = (price: string) => Math.round(Number(price) * 10);
/** BTCUSDT price → mark subticks (100 per tick). */
export const btcSubticks = (price: string) => Math.round(Number(price) * 1000);

export interface PlaceArgs {
  account: number;
  market?: string;
  side: 'buy' | 'sell';
  priceTicks?: number;
  lots: number;
  type?: number;
  tif?: number;
  reduceOnly?: boolean;
  orderId?: number;
  triggerPriceTicks?: number;
}

class BookBridge implements BookEventSink {
  tsNs = 0;
  tradeSeq = 0;
  constructor(
    private readonly harness: RiskHarness,
    private readonly m: number,
  ) {}
  onAccepted(e: { orderId: number }): void {
    this.harness.engine.onOrderAccepted(this.m, e.orderId);
  }
  onRejected(e: { orderId: number; accountId: number }): void {
    this.harness.engine.onOrderRejected(this.m, e.orderId, e.accountId, this.tsNs);
  }
  onFill(f: { makerOrderId: number; makerAccountId: number; takerOrderId: number; takerAccountId: number; takerSide: number; priceTicks: number; qtyLots: number; makerRemainingLots: number; takerRemainingLots: number }): void {
    this.harness.engine.onFill(this.m, ++this.tradeSeq, f.makerAccountId, f.makerOrderId, f.takerAccountId, f.takerOrderId, f.takerSide, f.priceTicks, f.qtyLots, f.makerRemainingLots, f.takerRemainingLots, FillType.Limit, this.tsNs);
  }
  onCanceled(e: { orderId: number }): void {
    this.harness.engine.onOrderCanceled(this.m, e.orderId, this.tsNs);
  }
  onAmended(e: { orderId: number; priceTicks: number; qtyLots: number }): void {
    this.harness.engine.onOrderAmended(this.m, e.orderId, e.priceTicks, e.qtyLots, this.tsNs);
  }
  onTriggered(): void {}
  onBookDelta(): void {}
}

export class RiskHarness {
  readonly events: RiskEventV1[] = [];
  readonly commands: MatchingCommandV1[] = [];
  readonly engine: RiskEngine;
  readonly books = new Map<string, OrderBook>();
  private readonly bridges = new Map<string, BookBridge>();
  private readonly queue: MatchingCommandV1[] = [];
  private draining = false;
  tsNs = 1_700_000_000_000_000_000;
  private gatewaySeq = 0;
  private accountSeq = 0;
  nextOrderId = 1;
  /** Encode and decode every event, as the Kafka bus would. */
  wireCheck = true;
  /** Matching refuses the next place or amend risk forwards: its `rejected` comes back instead of the book seeing it. */
  refuseNext = false;

  constructor(config: RiskEngineConfig = riskConfig()) {
    this.engine = new RiskEngine({
      config,
      ports: {
        publish: (e) => {
          if (this.wireCheck) {
            const decoded = riskEventCodec.decode(riskEventCodec.encode(e));
            assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.message);
          }
          this.events.push(e);
          if (e.event === 'markPrice') {
            const book = this.books.get(e.market);
            const spt = config.markets.find((m) => m.spec.symbol === e.market)?.risk.markSubticksPerTick ?? 100;
            book?.setMarkPrice(Math.ceil((e.markPrice?.markSubticks ?? 0) / spt));
          }
        },
        toMatching: (c) => {
          this.commands.push(c);
          this.queue.push(c);
        },
      },
      bookTop: (symbol) => this.books.get(symbol),
    });
    config.markets.forEach((m, i) => {
      const bridge = new BookBridge(this, i);
      this.bridges.set(m.spec.symbol, bridge);
      this.books.set(m.spec.symbol, createReferenceOrderBook({ maxPriceTicks: m.spec.maxPriceTicks, maxQtyLots: m.spec.maxQtyLots, priceBandE8: m.spec.priceBandE8 }, bridge));
    });
  }

  /** Applies queued commands to the books until none is left. */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let c = this.queue.shift(); c !== undefined; c = this.queue.shift()) this.route(c);
    } finally {
      this.draining = false;
    }
  }

  private route(c: MatchingCommandV1): void {
    const book = this.books.get(c.market) as OrderBook;
    const bridge = this.bridges.get(c.market) as BookBridge;
    bridge.tsNs = c.tsNs;
    if (this.refuseNext && (c.command === 'place' || c.command === 'amend')) {
      this.refuseNext = false;
      const body = c.place ?? c.amend;
      this.engine.onOrderRejected(this.engine.marketIndex(c.market), body?.orderId ?? 0, body?.accountId ?? 0, c.tsNs);
      return;
    }
    if (c.command === 'place' && c.place) {
      const p = c.place;
      book.place({ orderId: p.orderId, accountId: p.accountId, side: sideFromWire(p.side) ?? 1, type: p.type, timeInForce: p.timeInForce, priceTicks: p.priceTicks, qtyLots: p.qtyLots, triggerPriceTicks: p.triggerPriceTicks, triggerSource: p.triggerSource || 1, selfTradePrevention: p.selfTradePrevention, reduceOnly: p.reduceOnly } as never);
    } else if (c.command === 'cancel' && c.cancel) {
      book.cancel({ orderId: c.cancel.orderId, accountId: c.cancel.accountId });
    } else if (c.command === 'amend' && c.amend) {
      book.amend({ orderId: c.amend.orderId, accountId: c.amend.accountId, priceTicks: c.amend.priceTicks, qtyLots: c.amend.qtyLots });
    } else if (c.command === 'cancelAll' && c.cancelAll) {
      book.cancelAll(c.cancelAll.accountId);
    }
  }

  step(ns = 1_000_000_000): number {
    this.tsNs += ns;
    return this.tsNs;
  }

  accountCommand(accountId: number, body: Partial<AccountCommandV1>): RiskEventV1 {
    const before = this.events.length;
    this.engine.handleAccountCommand({ schemaMajor: SCHEMA_MAJOR_V1, accountId, seq: ++this.accountSeq, tsNs: this.step(1_000), source: 'gateway-0', commandId: this.accountSeq, ...body } as AccountCommandV1);
    this.drain();
    const answer = this.events.slice(before).find((e) => e.event === 'commandAccepted' || e.event === 'commandRejected');
    assert.ok(answer, 'every account command is answered');
    return answer;
  }

  deposit(accountId: number, amountUnits: number, asset = 'USDT'): RiskEventV1 {
    return this.accountCommand(accountId, { command: 'deposit', deposit: { asset, amountUnits } as perpcore.risk.v1.DepositV1 });
  }

  withdraw(accountId: number, amountUnits: number, asset = 'USDT'): RiskEventV1 {
    return this.accountCommand(accountId, { command: 'withdraw', withdraw: { asset, amountUnits } as perpcore.risk.v1.WithdrawV1 });
  }

  setLeverage(accountId: number, market: string, leverage: number): RiskEventV1 {
    return this.accountCommand(accountId, { command: 'setLeverage', setLeverage: { market, leverage } as perpcore.risk.v1.SetLeverageV1 });
  }

  setMode(accountId: number, market: string, mode: number): RiskEventV1 {
    return this.accountCommand(accountId, { command: 'setMarginMode', setMarginMode: { market, mode } as perpcore.risk.v1.SetMarginModeV1 });
  }

  adjustIsolated(accountId: number, market: string, deltaUnits: number): RiskEventV1 {
    return this.accountCommand(accountId, { command: 'adjustIsolatedMargin', adjustIsolatedMargin: { market, deltaUnits } as perpcore.risk.v1.AdjustIsolatedMarginV1 });
  }

  /** Index price for a symbol (subticks), one oracle event. */
  index(symbol: string, priceSubticks: number, advanceNs = 1_000_000_000): void {
    this.engine.handleOracleEvent({ schemaMajor: SCHEMA_MAJOR_V1, seq: ++this.oracleSeq, tsNs: this.step(advanceNs), source: 'oracle-0', symbol, event: 'indexPrice', indexPrice: { priceSubticks, sources: [] } } as never);
    this.drain();
  }
  private oracleSeq = 0;

  /** Sends a gateway order; returns the risk reject code, or '' when forwarded. */
  place(a: PlaceArgs): string {
    const before = this.events.length;
    const orderId = a.orderId ?? this.nextOrderId++;
    const type = a.type ?? OrderType.Limit;
    this.engine.handleOrderCommand({
      schemaMajor: SCHEMA_MAJOR_V1, market: a.market ?? 'BTCUSDT', seq: ++this.gatewaySeq, tsNs: this.step(1_000), source: 'gateway-0',
      command: 'place',
      place: {
        orderId, accountId: a.account, side: a.side === 'buy' ? WireSide.SIDE_BUY : WireSide.SIDE_SELL, type,
        timeInForce: a.tif ?? (type === OrderType.Market ? TimeInForce.ImmediateOrCancel : TimeInForce.GoodTillCancel),
        priceTicks: a.priceTicks ?? 0, qtyLots: a.lots, triggerPriceTicks: a.triggerPriceTicks ?? 0, triggerSource: 0, selfTradePrevention: 0,
        reduceOnly: a.reduceOnly ?? false, clientOrderId: '', liquidationId: 0,
      } as perpcore.matching.v1.PlaceOrderV1,
    } as MatchingCommandV1);
    this.drain();
    const rejected = this.events.slice(before).find((e) => e.event === 'orderRejected');
    return rejected?.orderRejected?.code ?? '';
  }

  /** Sends a gateway amend; returns the risk reject code, or '' when forwarded. */
  amend(account: number, orderId: number, priceTicks: number, lots: number, market = 'BTCUSDT'): string {
    const before = this.events.length;
    this.engine.handleOrderCommand({ schemaMajor: SCHEMA_MAJOR_V1, market, seq: ++this.gatewaySeq, tsNs: this.step(1_000), source: 'gateway-0', command: 'amend', amend: { orderId, accountId: account, priceTicks, qtyLots: lots } } as MatchingCommandV1);
    this.drain();
    const rejected = this.events.slice(before).find((e) => e.event === 'orderRejected');
    return rejected?.orderRejected?.code ?? '';
  }

  cancel(account: number, orderId: number, market = 'BTCUSDT'): void {
    this.engine.handleOrderCommand({ schemaMajor: SCHEMA_MAJOR_V1, market, seq: ++this.gatewaySeq, tsNs: this.step(1_000), source: 'gateway-0', command: 'cancel', cancel: { orderId, accountId: account } } as MatchingCommandV1);
    this.drain();
  }

  eventsOf(kind: RiskEventV1['event'], accountId?: number): RiskEventV1[] {
    return this.events.filter((e) => e.event === kind && (accountId === undefined || e.accountId === accountId));
  }
}

/**
 * Long 333 lots vs short 333 lots of BTCUSDT at 30,000.0 (index 30,000.05), 10,000
 * USDT each, funding every 60 s with samples every 5 s. `beforeTrade` runs after
 * the deposits (e.g. a margin-mode change).
 */
export function fundedPair(longId: number, shortId: number, beforeTrade: (h: RiskHarness) => void = () => undefined): RiskHarness {
  const h = new RiskHarness(riskConfig({ fundingIntervalS: 60, premiumSampleS: 5 }));
  h.index('BTCUSDT', btcSubticks('30000.05'));
  h.deposit(longId, 10_000 * USDT);
  h.deposit(shortId, 10_000 * USDT);
  beforeTrade(h);
  h.place({ account: shortId, side: 'sell', priceTicks: btcTicks('30000'), lots: 333 });
  h.place({ account: longId, side: 'buy', priceTicks: btcTicks('30000'), lots: 333 });
  return h;
}

/** A fill envelope straight from "matching" (no pre-trade hold: a matched fill is final). */
export function fillEvent(h: RiskHarness, seq: number, makerAccountId: number, takerAccountId: number, takerSide: 1 | -1, priceTicks: number, qtyLots: number): MatchingEventV1 {
  return {
    schemaMajor: SCHEMA_MAJOR_V1, market: 'BTCUSDT', seq, tsNs: h.step(1_000), inputSource: '', inputSeq: 0, event: 'filled',
    filled: { tradeSeq: seq, makerOrderId: 0, makerAccountId, takerOrderId: 0, takerAccountId, takerSide: takerSide === 1 ? 1 : 2, priceTicks, qtyLots, makerRemainingLots: 0, takerRemainingLots: 0, fillType: 1 },
  } as unknown as MatchingEventV1;
}

/**
 * The house fixture: `alice` long 1 BTC at 30,000 at 50× against `maker` (WB 985
 * after the taker fee; liquidated at a mark of 29,131.53 or below), BTCUSDT index
 * 30,000.
 */
export function aliceLong1BtcAt30k(alice: number, maker: number, h = new RiskHarness()): RiskHarness {
  h.index('BTCUSDT', btcSubticks('30000'));
  h.deposit(maker, 1_000_000 * USDT);
  h.deposit(alice, 1_000 * USDT);
  h.setLeverage(alice, 'BTCUSDT', 50);
  h.place({ account: maker, side: 'sell', priceTicks: btcTicks('30000'), lots: 1000 });
  h.place({ account: alice, side: 'buy', priceTicks: btcTicks('30000'), lots: 1000 });
  return h;
}

/** Accounts of `fundShortAliceLiquidating`. */
export interface FundShortParties {
  readonly maker: number;
  readonly alice: number;
  readonly bob: number;
}

/**
 * The fund holds an opposite position: `alice` (1,000.03 USDT, 50×) long 1 BTC at
 * 30,000 and `bob` (1,300 USDT, 50×) short 2 BTC at 30,000, both against `maker`; at
 * 30,600 Bob is liquidating (E 70 ≤ MM 244.8) and the fund takes his short over at BP
 * 30,635.0; at 29,100 Alice is liquidating (E 85.03 ≤ MM 116.4), BP 29,015.0.
 * `beforeShock` runs with the index still at 30,000 (more positions).
 */
export function fundShortAliceLiquidating(fundSeedUnits: number, p: FundShortParties, beforeShock: (h: RiskHarness) => void = () => {}): RiskHarness {
  const h = new RiskHarness(withFundSeed(riskConfig(), fundSeedUnits));
  h.index('BTCUSDT', btcSubticks('30000'));
  h.deposit(p.maker, 1_000_000 * USDT);
  h.deposit(p.alice, 1_000_030_000);
  h.setLeverage(p.alice, 'BTCUSDT', 50);
  h.place({ account: p.maker, side: 'sell', priceTicks: btcTicks('30000'), lots: 1000 });
  assert.equal(h.place({ account: p.alice, side: 'buy', priceTicks: btcTicks('30000'), lots: 1000 }), '');
  h.deposit(p.bob, 1_300 * USDT);
  h.setLeverage(p.bob, 'BTCUSDT', 50);
  h.place({ account: p.maker, side: 'buy', priceTicks: btcTicks('30000'), lots: 2000 });
  assert.equal(h.place({ account: p.bob, side: 'sell', priceTicks: btcTicks('30000'), lots: 2000 }), '');
  beforeShock(h);
  h.index('BTCUSDT', btcSubticks('30600'));
  assert.equal(h.eventsOf('liquidationTriggered', p.bob).length, 1);
  assert.equal(h.engine.ledger.insuranceTakeoverRefusal({ accountId: p.bob }, 'BTCUSDT'), null);
  assert.equal(h.engine.ledger.applyInsuranceTakeover({ accountId: p.bob }, 'BTCUSDT', { liquidationId: 7, tsNs: h.step(1_000) }).fillPriceTicks, btcTicks('30635'));
  h.index('BTCUSDT', btcSubticks('29100'));
  assert.equal(h.eventsOf('liquidationTriggered', p.alice).length, 1);
  return h;
}

/** `alice`: 1,000.03 USDT at 50×, long 1 BTC at 30,000 from `maker` (WB 985.03), liquidating at mark 29,100 (E 85.03 ≤ MM 116.4); BP 29,015. Fund seeded 50,000 USDT. */
export function aliceLiquidatingAt29100(alice: number, maker: number): RiskHarness {
  const h = new RiskHarness(withFundSeed(riskConfig(), 50_000 * USDT));
  h.index('BTCUSDT', btcSubticks('30000'));
  h.deposit(maker, 1_000_000 * USDT);
  h.deposit(alice, 1_000_030_000);
  h.setLeverage(alice, 'BTCUSDT', 50);
  h.place({ account: maker, side: 'sell', priceTicks: btcTicks('30000'), lots: 1000 });
  h.place({ account: alice, side: 'buy', priceTicks: btcTicks('30000'), lots: 1000 });
  h.index('BTCUSDT', btcSubticks('29100'));
  assert.equal(h.eventsOf('liquidationTriggered', alice).length, 1);
  return h;
}
