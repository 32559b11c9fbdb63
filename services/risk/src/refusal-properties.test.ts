/**
 * Property: a command refused by risk, or accepted by risk and then refused by
 * matching, leaves the risk `stateHash()` exactly as it was before the command was
 * sent (issue 9 item 3). Random sequences of deposits and withdrawals, leverage,
 * mode and isolated-margin changes, cross and isolated places (limit, market, stop
 * market, stop limit; reduce-only or not; now and then at the order bounds), amends,
 * cancels (also of another account's order id), fills and mark moves. For each place
 * and amend risk accepts, matching sometimes answers with its rejection instead of
 * booking it. After every step the audit holds to the unit and no order of a cross
 * row or a reduce-only order holds isolated money.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MarginMode, OrderType, TimeInForce } from '@perpcore/domain';
import { RiskHarness, USDT, riskConfig, withFundSeed } from './risk-harness.test-support.js';

const ACCOUNTS = [1, 2, 3, 4, 5, 6];
const MARKETS = ['BTCUSDT', 'ETHUSDT'];
const START = [30_000_000, 2_000_000]; // index subticks: 30,000.0 BTC, 2,000.00 ETH (100 subticks per tick)
const TICK_SUBTICKS = 100;
const MAX = [{ priceTicks: 10_000_000, qtyLots: 1_000_000 }, { priceTicks: 100_000_000, qtyLots: 10_000_000 }];
const TYPES = [OrderType.Limit, OrderType.Market, OrderType.StopMarket, OrderType.StopLimit];

type Action =
  | { kind: 'place'; account: number; market: number; buy: boolean; offsetTicks: number; lots: number; type: number; reduceOnly: boolean; extreme: number; refuse: boolean }
  | { kind: 'amend'; pick: number; offsetTicks: number; lots: number; extreme: number; refuse: boolean }
  | { kind: 'cancel'; pick: number; stranger: boolean }
  | { kind: 'index'; market: number; movePermille: number }
  | { kind: 'deposit'; account: number; amount: number }
  | { kind: 'withdraw'; account: number; amount: number }
  | { kind: 'leverage'; account: number; market: number; leverage: number }
  | { kind: 'mode'; account: number; market: number; isolated: boolean }
  | { kind: 'adjust'; account: number; market: number; delta: number };

const account = fc.constantFrom(...ACCOUNTS);
const market = fc.constantFrom(0, 1);
/** 0: an ordinary value; 1: at the market's bound; 2: past it. */
const extreme = fc.integer({ min: 0, max: 19 }).map((n) => (n === 0 ? 2 : n === 1 ? 1 : 0));
const lots = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 200 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 2_000 }) });
const sometimes = (oneIn: number) => fc.integer({ min: 0, max: oneIn - 1 }).map((n) => n === 0);

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('place' as const), account, market, buy: fc.boolean(), offsetTicks: fc.integer({ min: -40, max: 40 }), lots, type: fc.constantFrom(...TYPES), reduceOnly: sometimes(4), extreme, refuse: sometimes(3) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('amend' as const), pick: fc.nat(), offsetTicks: fc.integer({ min: -40, max: 40 }), lots, extreme, refuse: sometimes(2) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat(), stranger: sometimes(3) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('index' as const), market, movePermille: fc.integer({ min: -30, max: 30 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deposit' as const), account, amount: fc.integer({ min: 1, max: 2_000 * USDT }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('withdraw' as const), account, amount: fc.integer({ min: 1, max: 5_000 * USDT }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('leverage' as const), account, market, leverage: fc.integer({ min: 0, max: 130 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('mode' as const), account, market, isolated: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('adjust' as const), account, market, delta: fc.integer({ min: -500 * USDT, max: 500 * USDT }) }) },
);

interface Tally {
  riskRejected: number;
  matchingRefused: number;
  isolatedRefused: number;
  amendsRefused: number;
  fills: number;
}

function setUp(): RiskHarness {
  const h = new RiskHarness(withFundSeed(riskConfig({ fundingIntervalS: 60, premiumSampleS: 5, markMethod: 'INDEX' }), 1)); // a fund with a unit of capital
  h.wireCheck = false;
  for (const id of ACCOUNTS) h.deposit(id, 3_000 * USDT);
  for (const id of [4, 5]) h.setMode(id, 'BTCUSDT', MarginMode.Isolated);
  for (const id of [5, 6]) h.setMode(id, 'ETHUSDT', MarginMode.Isolated);
  h.index('BTCUSDT', START[0]);
  h.index('ETHUSDT', START[1]);
  return h;
}

/** Risk's open orders: (market, id, owner), in a deterministic order. */
function openOrders(h: RiskHarness): { m: number; id: number; owner: number; priceTicks: number }[] {
  const s = h.engine.state;
  const out: { m: number; id: number; owner: number; priceTicks: number }[] = [];
  for (let m = 0; m < MARKETS.length; m++) {
    for (const id of s.orders.idsOfMarket(m)) {
      const o = s.orders.find(m, id);
      out.push({ m, id, owner: s.accounts.ids[s.ledger.account[s.orders.row[o]]], priceTicks: s.orders.priceTicks[o] });
    }
  }
  return out;
}

function bounded(value: number, max: number, extremeKind: number): number {
  if (extremeKind === 1) return max;
  if (extremeKind === 2) return max + 1;
  return Math.min(max, Math.max(1, value));
}

/** Sends one place or amend; asserts the refusal property; returns nothing. */
function orderCommand(h: RiskHarness, refuse: boolean, send: () => string, t: Tally, isolated: boolean, isAmend: boolean): void {
  const before = h.engine.stateHash();
  const fillsBefore = h.eventsOf('positionSettled').length;
  h.refuseNext = refuse;
  const code = send();
  const reachedMatching = !h.refuseNext; // the harness clears it when it refuses a forwarded command
  h.refuseNext = false;
  if (code !== '') {
    t.riskRejected++;
    assert.equal(h.engine.stateHash(), before, `risk's ${code} changed the state`);
  } else if (refuse && reachedMatching) {
    t.matchingRefused++;
    if (isolated) t.isolatedRefused++;
    if (isAmend) t.amendsRefused++;
    assert.equal(h.engine.stateHash(), before, `matching's refusal of an ${isAmend ? 'amend' : 'place'} left the state changed`);
  }
  t.fills += h.eventsOf('positionSettled').length - fillsBefore;
}

function isIsolated(h: RiskHarness, accountId: number, m: number): boolean {
  const s = h.engine.state;
  const slot = s.accounts.slotOf(accountId);
  const r = slot < 0 ? -1 : s.ledger.rowOf(s.accounts.firstRow[slot], m);
  return r >= 0 && s.ledger.mode[r] === MarginMode.Isolated;
}

function apply(h: RiskHarness, a: Action, index: number[], t: Tally): void {
  switch (a.kind) {
    case 'place': {
      const m = a.market;
      const markTicks = Math.round(index[m] / TICK_SUBTICKS);
      const priceTicks = bounded(markTicks + (a.buy ? a.offsetTicks : -a.offsetTicks), MAX[m].priceTicks, a.extreme);
      const lots = bounded(a.lots, MAX[m].qtyLots, a.extreme);
      const limit = a.type === OrderType.Limit || a.type === OrderType.StopLimit;
      const stop = a.type === OrderType.StopMarket || a.type === OrderType.StopLimit;
      const trigger = Math.max(1, markTicks + (a.buy ? 1 : -1) * (5 + Math.abs(a.offsetTicks)));
      const tif = a.type === OrderType.Market || a.type === OrderType.StopMarket ? TimeInForce.ImmediateOrCancel : TimeInForce.GoodTillCancel;
      orderCommand(h, a.refuse, () => h.place({ account: a.account, market: MARKETS[m], side: a.buy ? 'buy' : 'sell', priceTicks: limit ? priceTicks : 0, lots, type: a.type, tif, reduceOnly: a.reduceOnly, triggerPriceTicks: stop ? trigger : 0 }), t, isIsolated(h, a.account, m), false);
      return;
    }
    case 'amend': {
      const open = openOrders(h);
      if (open.length === 0) return;
      const o = open[a.pick % open.length];
      const priceTicks = bounded(o.priceTicks + a.offsetTicks, MAX[o.m].priceTicks, a.extreme);
      const lots = bounded(a.lots, MAX[o.m].qtyLots, a.extreme);
      orderCommand(h, a.refuse, () => h.amend(o.owner, o.id, priceTicks, lots, MARKETS[o.m]), t, isIsolated(h, o.owner, o.m), true);
      return;
    }
    case 'cancel': {
      const open = openOrders(h);
      if (open.length === 0) return;
      const o = open[a.pick % open.length];
      if (!a.stranger) {
        h.cancel(o.owner, o.id, MARKETS[o.m]);
        return;
      }
      // someone else's order id: matching refuses it (not the owner), and nothing changes
      const before = h.engine.stateHash();
      h.cancel(o.owner === 1 ? 2 : 1, o.id, MARKETS[o.m]);
      assert.equal(h.engine.stateHash(), before, "a refused cancel of another account's order changed the state");
      return;
    }
    case 'index':
      index[a.market] = Math.max(TICK_SUBTICKS, Math.round((index[a.market] * (10_000 + a.movePermille * 10)) / 10_000));
      h.index(MARKETS[a.market], index[a.market]);
      return;
    default:
      accountCommand(h, a, t);
  }
}

function accountCommand(h: RiskHarness, a: Action, t: Tally): void {
  const before = h.engine.stateHash();
  let answer;
  switch (a.kind) {
    case 'deposit':
      answer = h.deposit(a.account, a.amount);
      break;
    case 'withdraw':
      answer = h.withdraw(a.account, a.amount);
      break;
    case 'leverage':
      answer = h.setLeverage(a.account, MARKETS[a.market], a.leverage);
      break;
    case 'mode':
      answer = h.setMode(a.account, MARKETS[a.market], a.isolated ? MarginMode.Isolated : MarginMode.Cross);
      break;
    case 'adjust':
      answer = h.adjustIsolated(a.account, MARKETS[a.market], a.delta);
      break;
    default:
      return;
  }
  if (answer.event === 'commandRejected') {
    t.riskRejected++;
    assert.equal(h.engine.stateHash(), before, `rejected ${a.kind} (${answer.commandRejected?.code}) changed the state`);
  }
}

function checkInvariants(h: RiskHarness, step: number): void {
  const report = h.engine.audit();
  assert.ok(report.ok, `after step ${step}: ${report.problems.join('; ')}`);
  const s = h.engine.state;
  for (const o of openOrders(h)) {
    const slot = s.orders.find(o.m, o.id);
    const hold = s.orders.holdUnits[slot];
    assert.ok(Number.isSafeInteger(hold) && hold >= 0, `after step ${step}: order ${o.id} holds ${hold}`);
    if (s.orders.reduceOnly[slot] || s.ledger.mode[s.orders.row[slot]] !== MarginMode.Isolated) assert.equal(hold, 0, `after step ${step}: order ${o.id} is cross or reduce-only but holds ${hold}`);
  }
}

describe('refused commands leave the risk state unchanged', () => {
  it('any command refused by risk or by matching leaves stateHash() as before it; the audit holds after every step', () => {
    const t: Tally = { riskRejected: 0, matchingRefused: 0, isolatedRefused: 0, amendsRefused: 0, fills: 0 };
    fc.assert(
      fc.property(fc.array(action, { minLength: 40, maxLength: 120, size: 'max' }), (actions) => {
        const h = setUp();
        const index = [...START];
        actions.forEach((a, i) => {
          apply(h, a, index, t);
          checkInvariants(h, i);
        });
      }),
      { seed: 309, numRuns: 150 },
    );
    // the runs must have exercised what the property is about
    assert.ok(t.riskRejected > 100 && t.matchingRefused > 100 && t.isolatedRefused > 20 && t.amendsRefused > 20 && t.fills > 100, JSON.stringify(t));
  });
});
