/**
 * What each scheduled operation is: drawn from the scenario's mix with a seeded
 * generator, so a seed names the run's operations (their answers depend on the
 * market). Accounts take turns (operation n belongs to account n mod accounts),
 * which spreads the rate evenly over the keys, as the gateway's per-key order
 * limits require.
 *
 * Prices are in ticks from the latest mark of the market (refreshed by the driver
 * about once a second): makes rest `makeOffsetTicks` away on their side, takes are
 * IOC limits 2% through mark (inside the ±5% PERCENT_PRICE band, so they cross the
 * simulated makers' ladder). Each account remembers its resting orders (from their
 * answers) so a cancel names one of its own.
 */
import { SeededRandom } from '@perpcore/simulation';
import type { LoadScenario } from './load-scenario.js';
import { lotsForNotional, type StepSize } from './decimal-steps.js';

export type Side = 'BUY' | 'SELL';

export interface MarketView {
  readonly symbol: string;
  readonly tick: StepSize;
  readonly lot: StepSize;
  /** 0 until the first mark arrived. */
  markTicks: number;
}

export type OrderIntent =
  | { readonly op: 'make' | 'take'; readonly account: number; readonly market: MarketView; readonly side: Side; readonly priceTicks: number; readonly qtyLots: number; readonly clientOrderId: string }
  | { readonly op: 'cancel'; readonly account: number; readonly market: MarketView; readonly orderId: number };

/** 1.5 × the 5 USDT MIN_NOTIONAL, in µUSDT: the smallest order that stays valid as mark moves a little. */
const MIN_ORDER_NOTIONAL_MICRO = 7_500_000n;
/** Resting orders an account keeps before it cancels instead of making (MAX_NUM_ORDERS is far above). */
const MAX_RESTING_PER_ACCOUNT = 40;
const TAKE_THROUGH_E4 = 200; // 2% through mark

export class OrderFlow {
  private readonly random: SeededRandom;
  private readonly resting: { market: MarketView; orderId: number }[][];
  private readonly runTag: string;

  constructor(
    private readonly scenario: LoadScenario,
    readonly markets: readonly MarketView[],
    readonly accounts: number,
    seed: number,
  ) {
    this.random = new SeededRandom(seed);
    this.resting = Array.from({ length: accounts }, () => []);
    this.runTag = (Date.now() % 1_000_000_000).toString(36);
  }

  /** The operation with sequence number `n`, or null when its market has no mark yet. */
  next(n: number): OrderIntent | null {
    const account = n % this.accounts;
    const market = this.random.pick(this.markets);
    const { make, take, cancel } = this.scenario.mix;
    const draw = this.random.nextFloat() * (make + take + cancel);
    const own = this.resting[account] as { market: MarketView; orderId: number }[];
    const wantsCancel = (draw >= make + take || own.length >= MAX_RESTING_PER_ACCOUNT) && own.length > 0;
    if (wantsCancel) {
      const oldest = own.shift() as { market: MarketView; orderId: number };
      return { op: 'cancel', account, market: oldest.market, orderId: oldest.orderId };
    }
    if (market.markTicks <= 0) return null;
    const isTake = draw >= make && draw < make + take;
    const side: Side = isTake ? (this.random.chance(this.scenario.takeBuyShare) ? 'BUY' : 'SELL') : this.random.chance(0.5) ? 'BUY' : 'SELL';
    const qtyLots = lotsForNotional(market.markTicks, market.tick, market.lot, MIN_ORDER_NOTIONAL_MICRO) * this.scenario.sizeMultiple;
    const [minOffset, maxOffset] = this.scenario.makeOffsetTicks;
    const away = isTake ? -Math.max(1, Math.floor((market.markTicks * TAKE_THROUGH_E4) / 10_000)) : this.random.int(minOffset, maxOffset);
    const priceTicks = Math.max(1, side === 'BUY' ? market.markTicks - away : market.markTicks + away);
    return { op: isTake ? 'take' : 'make', account, market, side, priceTicks, qtyLots, clientOrderId: `ld${this.runTag}-${n}` };
  }

  /** A make's answer: the order rests, so a later cancel may name it. */
  rested(account: number, market: MarketView, orderId: number): void {
    this.resting[account]?.push({ market, orderId });
  }
}
