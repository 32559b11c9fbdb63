/**
 * A venue for domain scenario tests: the real pipeline (matching, risk, liquidation
 * over the in-process bus with the wire codec on), driven by named accounts,
 * decimal prices and an index the test sets. Builders go through the real commands,
 * so every check the stages make still runs. Not reachable from the package entry.
 */
import assert from 'node:assert/strict';
import { OrderType, priceToTicks, qtyToLots, SelfTradePrevention, Side, TimeInForce, TriggerSource, type MarketSpec } from '@perpcore/domain';
import { Topics } from '@perpcore/bus';
import { defaultMarketSpecs, defaultSystemAccounts, defaultVenueMarkets } from '@perpcore/markets';
import { createLogger } from '@perpcore/observability';
import type { MarketRiskParamsInput } from '@perpcore/margin';
import { SCHEMA_MAJOR_V1, sideToWire, type AccountCommandV1, type LiquidationEventV1, type MatchingCommandV1, type OracleEventV1, type RiskEventV1 } from '@perpcore/proto';
import { createPipeline, type Pipeline, type PipelineOptions } from './pipeline.js';

const START_NS = 1_767_225_600_000_000_000;
export const USDT = (text: string): number => Math.round(Number(text) * 1_000_000);

export interface TestVenueOptions {
  fundUsdt: string;
  risk?: Partial<Omit<MarketRiskParamsInput, 'tiers'>>;
  /** Wraps the bus the liquidation service uses (see `PipelineOptions.liquidationBus`). */
  liquidationBus?: PipelineOptions['liquidationBus'];
}

export class TestVenue {
  readonly liquidationEvents: LiquidationEventV1[] = [];
  readonly riskEvents: RiskEventV1[] = [];
  private tsNs = START_NS;
  private seq = 0;
  private orderId = 1;
  private readonly indexSeq = new Map<string, number>();

  private constructor(readonly pipeline: Pipeline) {}

  static async open(options: TestVenueOptions): Promise<TestVenue> {
    const venue = defaultVenueMarkets(defaultMarketSpecs, { markMethod: 'INDEX', ...options.risk });
    const pipeline = await createPipeline({
      logger: createLogger('test', 'silent'),
      venue,
      codecRoundTrip: true,
      adlRefreshMs: 1_000,
      insuranceFundSeedUnits: USDT(options.fundUsdt),
      ...(options.liquidationBus === undefined ? {} : { liquidationBus: options.liquidationBus }),
    });
    const v = new TestVenue(pipeline);
    await pipeline.bus.subscribe(Topics.liquidationEvents, { groupId: 'test' }, (m) => void v.liquidationEvents.push(m.value));
    await pipeline.bus.subscribe(Topics.riskAccountEvents, { groupId: 'test' }, (m) => void v.riskEvents.push(m.value));
    return v;
  }

  private spec(market: string): MarketSpec {
    const spec = this.pipeline.markets.find((m) => m.symbol === market);
    assert.ok(spec, `market ${market}`);
    return spec;
  }

  private account(accountId: number, fill: (cmd: AccountCommandV1) => void): void {
    const cmd = { schemaMajor: SCHEMA_MAJOR_V1, accountId, seq: ++this.seq, tsNs: this.tsNs, source: 'gateway-test', commandId: this.seq } as AccountCommandV1;
    fill(cmd);
    const before = this.riskEvents.length;
    this.pipeline.bus.publish(Topics.gatewayAccountCommands, cmd);
    const rejected = this.riskEvents.slice(before).find((e) => e.event === 'commandRejected');
    assert.equal(rejected, undefined, `account command rejected: ${rejected?.commandRejected?.code} ${rejected?.commandRejected?.message}`);
  }

  deposit(accountId: number, usdt: string): void {
    this.account(accountId, (c) => {
      c.command = 'deposit';
      c.deposit = { asset: 'USDT', amountUnits: USDT(usdt) };
    });
  }

  leverage(accountId: number, market: string, leverage: number): void {
    this.account(accountId, (c) => {
      c.command = 'setLeverage';
      c.setLeverage = { market, leverage };
    });
  }

  isolated(accountId: number, market: string): void {
    this.account(accountId, (c) => {
      c.command = 'setMarginMode';
      c.setMarginMode = { market, mode: 2 };
    });
  }

  /** Sets the index (the mark, with markMethod INDEX) and moves time on by `seconds`. */
  index(market: string, price: string, seconds = 1): void {
    this.tsNs += seconds * 1_000_000_000;
    const spec = this.spec(market);
    const subticks = priceToTicks(spec, price) * this.pipeline.subticksPerTick(market);
    const seq = (this.indexSeq.get(market) ?? 0) + 1;
    this.indexSeq.set(market, seq);
    this.pipeline.bus.publish(Topics.oracleIndexPrices, {
      schemaMajor: SCHEMA_MAJOR_V1,
      seq,
      tsNs: this.tsNs,
      source: 'oracle-test',
      symbol: market,
      event: 'indexPrice',
      indexPrice: { priceSubticks: subticks, sources: [{ source: 'test', priceSubticks: subticks, weightE8: 100_000_000, used: true }] },
    } as OracleEventV1);
  }

  /** Places a limit order; returns the risk reject code, if any. */
  order(accountId: number, market: string, side: 'BUY' | 'SELL', price: string, qty: string, tif: 'GTC' | 'IOC' = 'GTC'): string | undefined {
    const spec = this.spec(market);
    const cmd = { schemaMajor: SCHEMA_MAJOR_V1, market, seq: ++this.seq, tsNs: this.tsNs, source: 'gateway-test' } as MatchingCommandV1;
    cmd.command = 'place';
    cmd.place = {
      orderId: this.orderId++,
      accountId,
      side: sideToWire(side === 'BUY' ? Side.Buy : Side.Sell),
      type: OrderType.Limit,
      timeInForce: tif === 'GTC' ? TimeInForce.GoodTillCancel : TimeInForce.ImmediateOrCancel,
      priceTicks: priceToTicks(spec, price),
      qtyLots: qtyToLots(spec, qty),
      triggerPriceTicks: 0,
      triggerSource: TriggerSource.LastTrade,
      selfTradePrevention: SelfTradePrevention.CancelTaker,
      reduceOnly: false,
      clientOrderId: '',
      liquidationId: 0,
    };
    const before = this.riskEvents.length;
    this.pipeline.bus.publish(Topics.gatewayOrderCommands, cmd);
    return this.riskEvents.slice(before).find((e) => e.event === 'orderRejected')?.orderRejected?.code;
  }

  /** Signed position in lots (0 when flat). */
  positionLots(accountId: number, market: string): number {
    const report = this.pipeline.risk.engine.accountReport(accountId);
    if (report === null) return 0;
    const all = [...report.cross.positions, ...report.isolated.flatMap((s) => s.positions)];
    return all.find((p) => p.market === market)?.qtyLots ?? 0;
  }

  walletUnits(accountId: number): number {
    return this.pipeline.risk.engine.accountReport(accountId)?.collateral[0]?.balanceUnits ?? 0;
  }

  fundUnits(): number {
    return this.pipeline.risk.engine.ledger.fundBalanceUnits('shared');
  }

  events(kind: LiquidationEventV1['event'], accountId?: number): LiquidationEventV1[] {
    return this.liquidationEvents.filter((e) => e.event === kind && (accountId === undefined || e.accountId === accountId));
  }

  /** RISK-SPEC §9 after the scenario: long = short per market and money conserved to the unit. */
  assertConserved(): void {
    const audit = this.pipeline.risk.engine.audit();
    assert.ok(audit.ok, audit.problems.join('; '));
  }

  close(): Promise<void> {
    return this.pipeline.close();
  }
}

/**
 * Alice (account 2) goes long 1 BTC at 30,000 with 10x against the maker (account 1),
 * who ends short 1 BTC; the maker's only bid left is at 20,000, far below where Alice
 * goes bankrupt (a thin book). WB 3,085 after the taker fee: at 27,000, E = 85 ≤ MM 108.
 */
export async function aliceLong1BtcAt30k(options: TestVenueOptions): Promise<TestVenue> {
  const maker = 1;
  const alice = 2;
  const v = await TestVenue.open(options);
  v.deposit(maker, '10000000');
  v.deposit(alice, '3100');
  v.leverage(alice, 'BTCUSDT', 10);
  v.index('BTCUSDT', '30000');
  assert.equal(v.order(maker, 'BTCUSDT', 'SELL', '30000', '1'), undefined);
  assert.equal(v.order(alice, 'BTCUSDT', 'BUY', '30000', '1', 'IOC'), undefined);
  assert.equal(v.positionLots(alice, 'BTCUSDT'), 1000);
  assert.equal(v.order(maker, 'BTCUSDT', 'BUY', '20000', '1'), undefined);
  return v;
}
