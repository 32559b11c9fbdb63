import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createLogger } from '@perpcore/observability';
import { AccountTrail, formatTrailEntry } from './account-trail.js';
import { TempDirs } from './journal-test-dirs.test-support.js';
import { replayJournal } from './journal-replay.js';
import { recoverExchange } from './recover-exchange.js';

const logger = createLogger('test', 'silent');
const dirs = new TempDirs();
after(() => dirs.removeAll());

test('the trail of a liquidated account names its commands, its fills and the input that triggered the liquidation, with the numbers', async () => {
  const dir = dirs.make();
  const scenario = { crowdAccounts: 40, crowdEntryStartS: 1, crowdEntryEndS: 20, shockAtS: 40, shockE8: -20_000_000 };
  const { exchange, journal } = await recoverExchange(dir, { logger, seed: 21, scenario });
  exchange.step(2_600);
  await exchange.inputs.flush();
  assert.ok(exchange.counters.liquidationsTriggered > 0, 'the scenario liquidates someone');
  await exchange.close();
  await journal.close();

  const trails = Array.from({ length: scenario.crowdAccounts }, (_, i) => new AccountTrail(10_000 + i));
  const replayed = await replayJournal(dir, {
    logger,
    beforeApply: (seq, input) => trails.forEach((t) => t.onInput(seq, input)),
    onPipeline: async (pipeline, currentSeq) => {
      for (const t of trails) await t.attach(pipeline, currentSeq);
    },
  });
  await replayed.pipeline.close();
  const liquidated = trails.find((t) => t.entries.some((e) => e.kind === 'liquidationTriggered'));
  assert.ok(liquidated !== undefined);
  const kinds = liquidated.entries.map((e) => e.kind);
  assert.ok(kinds.includes('account.deposit') && kinds.includes('order.place') && kinds.includes('positionSettled'), kinds.join(', '));
  const trigger = liquidated.entries.findIndex((e) => e.kind === 'liquidationTriggered');
  const cause = liquidated.entries[trigger - 1];
  assert.equal(cause?.seq, liquidated.entries[trigger]?.seq);
  assert.match(String(cause?.kind), /^caused by (index\.indexPrice|time\.advance|order\.)/);
  assert.match(liquidated.entries[trigger]?.detail ?? '', /"equityUnits":"-?\d+".*"liquidationLevelE8"/);
  assert.match(formatTrailEntry(liquidated.entries[trigger] as never), /^seq \d+ {2}2026-01-01T.* risk {8}liquidationTriggered {2}\{/);
});
