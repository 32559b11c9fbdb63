import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Topics } from '@perpcore/bus';
import { Journal, listSegments } from '@perpcore/journal';
import { createLogger } from '@perpcore/observability';
import { EmbeddedExchange } from '../embedded-exchange.js';
import { JournalDivergenceError } from './core-input-gate.js';
import { encodeCoreInput, InputKind, InputOrigin } from './core-input-record.js';
import { embeddedJournalHeader, embeddedJournalMeta } from './journal-header.js';
import { replayJournal } from './journal-replay.js';
import { fillingDisk, TempDirs } from './journal-test-dirs.test-support.js';
import { recoverExchange } from './recover-exchange.js';

const logger = createLogger('test', 'silent');
const OPTIONS = { logger, seed: 11 };
const dirs = new TempDirs();
const open: EmbeddedExchange[] = [];
const tempDir = (): string => dirs.make();
const copyDir = (from: string): string => dirs.copy(from);
async function recover(dir: string, options: Partial<Parameters<typeof recoverExchange>[1]> = {}) {
  const result = await recoverExchange(dir, { ...OPTIONS, ...options });
  open.push(result.exchange);
  return result;
}

/** An external deposit, as the HTTP API publishes it (origin external). */
function externalDeposit(exchange: EmbeddedExchange, accountId: number, seq: number): void {
  exchange.inputs.busFor(InputOrigin.external).publish(Topics.gatewayAccountCommands, {
    schemaMajor: 1, accountId, seq, tsNs: exchange.nowNs(), source: 'http', commandId: seq, command: 'deposit', deposit: { asset: 'USDT', amountUnits: 1_000_000 },
  } as never);
}

describe('embedded recovery from the journal', () => {
  after(async () => {
    for (const exchange of open) await exchange.close();
    dirs.removeAll();
  });

  it('a restart recovers the state at the journal position, external inputs included, and continues exactly as the uninterrupted run', async () => {
    const dir = tempDir();
    const { exchange: a } = await recover(dir);
    a.step(2_500);
    externalDeposit(a, 77_001, 1);
    a.step(2_500);
    assert.ok((await a.inputs.flush()) >= a.inputs.appliedSeq);
    const { exchange: b, recovery } = await recover(copyDir(dir));
    assert.equal(recovery.seq, a.inputs.appliedSeq);
    assert.equal(recovery.stateHash, a.stateHash());
    assert.equal(b.stateHash(), a.stateHash());
    a.step(1_000);
    b.step(1_000);
    assert.equal(b.inputs.appliedSeq, a.inputs.appliedSeq);
    assert.equal(b.stateHash(), a.stateHash(), 'the recovered simulated market continues in lockstep');
    await a.inputs.flush();
    const replayed = await replayJournal(dir, { logger });
    assert.equal(replayed.seq, a.inputs.appliedSeq);
    assert.equal(replayed.stateHash, a.stateHash(), 'the journal alone rebuilds the state');
    await replayed.pipeline.close();
  });

  it('journaling changes nothing: the same seed with and without a journal reaches the same state, and bus readers attached first see the replay', async () => {
    const plain = await EmbeddedExchange.create(OPTIONS);
    open.push(plain);
    const dir = tempDir();
    const { exchange: journaled } = await recover(dir);
    plain.step(1_500);
    journaled.step(1_500);
    assert.equal(journaled.stateHash(), plain.stateHash());
    assert.equal(journaled.inputs.appliedSeq, plain.inputs.appliedSeq);
    await journaled.inputs.flush();
    let fillsSeen = 0;
    const { exchange: restarted } = await recover(copyDir(dir), {
      beforeFirstInput: (bus) => bus.subscribe(Topics.matchingEvents, { groupId: 'late-reader' }, ({ value }) => void (value.event === 'filled' && fillsSeen++)).then(() => undefined),
    });
    assert.equal(restarted.stateHash(), plain.stateHash());
    assert.equal(fillsSeen, plain.counters.fills, 'a reader attached before the first input saw every replayed fill');
  });

  it('a journal torn at a random byte recovers to its last whole record, with the hash a replay to that seq gives', async () => {
    const dir = tempDir();
    const { exchange } = await recover(dir);
    exchange.step(3_000);
    await exchange.inputs.flush();
    const file = join(dir, (listSegments(dir)[0] as { name: string }).name);
    const size = fs.statSync(file).size;
    let rng = 12_345;
    for (let round = 0; round < 3; round++) {
      rng = (rng * 1_103_515_245 + 12_345) % 2_147_483_648;
      const torn = copyDir(dir);
      const cutAt = Math.floor(size / 2 + (rng / 2_147_483_648) * (size / 2));
      fs.truncateSync(join(torn, (listSegments(dir)[0] as { name: string }).name), cutAt);
      const reference = await replayJournal(torn, { logger });
      const { recovery } = await recover(torn);
      assert.ok(recovery.seq > 0 && recovery.seq < exchange.inputs.appliedSeq);
      assert.equal(recovery.seq, reference.seq);
      assert.equal(recovery.stateHash, reference.stateHash);
      await reference.pipeline.close();
    }
  });

  it('a journal of another seed is refused with a clear message and nothing in it changes', async () => {
    const dir = tempDir();
    const { exchange } = await recover(dir);
    exchange.step(200);
    await exchange.inputs.flush();
    const before = fs.readdirSync(dir).map((n) => fs.readFileSync(join(dir, n)).toString('hex'));
    await assert.rejects(recoverExchange(dir, { ...OPTIONS, seed: 12 }), /written for venue fingerprint .*another venue, market configuration or seed.*refused, nothing changed/);
    assert.deepEqual(
      fs.readdirSync(dir).map((n) => fs.readFileSync(join(dir, n)).toString('hex')),
      before,
    );
  });

  it('a journal that does not match what the simulated market generates is refused at the record where it diverges', async () => {
    const dir = tempDir();
    const { exchange } = await recover(dir);
    exchange.step(100);
    await exchange.inputs.flush();
    const seq = exchange.inputs.appliedSeq;
    const journal = Journal.open(copyDir(dir), embeddedJournalHeader(embeddedJournalMeta(OPTIONS)), { fsync: 'always' });
    journal.append(encodeCoreInput({ buffer: Buffer.alloc(16) }, InputKind.time, InputOrigin.sim, 1));
    await journal.close();
    await assert.rejects(recoverExchange(journal.dir, OPTIONS), (e: unknown) => e instanceof JournalDivergenceError && new RegExp(`diverges from this run at seq ${seq + 1}`).test(e.message));
  });

  it('a write error stops the input path: later inputs are refused, and a restart recovers what was durable', async () => {
    const dir = tempDir();
    let allowed = 40_000;
    const files = fillingDisk((length) => (allowed -= length) < 0);
    const { exchange } = await recover(dir, { journalFiles: files });
    let refused: Error | undefined;
    for (let i = 0; i < 200 && refused === undefined; i++) {
      try {
        exchange.step(100);
        await new Promise<void>((resolve) => setImmediate(resolve));
      } catch (error) {
        refused = error as Error;
      }
    }
    assert.match(String(refused?.message), /write failed after seq \d+ \(ENOSPC.*no further input is accepted/);
    const failure = exchange.inputs.failure;
    assert.ok(failure !== null);
    await assert.rejects(exchange.inputs.flush(), /ENOSPC/);
    assert.throws(() => exchange.step(1), /ENOSPC/);
    const { recovery } = await recover(copyDir(dir));
    assert.equal(recovery.seq, failure.durableSeq, 'what recovers is exactly what was reported durable');
  });
});
