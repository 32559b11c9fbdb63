/**
 * Scenarios that read like a venue's own examples. Prices: BTCUSDT tick 0.1
 * (btcTicks), marks in subticks of 0.001 (btcSubticks); money in micro-USDT.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MarginMode, OrderType } from '@perpcore/domain';
import { RiskHarness, USDT, btcSubticks, btcTicks, riskConfig } from './risk-harness.test-support.js';

const MAKER = 10;
const ALICE = 1;
const BOB = 2;

/** Alice: 1,000 USDT at 50×, long 1 BTC bought at 30,000 from a maker; taker fee 15 USDT → WB 985. */
function aliceLong1BtcAt30k(h = new RiskHarness()): RiskHarness {
  h.index('BTCUSDT', btcSubticks('30000'));
  h.deposit(MAKER, 1_000_000 * USDT);
  h.deposit(ALICE, 1_000 * USDT);
  assert.equal(h.setLeverage(ALICE, 'BTCUSDT', 50).event, 'commandAccepted');
  assert.equal(h.place({ account: MAKER, side: 'sell', priceTicks: btcTicks('30000'), lots: 1000 }), '');
  assert.equal(h.place({ account: ALICE, side: 'buy', priceTicks: btcTicks('30000'), lots: 1000 }), '');
  return h;
}

describe('margin call and liquidation on mark moves', () => {
  it('deposit → open → price moves → margin call → liquidation breach event naming the mark', () => {
    const h = aliceLong1BtcAt30k();
    const settled = h.eventsOf('positionSettled', ALICE)[0].positionSettled!;
    assert.equal(settled.positionAfterLots, 1000);
    assert.equal(settled.feeUnits, 15 * USDT); // 30,000 × 0.05%
    assert.equal(settled.walletBalanceAfterUnits, String(985 * USDT));

    h.index('BTCUSDT', btcSubticks('29400')); // E = 385, MM = 117.6: healthy
    assert.equal(h.eventsOf('marginCall').length, 0);

    h.index('BTCUSDT', btcSubticks('29150')); // E = 135 ≤ 1.25 × 116.6 = 145.75
    const [call] = h.eventsOf('marginCall', ALICE);
    const level = call.marginCall!.level!;
    assert.equal(level.equityUnits, String(135 * USDT));
    assert.equal(level.basisUnits, String(116_600_000));
    assert.equal(level.levelE8, 115_780_445); // 135 / 116.6, toward zero
    assert.equal(level.triggerMarket, 'BTCUSDT');
    assert.equal(level.markSubticks, btcSubticks('29150'));
    assert.equal(level.scope?.mode, MarginMode.Cross);

    h.index('BTCUSDT', btcSubticks('29100')); // E = 85 ≤ MM 116.4
    const [breach] = h.eventsOf('liquidationTriggered', ALICE);
    const t = breach.liquidationTriggered!;
    assert.equal(t.level!.markSubticks, btcSubticks('29100'));
    assert.equal(t.level!.triggerMarket, 'BTCUSDT');
    assert.equal(t.liquidationId, 1);
    assert.deepEqual(
      t.positions.map((p) => [p.market, p.positionLots, p.bankruptcyPriceTicks, p.maintenanceUnits]),
      [['BTCUSDT', 1000, btcTicks('29015'), 116_400_000]], // 985 + (P − 30,000) = 0
    );
    // sticky until the liquidation engine releases it: a recovery emits nothing
    h.index('BTCUSDT', btcSubticks('29900'));
    assert.equal(h.eventsOf('liquidationTriggered').length + h.eventsOf('marginCallCleared').length, 1);
    // the maker's short was never near a line: no event for it
    assert.equal(h.events.filter((e) => e.accountId === MAKER && e.event !== 'positionSettled' && e.event !== 'commandAccepted').length, 0);
  });

  it('clears the margin call when the mark recovers before the liquidation line', () => {
    const h = aliceLong1BtcAt30k();
    h.index('BTCUSDT', btcSubticks('29150'));
    h.index('BTCUSDT', btcSubticks('29300'));
    assert.equal(h.eventsOf('marginCall', ALICE).length, 1);
    const [cleared] = h.eventsOf('marginCallCleared', ALICE);
    assert.equal(cleared.marginCallCleared!.level!.equityUnits, String(285 * USDT));
  });

  it('touches only the accounts near their lines on a small move', () => {
    const h = aliceLong1BtcAt30k();
    h.index('BTCUSDT', btcSubticks('29990'));
    assert.equal(h.engine.prices.touchedLastTick, 0);
    h.index('BTCUSDT', btcSubticks('29150'));
    assert.equal(h.engine.prices.touchedLastTick, 1);
  });
});

describe('isolated beside cross', () => {
  it('liquidates the isolated position alone, its loss capped at its bucket', () => {
    const h = new RiskHarness();
    h.index('BTCUSDT', btcSubticks('30000'));
    h.index('ETHUSDT', 200_000 * 100); // 2,000.00
    h.deposit(MAKER, 1_000_000 * USDT);
    h.deposit(BOB, 10_000 * USDT);
    assert.equal(h.setMode(BOB, 'ETHUSDT', MarginMode.Isolated).event, 'commandAccepted');
    h.setLeverage(BOB, 'ETHUSDT', 20);
    // cross: long 0.1 BTC; isolated: short 10 ETH (20,000 notional, IM 1,000 moved into the bucket)
    h.place({ account: MAKER, side: 'sell', priceTicks: btcTicks('30000'), lots: 100 });
    h.place({ account: BOB, side: 'buy', priceTicks: btcTicks('30000'), lots: 100 });
    h.place({ account: MAKER, side: 'buy', market: 'ETHUSDT', priceTicks: 200_000, lots: 1000 });
    assert.equal(h.place({ account: BOB, side: 'sell', market: 'ETHUSDT', priceTicks: 200_000, lots: 1000 }), '');
    const hold = h.eventsOf('ledgerTransfer', BOB)[0].ledgerTransfer!;
    assert.equal(hold.toMarket, 'ETHUSDT');
    assert.equal(hold.amountUnits, 1_000 * USDT);
    const report = h.engine.accountReport(BOB)!;
    assert.equal(report.isolated.length, 1);
    assert.equal(report.isolated[0].equityUnits, 990 * USDT); // bucket 1,000 − 10 taker fee

    h.index('ETHUSDT', 209_500 * 100); // +4.75%: short loses 950 → E_iso 40 ≤ MM 104.75
    const [breach] = h.eventsOf('liquidationTriggered', BOB);
    assert.equal(breach.liquidationTriggered!.level!.scope!.mode, MarginMode.Isolated);
    assert.equal(breach.liquidationTriggered!.level!.scope!.market, 'ETHUSDT');
    assert.equal(breach.market, 'ETHUSDT');
    // BP of the whole isolated short: C − (bucket − PF) = −20,000 − 990 → 2,099.00
    assert.equal(breach.liquidationTriggered!.positions[0].bankruptcyPriceTicks, 209_900);
    const after = h.engine.accountReport(BOB)!;
    assert.equal(after.cross.state, 'HEALTHY');
    assert.equal(after.cross.positions[0].market, 'BTCUSDT');
    assert.equal(after.isolated[0].state, 'LIQUIDATING');
  });
});

describe('isolated holds', () => {
  it('moves an isolated order’s IM into the bucket on placement and back on cancel', () => {
    const h = new RiskHarness();
    h.index('BTCUSDT', btcSubticks('30000'));
    h.deposit(BOB, 5_000 * USDT);
    h.setMode(BOB, 'BTCUSDT', MarginMode.Isolated);
    const id = h.nextOrderId;
    assert.equal(h.place({ account: BOB, side: 'buy', priceTicks: btcTicks('29000'), lots: 1000 }), ''); // IM 29,000 / 20 = 1,450
    const wallet = () => h.engine.accountReport(BOB)!.collateral[0].balanceUnits;
    assert.equal(wallet(), 3_550 * USDT);
    assert.equal(h.engine.accountReport(BOB)!.isolated[0].equityUnits, 1_450 * USDT);
    h.cancel(BOB, id);
    assert.equal(wallet(), 5_000 * USDT);
    assert.equal(h.engine.accountReport(BOB)!.isolated.length, 0);
    const transfers = h.eventsOf('ledgerTransfer', BOB).map((e) => [e.ledgerTransfer!.fromMarket, e.ledgerTransfer!.toMarket, e.ledgerTransfer!.amountUnits]);
    assert.deepEqual(transfers, [['', 'BTCUSDT', 1_450 * USDT], ['BTCUSDT', '', 1_450 * USDT]]);
    assert.ok(h.engine.audit().ok);
  });
});

describe('reduce-only', () => {
  it('rejects an order that would open or grow a position, and trims resting ones the position no longer covers', () => {
    const h = aliceLong1BtcAt30k();
    assert.equal(h.place({ account: ALICE, side: 'buy', priceTicks: btcTicks('29000'), lots: 10, reduceOnly: true }), 'RISK_REDUCE_ONLY_WOULD_INCREASE');
    assert.equal(h.place({ account: ALICE, side: 'sell', priceTicks: btcTicks('31000'), lots: 1001, reduceOnly: true }), 'RISK_REDUCE_ONLY_WOULD_INCREASE');
    assert.equal(h.place({ account: MAKER + 1, side: 'sell', priceTicks: btcTicks('31000'), lots: 1, reduceOnly: true }), 'RISK_UNKNOWN_ACCOUNT');
    const ro = h.nextOrderId;
    assert.equal(h.place({ account: ALICE, side: 'sell', priceTicks: btcTicks('31000'), lots: 600, reduceOnly: true }), '');
    assert.equal(h.place({ account: ALICE, side: 'sell', priceTicks: btcTicks('31500'), lots: 500, reduceOnly: true }), 'RISK_REDUCE_ONLY_WOULD_INCREASE');
    // Alice closes 700 lots with an ordinary sell: 300 left, so the 600-lot reduce-only sell no longer fits
    h.deposit(MAKER + 2, 100_000 * USDT);
    h.place({ account: MAKER + 2, side: 'buy', priceTicks: btcTicks('30000'), lots: 700 });
    h.place({ account: ALICE, side: 'sell', priceTicks: btcTicks('30000'), lots: 700 });
    const cancel = h.commands.find((c) => c.command === 'cancel' && c.cancel?.orderId === ro);
    assert.ok(cancel, 'risk cancels the reduce-only order that would flip the position');
    assert.equal(cancel.source, 'risk-0');
    assert.equal(h.books.get('BTCUSDT')!.getOrder(ro), undefined);
  });
});

describe('withdrawals', () => {
  it('refuses a withdrawal below initial margin and unrealized profit, allows the free part', () => {
    const h = aliceLong1BtcAt30k();
    // WB 985, IM 600 → 385 withdrawable
    assert.equal(h.withdraw(ALICE, 386 * USDT).commandRejected?.code, 'RISK_WITHDRAW_BELOW_IM');
    assert.equal(h.withdraw(ALICE, 2_000 * USDT).commandRejected?.code, 'RISK_INSUFFICIENT_BALANCE');
    h.index('BTCUSDT', btcSubticks('31000')); // UPnL +1,000: backs trading, not withdrawals
    const ok = h.withdraw(ALICE, 365 * USDT); // IM is now 620
    assert.equal(ok.commandAccepted?.balanceAfterUnits, String(620 * USDT));
    assert.equal(h.withdraw(ALICE, 1).commandRejected?.code, 'RISK_WITHDRAW_BELOW_IM');
  });
});

describe('leverage and tiers', () => {
  it('refuses leverage above the tier maximum, for the setting and for an order that moves the notional up a tier', () => {
    const h = aliceLong1BtcAt30k();
    assert.equal(h.setLeverage(ALICE, 'BTCUSDT', 126).commandRejected?.code, 'RISK_LEVERAGE_ABOVE_TIER_MAX');
    h.deposit(BOB, 100_000 * USDT);
    assert.equal(h.setLeverage(BOB, 'BTCUSDT', 125).event, 'commandAccepted');
    // 2 BTC at 30,000 = 60,000 notional: tier 2 allows 100× only
    assert.equal(h.place({ account: BOB, side: 'buy', priceTicks: btcTicks('30000'), lots: 2000 }), 'RISK_LEVERAGE_ABOVE_TIER_MAX');
    assert.equal(h.place({ account: BOB, side: 'buy', priceTicks: btcTicks('30000'), lots: 1000 }), '');
    // past the last cap (5,000,000): never, whatever the leverage
    h.setLeverage(BOB, 'BTCUSDT', 1);
    assert.equal(h.place({ account: BOB, side: 'buy', priceTicks: btcTicks('30000'), lots: 170_000 }), 'RISK_NOTIONAL_ABOVE_MAX_TIER');
  });

  it('refuses lowering the leverage when the extra initial margin is not there', () => {
    const h = aliceLong1BtcAt30k();
    assert.equal(h.setLeverage(ALICE, 'BTCUSDT', 2).commandRejected?.code, 'RISK_INSUFFICIENT_MARGIN');
    assert.equal(h.setLeverage(ALICE, 'BTCUSDT', 25).commandRejected?.code, 'RISK_INSUFFICIENT_MARGIN'); // IM 1,200 > E 985
    assert.equal(h.setLeverage(ALICE, 'BTCUSDT', 40).event, 'commandAccepted'); // IM 750 ≤ 985
  });
});

describe('maker re-check at fill time', () => {
  it('settles the fill but cancels the maker’s remaining opening orders when its margin worsened since placement', () => {
    const h = new RiskHarness(riskConfig({ markMethod: 'INDEX' }));
    h.index('BTCUSDT', btcSubticks('30000'));
    h.deposit(MAKER, 1_000 * USDT);
    h.setLeverage(MAKER, 'BTCUSDT', 50);
    h.deposit(BOB, 100_000 * USDT);
    const first = h.nextOrderId;
    assert.equal(h.place({ account: MAKER, side: 'buy', priceTicks: btcTicks('30000'), lots: 500 }), '');
    const second = h.nextOrderId;
    assert.equal(h.place({ account: MAKER, side: 'buy', priceTicks: btcTicks('29990'), lots: 500 }), '');
    h.place({ account: BOB, side: 'sell', priceTicks: btcTicks('30000'), lots: 500 });
    assert.equal(h.books.get('BTCUSDT')!.getOrder(first), undefined);
    h.index('BTCUSDT', btcSubticks('29000')); // maker long 0.5 BTC: −500; E ≈ 497 < IM ≈ 590
    h.place({ account: BOB, side: 'sell', priceTicks: btcTicks('29990'), lots: 200 });
    const fills = h.eventsOf('positionSettled', MAKER);
    assert.equal(fills.at(-1)!.positionSettled!.positionAfterLots, 700, 'the fill that matched is final');
    assert.ok(h.commands.some((c) => c.command === 'cancel' && c.cancel?.orderId === second), 'risk cancels the rest');
    assert.equal(h.books.get('BTCUSDT')!.getOrder(second), undefined);
    assert.equal(h.engine.lifecycle.makerRechecksFailed, 1);
  });
});

describe('market orders', () => {
  it('holds a market order at the band edge and releases the unfilled rest', () => {
    const h = aliceLong1BtcAt30k();
    h.deposit(BOB, 10_000 * USDT);
    h.place({ account: MAKER, side: 'sell', priceTicks: btcTicks('30010'), lots: 100 });
    assert.equal(h.place({ account: BOB, side: 'buy', type: OrderType.Market, lots: 300 }), '');
    assert.equal(h.eventsOf('positionSettled', BOB).at(-1)!.positionSettled!.positionAfterLots, 100);
    assert.equal(h.engine.state.orders.count, 0, 'the IOC rest was cancelled and its hold released');
  });
});
