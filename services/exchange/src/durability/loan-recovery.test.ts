/**
 * Crypto-backed loans survive a restart: a run with loan borrowers through a price
 * shock (calls and a liquidation) is recovered from its journal in lockstep, and the
 * journal alone (`npm run replay`) rebuilds the same state hash. The pure replay
 * used to build its risk stage without the loan terms, so every loan command was
 * refused there and the hash differed.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createLogger } from '@perpcore/observability';
import type { EmbeddedExchange } from '../embedded-exchange.js';
import { replayJournal } from './journal-replay.js';
import { TempDirs } from './journal-test-dirs.test-support.js';
import { recoverExchange } from './recover-exchange.js';

const logger = createLogger('test', 'silent');
const OPTIONS = {
  logger,
  seed: 17,
  scenario: { crowdAccounts: 0, loanBorrowers: 6, loanOpenStartS: 5, loanOpenEndS: 30, loanTopUpAtS: 3_000, shockAtS: 120, shockE8: -15_000_000 },
};
const dirs = new TempDirs();
const open: EmbeddedExchange[] = [];

describe('loans in the journal', () => {
  after(async () => {
    for (const exchange of open) await exchange.close();
    dirs.removeAll();
  });

  it('a restart and a pure replay rebuild the loans exactly, and the restarted run continues in lockstep', async () => {
    const dir = dirs.make();
    const { exchange: a } = await recoverExchange(dir, OPTIONS);
    open.push(a);
    for (let i = 0; i < 16; i++) a.step(500); // 160 simulated seconds: loans open, then the shock
    const book = a.risk.engine.state.loans;
    assert.ok(book !== null && book.nextLoanId > 1, 'loans were opened before the restart');
    await a.inputs.flush();
    const { exchange: b, recovery } = await recoverExchange(dirs.copy(dir), OPTIONS);
    open.push(b);
    assert.equal(recovery.stateHash, a.stateHash());
    a.step(1_000);
    b.step(1_000);
    assert.equal(b.stateHash(), a.stateHash(), 'the recovered run continues in lockstep');
    await a.inputs.flush();
    const replayed = await replayJournal(dir, { logger });
    assert.equal(replayed.seq, a.inputs.appliedSeq);
    assert.equal(replayed.stateHash, a.stateHash(), 'the journal alone rebuilds the loans');
    await replayed.pipeline.close();
  });
});
