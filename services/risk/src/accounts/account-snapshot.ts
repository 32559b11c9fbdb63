/**
 * Account snapshots: what the risk stage holds per account, in the shape a consumer
 * rebuilds by folding the risk events (risk-event-fold.ts), so the two can be
 * compared field by field (reconciliation of a replica, of a replay, of the
 * gateway's account views).
 *
 * Per account: the balance of every asset, the cross scope's state and latest
 * liquidation id, and per market row the position (size, cost basis), its settings
 * (leverage, margin mode), the isolated bucket and the isolated scope's state and
 * latest liquidation id. Per market: the funding pool (RISK-SPEC §5.7).
 *
 * Normal form (both sides are put in it, so "never touched" equals "back to the
 * defaults"): a zero balance is absent; a row equal to a fresh one (flat, C = 0, the
 * market's default leverage, CROSS, empty bucket, HEALTHY, no liquidation id) is
 * absent; an account with nothing left is absent. Money is bigint: the wire carries
 * balances as decimal strings that may outgrow 2^53.
 */
import { MarginMode } from '@perpcore/domain';
import { MarginStateCode, marginStateName } from '../margin-watch/margin-state-code.js';
import type { RiskState } from '../risk-state.js';

export interface PositionSnapshot {
  qtyLots: number;
  costUnits: bigint;
  leverage: number;
  /** MarginMode (1 cross, 2 isolated). */
  mode: number;
  isolatedUnits: bigint;
  /** Isolated scope state (a cross row keeps HEALTHY: its scope is the account's). */
  state: string;
  liquidationId: number;
}

export interface AccountSnapshot {
  accountId: number;
  /** asset code → balance; zero balances absent. */
  balances: Map<string, bigint>;
  crossState: string;
  crossLiquidationId: number;
  /** The operator's kill switch (kill-switch.proto) is engaged. */
  killSwitch: boolean;
  /** Backstop liquidator terms as `markets|maxPositionNotionalUnits` (backstop-liquidator.proto); '' when it is none. */
  backstop: string;
  /** market symbol → row; default rows absent. */
  positions: Map<string, PositionSnapshot>;
}

export interface RiskSnapshot {
  /** account id → account; untouched accounts absent. */
  accounts: Map<number, AccountSnapshot>;
  /** market symbol → funding pool units; zero pools absent. */
  fundingPoolUnits: Map<string, bigint>;
  /** Backstop liquidators in the order a position is offered to them. */
  backstopOrder: number[];
}

/** `AccountSnapshot.backstop` of one account's terms. */
export function backstopTermsText(markets: readonly string[], maxPositionNotionalUnits: number | bigint): string {
  return `${markets.join(',')}|${String(maxPositionNotionalUnits)}`;
}

const HEALTHY = marginStateName(MarginStateCode.Healthy);

export function isDefaultPosition(p: PositionSnapshot, defaultLeverage: number): boolean {
  return p.qtyLots === 0 && p.costUnits === 0n && p.leverage === defaultLeverage && p.mode === MarginMode.Cross && p.isolatedUnits === 0n && p.state === HEALTHY && p.liquidationId === 0;
}

export function isEmptyAccount(a: AccountSnapshot): boolean {
  return a.balances.size === 0 && a.positions.size === 0 && a.crossState === HEALTHY && a.crossLiquidationId === 0 && !a.killSwitch && a.backstop === '';
}

/** The engine's state in normal form. */
export function riskSnapshot(s: RiskState): RiskSnapshot {
  const accounts = new Map<number, AccountSnapshot>();
  const led = s.ledger;
  s.accounts.forEachSlot((slot, accountId) => {
    const balances = new Map<string, bigint>();
    s.setup.assetCodes.forEach((code, a) => {
      const units = s.accounts.balances[a][slot];
      if (units !== 0) balances.set(code, BigInt(units));
    });
    const positions = new Map<string, PositionSnapshot>();
    for (let r = s.accounts.firstRow[slot]; r >= 0; r = led.nextOfAccount[r]) {
      const market = s.markets[led.market[r]];
      const p: PositionSnapshot = {
        qtyLots: led.qtyLots[r],
        costUnits: BigInt(led.costUnits[r]),
        leverage: led.leverage[r],
        mode: led.mode[r],
        isolatedUnits: BigInt(led.isolatedUnits[r]),
        state: marginStateName(led.isolatedState[r]),
        liquidationId: led.isolatedLiquidationId[r],
      };
      if (!isDefaultPosition(p, market.defaultLeverage)) positions.set(market.symbol, p);
    }
    const account: AccountSnapshot = { accountId, balances, crossState: marginStateName(s.accounts.crossState[slot]), crossLiquidationId: s.accounts.crossLiquidationId[slot], killSwitch: s.killSwitched.has(accountId), backstop: backstopOf(s, accountId), positions };
    if (!isEmptyAccount(account)) accounts.set(accountId, account);
  });
  const fundingPoolUnits = new Map<string, bigint>();
  for (const m of s.markets) if (m.fundingPoolUnits !== 0) fundingPoolUnits.set(m.symbol, BigInt(m.fundingPoolUnits));
  return { accounts, fundingPoolUnits, backstopOrder: [...s.backstopLiquidators.keys()] };
}

function backstopOf(s: RiskState, accountId: number): string {
  const terms = s.backstopLiquidators.get(accountId);
  return terms === undefined ? '' : backstopTermsText(terms.markets, terms.maxPositionNotionalUnits);
}

/** Every field where `actual` differs from `expected`, as "account 7 BTCUSDT qtyLots: expected 3, got 2"; empty when equal. */
export function snapshotDifferences(expected: RiskSnapshot, actual: RiskSnapshot, limit = 50): string[] {
  const out: string[] = [];
  const note = (where: string, field: string, e: unknown, a: unknown) => {
    if (e !== a && out.length < limit) out.push(`${where} ${field}: expected ${String(e)}, got ${String(a)}`);
  };
  const none = { balances: new Map(), positions: new Map(), crossState: HEALTHY, crossLiquidationId: 0, killSwitch: false, backstop: '' };
  for (const id of union(expected.accounts, actual.accounts)) {
    const e = expected.accounts.get(id) ?? { accountId: id, ...none };
    const a = actual.accounts.get(id) ?? { accountId: id, ...none };
    const where = `account ${id}`;
    for (const asset of union(e.balances, a.balances)) note(where, `balance ${asset}`, e.balances.get(asset) ?? 0n, a.balances.get(asset) ?? 0n);
    note(where, 'crossState', e.crossState, a.crossState);
    note(where, 'crossLiquidationId', e.crossLiquidationId, a.crossLiquidationId);
    note(where, 'killSwitch', e.killSwitch, a.killSwitch);
    note(where, 'backstop', e.backstop, a.backstop);
    for (const market of union(e.positions, a.positions)) {
      const ep = e.positions.get(market);
      const ap = a.positions.get(market);
      if (ep === undefined || ap === undefined) {
        note(`${where} ${market}`, 'row', ep === undefined ? 'absent' : JSON.stringify(ep, bigintText), ap === undefined ? 'absent' : JSON.stringify(ap, bigintText));
        continue;
      }
      for (const field of Object.keys(ep) as (keyof PositionSnapshot)[]) note(`${where} ${market}`, field, ep[field], ap[field]);
    }
  }
  note('backstop liquidators', 'order', expected.backstopOrder.join(','), actual.backstopOrder.join(','));
  for (const market of union(expected.fundingPoolUnits, actual.fundingPoolUnits)) note(`market ${market}`, 'fundingPoolUnits', expected.fundingPoolUnits.get(market) ?? 0n, actual.fundingPoolUnits.get(market) ?? 0n);
  return out;
}

function union<K>(a: ReadonlyMap<K, unknown>, b: ReadonlyMap<K, unknown>): K[] {
  return [...new Set([...a.keys(), ...b.keys()])];
}

function bigintText(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
