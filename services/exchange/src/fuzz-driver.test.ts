/**
 * The fuzz driver's own checks can fail: each is shown catching a fault planted in a
 * real pipeline (a unit moved behind the audit's back, a stage that throws, a state
 * change on a refusal, a redelivery that is applied), so a green engine fuzz means
 * the invariants held, not that nothing was looked at.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Topics } from '@perpcore/bus';
import { EngineFuzzDriver } from './fuzz-driver.test-support.js';
import { FUZZ_TRADERS, type FuzzInput, type FuzzSetup } from './fuzz-inputs.test-support.js';

const SETUP: FuzzSetup = { traderDepositsUsdt: FUZZ_TRADERS.map(() => 1_000), traderLeverage: FUZZ_TRADERS.map(() => 10), fundSeedUsdt: 0, isolatedTraders: FUZZ_TRADERS.map(() => false), markMethod: 'INDEX' };
const DEPOSIT: FuzzInput = { kind: 'deposit', accountId: 11, asset: 'USDT', amountUnits: 5_000_000 };
const BAD_WITHDRAW: FuzzInput = { kind: 'withdraw', accountId: 11, asset: 'USDT', amountUnits: Number.NaN };

async function withDriver(body: (d: EngineFuzzDriver) => Promise<void> | void): Promise<EngineFuzzDriver> {
  const d = await EngineFuzzDriver.open(SETUP);
  try {
    assert.equal(d.failure, null, 'the setup itself passes every check');
    await body(d);
  } finally {
    await d.close();
  }
  return d;
}

describe('engine fuzz driver: every check catches its fault', () => {
  it('a unit created outside any event fails the audit at the next event', async () => {
    const d = await withDriver((d) => {
      const s = d.pipeline.risk.engine.state;
      (s.accounts.balances[0] as number[])[s.accounts.slotOf(11)]! += 1;
      assert.equal(d.apply(DEPOSIT, 0), false);
    });
    assert.equal(d.failure?.check, 'audit');
    assert.match(d.failure?.detail ?? '', /off by 1/);
  });

  it('an exception out of a stage is caught and named', async () => {
    const d = await withDriver(async (d) => {
      await d.pipeline.bus.subscribe(Topics.gatewayAccountCommands, { groupId: 'planted-fault' }, () => {
        throw new Error('planted stage fault');
      });
      assert.equal(d.apply(DEPOSIT, 0), false);
    });
    assert.equal(d.failure?.check, 'exception');
    assert.match(d.failure?.detail ?? '', /planted stage fault/);
  });

  it('a refusal that changes the risk state is caught', async () => {
    const d = await withDriver(async (d) => {
      const s = d.pipeline.risk.engine.state;
      await d.pipeline.bus.subscribe(Topics.riskAccountEvents, { groupId: 'planted-fault' }, (m) => {
        if (m.value.event === 'commandRejected') (s.accounts.crossState as number[])[s.accounts.slotOf(11)]! += 1;
      });
      assert.equal(d.apply(BAD_WITHDRAW, 0), false);
    });
    assert.equal(d.failure?.check, 'refusedChangedState');
  });

  it('a redelivery that is applied again is caught', async () => {
    const d = await withDriver((d) => {
      assert.equal(d.apply(DEPOSIT, 0), true);
      // the risk stage forgets what it applied: the replayed deposit is credited twice
      (d.pipeline.risk.engine as unknown as { accountCommandSeq: Map<string, Map<number, number>> }).accountCommandSeq.clear();
      assert.equal(d.apply({ kind: 'replay', back: 0 }, 1), false);
    });
    assert.equal(d.failure?.check, 'duplicateApplied');
  });

  it('a balance change no event reports is caught by the fold', async () => {
    const d = await withDriver((d) => {
      const s = d.pipeline.risk.engine.state;
      // moved between two traders: conserved, so only the event fold can see it
      (s.accounts.balances[0] as number[])[s.accounts.slotOf(11)]! -= 7;
      (s.accounts.balances[0] as number[])[s.accounts.slotOf(12)]! += 7;
      assert.equal(d.apply({ kind: 'time', seconds: 1 }, 0), false);
    });
    assert.equal(d.failure?.check, 'eventsIncomplete');
  });
});
