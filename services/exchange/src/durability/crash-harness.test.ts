import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@perpcore/observability';
import { runCrashTest } from './crash-harness.js';

async function crashRun(snapshotEvery: number) {
  const dataDir = fs.mkdtempSync(join(tmpdir(), 'crash-test-'));
  try {
    return await runCrashTest({
      // `npm start`'s entry lives in the gateway package (built after this one; tests run on the whole build)
      mainScript: join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'gateway', 'dist', 'main.js'),
      dataDir,
      kills: 3,
      seed: 5,
      killSeed: 9,
      ratePerS: 2_000,
      minLifeMs: 150,
      maxLifeMs: 500,
      fsync: 'batch',
      tearMaxBytes: 300,
      snapshotEvery,
      logger: createLogger('test', 'silent'),
    });
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function assertRecovered(result: Awaited<ReturnType<typeof crashRun>>): void {
  assert.deepEqual(result.mismatches, []);
  assert.deepEqual(result.fillProblems, []);
  assert.equal(result.kills, 3);
  assert.equal(result.recovered, 3);
  assert.ok(result.finalSeq > 0 && result.fills > 0, `${result.finalSeq} inputs, ${result.fills} fills`);
}

test('SIGKILL at random moments (and torn journal tails): every restart recovers the uninterrupted run’s state at its journal position, no fill lost or applied twice', async () => {
  const result = await crashRun(0);
  assertRecovered(result);
  assert.equal(result.snapshotRestores, 0, 'journal only: every restart replays from genesis');
});

test('the same with snapshots: restarts restore the newest snapshot and replay the journal tail after it', async () => {
  const result = await crashRun(300);
  assertRecovered(result);
  assert.ok(result.snapshotRestores >= 1, `${result.snapshotRestores} restarts from a snapshot`);
});
