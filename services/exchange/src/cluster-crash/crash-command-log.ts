/**
 * The cluster crash test's input: a fixed, seeded log of what a gateway and an
 * oracle would write onto the cluster's input topics: a deposit per account first,
 * then index prices (a small random walk per market), limit orders around the index
 * (about a third crossing it), IOC takers and cancels of the account's earlier
 * orders. The same seed gives the same commands, in the same order, with the same
 * ids and sequence numbers; only `tsNs` is stamped when the harness sends each one
 * (as a gateway stamps its commands), because the risk shard's clock ticks on the
 * wall clock and an index older than that clock is refused as stale.
 *
 * Margin is ample for the flow's accounts (1,000,000 USDT each against positions of a
 * few hundred lots): every refusal of theirs is one of the flow itself (a cancel of an
 * order that already filled). With `levered`, a few more accounts deposit little,
 * each opens one long on the first market just above the index at command
 * `opensAtCommand` (against a sell of a flow account placed just before, about 18× in
 * the test),
 * and takes no part in the flow; at command `shockAtCommand` the first market's index
 * drops by `shockPermille`, which puts those longs past bankruptcy, so the risk
 * process's ladder liquidates them on the book while the kills go on: margin calls,
 * liquidation orders and their fills, the insurance fund and the ladders in flight
 * all cross the restarts.
 */
import { OrderType, Side, TimeInForce } from '@perpcore/domain';
import { simStartPriceTicks, USDT_UNITS_PER_USDT, type VenueMarket } from '@perpcore/markets';
import { seededRandom } from '../durability/seeded-random.js';
import { simulatedPlace } from '../sim-order-gateway.js';
import { SCHEMA_MAJOR_V1, type AccountCommandV1, type MatchingCommandV1, type OracleEventV1 } from '@perpcore/proto';

export interface CrashMarket {
  readonly symbol: string;
  readonly startPriceTicks: number;
  readonly subticksPerTick: number;
}

export interface CrashCommandLogOptions {
  readonly seed: number;
  readonly accounts: number;
  /** Commands after the deposits (orders, cancels, index prices). */
  readonly commands: number;
  readonly markets: readonly CrashMarket[];
  /** Makes the run's ids and stream names its own on a broker other runs used. */
  readonly runId: string;
  readonly firstAccountId: number;
  readonly levered?: LeveredScenario;
}

export interface LeveredScenario {
  /** Accounts after the flow's (ids follow theirs). */
  readonly accounts: number;
  readonly depositUnits: number;
  /** Each one's long on the first market. */
  readonly lots: number;
  /** The flow command before which the longs are opened: late enough that risk has applied the deposits (they are on another topic, which the broker interleaves with the orders by its timing). */
  readonly opensAtCommand: number;
  /** The index of the command (after the deposits and openings) that is the first market's drop instead of a flow step. */
  readonly shockAtCommand: number;
  readonly shockPermille: number;
}

export type CrashCommand =
  | { readonly topic: 'account'; readonly value: AccountCommandV1 }
  | { readonly topic: 'order'; readonly value: MatchingCommandV1 }
  | { readonly topic: 'index'; readonly value: OracleEventV1 };

export const CRASH_DEPOSIT_UNITS = 1_000_000 * USDT_UNITS_PER_USDT;

const OPENING_TICKS_ABOVE_INDEX = 200;

/** The first account id of a cluster test run's log: far from the ids other tests on the broker use. */
const RUN_FIRST_ACCOUNT_ID = 8_000_000;

/** A cluster test run's log over the venue's markets, each starting at the simulated market's price. */
export function venueCrashCommandLog(run: Pick<CrashCommandLogOptions, 'seed' | 'accounts' | 'commands' | 'levered' | 'runId'>, venue: readonly VenueMarket[]): CrashCommand[] {
  return crashCommandLog({
    ...run,
    firstAccountId: RUN_FIRST_ACCOUNT_ID,
    markets: venue.map((m, i) => ({ symbol: m.spec.symbol, startPriceTicks: simStartPriceTicks(i), subticksPerTick: m.risk.markSubticksPerTick })),
  });
}

export function crashCommandLog(options: CrashCommandLogOptions): CrashCommand[] {
  const next = seededRandom(options.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const gateway = `crash-gw-${options.runId}`;
  const oracle = `crash-oracle-${options.runId}`;
  const accounts = Array.from({ length: options.accounts }, (_, i) => options.firstAccountId + i);
  const out: CrashCommand[] = [];
  const accountSeq = new Map<number, number>();
  let commandId = 0;
  for (const accountId of accounts) {
    const seq = (accountSeq.get(accountId) ?? 0) + 1;
    accountSeq.set(accountId, seq);
    out.push({ topic: 'account', value: { schemaMajor: SCHEMA_MAJOR_V1, accountId, seq, tsNs: 0, source: gateway, commandId: ++commandId, command: 'deposit', deposit: { asset: 'USDT', amountUnits: CRASH_DEPOSIT_UNITS } } as AccountCommandV1 });
  }
  // the levered accounts' deposits with the others (the harness sends the deposits first, as one block)
  for (let k = 0; k < (options.levered?.accounts ?? 0); k++) {
    const accountId = options.firstAccountId + options.accounts + k;
    out.push({ topic: 'account', value: { schemaMajor: SCHEMA_MAJOR_V1, accountId, seq: 1, tsNs: 0, source: gateway, commandId: ++commandId, command: 'deposit', deposit: { asset: 'USDT', amountUnits: options.levered?.depositUnits ?? 0 } } as AccountCommandV1 });
  }
  const indexTicks = options.markets.map((m) => m.startPriceTicks);
  const indexSeq = options.markets.map(() => 0);
  const orderSeq = options.markets.map(() => 0);
  const index = (m: number): CrashCommand => {
    const market = options.markets[m] as CrashMarket;
    indexSeq[m] = (indexSeq[m] as number) + 1;
    return { topic: 'index', value: { schemaMajor: SCHEMA_MAJOR_V1, seq: indexSeq[m], tsNs: 0, source: oracle, symbol: market.symbol, event: 'indexPrice', indexPrice: { priceSubticks: (indexTicks[m] as number) * market.subticksPerTick, sources: [] } } as OracleEventV1 };
  };
  for (let m = 0; m < options.markets.length; m++) out.push(index(m));
  const placed = new Map<number, number[]>(); // account → its order ids, newest last
  let orderId = 0;
  const order = (m: number): MatchingCommandV1 => {
    orderSeq[m] = (orderSeq[m] as number) + 1;
    return { schemaMajor: SCHEMA_MAJOR_V1, market: (options.markets[m] as CrashMarket).symbol, seq: orderSeq[m], tsNs: 0, source: gateway } as MatchingCommandV1;
  };
  const place = (m: number, accountId: number, side: Side, timeInForce: TimeInForce, priceTicks: number, qtyLots: number): CrashCommand => {
    const cmd = order(m);
    cmd.command = 'place';
    cmd.place = simulatedPlace({ orderId: ++orderId, accountId, side, type: OrderType.Limit, timeInForce, priceTicks, qtyLots });
    return { topic: 'order', value: cmd };
  };
  const levered = options.levered;
  for (let i = 0; i < options.commands; i++) {
    if (levered !== undefined && i === levered.opensAtCommand) {
      const first = options.firstAccountId + options.accounts;
      for (let k = 0; k < levered.accounts; k++) {
        // Both GTC at one price above every bid the flow places (those reach at most 20 ticks through the index):
        // the two go to risk on different partitions (keyed by account), so either may reach the book first, and
        // whichever rests is crossed by the other. The counterparties' sells are never filled by anyone but the
        // longs, so every long fills all its lots whatever the order (cheapest asks first: the flow's own, up to
        // 40 ticks above the index, then the counterparties'). The sells are not among their accounts' cancellable
        // orders; what is left of them rests.
        const priceTicks = (indexTicks[0] as number) + OPENING_TICKS_ABOVE_INDEX;
        out.push(place(0, accounts[k % accounts.length] as number, Side.Sell, TimeInForce.GoodTillCancel, priceTicks, levered.lots));
        out.push(place(0, first + k, Side.Buy, TimeInForce.GoodTillCancel, priceTicks, levered.lots));
      }
    }
    if (levered !== undefined && i === levered.shockAtCommand) {
      indexTicks[0] = Math.max(1, Math.floor(((indexTicks[0] as number) * (1_000 - levered.shockPermille)) / 1_000));
      out.push(index(0));
      continue;
    }
    const m = int(0, options.markets.length - 1);
    const r = next();
    if (r < 0.08) {
      // the index walks by up to ±0.05% a step
      const ticks = indexTicks[m] as number;
      indexTicks[m] = Math.max(1, ticks + int(-Math.ceil(ticks / 2_000), Math.ceil(ticks / 2_000)));
      out.push(index(m));
      continue;
    }
    const accountId = accounts[int(0, accounts.length - 1)] as number;
    const mine = placed.get(accountId) ?? [];
    if (r < 0.24 && mine.length > 0) {
      const cmd = order(m);
      cmd.command = 'cancel';
      cmd.cancel = { orderId: mine.splice(int(0, mine.length - 1), 1)[0] as number, accountId };
      out.push({ topic: 'order', value: cmd });
      continue;
    }
    const side = next() < 0.5 ? Side.Buy : Side.Sell;
    const ioc = r >= 0.86;
    // a third of the limit orders (and every IOC) reach through the index by a few ticks
    const through = ioc || next() < 0.33 ? int(1, 20) : -int(1, 40);
    const priceTicks = Math.max(1, (indexTicks[m] as number) + (side === Side.Buy ? through : -through));
    out.push(place(m, accountId, side, ioc ? TimeInForce.ImmediateOrCancel : TimeInForce.GoodTillCancel, priceTicks, int(1, 20)));
    if (!ioc) {
      mine.push(orderId);
      placed.set(accountId, mine);
    }
  }
  return out;
}
