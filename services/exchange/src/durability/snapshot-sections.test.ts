/**
 * Extra snapshot sections (snapshot-sections.ts), with a reader that counts the
 * core's fills from its events standing in for the gateway: the section is captured
 * at the snapshot's seq and restored before the tail replay (the restarted count
 * equals the uninterrupted one, neither missing nor double-counting the tail); a
 * snapshot without the section is skipped, saying so, for genesis; with the journal
 * pruned past every snapshot holding it the start refuses; a restore that does not
 * capture back to the stored bytes, or sections other than those declared, are refused.
 */
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { after, describe, it } from 'node:test';
import { createLogger } from '@perpcore/observability';
import type { EmbeddedExchange } from '../embedded-exchange.js';
import { closeEmbeddedCore, CoreStartError, type EmbeddedCore, snapshotIfDue, startEmbeddedCore } from './embedded-core-start.js';
import { TempDirs } from './journal-test-dirs.test-support.js';
import type { SnapshotWritten } from './exchange-snapshots.js';
import type { SnapshotSection } from './snapshot-sections.js';

const logger = createLogger('test', 'silent');
const dirs = new TempDirs();
const cores: EmbeddedCore[] = [];
const POLICY = { everyRecords: 0, everyEventNs: 0, keepNewest: 2 };

interface Tally {
  fills: number;
}

/** A reader of the core's events with state of its own: the number of fills it has seen. */
async function fillTally(exchange: EmbeddedExchange, tally: Tally, restore: (t: Tally, state: Tally) => void): Promise<SnapshotSection> {
  const client = await exchange.client('fill-tally');
  await client.subscribe({ onMatchingEvent: (e) => void (e.event === 'filled' && tally.fills++) });
  return { name: 'tally', capture: () => ({ fills: tally.fills }), restore: (state) => restore(tally, state as Tally) };
}

const faithful = (t: Tally, state: Tally) => void (t.fills = state.fills);

async function start(dataDir: string, opts: { declare: boolean; supply?: boolean; restore?: (t: Tally, s: Tally) => void; skipped?: string[] }): Promise<{ core: EmbeddedCore; tally: Tally }> {
  const tally: Tally = { fills: 0 };
  const core = await startEmbeddedCore({
    logger,
    seed: 21,
    dataDir,
    segmentBytes: 16 * 1024,
    snapshotPolicy: POLICY,
    onSnapshotCorrupt: (m) => opts.skipped?.push(m),
    snapshotSections: opts.declare ? ['tally'] : [],
    beforeReplay: async (exchange) => {
      const section = await fillTally(exchange, tally, opts.restore ?? faithful);
      return (opts.supply ?? opts.declare) ? [section] : [];
    },
  });
  cores.push(core);
  return { core, tally };
}

async function run(core: EmbeddedCore, steps: number): Promise<void> {
  core.exchange.step(steps);
  await core.exchange.inputs.flush();
}

/** `before` steps, a snapshot, `after` steps more (the tail), everything durable. */
async function snapshotBetween(core: EmbeddedCore, before: number, after: number): Promise<SnapshotWritten> {
  await run(core, before);
  const snapshot = await snapshotIfDue(core, true);
  await run(core, after);
  assert.ok(snapshot !== null, 'a snapshot was written');
  return snapshot;
}

describe('extra snapshot sections', () => {
  after(async () => {
    for (const core of cores) await closeEmbeddedCore(core);
    dirs.removeAll();
  });

  it('are captured at the snapshot seq and restored before the tail replay', async () => {
    const dir = dirs.make();
    const a = await start(dir, { declare: true });
    const snapshot = await snapshotBetween(a.core, 2_000, 1_500);
    assert.ok(a.tally.fills > 0);

    const b = await start(dirs.copyTree(dir), { declare: true });
    assert.equal(b.core.recovery?.snapshotSeq, snapshot.journalSeq);
    assert.ok((b.core.recovery?.replayedRecords ?? 0) > 0, 'a tail was replayed');
    assert.equal(b.tally.fills, a.tally.fills, 'the snapshot count plus the tail, each fill once');
    await run(a.core, 500);
    await run(b.core, 500);
    assert.equal(b.tally.fills, a.tally.fills, 'and it continues as the uninterrupted reader');
  });

  it('a snapshot without the section is skipped, saying so, and the start replays from genesis', async () => {
    const dir = dirs.make();
    const a = await start(dir, { declare: false });
    const snapshot = await snapshotBetween(a.core, 1_500, 500);
    const skipped: string[] = [];
    const b = await start(dirs.copyTree(dir), { declare: true, skipped });
    assert.equal(b.core.recovery?.snapshotSeq, null, 'from genesis');
    assert.equal(b.core.recovery?.seq, a.core.exchange.inputs.appliedSeq);
    assert.equal(b.tally.fills, a.tally.fills, 'the reader saw every event again');
    assert.ok(
      skipped.some((m) => m.includes(basename(snapshot.file)) && /has no "tally" section/.test(m)),
      skipped.join('\n'),
    );
  });

  it('refuses to start when the journal was pruned past every snapshot holding the section', async () => {
    const dir = dirs.make();
    const a = await start(dir, { declare: false });
    for (let i = 0; i < 3; i++) await snapshotBetween(a.core, 2_000, 0);
    await run(a.core, 200);
    await assert.rejects(start(dirs.copyTree(dir), { declare: true }), (e: unknown) => {
      assert.ok(e instanceof CoreStartError, String(e));
      assert.match(e.message, /the journal starts at seq \d+ \(older segments pruned\), but a start from genesis \(no usable snapshot\) needs it from seq 1: refused/);
      return true;
    });
  });

  it('refuses a section restore that does not capture back to the stored bytes, and sections other than those declared', async () => {
    const dir = dirs.make();
    const a = await start(dir, { declare: true });
    await snapshotBetween(a.core, 1_000, 0);
    await assert.rejects(
      start(dirs.copyTree(dir), { declare: true, restore: (t, s) => void (t.fills = s.fills + 1) }),
      (e: unknown) => e instanceof CoreStartError && /"tally" section restored .* does not capture back/.test(e.message),
    );
    await assert.rejects(start(dirs.make(), { declare: true, supply: false }), (e: unknown) => e instanceof CoreStartError && /declared \[tally\] but beforeReplay supplied \[\]/.test(e.message));
  });
});
