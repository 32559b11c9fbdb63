/**
 * Orders through the typed `ExchangeClient` on an embedded exchange composed in
 * this process (no HTTP, no signing): the floor under what the gateway adds. The
 * simulated market runs beside it at the scenario's background rate (its steps
 * share the event loop with the harness, as in `npm start`), with the scenario's
 * index gap. Accounts are ids from 100,000 (the operator's range) with deposits
 * and leverage through the client; order ids from the gateway's allocator.
 */
import { OrderType, Side as CoreSide, TimeInForce } from '@perpcore/domain';
import { EmbeddedExchange, type ExchangeClient, type OrderCommandResult } from '@perpcore/exchange';
import { FIRST_OPERATOR_ACCOUNT_ID, OrderIdAllocator } from '@perpcore/gateway';
import { createLogger } from '@perpcore/observability';
import type { LatencyRecorder } from './latency-recorder.js';
import type { LoadDriver } from './load-driver.js';
import type { LoadScenario } from './load-scenario.js';
import { stepSizeOf } from './decimal-steps.js';
import type { MarketView, OrderFlow, OrderIntent } from './order-flow.js';

const STEP_EVERY_MS = 10;
const USDT_DECIMALS = 6;

function usdtUnits(text: string): number {
  const [whole, fraction = ''] = text.split('.');
  return Number(BigInt(`${whole}${fraction.padEnd(USDT_DECIMALS, '0')}`));
}

export class ClientDriver implements LoadDriver {
  readonly describe = 'in-process ExchangeClient (EmbeddedExchangeClient): placeOrder (LIMIT GTC / IOC) and cancelOrder';
  private exchange: EmbeddedExchange | undefined;
  private client: ExchangeClient | undefined;
  private readonly ids = new OrderIdAllocator();
  private stepper: NodeJS.Timeout | undefined;
  private liquidationEvents = 0;
  private stepped = 0;

  constructor(
    private readonly scenario: LoadScenario,
    private readonly marketSymbols: readonly string[],
    private readonly seed: number,
  ) {}

  async setup(accounts: number): Promise<readonly MarketView[]> {
    const { shockAtS, shockE8, backgroundRatePerS } = this.scenario.embedded;
    const exchange = await EmbeddedExchange.create({ logger: createLogger('load', 'silent'), seed: this.seed, scenario: { shockAtS, shockE8 } });
    this.exchange = exchange;
    exchange.step(2_000); // the simulated makers quote before the first order
    const client = await exchange.client('load-harness');
    this.client = client;
    await client.subscribe({ onLiquidationEvent: () => this.liquidationEvents++ });
    const listed = client.markets();
    const markets = this.marketSymbols.map((symbol): MarketView => {
      const venue = listed.find((m) => m.spec.symbol === symbol);
      if (venue === undefined) throw new Error(`market ${symbol} is not listed (listed: ${listed.map((m) => m.spec.symbol).join(', ')})`);
      return { symbol, tick: stepSizeOf(venue.spec.tickSize), lot: stepSizeOf(venue.spec.lotSize), markTicks: 0 };
    });
    const deposit = usdtUnits(this.scenario.setup.depositUsdt);
    for (let i = 0; i < accounts; i++) {
      const accountId = FIRST_OPERATOR_ACCOUNT_ID + i;
      const d = await client.deposit(accountId, 'USDT', deposit);
      if (d.rejection !== null) throw new Error(`deposit for ${accountId}: ${d.rejection.code}`);
      for (const m of markets) {
        const l = await client.setLeverage(accountId, m.symbol, this.scenario.setup.leverage);
        if (l.rejection !== null) throw new Error(`leverage ${m.symbol} for ${accountId}: ${l.rejection.code}`);
      }
    }
    await this.refreshMarks(markets);
    const startMs = performance.now();
    this.stepper = setInterval(() => {
      const due = Math.floor(((performance.now() - startMs) / 1000) * backgroundRatePerS) - this.stepped;
      if (due <= 0) return;
      exchange.step(due);
      this.stepped += due;
    }, STEP_EVERY_MS);
    return markets;
  }

  async refreshMarks(markets: readonly MarketView[]): Promise<void> {
    for (const m of markets) {
      const book = await this.client?.book(m.symbol, 1);
      const bid = book?.bids[0]?.[0];
      const ask = book?.asks[0]?.[0];
      if (bid !== undefined && ask !== undefined) m.markTicks = Math.floor((bid + ask) / 2);
      else if (book !== null && book !== undefined && book.lastTradeTicks > 0) m.markTicks = book.lastTradeTicks;
    }
  }

  operations(intent: OrderIntent): readonly string[] {
    return [intent.op];
  }

  async execute(intent: OrderIntent, intendedMs: number, recorder: LatencyRecorder, flow: OrderFlow): Promise<void> {
    const client = this.client as ExchangeClient;
    const accountId = FIRST_OPERATOR_ACCOUNT_ID + intent.account;
    let result: OrderCommandResult;
    try {
      if (intent.op === 'cancel') result = await client.cancelOrder(accountId, intent.market.symbol, intent.orderId);
      else {
        result = await client.placeOrder({
          orderId: this.ids.next(),
          accountId,
          market: intent.market.symbol,
          side: intent.side === 'BUY' ? CoreSide.Buy : CoreSide.Sell,
          type: OrderType.Limit,
          timeInForce: intent.op === 'make' ? TimeInForce.GoodTillCancel : TimeInForce.ImmediateOrCancel,
          priceTicks: intent.priceTicks,
          qtyLots: intent.qtyLots,
          clientOrderId: intent.clientOrderId,
        });
      }
    } catch (error) {
      recorder.done(intent.op, 'error', (performance.now() - intendedMs) * 1000, (error as Error).message.slice(0, 60));
      return;
    }
    const latencyUs = (performance.now() - intendedMs) * 1000;
    if (result.rejection !== null) {
      recorder.done(intent.op, 'rejected', latencyUs, result.rejection.code);
      return;
    }
    recorder.done(intent.op, 'ok', latencyUs);
    if (intent.op === 'make' && this.rests(result)) flow.rested(intent.account, intent.market, result.orderId);
  }

  finish(_recorder: LatencyRecorder): void {
    // every client call is settled by its answer or its error
  }

  observed(): Record<string, number> {
    return { liquidationEvents: this.liquidationEvents, backgroundCommands: this.stepped };
  }

  async close(): Promise<void> {
    if (this.stepper !== undefined) clearInterval(this.stepper);
    await this.client?.close();
    await this.exchange?.close();
  }

  /** A make rests unless its own events filled or cancelled all of it. */
  private rests(result: OrderCommandResult): boolean {
    for (const e of result.matchingEvents) {
      if (e.filled != null && Number(e.filled.takerOrderId) === result.orderId && Number(e.filled.takerRemainingLots) === 0) return false;
      if (e.canceled != null && Number(e.canceled.orderId) === result.orderId) return false;
    }
    return true;
  }
}
