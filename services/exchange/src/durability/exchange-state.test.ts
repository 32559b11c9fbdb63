/**
 * The embedded exchange captured and restored: at points before the gap, with
 * liquidation ladders in flight (partial steps with a cooldown) and after, the
 * restored exchange has the same state hash and captures the same bytes, and run on
 * beside the original it publishes the same events on every topic and ends in the
 * same state. Then the snapshot directory: periodic snapshots by journal count and
 * by event time, pruning to the newest K, the newest valid one restored (a corrupt
 * newest skipped), and another venue's directory refused.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Topics } from '@perpcore/bus';
import { createLogger } from '@perpcore/observability';
import { SnapshotRefusedError } from '@perpcore/snapshot';
import { EmbeddedExchange, type EmbeddedExchangeOptions } from '../embedded-exchange.js';
import { ExchangeSnapshots } from './exchange-snapshots.js';
import { captureExchangeState, restoreExchangeState } from './exchange-state.js';

const options: EmbeddedExchangeOptions = {
  logger: createLogger('exchange-state-test', 'silent'),
  seed: 7,
  // partial liquidation steps 5 s apart: ladders stay in flight across many steps
  riskOverrides: { partial: { thresholdUnits: 1_000_000, stepFractionE8: 25_000_000, minStepUnits: 1_000_000, cooldownMs: 5_000 } },
  scenario: { crowdAccounts: 60, crowdEntryStartS: 2, crowdEntryEndS: 20, shockAtS: 30, adlRefreshMs: 1_000 },
};

const TOPICS = [Topics.gatewayOrderCommands, Topics.gatewayAccountCommands, Topics.oracleIndexPrices, Topics.matchingCommands, Topics.matchingEvents, Topics.riskAccountEvents, Topics.riskMarketEvents, Topics.liquidationEvents] as const;

async function record(exchange: EmbeddedExchange): Promise<() => unknown[]> {
  let events: unknown[] = [];
  for (const topic of TOPICS) {
    await exchange.bus.subscribe(topic as typeof Topics.matchingEvents, { groupId: 'test-record', fromBeginning: false }, (m) => void events.push([topic.name, structuredClone(m.value)]));
  }
  return () => {
    const taken = events;
    events = [];
    return taken;
  };
}

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('embedded exchange capture / restore', () => {
  it('restored at any point (ladders in flight included) it continues exactly as the original', async () => {
    const original = await EmbeddedExchange.create(options);
    const takeOriginal = await record(original);
    const cuts: { at: number; ladders: number }[] = [];
    try {
      for (const steps of [300, 1_300, 200, 400]) {
        original.step(steps);
        takeOriginal();
        const ladders = original.liquidation.engine.activeCount();
        const bytes = captureExchangeState(original, cuts.length + 1);
        const { exchange: restored, journalSeq } = await restoreExchangeState(bytes, { ...options, expectedStateHash: original.stateHash() });
        try {
          assert.equal(journalSeq, cuts.length + 1);
          assert.equal(restored.stateHash(), original.stateHash());
          assert.equal(restored.liquidation.engine.activeCount(), ladders);
          assert.deepEqual(captureExchangeState(restored, journalSeq), bytes, 'the restored exchange captures the same bytes');
          const takeRestored = await record(restored);
          for (let i = 0; i < 6; i++) {
            original.step(50);
            restored.step(50);
            assert.deepEqual(takeRestored(), takeOriginal(), `events differ ${(i + 1) * 50} steps after cut ${cuts.length}`);
            assert.equal(restored.stateHash(), original.stateHash());
          }
          assert.deepEqual(restored.liquidation.engine.counters, original.liquidation.engine.counters);
          assert.equal(restored.risk.engine.audit().ok, true);
        } finally {
          await restored.close();
        }
        cuts.push({ at: steps, ladders });
      }
      assert.ok(cuts.some((c) => c.ladders > 0), `no cut had a ladder in flight: ${JSON.stringify(cuts)}`);
      assert.ok(original.liquidation.engine.counters.triggered > 0);
    } finally {
      await original.close();
    }
  });

  it('refuses bytes that do not fit (another scenario) and garbage', async () => {
    const original = await EmbeddedExchange.create(options);
    try {
      original.step(100);
      const bytes = captureExchangeState(original, 1);
      await assert.rejects(restoreExchangeState(bytes, { ...options, scenario: { ...options.scenario, crowdAccounts: 10 } }), /another venue configuration/);
      await assert.rejects(restoreExchangeState(new Uint8Array([13, 0]), options), /not an embedded exchange snapshot/);
      await assert.rejects(restoreExchangeState(bytes, { ...options, expectedStateHash: 'other' }), /differs from the snapshot/);
    } finally {
      await original.close();
    }
  });
});

describe('ExchangeSnapshots (periodic, on demand, pruned, newest valid)', () => {
  it('takes snapshots by journal count and by event time, keeps the newest K, restores the newest valid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perpcore-exchange-snap-'));
    dirs.push(dir);
    const exchange = await EmbeddedExchange.create(options);
    try {
      const snapshots = ExchangeSnapshots.open(dir, options, { everyRecords: 100, everyEventNs: 0, keepNewest: 2 });
      const taken: number[] = [];
      // one "journal record" per step here: the journaled path calls afterInput after each input
      for (let seq = 1; seq <= 450; seq++) {
        exchange.step(1);
        const w = snapshots.afterInput(exchange, seq);
        if (w !== null) taken.push(w.journalSeq);
      }
      assert.deepEqual(taken, [100, 200, 300, 400]);
      assert.equal(readdirSync(dir).length, 2, 'pruned to the newest two');
      const manual = snapshots.snapshotNow(exchange, 450);
      assert.ok(manual.bytes > 0, "bytes");
      assert.deepEqual(manual.pruned.map((p) => p.slice(-18)), ["000000000003.psnap"]);
      const newest = snapshots.newestValid();
      assert.ok(newest !== undefined);
      assert.equal(newest.journalSeq, 450);
      const { exchange: restored, journalSeq } = await newest.restore();
      assert.equal(journalSeq, 450);
      assert.equal(restored.stateHash(), exchange.stateHash());
      await restored.close();

      // the newest corrupt: the one before it is used, and the corruption reported
      const bytes = readFileSync(manual.file);
      bytes[bytes.length - 10] ^= 0x55;
      writeFileSync(manual.file, bytes);
      const reported: string[] = [];
      const reopened = ExchangeSnapshots.open(dir, options, { everyRecords: 100, everyEventNs: 0, keepNewest: 2 }, (e) => reported.push(e.message));
      assert.equal(reopened.newestValid()?.journalSeq, 400);
      assert.ok(reported.length >= 1 && reported.every((m) => /checksum mismatch/.test(m)), reported.join("; "));

      // by event time: every 2 simulated seconds (100 steps of 20 ms)
      const byTime = ExchangeSnapshots.open(mkdtempSync(join(tmpdir(), 'perpcore-exchange-snap-')), options, { everyRecords: 0, everyEventNs: 2e9, keepNewest: 5 });
      const timed: number[] = [];
      for (let seq = 451; seq <= 700; seq++) {
        exchange.step(1);
        const w = byTime.afterInput(exchange, seq);
        if (w !== null) timed.push(w.journalSeq);
      }
      assert.deepEqual(timed, [551, 651], "the clock starts at the first afterInput (seq 451)");

      // another venue's directory: refused with a clear message, nothing touched
      const before = readdirSync(dir).sort();
      assert.throws(() => ExchangeSnapshots.open(dir, { ...options, seed: 8 }), (e: unknown) => e instanceof SnapshotRefusedError && /another venue configuration/.test(e.message));
      assert.deepEqual(readdirSync(dir).sort(), before);
    } finally {
      await exchange.close();
    }
  });
});
