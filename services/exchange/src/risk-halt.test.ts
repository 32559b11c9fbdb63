/**
 * The embedded exchange when its risk stage halts (services/risk stage-halt.ts;
 * issue 9, item 2): the fill that could not settle changed nothing, the halt is an
 * event, commands are refused, the summary never says "conserved", the
 * liquidation ports refuse to write, and the in-process bus does not loop. (The
 * gateway's 503 while halted is tested in services/gateway gateway-halt.test.ts.)
 *
 * The internal error is forced by writing the fee account's balance a few units
 * below 2^53 (test-only: deposit bounds make it unreachable), so the next fee
 * credit fails the fill plan.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Topics } from '@perpcore/bus';
import { defaultMarketSpecs, defaultVenueMarkets } from '@perpcore/markets';
import { createLogger } from '@perpcore/observability';
import type { RiskEventV1 } from '@perpcore/proto';
import { OrderType, Side, TimeInForce } from '@perpcore/domain';
import type { ExchangeClient } from './client/exchange-client.js';
import { EmbeddedExchange } from './embedded-exchange.js';
import { riskLiquidationPorts } from './risk-liquidation-ports.js';
import { formatSummary } from './run-summary.js';

describe('a halted risk stage, end to end', () => {
  let exchange: EmbeddedExchange;
  let client: ExchangeClient;
  const marketEvents: RiskEventV1[] = [];
  let nextOrderId = 3_000_000_000_000_000;
  const limit = (accountId: number, side: Side, priceTicks: number, timeInForce: TimeInForce = TimeInForce.GoodTillCancel) =>
    client.placeOrder({ orderId: nextOrderId++, accountId, market: 'BTCUSDT', side, type: OrderType.Limit, timeInForce, priceTicks, qtyLots: 1_000 });
  const position = (accountId: number) => exchange.risk.engine.accountReport(accountId)?.cross.positions.find((p) => p.market === 'BTCUSDT')?.qtyLots ?? 0;

  before(async () => {
    exchange = await EmbeddedExchange.create({ logger: createLogger('test', 'silent'), seed: 5 });
    client = await exchange.client('halt-test');
    await exchange.bus.subscribe(Topics.riskMarketEvents, { groupId: 'halt-test', fromBeginning: true }, (m) => void (m.value.event === 'stageHalted' && marketEvents.push(m.value)));
    for (const account of [7, 8]) assert.equal((await client.deposit(account, 'USDT', 1_000_000_000_000)).rejection, null);
  });
  after(async () => exchange.close());

  it('the fill that cannot settle changes neither leg; the stage halts and says so', async () => {
    const engine = exchange.risk.engine;
    const s = engine.state;
    s.accounts.balances[0][s.feeSlot] = Number.MAX_SAFE_INTEGER - 1;
    s.depositedUnits[0] += BigInt(Number.MAX_SAFE_INTEGER - 1);
    const wallet = (accountId: number) => s.accounts.balances[0][s.accounts.slotOf(accountId)];
    const before = [position(7), position(8), wallet(7), wallet(8), wallet(900_001)];
    assert.equal((await limit(8, Side.Sell, 1_000)).rejection, null);
    const settled = exchange.counters.positionsSettled;
    await limit(7, Side.Buy, 1_000, TimeInForce.ImmediateOrCancel);
    await exchange.bus.flush(); // returns: nothing is re-delivered in a loop
    assert.deepEqual([position(7), position(8), wallet(7), wallet(8), wallet(900_001)], before, 'the failing fill wrote neither leg nor the fee');
    assert.equal(exchange.counters.positionsSettled, settled, 'no leg was reported settled');
    assert.equal(engine.halted, true);
    assert.equal(marketEvents.length, 1);
    assert.equal(marketEvents[0].stageHalted!.inputKind, 'matching_event');
    assert.equal(marketEvents[0].market, 'BTCUSDT');
    assert.equal(engine.audit().ok, false);
  });

  it('refuses every command afterwards with RISK_STAGE_HALTED and says why', async () => {
    assert.match(client.halted(), /fee account/);
    const order = await limit(7, Side.Buy, 900);
    assert.deepEqual([order.rejection?.stage, order.rejection?.code], ['risk', 'RISK_STAGE_HALTED']);
    assert.equal((await client.deposit(7, 'USDT', 1)).rejection?.code, 'RISK_STAGE_HALTED');
  });

  it('the summary shows the halt and never says conserved; the liquidation ports write nothing', () => {
    const text = formatSummary(exchange.figures(1));
    assert.match(text, /risk stage\s+HALTED/);
    assert.match(text, /money conserved to the unit\s+NO: risk stage halted/);
    const engine = exchange.risk.engine;
    const ports = riskLiquidationPorts(engine, defaultVenueMarkets(defaultMarketSpecs));
    const hash = engine.stateHash();
    const scope = { accountId: 7, isolatedMarket: '' };
    assert.equal(ports.reader.scopeHealth(scope), undefined);
    assert.deepEqual(ports.ledger.insuranceTakeover(scope, 'BTCUSDT', 1, 0), { ok: false, reason: 'RISK_STAGE_HALTED' });
    assert.deepEqual(ports.ledger.deleverage(scope, 'BTCUSDT', 1, 0).legs, []);
    assert.deepEqual(ports.ledger.completeScope(scope, 1, 0), { residueSweptUnits: 0, deficitCoveredUnits: 0, uncoveredDeficitUnits: 0 });
    ports.ledger.releaseScope(scope, 0);
    assert.equal(engine.stateHash(), hash);
  });
});
