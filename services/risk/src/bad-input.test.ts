/**
 * Bad input: every reject code of the risk stage, each with a clear code and
 * message, and the state hash unchanged (nothing moved, nothing opened).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MarginMode, OrderType } from '@perpcore/domain';
import { SCHEMA_MAJOR_V1, type AccountCommandV1, type MatchingCommandV1, type RiskEventV1 } from '@perpcore/proto';
import { FEE_ACCOUNT, RiskHarness, USDT, aliceLong1BtcAt30k, btcSubticks, btcTicks } from './risk-harness.test-support.js';

const MAKER = 10;
const ALICE = 1;

/** Alice long 1 BTC at 30,000 (50×, WB 985); Bob isolated in ETHUSDT with no position. */
function world(): RiskHarness {
  const h = aliceLong1BtcAt30k(ALICE, MAKER);
  h.deposit(2, 500 * USDT);
  h.setMode(2, 'ETHUSDT', MarginMode.Isolated);
  h.place({ account: MAKER, side: 'buy', priceTicks: btcTicks('29000'), lots: 10, orderId: 777 });
  h.place({ account: 2, side: 'buy', priceTicks: btcTicks('29000'), lots: 1, orderId: 778 });
  return h;
}

function rejectedCode(e: RiskEventV1): string {
  return e.commandRejected?.code ?? e.orderRejected?.code ?? `accepted:${e.event}`;
}

function expectAccountReject(h: RiskHarness, accountId: number, body: Partial<AccountCommandV1>, code: string, message?: RegExp): void {
  const before = h.engine.stateHash();
  const answer = h.accountCommand(accountId, body);
  assert.equal(rejectedCode(answer), code);
  if (message) assert.match(answer.commandRejected!.message, message);
  assert.equal(h.engine.stateHash(), before, `${code} changed the state`);
  assert.ok(h.engine.audit().ok);
}

function expectOrderReject(h: RiskHarness, args: Parameters<RiskHarness['place']>[0], code: string): void {
  const before = h.engine.stateHash();
  const commands = h.commands.length;
  assert.equal(h.place(args), code);
  assert.equal(h.engine.stateHash(), before, `${code} changed the state`);
  assert.equal(h.commands.length, commands, 'a rejected order never reaches matching');
}

describe('account commands: clear rejects, nothing changed', () => {
  it('unknown account, unknown asset, malformed and out-of-range amounts', () => {
    const h = world();
    expectAccountReject(h, 99, { command: 'withdraw', withdraw: { asset: 'USDT', amountUnits: 1 } as never }, 'RISK_UNKNOWN_ACCOUNT', /account 99/);
    expectAccountReject(h, ALICE, { command: 'deposit', deposit: { asset: 'DOGE', amountUnits: 1 } as never }, 'RISK_UNKNOWN_ASSET', /DOGE/);
    for (const amount of [0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expectAccountReject(h, ALICE, { command: 'deposit', deposit: { asset: 'USDT', amountUnits: amount } as never }, 'RISK_INVALID_AMOUNT', /amount/);
      expectAccountReject(h, ALICE, { command: 'withdraw', withdraw: { asset: 'USDT', amountUnits: amount } as never }, 'RISK_INVALID_AMOUNT');
    }
    expectAccountReject(h, ALICE, { command: 'deposit', deposit: { asset: 'USDT', amountUnits: Number.MAX_SAFE_INTEGER } as never }, 'RISK_BALANCE_ABOVE_MAX', /maximum/);
    expectAccountReject(h, ALICE, {}, 'RISK_INVALID_COMMAND');
  });

  it('withdrawals: more than the wallet, below initial margin, from a system account', () => {
    const h = world();
    expectAccountReject(h, ALICE, { command: 'withdraw', withdraw: { asset: 'USDT', amountUnits: 986 * USDT } as never }, 'RISK_INSUFFICIENT_BALANCE');
    expectAccountReject(h, ALICE, { command: 'withdraw', withdraw: { asset: 'USDT', amountUnits: 386 * USDT } as never }, 'RISK_WITHDRAW_BELOW_IM', /initial margin/);
    expectAccountReject(h, ALICE, { command: 'withdraw', withdraw: { asset: 'BTC', amountUnits: 1 } as never }, 'RISK_INSUFFICIENT_BALANCE');
    expectAccountReject(h, FEE_ACCOUNT, { command: 'withdraw', withdraw: { asset: 'USDT', amountUnits: 1 } as never }, 'RISK_SYSTEM_ACCOUNT');
  });

  it('leverage: above the tier maximum, zero, unknown market; mode change with a position; isolated adjustments', () => {
    const h = world();
    expectAccountReject(h, ALICE, { command: 'setLeverage', setLeverage: { market: 'BTCUSDT', leverage: 126 } as never }, 'RISK_LEVERAGE_ABOVE_TIER_MAX', /125/);
    expectAccountReject(h, ALICE, { command: 'setLeverage', setLeverage: { market: 'BTCUSDT', leverage: 0 } as never }, 'RISK_INVALID_AMOUNT');
    expectAccountReject(h, ALICE, { command: 'setLeverage', setLeverage: { market: 'DOGEUSDT', leverage: 5 } as never }, 'RISK_UNKNOWN_MARKET');
    expectAccountReject(h, ALICE, { command: 'setLeverage', setLeverage: { market: 'BTCUSDT', leverage: 10 } as never }, 'RISK_INSUFFICIENT_MARGIN');
    expectAccountReject(h, ALICE, { command: 'setMarginMode', setMarginMode: { market: 'BTCUSDT', mode: MarginMode.Isolated } as never }, 'RISK_MODE_CHANGE_WITH_POSITION');
    expectAccountReject(h, ALICE, { command: 'setMarginMode', setMarginMode: { market: 'BTCUSDT', mode: 0 } as never }, 'RISK_INVALID_COMMAND');
    expectAccountReject(h, ALICE, { command: 'adjustIsolatedMargin', adjustIsolatedMargin: { market: 'BTCUSDT', deltaUnits: 1 } as never }, 'RISK_NOT_ISOLATED');
    expectAccountReject(h, 2, { command: 'adjustIsolatedMargin', adjustIsolatedMargin: { market: 'ETHUSDT', deltaUnits: 0 } as never }, 'RISK_INVALID_AMOUNT');
    expectAccountReject(h, 2, { command: 'adjustIsolatedMargin', adjustIsolatedMargin: { market: 'ETHUSDT', deltaUnits: 501 * USDT } as never }, 'RISK_INSUFFICIENT_MARGIN');
    expectAccountReject(h, 2, { command: 'adjustIsolatedMargin', adjustIsolatedMargin: { market: 'ETHUSDT', deltaUnits: -1 } as never }, 'RISK_ISOLATED_MARGIN_BELOW_IM');
  });

  it('a liquidating scope cannot withdraw or trade except to reduce', () => {
    const h = world();
    h.index('BTCUSDT', btcSubticks('29100'));
    assert.equal(h.eventsOf('liquidationTriggered', ALICE).length, 1);
    expectAccountReject(h, ALICE, { command: 'withdraw', withdraw: { asset: 'USDT', amountUnits: 1 } as never }, 'RISK_ACCOUNT_LIQUIDATING');
    expectOrderReject(h, { account: ALICE, side: 'buy', priceTicks: btcTicks('29000'), lots: 1 }, 'RISK_ACCOUNT_LIQUIDATING');
    assert.equal(h.place({ account: ALICE, side: 'sell', priceTicks: btcTicks('29200'), lots: 1, reduceOnly: true }), '');
  });
});

describe('orders: clear rejects, nothing changed, nothing forwarded', () => {
  it('unknown account or market, system account, malformed fields, duplicate id', () => {
    const h = world();
    expectOrderReject(h, { account: 99, side: 'buy', priceTicks: 1, lots: 1 }, 'RISK_UNKNOWN_ACCOUNT');
    expectOrderReject(h, { account: ALICE, market: 'DOGEUSDT', side: 'buy', priceTicks: 1, lots: 1 }, 'RISK_UNKNOWN_MARKET');
    expectOrderReject(h, { account: FEE_ACCOUNT, side: 'buy', priceTicks: 1, lots: 1 }, 'RISK_SYSTEM_ACCOUNT');
    for (const bad of [{ lots: 0 }, { lots: -1 }, { lots: 1.5 }, { lots: 1_000_001 }, { priceTicks: 0 }, { priceTicks: 10_000_001 }, { type: 99 }, { type: OrderType.StopMarket, triggerPriceTicks: 0 }]) {
      expectOrderReject(h, { account: ALICE, side: 'sell', priceTicks: btcTicks('30000'), lots: 1, ...bad }, 'RISK_INVALID_ORDER');
    }
    expectOrderReject(h, { account: ALICE, side: 'sell', priceTicks: btcTicks('31000'), lots: 1, orderId: 777 }, 'RISK_DUPLICATE_ORDER_ID');
  });

  it('no mark yet, insufficient margin, reduce-only that would increase', () => {
    const h = world();
    expectOrderReject(h, { account: ALICE, market: 'ETHUSDT', side: 'buy', priceTicks: 100, lots: 1 }, 'RISK_NO_MARK_PRICE');
    expectOrderReject(h, { account: ALICE, side: 'buy', priceTicks: btcTicks('30000'), lots: 700 }, 'RISK_INSUFFICIENT_MARGIN');
    expectOrderReject(h, { account: ALICE, side: 'buy', priceTicks: btcTicks('29000'), lots: 1, reduceOnly: true }, 'RISK_REDUCE_ONLY_WOULD_INCREASE');
    expectOrderReject(h, { account: 2, side: 'sell', priceTicks: btcTicks('31000'), lots: 1, reduceOnly: true }, 'RISK_REDUCE_ONLY_WOULD_INCREASE');
  });

  it('amend of an unknown order, or beyond the margin', () => {
    const h = world();
    const send = (amend: object): string => {
      const before = h.events.length;
      h.engine.handleOrderCommand({ schemaMajor: SCHEMA_MAJOR_V1, market: 'BTCUSDT', seq: 10_000 + before, tsNs: h.step(1), source: 'gateway-9', command: 'amend', amend } as MatchingCommandV1);
      h.drain();
      return h.events.slice(before).find((e) => e.event === 'orderRejected')?.orderRejected?.code ?? '';
    };
    const hash = h.engine.stateHash();
    assert.equal(send({ orderId: 12345, accountId: MAKER, priceTicks: 1, qtyLots: 1 }), 'RISK_UNKNOWN_ORDER');
    assert.equal(send({ orderId: 777, accountId: ALICE, priceTicks: 1, qtyLots: 1 }), 'RISK_UNKNOWN_ORDER', 'another account’s order');
    assert.equal(send({ orderId: 777, accountId: MAKER, priceTicks: 0, qtyLots: 1 }), 'RISK_INVALID_ORDER');
    assert.equal(send({ orderId: 778, accountId: 2, priceTicks: btcTicks('29000'), qtyLots: 1_000 }), 'RISK_INSUFFICIENT_MARGIN');
    assert.equal(send({ orderId: 777, accountId: MAKER, priceTicks: btcTicks('29000'), qtyLots: 900_000 }), 'RISK_NOTIONAL_ABOVE_MAX_TIER');
    assert.equal(h.engine.stateHash(), hash);
    assert.equal(send({ orderId: 777, accountId: MAKER, priceTicks: btcTicks('29100'), qtyLots: 20 }), '');
    assert.equal(h.books.get('BTCUSDT')!.getOrder(777)?.remainingLots, 20);
  });
});

describe('redelivery', () => {
  it('drops a redelivered order command but not one reordered across accounts (partitions keyed by account)', () => {
    const h = world();
    const place = (seq: number, accountId: number, orderId: number) =>
      h.engine.handleOrderCommand({
        schemaMajor: SCHEMA_MAJOR_V1, market: 'BTCUSDT', seq, tsNs: h.step(1), source: 'gateway-7', command: 'place',
        place: { orderId, accountId, side: 1, type: 1, timeInForce: 1, priceTicks: btcTicks('29000'), qtyLots: 1, triggerPriceTicks: 0, triggerSource: 0, selfTradePrevention: 0, reduceOnly: false, clientOrderId: '', liquidationId: 0 },
      } as MatchingCommandV1);
    const forwarded = h.commands.length;
    place(2, MAKER, 9_002); // per-market numbering of one source: account MAKER's command overtakes ALICE's
    place(1, ALICE, 9_001);
    place(2, MAKER, 9_002); // the redelivery
    h.drain();
    assert.deepEqual(h.commands.slice(forwarded).map((c) => c.place?.orderId), [9_002, 9_001]);
    assert.equal(h.engine.duplicatesDropped, 1);
  });

  it('drops a command, an index and a fill already applied', () => {
    const h = world();
    const deposit = { schemaMajor: SCHEMA_MAJOR_V1, accountId: ALICE, seq: 5_000, tsNs: h.step(1), source: 'gateway-1', commandId: 1, command: 'deposit', deposit: { asset: 'USDT', amountUnits: USDT } } as AccountCommandV1;
    h.engine.handleAccountCommand(deposit);
    const hash = h.engine.stateHash();
    h.engine.handleAccountCommand(deposit);
    const index = { schemaMajor: SCHEMA_MAJOR_V1, seq: 9_000, tsNs: h.step(1), source: 'oracle-1', symbol: 'BTCUSDT', event: 'indexPrice', indexPrice: { priceSubticks: btcSubticks('30001'), sources: [] } };
    h.engine.handleOracleEvent(index as never);
    const afterIndex = h.engine.stateHash();
    h.engine.handleOracleEvent(index as never);
    assert.equal(h.engine.stateHash(), afterIndex);
    assert.notEqual(afterIndex, hash);
    const fill = { schemaMajor: SCHEMA_MAJOR_V1, market: 'BTCUSDT', seq: 1, tsNs: h.step(1), inputSource: '', inputSeq: 0, event: 'filled', filled: { tradeSeq: 99, makerOrderId: 0, makerAccountId: MAKER, takerOrderId: 0, takerAccountId: ALICE, takerSide: 2, priceTicks: btcTicks('30000'), qtyLots: 1, makerRemainingLots: 0, takerRemainingLots: 0, fillType: 1, liquidationId: 0 } };
    h.engine.handleMatchingEvent(fill as never);
    const afterFill = h.engine.stateHash();
    h.engine.handleMatchingEvent(fill as never);
    assert.equal(h.engine.stateHash(), afterFill);
    assert.equal(h.engine.duplicatesDropped, 3);
    assert.ok(h.engine.audit().ok);
  });
});
