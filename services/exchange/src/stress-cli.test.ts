import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { createLogger } from '@perpcore/observability';
import { TempDirs } from './durability/journal-test-dirs.test-support.js';
import { recoverExchange } from './durability/recover-exchange.js';
import { replayJournal } from './durability/journal-replay.js';
import { parseStressCliOptions, percentToScaled, runStressCli, stressBody } from './stress-cli.js';

const dirs = new TempDirs();
after(() => dirs.removeAll());

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({ write: (chunk, _enc, done) => void ((text += String(chunk)), done()) });
  return { stream, text: () => text };
}

describe('npm run stress (CLI)', () => {
  it('parses shocks, funding and haircuts exactly, without floats', () => {
    assert.equal(percentToScaled('shock', '-20%', 2), -2_000);
    assert.equal(percentToScaled('shock', '+0.25%', 2), 25);
    assert.equal(percentToScaled('funding', '0.05%', 6), 50_000);
    assert.equal(percentToScaled('haircut', '80%', 6), 80_000_000);
    assert.throws(() => percentToScaled('shock', '-0.125%', 2), /finer than 2 decimals/);
    assert.throws(() => percentToScaled('shock', 'NaN%', 2), /not a percentage/);
    const o = parseStressCliOptions(['--shock', 'BTCUSDT=-20%', '--shock=ETHUSDT=1850.5', '--funding', 'BTCUSDT=0.01%', '--haircut', 'BTC=90%', '--json', '--url', 'http://127.0.0.1:8080'], { PERPCORE_ADMIN_TOKEN: 't' });
    assert.deepEqual(stressBody(o), {
      shocks: [{ market: 'BTCUSDT', shockBps: -2_000 }, { market: 'ETHUSDT', markPrice: '1850.5' }],
      funding: [{ market: 'BTCUSDT', rateE8: 10_000 }],
      haircuts: [{ asset: 'BTC', ratioE8: 90_000_000 }],
    });
    assert.equal(o.token, 't');
    assert.throws(() => parseStressCliOptions(['--shock', 'BTCUSDT=-20%'], {}), /exactly one of --url and --journal/);
    assert.throws(() => parseStressCliOptions(['--shock', 'BTCUSDT=-20%', '--url', 'http://x'], {}), /operator token/);
    assert.throws(() => parseStressCliOptions(['--url', 'http://x'], { PERPCORE_ADMIN_TOKEN: 't' }), /at least one --shock/);
    assert.throws(() => parseStressCliOptions(['--shock', 'BTCUSDT'], {}), /NAME=VALUE/);
  });

  it('answers offline on a journal’s recovered state, the same as the replayed engine, writing nothing', async () => {
    const dir = dirs.make('stress-cli-');
    const scenario = { crowdAccounts: 40, crowdEntryStartS: 1, crowdEntryEndS: 20, shockAtS: 0 };
    const { exchange, journal } = await recoverExchange(dir, { logger: createLogger('test', 'silent'), seed: 23, scenario });
    exchange.step(2_000);
    await exchange.inputs.flush();
    await exchange.close();
    await journal.close();
    const out = sink();
    const err = sink();
    assert.equal(await runStressCli(['--shock', 'BTCUSDT=-20%', '--journal', dir, '--json'], out.stream, err.stream), 0, err.text());
    const report = JSON.parse(out.text()) as { totals: { liquidatingScopes: number } };
    const replayed = await replayJournal(dir, { logger: createLogger('test', 'silent') });
    assert.deepEqual(report, JSON.parse(JSON.stringify(replayed.pipeline.risk.engine.stress({ shocks: [{ market: 'BTCUSDT', shockBps: -2_000 }] }))));
    await replayed.pipeline.close();
    assert.ok(report.totals.liquidatingScopes > 0);
    const human = sink();
    assert.equal(await runStressCli(['--shock', 'BTCUSDT=-20%', '--journal', dir], human.stream, err.stream), 0);
    assert.match(human.text(), /liquidating \d+ \(\d+ new\)/);
    const refused = sink();
    assert.equal(await runStressCli(['--shock', 'DOGEUSDT=-20%', '--journal', dir], out.stream, refused.stream), 1);
    assert.match(refused.text(), /RISK_STRESS_UNKNOWN_MARKET/);
  });
});
