/**
 * The seeded random command streams the book property tests share: raw commands
 * (every order type, TIF and STP mode, cancels, amends, cancelAll, mark updates,
 * duplicate ids, foreign accounts and bad inputs) and the interpreter that turns
 * them into calls on a book.
 */
import fc from 'fast-check';
import { OrderType, SelfTradePrevention, Side, TimeInForce, TriggerSource } from '@perpcore/domain';
import type { CancelReason, OrderBook, OrderBookConfig, PlaceOrderCommand } from './order-book.js';

const MID = 10_000;
/** Band 0.1% = 10 ticks around 10_000: prices in the streams reach past it. */
export const SMALL_RANGE: OrderBookConfig = { maxPriceTicks: 1_000_000, maxQtyLots: 1_000, priceBandE8: 100_000 };
export const HUGE_RANGE: OrderBookConfig = { maxPriceTicks: 2 ** 40, maxQtyLots: 8_000, priceBandE8: 100_000 };
const ACCOUNTS = 4;

/** A raw command: plain numbers that `interpret` turns into a real call, given the ids issued so far. */
export type Raw =
  | { k: 'limit'; acct: number; buy: boolean; off: number; qty: number; tif: number; stp: number; ro: boolean; dup: boolean; bad: number }
  | { k: 'market'; acct: number; buy: boolean; qty: number; tif: number; stp: number; bad: number }
  | { k: 'cond'; acct: number; buy: boolean; type: number; trig: number; off: number; qty: number; tif: number; src: number; stp: number; bad: number }
  | { k: 'cancel'; pick: number; foreign: boolean; bad: number }
  | { k: 'amend'; pick: number; foreign: boolean; off: number; qty: number; sameSize: number; bad: number }
  | { k: 'cancelAll'; acct: number; reason: number }
  | { k: 'mark'; off: number; bad: number };

const bad = fc.oneof({ weight: 12, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat(20) });
const acct = fc.integer({ min: 1, max: ACCOUNTS });
const qty = fc.integer({ min: 1, max: 12 });
const stp = fc.integer({ min: 0, max: 3 });

export const rawCommand: fc.Arbitrary<Raw> = fc.oneof(
  {
    weight: 35,
    arbitrary: fc.record({
      k: fc.constant('limit' as const),
      acct,
      buy: fc.boolean(),
      off: fc.integer({ min: -12, max: 12 }),
      qty,
      tif: fc.constantFrom(1, 1, 1, 2, 3, 4),
      stp,
      ro: fc.boolean(),
      dup: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x < 0.03),
      bad,
    }),
  },
  { weight: 8, arbitrary: fc.record({ k: fc.constant('market' as const), acct, buy: fc.boolean(), qty, tif: fc.constantFrom(1, 2, 3), stp, bad }) },
  {
    weight: 14,
    arbitrary: fc.record({
      k: fc.constant('cond' as const),
      acct,
      buy: fc.boolean(),
      type: fc.integer({ min: 3, max: 6 }),
      trig: fc.integer({ min: -12, max: 12 }),
      off: fc.integer({ min: -12, max: 12 }),
      qty,
      tif: fc.constantFrom(1, 2, 3),
      src: fc.constantFrom(1, 2),
      stp,
      bad,
    }),
  },
  { weight: 15, arbitrary: fc.record({ k: fc.constant('cancel' as const), pick: fc.nat(), foreign: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x < 0.05), bad }) },
  {
    weight: 20,
    arbitrary: fc.record({
      k: fc.constant('amend' as const),
      pick: fc.nat(),
      foreign: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x < 0.05),
      off: fc.integer({ min: -12, max: 12 }),
      qty,
      sameSize: fc.nat(3),
      bad,
    }),
  },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('cancelAll' as const), acct, reason: fc.constantFrom(5, 5, 6, 1, 0) }) },
  { weight: 9, arbitrary: fc.record({ k: fc.constant('mark' as const), off: fc.integer({ min: -30, max: 30 }), bad }) },
);

const BAD_VALUES = [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53];

/** Turns raw commands into calls; remembers each issued id's account so cancels and amends mostly hit live orders. */
export class Interpreter {
  private nextId = 1;
  private readonly owner: number[] = [0];

  constructor(private readonly config: OrderBookConfig) {}

  apply(raw: Raw, book: OrderBook): void {
    switch (raw.k) {
      case 'limit': {
        const cmd = this.base(raw.acct, raw.buy, OrderType.Limit, raw.qty, raw.stp, raw.dup);
        cmd.priceTicks = MID + raw.off;
        cmd.timeInForce = raw.tif as TimeInForce;
        cmd.reduceOnly = raw.ro;
        return book.place(this.corrupt(cmd, raw.bad));
      }
      case 'market': {
        const cmd = this.base(raw.acct, raw.buy, OrderType.Market, raw.qty, raw.stp, false);
        cmd.timeInForce = raw.tif as TimeInForce;
        return book.place(this.corrupt(cmd, raw.bad));
      }
      case 'cond': {
        const cmd = this.base(raw.acct, raw.buy, raw.type as OrderType, raw.qty, raw.stp, false);
        cmd.triggerPriceTicks = MID + raw.trig;
        cmd.priceTicks = MID + raw.off;
        cmd.timeInForce = raw.tif as TimeInForce;
        cmd.triggerSource = raw.src as TriggerSource;
        return book.place(this.corrupt(cmd, raw.bad));
      }
      case 'cancel': {
        const orderId = this.pick(raw.pick);
        const accountId = raw.foreign ? (this.owner[orderId] % ACCOUNTS) + 1 : this.owner[orderId];
        return book.cancel({ orderId: raw.bad === 0 ? Number.NaN : orderId, accountId: raw.bad === 1 ? 0 : accountId || 1 });
      }
      case 'amend': {
        const orderId = this.pick(raw.pick);
        const accountId = raw.foreign ? (this.owner[orderId] % ACCOUNTS) + 1 : this.owner[orderId] || 1;
        const view = book.getOrder(orderId);
        // a third of the amends keep the price and shrink (or keep) the size: the priority-keeping path
        const keep = view !== undefined && raw.sameSize === 0;
        const cmd = {
          orderId,
          accountId,
          priceTicks: keep ? view.priceTicks : MID + raw.off,
          qtyLots: keep ? Math.max(1, view.remainingLots - (raw.qty % 3)) : raw.qty,
        };
        if (raw.bad >= 0 && raw.bad < 4) cmd.qtyLots = BAD_VALUES[raw.bad];
        else if (raw.bad >= 4 && raw.bad < 8) cmd.priceTicks = BAD_VALUES[raw.bad - 4];
        return book.amend(cmd);
      }
      case 'cancelAll':
        return book.cancelAll(raw.acct, raw.reason as CancelReason);
      case 'mark':
        return book.setMarkPrice(raw.bad >= 0 ? BAD_VALUES[raw.bad % BAD_VALUES.length] : MID + raw.off);
    }
  }

  private base(accountId: number, buy: boolean, type: OrderType, qtyLots: number, stp: number, dup: boolean): PlaceOrderCommand {
    const orderId = dup && this.nextId > 1 ? this.pick(accountId * 7919) : this.nextId++;
    this.owner[orderId] = accountId;
    return {
      orderId,
      accountId,
      side: buy ? Side.Buy : Side.Sell,
      type,
      timeInForce: TimeInForce.GoodTillCancel,
      priceTicks: 0,
      qtyLots,
      triggerPriceTicks: 0,
      triggerSource: TriggerSource.LastTrade,
      selfTradePrevention: stp as SelfTradePrevention,
      reduceOnly: false,
    };
  }

  /** Recent ids more often than old ones. */
  private pick(n: number): number {
    const issued = this.nextId - 1;
    if (issued === 0) return 1;
    const window = Math.min(issued, 40);
    return n % 4 === 0 ? 1 + (n % issued) : issued - (n % window);
  }

  private corrupt(cmd: PlaceOrderCommand, which: number): PlaceOrderCommand {
    if (which < 0) return cmd;
    const value = BAD_VALUES[which % BAD_VALUES.length];
    const fields = ['priceTicks', 'qtyLots', 'orderId', 'accountId', 'triggerPriceTicks', 'side', 'type', 'timeInForce'] as const;
    const field = fields[Math.floor(which / 3) % fields.length];
    const out = { ...cmd, [field]: field === 'qtyLots' && which % 2 === 0 ? this.config.maxQtyLots + 1 : value };
    return out as PlaceOrderCommand;
  }
}

