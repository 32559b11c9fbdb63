import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Topics } from '@perpcore/bus';
import { createLogger } from '@perpcore/observability';
import { SCHEMA_MAJOR_V1, type MatchingEventV1, type RiskEventV1 } from '@perpcore/proto';
import { EmbeddedExchange } from './embedded-exchange.js';

const logger = createLogger('test', 'silent');

function trigger(accountId: number, liquidationId: number, tsNs: number): RiskEventV1 {
  return {
    schemaMajor: SCHEMA_MAJOR_V1,
    seq: 1_000_000 + liquidationId,
    tsNs,
    source: 'risk-test',
    accountId,
    market: 'BTCUSDT',
    event: 'liquidationTriggered',
    liquidationTriggered: {
      liquidationId,
      positions: [],
      level: { scope: { mode: 1, market: '' }, equityUnits: '0', basisUnits: '0', levelE8: 0, marginCallLevelE8: 0, liquidationLevelE8: 0, triggerMarket: 'BTCUSDT', markSubticks: 1, markMethod: 0 },
    },
  } as unknown as RiskEventV1;
}

describe('liquidation engine faults (embedded, real stages)', () => {
  it('ignores breach events for unknown and healthy accounts, with a reason, changing nothing', async () => {
    const exchange = await EmbeddedExchange.create({ logger, seed: 2, scenario: { shockAtS: 0 } });
    exchange.step(2_000);
    const before = exchange.stateHash();
    const ignoredBefore = exchange.liquidation.engine.counters.ignored;
    exchange.bus.publish(Topics.riskAccountEvents, trigger(4_242_424, 9_001, exchange.nowNs()));
    exchange.bus.publish(Topics.riskAccountEvents, trigger(1, 9_002, exchange.nowNs()));
    assert.equal(exchange.liquidation.engine.counters.ignored, ignoredBefore + 2);
    assert.equal(exchange.liquidation.engine.counters.triggered, 0);
    assert.equal(exchange.stateHash(), before);
    await exchange.close();
  });

  it('ignores a duplicate breach event while the scope is being liquidated, and a replayed liquidation fill', async () => {
    const exchange = await EmbeddedExchange.create({ logger, seed: 11, scenario: { crowdAccounts: 150, crowdEntryEndS: 300, shockAtS: 400 } });
    let duplicates = 0;
    // the moment a step is ordered, its scope is mid-ladder: replay the original trigger then
    const triggers = new Map<number, RiskEventV1>();
    await exchange.bus.subscribe(Topics.riskAccountEvents, { groupId: 'test' }, (m) => {
      if (m.value.event === 'liquidationTriggered') triggers.set(m.value.accountId, m.value);
    });
    await exchange.bus.subscribe(Topics.liquidationEvents, { groupId: 'test' }, (m) => {
      const original = triggers.get(m.value.accountId);
      if (m.value.event === 'stepOrdered' && original !== undefined && duplicates < 3) {
        duplicates++;
        exchange.bus.publish(Topics.riskAccountEvents, original);
      }
    });
    const liquidationFills: MatchingEventV1[] = [];
    await exchange.bus.subscribe(Topics.matchingEvents, { groupId: 'test' }, (m) => {
      if (m.value.event === 'filled' && m.value.filled?.liquidationId) liquidationFills.push(m.value);
    });
    exchange.step(30_000);
    const engine = exchange.liquidation.engine;
    assert.equal(duplicates, 3);
    assert.ok(engine.counters.ignored >= 3, `ignored ${engine.counters.ignored}`);
    const triggered = engine.counters.triggered;
    assert.ok(liquidationFills.length > 0);

    const fundBefore = exchange.risk.engine.ledger.fundBalanceUnits('shared');
    const hashBefore = exchange.stateHash();
    const ignoredBefore = engine.counters.ignored;
    exchange.bus.publish(Topics.matchingEvents, liquidationFills[0] as MatchingEventV1);
    assert.equal(engine.counters.ignored, ignoredBefore + 1);
    assert.equal(engine.counters.triggered, triggered);
    assert.equal(exchange.risk.engine.ledger.fundBalanceUnits('shared'), fundBefore);
    assert.equal(exchange.stateHash(), hashBefore);
    assert.ok(exchange.risk.engine.audit().ok);
    await exchange.close();
  });
});
