/**
 * The engine fuzz's inputs as data: one `FuzzInput` per thing a client, the oracle
 * or the network can do to the embedded pipeline, and the fast-check arbitraries
 * that draw adversarial streams of them. Values are raw on purpose (NaN, negative,
 * fractional, 2^53 − 1, one past every maximum): the pipeline runs without the wire
 * codec, as embedded callers do, so whatever a JS caller can put in an envelope
 * reaches the stages. References (an account's own order, another account's order,
 * a price relative to the index) are resolved by the driver against its model, so a
 * shrunk counterexample stays meaningful.
 *
 * Accounts: a maker (deep wallet, quotes both markets), six leveraged traders, the
 * fee account and the insurance fund (system accounts: never take external money),
 * an id nobody opened, and id 0.
 */
import fc from 'fast-check';
import { defaultSystemAccounts } from '@perpcore/markets';

export const FUZZ_MAKER = 1;
export const FUZZ_TRADERS: readonly number[] = [11, 12, 13, 14, 15, 16];
export const FUZZ_UNKNOWN_ACCOUNT = 4_242;
export const FUZZ_FEE_ACCOUNT = defaultSystemAccounts.feeAccountId;
export const FUZZ_FUND_ACCOUNT = defaultSystemAccounts.insuranceFunds[0]?.accountId ?? 900_002;
export const FUZZ_MARKETS: readonly string[] = ['BTCUSDT', 'ETHUSDT'];
export const FUZZ_UNKNOWN_MARKET = 'DOGEUSDT';

/**
 * A price: `bp` basis points from the market's current index (for an order, side-aware:
 * > 0 crosses the spread, a buy above the index, a sell below), or a raw tick value
 * (boundary, NaN, …).
 */
export type PriceRef = { readonly bp: number } | { readonly rawTicks: number };
/** A size: `pct` percent of what the account's wallet carries at `leverage` (0: the account's own in that market), or raw lots. */
export type QtyRef = { readonly pct: number; readonly leverage: number } | { readonly rawLots: number };
/** An order: the `n`-th the acting account placed, the `n`-th another account placed, or a raw id. */
export type OrderRef = { readonly own: number } | { readonly other: number } | { readonly rawId: number };

export type FuzzInput =
  | { readonly kind: 'deposit'; readonly accountId: number; readonly asset: string; readonly amountUnits: number }
  | { readonly kind: 'withdraw'; readonly accountId: number; readonly asset: string; readonly amountUnits: number }
  | { readonly kind: 'setLeverage'; readonly accountId: number; readonly market: string; readonly leverage: number }
  | { readonly kind: 'setMarginMode'; readonly accountId: number; readonly market: string; readonly mode: number }
  | { readonly kind: 'adjustIsolated'; readonly accountId: number; readonly market: string; readonly deltaUnits: number }
  | {
      readonly kind: 'place';
      readonly accountId: number;
      readonly market: string;
      readonly buy: boolean;
      readonly type: number;
      readonly timeInForce: number;
      readonly price: PriceRef;
      readonly qty: QtyRef;
      readonly reduceOnly: boolean;
      readonly selfTradePrevention: number;
      /** Reuse the id of an order the account placed before (a duplicate id). */
      readonly reuseId: number | null;
    }
  | { readonly kind: 'amend'; readonly accountId: number; readonly market: string; readonly order: OrderRef; readonly price: PriceRef; readonly qty: QtyRef }
  | { readonly kind: 'cancel'; readonly accountId: number; readonly market: string; readonly order: OrderRef }
  | { readonly kind: 'cancelAll'; readonly accountId: number; readonly market: string }
  /** The maker's two-sided ladder around the index (liquidity for traders and liquidation IOCs). */
  | { readonly kind: 'quote'; readonly market: string }
  /**
   * An index price from oracle `source` (0 or 1): `bp` from the current index, at the
   * driver's clock minus `staleMs` (> 0: older than what was applied), or a raw value
   * in subticks (0, negative, NaN, fractional).
   */
  | { readonly kind: 'index'; readonly market: string; readonly source: number; readonly bp: number; readonly staleMs: number; readonly rawSubticks: number | null }
  /** Time passes without an index (funding times on a quiet oracle). */
  | { readonly kind: 'time'; readonly seconds: number }
  /** The `back`-th most recent envelope published again, byte for byte (a redelivery). */
  | { readonly kind: 'replay'; readonly back: number }
  /** A new command carrying the sequence number its stream already applied (reordered / late). */
  | { readonly kind: 'late'; readonly inner: FuzzInput };

export type FuzzInputKind = FuzzInput['kind'];

const BOUNDARY_UNITS = [0, 1, -1, 0.5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 31, 2 ** 32, 2 ** 52, 2 ** 53 - 1, 2 ** 53, -(2 ** 53 - 1), 1e15, 1e17];
const BOUNDARY_TICKS = [0, 1, -1, 1.5, Number.NaN, 9_999_999, 10_000_000, 10_000_001, 2 ** 31, 2 ** 53 - 1, 2 ** 53];
const BOUNDARY_LOTS = [0, 1, -1, 0.5, Number.NaN, 999_999, 1_000_000, 1_000_001, 2 ** 32, 2 ** 53 - 1];

const USDT = 1_000_000;

export const fuzzTrader = fc.constantFrom(...FUZZ_TRADERS);

/** Mostly traders; sometimes the maker, system accounts, an unknown id or 0. */
export const fuzzAccount: fc.Arbitrary<number> = fc.oneof(
  { weight: 12, arbitrary: fuzzTrader },
  { weight: 1, arbitrary: fc.constant(FUZZ_MAKER) },
  { weight: 1, arbitrary: fc.constantFrom(FUZZ_FEE_ACCOUNT, FUZZ_FUND_ACCOUNT) },
  { weight: 1, arbitrary: fc.constantFrom(FUZZ_UNKNOWN_ACCOUNT, 0) },
);

const market: fc.Arbitrary<string> = fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...FUZZ_MARKETS) }, { weight: 1, arbitrary: fc.constantFrom(FUZZ_UNKNOWN_MARKET, '') });
const listedMarket = fc.constantFrom(...FUZZ_MARKETS);

const amountUnits: fc.Arbitrary<number> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 50_000 }).map((usdt) => usdt * USDT) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 2 ** 40 }) },
  { weight: 2, arbitrary: fc.constantFrom(...BOUNDARY_UNITS) },
);
const asset = fc.oneof({ weight: 10, arbitrary: fc.constant('USDT') }, { weight: 1, arbitrary: fc.constantFrom('BTC', 'DOGE', '') });

const leverage = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 125 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 126, 101, -1, 2.5, Number.NaN, 2 ** 32 - 1) });

export const fuzzPrice: fc.Arbitrary<PriceRef> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -200, max: -1 }).map((bp) => ({ bp })) },
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 300 }).map((bp) => ({ bp })) },
  { weight: 1, arbitrary: fc.integer({ min: -9_900, max: 20_000 }).map((bp) => ({ bp })) },
  { weight: 1, arbitrary: fc.constantFrom(...BOUNDARY_TICKS).map((rawTicks) => ({ rawTicks })) },
);

export const fuzzQty: fc.Arbitrary<QtyRef> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ pct: fc.integer({ min: 1, max: 95 }), leverage: fc.constant(0) }) },
  { weight: 1, arbitrary: fc.record({ pct: fc.integer({ min: 1, max: 150 }), leverage: fc.integer({ min: 1, max: 125 }) }) },
  { weight: 1, arbitrary: fc.constantFrom(...BOUNDARY_LOTS).map((rawLots) => ({ rawLots })) },
);

const orderRef: fc.Arbitrary<OrderRef> = fc.oneof(
  { weight: 6, arbitrary: fc.nat(30).map((own) => ({ own })) },
  { weight: 2, arbitrary: fc.nat(60).map((other) => ({ other })) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, -1, 2 ** 53 - 1, Number.NaN, 987_654).map((rawId) => ({ rawId })) },
);

const place = fc.record({
  kind: fc.constant('place' as const),
  accountId: fuzzAccount,
  market,
  buy: fc.boolean(),
  type: fc.oneof({ weight: 8, arbitrary: fc.constant(1) }, { weight: 2, arbitrary: fc.constant(2) }, { weight: 1, arbitrary: fc.constantFrom(0, 3, 4, 5, 6, 7) }),
  timeInForce: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(1, 2) }, { weight: 2, arbitrary: fc.constantFrom(3, 4) }, { weight: 1, arbitrary: fc.constantFrom(0, 9) }),
  price: fuzzPrice,
  qty: fuzzQty,
  reduceOnly: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  selfTradePrevention: fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constantFrom(0, 2, 3, 7) }),
  reuseId: fc.oneof({ weight: 12, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat(20) }),
});

/** An index move: mostly small, sometimes a gap big enough to liquidate a crowd (a burst). */
const indexMove = fc.record({
  kind: fc.constant('index' as const),
  market: listedMarket,
  source: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(1) }),
  bp: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -150, max: 150 }) }, { weight: 2, arbitrary: fc.integer({ min: -3_000, max: 3_000 }) }, { weight: 1, arbitrary: fc.constantFrom(-9_000, -5_000, 5_000, 10_000) }),
  staleMs: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 120_000 }) }),
  rawSubticks: fc.oneof({ weight: 12, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(0, -1, -1_000_000, Number.NaN, 1.5, Number.POSITIVE_INFINITY, 2 ** 53) }),
});

const direct: fc.Arbitrary<FuzzInput> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('deposit' as const), accountId: fuzzAccount, asset, amountUnits }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('withdraw' as const), accountId: fuzzAccount, asset, amountUnits }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('setLeverage' as const), accountId: fuzzAccount, market, leverage }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('setMarginMode' as const), accountId: fuzzAccount, market, mode: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(1, 2) }, { weight: 1, arbitrary: fc.constantFrom(0, 3, -1) }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('adjustIsolated' as const), accountId: fuzzAccount, market, deltaUnits: fc.oneof(amountUnits, amountUnits.map((a) => -a)) }) },
  { weight: 14, arbitrary: place },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('amend' as const), accountId: fuzzAccount, market, order: orderRef, price: fuzzPrice, qty: fuzzQty }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('cancel' as const), accountId: fuzzAccount, market, order: orderRef }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancelAll' as const), accountId: fuzzAccount, market }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('quote' as const), market: listedMarket }) },
  { weight: 6, arbitrary: indexMove },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('time' as const), seconds: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 600 }) }, { weight: 1, arbitrary: fc.constantFrom(3_600, 8 * 3_600) }) }) },
);

/** One adversarial input: mostly direct commands, some redeliveries and late arrivals. */
export const fuzzInput: fc.Arbitrary<FuzzInput> = fc.oneof(
  { weight: 20, arbitrary: direct },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replay' as const), back: fc.nat(12) }) },
  { weight: 1, arbitrary: direct.map((inner) => ({ kind: 'late' as const, inner })) },
);

/** How a run starts: each trader's wallet and leverage, the fund's seed and how the mark is made. */
export interface FuzzSetup {
  readonly traderDepositsUsdt: readonly number[];
  readonly traderLeverage: readonly number[];
  readonly fundSeedUsdt: number;
  /** Traders that start isolated in BTCUSDT (the rest cross). */
  readonly isolatedTraders: readonly boolean[];
  readonly markMethod: 'INDEX' | 'MEDIAN3';
}

export const fuzzSetup: fc.Arbitrary<FuzzSetup> = fc.record({
  traderDepositsUsdt: fc.array(fc.integer({ min: 100, max: 50_000 }), { minLength: FUZZ_TRADERS.length, maxLength: FUZZ_TRADERS.length }),
  traderLeverage: fc.array(fc.integer({ min: 2, max: 100 }), { minLength: FUZZ_TRADERS.length, maxLength: FUZZ_TRADERS.length }),
  fundSeedUsdt: fc.constantFrom(0, 500, 1_000_000),
  isolatedTraders: fc.array(fc.boolean(), { minLength: FUZZ_TRADERS.length, maxLength: FUZZ_TRADERS.length }),
  markMethod: fc.constantFrom('INDEX' as const, 'MEDIAN3' as const),
});

/** A whole run's script: a setup and a stream of inputs. */
export function fuzzScript(maxInputs: number): fc.Arbitrary<{ setup: FuzzSetup; inputs: FuzzInput[] }> {
  return fc.record({ setup: fuzzSetup, inputs: fc.array(fuzzInput, { minLength: 1, maxLength: maxInputs, size: 'max' }) });
}
