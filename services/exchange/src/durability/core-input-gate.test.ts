import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Topics } from '@perpcore/bus';
import { defaultVenueMarkets } from '@perpcore/markets';
import { createLogger } from '@perpcore/observability';
import { createPipeline } from '../pipeline.js';
import { CoreInputGate } from './core-input-gate.js';
import { InputOrigin, pipelineTargets } from './core-input-record.js';

const pipeline = await createPipeline({ logger: createLogger('test', 'silent'), venue: defaultVenueMarkets() });
after(() => pipeline.close());

const deposit = (accountId: number, seq: number) =>
  ({ schemaMajor: 1, accountId, seq, tsNs: 1_767_225_600_000_000_000, source: 'gate-test', commandId: seq, command: 'deposit', deposit: { asset: 'USDT', amountUnits: 5_000_000 } }) as never;

test('without a journal the gate applies each input at once and counts its position', () => {
  const gate = new CoreInputGate({ targets: pipelineTargets(pipeline) });
  const before = pipeline.risk.engine.stateHash();
  gate.busFor(InputOrigin.sim).publish(Topics.gatewayAccountCommands, deposit(31, 1));
  assert.equal(gate.appliedSeq, 1);
  assert.notEqual(pipeline.risk.engine.stateHash(), before);
  assert.throws(() => gate.busFor(InputOrigin.sim).publish(Topics.matchingEvents, {} as never), /matching.events.v1 is not an input topic of the core/);
});

test('an input submitted from inside another input’s processing is refused: journal order must be apply order', async () => {
  const gate = new CoreInputGate({ targets: pipelineTargets(pipeline) });
  const bus = gate.busFor(InputOrigin.sim);
  let refused: Error | undefined;
  const subscription = await pipeline.bus.subscribe(Topics.riskAccountEvents, { groupId: 'gate-test' }, ({ value }) => {
    if (value.accountId !== 32) return;
    try {
      bus.publish(Topics.gatewayAccountCommands, deposit(33, 1));
    } catch (error) {
      refused = error as Error;
    }
  });
  bus.publish(Topics.gatewayAccountCommands, deposit(32, 1));
  await subscription.close();
  assert.match(String(refused?.message), /submitted while another was being applied/);
  assert.equal(gate.appliedSeq, 1);
});
