import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Topics } from '@perpcore/bus';
import { createLogger } from '@perpcore/observability';
import type { LiquidationEventV1, RiskEventV1 } from '@perpcore/proto';
import { EmbeddedExchange } from './embedded-exchange.js';

const logger = createLogger('test', 'silent');

/** Runs the simulated market through the scheduled shock, checking §9 after every index tick. */
async function runThroughShock(seed: number, fundSeedUsdt: number, backstopLiquidators = 0) {
  const exchange = await EmbeddedExchange.create({
    logger,
    seed,
    scenario: { crowdAccounts: 150, crowdEntryEndS: 300, shockAtS: 400, insuranceFundSeedUnits: fundSeedUsdt * 1_000_000, backstopLiquidators },
  });
  const liquidationEvents: LiquidationEventV1[] = [];
  const triggers: RiskEventV1[] = [];
  await exchange.bus.subscribe(Topics.liquidationEvents, { groupId: 'test' }, (m) => void liquidationEvents.push(m.value));
  await exchange.bus.subscribe(Topics.riskAccountEvents, { groupId: 'test' }, (m) => {
    if (m.value.event === 'liquidationTriggered') triggers.push(m.value);
  });
  for (let i = 0; i < 40; i++) {
    exchange.step(1_000); // 20 simulated seconds
    const audit = exchange.risk.engine.audit();
    assert.ok(audit.ok, `after ${exchange.figures(0).simulatedS}s: ${audit.problems.join('; ')}`);
    for (const oi of exchange.openInterest()) assert.equal(oi.longLots, oi.shortLots, `${oi.market} open interest`);
  }
  return { exchange, liquidationEvents, triggers };
}

describe('embedded liquidations through a price shock (every stage, real bus)', () => {
  it('liquidates the breached crowd: book closes with clearance fees, fund takeovers, ADL once the small fund is spent', async () => {
    const { exchange, liquidationEvents, triggers } = await runThroughShock(11, 2_000);
    const c = exchange.counters;
    assert.ok(triggers.length > 10, `expected breaches, got ${triggers.length}`);
    // every trigger names the price that triggered it
    for (const t of triggers) {
      const level = t.liquidationTriggered?.level;
      assert.ok(level !== undefined && level !== null && level.markSubticks > 0 && level.triggerMarket !== '');
    }
    assert.ok(c.liquidationSteps > 0 && c.liquidationFills > 0, 'IOC steps in the book');
    assert.ok(c.clearanceFeesUnits > 0n, 'clearance fees to the fund');
    assert.ok(c.deleveragedLegs > 0, 'a 2,000 USDT fund cannot absorb the gap: ADL must run');
    assert.equal(c.liquidationsTriggered, c.liquidationsRestored + c.liquidationsClosed + c.liquidationsAborted + exchange.liquidation.engine.activeCount());
    // every liquidation fill's surplus is non-negative and the fee never exceeds it (§9.5)
    for (const e of liquidationEvents.filter((x) => x.event === 'fill')) {
      assert.ok((e.fill?.surplusUnits ?? -1) >= 0);
      assert.ok((e.fill?.clearanceFeeUnits ?? 0) <= (e.fill?.surplusUnits ?? 0));
    }
    // each open position carries its ADL indicator in the account query (1 = front of the queue)
    const view = exchange.accountView(1) as { cross: { positions: { adlBucket: number | null }[] } };
    assert.ok(view.cross.positions.length > 0);
    for (const p of view.cross.positions) assert.ok(p.adlBucket !== null && p.adlBucket >= 1 && p.adlBucket <= 5, `bucket ${p.adlBucket}`);
    assert.ok(liquidationEvents.some((e) => e.event === 'adlIndicator' && e.accountId === 0 && e.market !== ''));
    // the fund never goes below zero (§9.6)
    assert.ok(exchange.risk.engine.ledger.fundBalanceUnits('shared') >= 0);
    await exchange.close();
  });

  it('with a large fund, gapped positions go to the fund and nobody is deleveraged', async () => {
    const { exchange } = await runThroughShock(11, 50_000_000);
    assert.ok(exchange.counters.insuranceTakeovers > 0, 'takeovers');
    assert.equal(exchange.counters.deleveragedLegs, 0);
    await exchange.close();
  });

  it('with backstop liquidators, gapped positions go to them at BP before the fund, each within its own margin and cap', async () => {
    const { exchange, liquidationEvents } = await runThroughShock(11, 2_000, 2);
    const c = exchange.counters;
    assert.ok(c.backstopTakeovers > 0, 'backstop takeovers');
    const backstops = liquidationEvents.filter((e) => e.event === 'backstopTakeover').map((e) => e.backstopTakeover!);
    assert.equal(backstops.length, c.backstopTakeovers);
    for (const b of backstops) {
      assert.ok(b.liquidatorAccountId === 31_000 || b.liquidatorAccountId === 31_001, `liquidator ${b.liquidatorAccountId}`);
      assert.equal(Number(b.fillPriceTicks), Math.max(1, Number(b.bankruptcyPriceTicks)));
      assert.ok(Number(b.tickDifferenceUnits) >= 0);
    }
    // the backstops kept their margin: neither was called or liquidated by what it took
    for (const id of [31_000, 31_001]) {
      const view = exchange.accountView(id) as { cross: { state: string } };
      assert.equal(view.cross.state, 'HEALTHY', `backstop ${id}`);
    }
    assert.ok(exchange.risk.engine.ledger.fundBalanceUnits('shared') >= 0);
    await exchange.close();
  });

  it('is deterministic: the same seed gives the same state hash after the cascade', async () => {
    const a = await runThroughShock(5, 2_000);
    const b = await runThroughShock(5, 2_000);
    assert.equal(a.exchange.stateHash(), b.exchange.stateHash());
    await a.exchange.close();
    await b.exchange.close();
  });
});
