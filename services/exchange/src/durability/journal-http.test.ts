import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createLogger } from '@perpcore/observability';
import type { EmbeddedExchange } from '../embedded-exchange.js';
import { fillingDisk, TempDirs } from './journal-test-dirs.test-support.js';
import { recoverExchange } from './recover-exchange.js';

const logger = createLogger('test', 'silent');
const dirs = new TempDirs();
const running: EmbeddedExchange[] = [];

async function post(base: string, path: string, body: unknown, account: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-account-id': account }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('HTTP API with a journal (real HTTP on loopback)', () => {
  after(async () => {
    for (const exchange of running) await exchange.close();
    dirs.removeAll();
  });

  it('answers only once the input is durable, and a restart recovers what it acknowledged', async () => {
    const dir = dirs.make();
    const { exchange, journal } = await recoverExchange(dir, { logger, seed: 3 });
    running.push(exchange);
    const base = await exchange.listen(0);
    const res = await post(base, '/v1/deposits', { asset: 'USDT', amount: '1234.5' }, '4242');
    assert.equal(res.status, 200);
    assert.ok(journal.durableSeq >= exchange.inputs.appliedSeq, 'the reply came after the journal had the deposit on disk');
    const copy = dirs.copy(dir);
    const { exchange: restarted, recovery } = await recoverExchange(copy, { logger, seed: 3 });
    running.push(restarted);
    assert.equal(recovery.stateHash, exchange.stateHash());
    assert.deepEqual(restarted.accountView(4242), exchange.accountView(4242));
  });

  it('after a journal write error every request is refused with 503 and nothing unjournaled is acknowledged', async () => {
    let failing = false;
    const files = fillingDisk(() => failing);
    const { exchange } = await recoverExchange(dirs.make(), { logger, seed: 3, journalFiles: files });
    running.push(exchange);
    await exchange.inputs.flush();
    const base = await exchange.listen(0);
    failing = true;
    const first = await post(base, '/v1/deposits', { asset: 'USDT', amount: '10' }, '4243');
    assert.equal(first.status, 503);
    assert.equal(first.body.code, 'JOURNAL_WRITE_FAILED');
    const second = await post(base, '/v1/deposits', { asset: 'USDT', amount: '10' }, '4243');
    assert.equal(second.status, 503);
    assert.match(String(second.body.message), /input stopped: .*ENOSPC/);
  });
});
