/**
 * The operator's per-account kill switch, end to end through the real pipeline:
 * engaging it cancels every open order of the account in every market (holds
 * released), refuses its new orders with RISK_KILL_SWITCH_ENGAGED, leaves other
 * accounts alone, is in the state hash and in the event stream (a fold of the
 * risk events agrees with the engine), and releasing it lets the account trade.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Topics } from '@perpcore/bus';
import { SCHEMA_MAJOR_V1, type AccountCommandV1, type RiskEventV1 } from '@perpcore/proto';
import { RiskEventFold, riskEventFoldConfig, riskSnapshot, snapshotDifferences } from '@perpcore/risk';
import { TestVenue } from './test-venue.test-support.js';

describe('kill switch', () => {
  it('cancels the account everywhere, refuses its orders until released, and the fold follows it', async () => {
    const v = await TestVenue.open({ fundUsdt: '1000' });
    const engine = v.pipeline.risk.engine;
    const fold = new RiskEventFold(riskEventFoldConfig(engine.state));
    await v.pipeline.bus.subscribe(Topics.riskAccountEvents, { groupId: 'fold', fromBeginning: true }, (m) => void fold.apply(m.value));
    await v.pipeline.bus.subscribe(Topics.riskMarketEvents, { groupId: 'fold', fromBeginning: true }, (m) => void fold.apply(m.value));
    let seq = 0;
    const answers: RiskEventV1[] = [];
    await v.pipeline.bus.subscribe(Topics.riskAccountEvents, { groupId: 'answers' }, (m) => {
      if (m.value.event === 'commandAccepted' || m.value.event === 'commandRejected' || m.value.event === 'killSwitchSet') answers.push(m.value);
    });
    const setKillSwitch = (accountId: number, engaged: boolean) => {
      answers.length = 0;
      const cmd = { schemaMajor: SCHEMA_MAJOR_V1, accountId, seq: ++seq, tsNs: 1, source: 'admin-test', commandId: seq, command: 'setKillSwitch', setKillSwitch: { engaged } } as AccountCommandV1;
      v.pipeline.bus.publish(Topics.gatewayAccountCommands, cmd);
      return answers.map((e) => (e.event === 'commandRejected' ? e.commandRejected?.code : e.event));
    };
    v.deposit(1, '100000');
    v.deposit(2, '100000');
    v.index('BTCUSDT', '30000');
    v.index('ETHUSDT', '2000');
    assert.equal(v.order(1, 'BTCUSDT', 'BUY', '29000', '1'), undefined);
    assert.equal(v.order(1, 'ETHUSDT', 'SELL', '2100', '2'), undefined);
    assert.equal(v.order(2, 'BTCUSDT', 'BUY', '28000', '1'), undefined);
    const walletBefore = v.walletUnits(1);
    const hashBefore = engine.stateHash();

    assert.deepEqual(setKillSwitch(1, true), ['killSwitchSet', 'commandAccepted']);
    assert.notEqual(engine.stateHash(), hashBefore);
    assert.equal(v.pipeline.matching.engine.book('BTCUSDT')?.getOrder(1), undefined, 'BTC order canceled');
    assert.equal(v.pipeline.matching.engine.book('ETHUSDT')?.getOrder(2), undefined, 'ETH order canceled');
    assert.notEqual(v.pipeline.matching.engine.book('BTCUSDT')?.getOrder(3), undefined, 'the other account keeps its order');
    assert.equal(engine.accountReport(1)?.cross.openOrderImUnits ?? 0, 0);
    assert.equal(v.walletUnits(1), walletBefore);

    const engagedHash = engine.stateHash();
    assert.equal(v.order(1, 'BTCUSDT', 'BUY', '29000', '1'), 'RISK_KILL_SWITCH_ENGAGED');
    assert.equal(engine.stateHash(), engagedHash, 'a refused order changes nothing');
    assert.equal(v.order(2, 'BTCUSDT', 'BUY', '28500', '1'), undefined, 'other accounts trade');
    assert.deepEqual(setKillSwitch(1, true), ['commandAccepted'], 'engaging twice changes nothing');
    assert.deepEqual(setKillSwitch(99, true), ['RISK_UNKNOWN_ACCOUNT']);
    assert.deepEqual(snapshotDifferences(riskSnapshot(engine.state), fold.snapshot()), []);
    assert.equal(fold.snapshot().accounts.get(1)?.killSwitch, true);

    assert.deepEqual(setKillSwitch(1, false), ['killSwitchSet', 'commandAccepted']);
    assert.equal(v.order(1, 'BTCUSDT', 'BUY', '29000', '1'), undefined);
    assert.deepEqual(snapshotDifferences(riskSnapshot(engine.state), fold.snapshot()), []);
    v.assertConserved();
    await v.close();
  });
});
