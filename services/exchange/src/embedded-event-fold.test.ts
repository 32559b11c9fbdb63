/**
 * The risk events tell the whole story of a whole embedded run (issue 9 item 7): a
 * consumer folds every risk event the pipeline publishes (`RiskEventFold`) and,
 * at every checkpoint, holds exactly the risk engine's accounts: each balance, each
 * position's size, cost basis, leverage, mode and bucket, each scope's state and
 * liquidation id, the fee account, the insurance fund and the funding pools.
 *
 * The run (seed 3): the simulated market with the leveraged crowd (150 accounts at
 * 2–50×, entering over 200 s), funding every 60 s, a 2,000 USDT fund and a −14%
 * shock at 260 s; 20,000 steps (400 simulated seconds, ~20,000 fill legs), checked
 * every 2,000 steps. The test asserts that funding, margin calls and their
 * clearing, liquidations, fund takeovers, ADL and releases happened, so it cannot
 * pass on a quiet run. The fold reads the events as a bus consumer does; the
 * codec round trip of the new fields is covered in services/risk.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Topics } from '@perpcore/bus';
import { createLogger } from '@perpcore/observability';
import { RiskEventFold, riskEventFoldConfig, riskSnapshot, snapshotDifferences } from '@perpcore/risk';
import { EmbeddedExchange } from './embedded-exchange.js';

const logger = createLogger('test', 'silent');

describe('a fold of the risk events of an embedded run', () => {
  it('rebuilds every account exactly, through funding, margin calls, liquidations, takeovers and ADL', async () => {
    const exchange = await EmbeddedExchange.create({
      logger,
      seed: 3,
      scenario: { crowdAccounts: 150, crowdMaxLeverage: 50, crowdEntryEndS: 200, shockAtS: 260, shockE8: -14_000_000, insuranceFundSeedUnits: 2_000 * 1_000_000 },
      riskOverrides: { fundingIntervalS: 60, premiumSampleS: 5 },
    });
    const fold = new RiskEventFold(riskEventFoldConfig(exchange.risk.engine.state));
    const seen = new Map<string, number>();
    const onEvent = (e: Parameters<RiskEventFold['apply']>[0]) => {
      seen.set(e.event, (seen.get(e.event) ?? 0) + 1);
      fold.apply(e);
    };
    await exchange.bus.subscribe(Topics.riskAccountEvents, { groupId: 'event-fold', fromBeginning: true }, (m) => onEvent(m.value));
    await exchange.bus.subscribe(Topics.riskMarketEvents, { groupId: 'event-fold', fromBeginning: true }, (m) => onEvent(m.value));
    const check = (when: string) => assert.deepEqual(snapshotDifferences(riskSnapshot(exchange.risk.engine.state), fold.snapshot()), [], `${when}: the fold differs from the engine`);
    check('after the set-up');
    for (let i = 1; i <= 10; i++) {
      exchange.step(2_000); // 40 simulated seconds
      check(`after ${i * 40} simulated seconds`);
    }
    const c = exchange.counters;
    const kinds = JSON.stringify([...seen]);
    assert.ok(c.fundingSettlements > 0 && (seen.get('positionSettled') ?? 0) > 10_000, `funding and fills: ${kinds}`);
    assert.ok(c.marginCalls > 0 && c.marginCallsCleared > 0, `margin calls: ${kinds}`);
    assert.ok(c.liquidationsTriggered > 10 && (seen.get('liquidationReleased') ?? 0) > 0, `liquidations and releases: ${kinds}`);
    assert.ok(c.insuranceTakeovers > 0, 'fund takeovers');
    assert.ok(c.deleveragedLegs > 0, 'ADL');
    assert.ok((seen.get('ledgerTransfer') ?? 0) > 0, `transfers (clearance fees, ticks, residues): ${kinds}`);
    assert.equal(fold.duplicatesDropped, 0);
    await exchange.close();
  });
});
