/**
 * The harness end to end at a low rate: against the embedded exchange it starts
 * itself (REST orders timed through the user-data stream, so both the REST
 * answers and the stream confirmations are checked), and in-process through the
 * ExchangeClient. Checks that the counts add up and the reports are written; no
 * timing assertions (the machine is shared).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runLoadCommand, type WrittenReport } from './load-cli.js';

function checkConsistent(written: WrittenReport): void {
  const { report, jsonPath, htmlPath } = written;
  assert.ok(existsSync(jsonPath) && existsSync(htmlPath));
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as typeof report;
  assert.deepEqual(json.totals, report.totals);
  const html = readFileSync(htmlPath, 'utf8');
  assert.match(html, /<svg[^>]*>.*Latency over time/s);
  assert.match(html, /Percentile curve/);
  assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/, 'self-contained: no script, no network');
  let scheduled = 0;
  for (const [op, f] of Object.entries(report.operations)) {
    assert.equal(f.ok + f.rejected + f.errors, f.sent, `${op}: every scheduled operation answered or counted as an error`);
    assert.equal(Object.values(f.rejectCodes).reduce((a, n) => a + n, 0), f.rejected, `${op}: reject codes add up`);
    assert.equal(Object.values(f.errorReasons).reduce((a, n) => a + n, 0), f.errors, `${op}: error reasons add up`);
    const series = report.series[op] ?? [];
    assert.equal(series.reduce((a, s) => a + s.scheduled, 0), f.sent, `${op}: the per-second series holds every scheduled operation`);
    assert.equal(series.reduce((a, s) => a + s.done, 0), f.sent, `${op}: and every outcome`);
    if (f.ok + f.rejected > 0) {
      const ladder = [f.p50Us, f.p90Us, f.p99Us, f.p999Us, f.maxUs] as number[];
      for (let i = 1; i < ladder.length; i++) assert.ok((ladder[i - 1] as number) <= (ladder[i] as number), `${op}: percentiles ordered ${ladder.join(' ≤ ')}`);
      for (let i = 1; i < f.curve.length; i++) assert.ok((f.curve[i - 1] as [number, number])[1] <= (f.curve[i] as [number, number])[1], `${op}: percentile curve rises`);
    }
    if (!op.includes('→')) scheduled += f.sent;
  }
  assert.equal(scheduled, report.totals.scheduled);
  assert.equal(report.totals.ok + report.totals.rejected + report.totals.errors, report.totals.scheduled);
  assert.equal(report.totals.scheduled, report.settings.ratePerS * report.settings.durationS, 'the open-loop schedule sent what the rate and duration say, however the server kept up');
}

describe('load harness end to end', () => {
  it('against the embedded exchange it starts: signed REST orders, timed through the user-data stream', async () => {
    const out = mkdtempSync(join(tmpdir(), 'perpcore-load-'));
    const written = await runLoadCommand(['--target', 'embedded', '--api', 'ws', '--rate', '20', '--duration', '3', '--accounts', '2', '--connections', '4', '--out', out, '--no-progress'], {}, () => undefined);
    assert.ok(written !== null);
    checkConsistent(written);
    const ops = Object.keys(written.report.operations);
    for (const op of ['make', 'make→update', 'take', 'take→update']) assert.ok(ops.includes(op), `${op} in ${ops.join(', ')}`);
    assert.ok((written.report.operations.make?.ok ?? 0) > 0, 'makes were accepted');
    assert.ok((written.report.operations['make→update']?.ok ?? 0) > 0, 'and confirmed on the user-data stream');
    assert.match(written.report.targetSummary, /conserved|money/i, "the embedded exchange's closing summary is in the report");
  });

  it('against the embedded exchange over the WebSocket API: order.place / order.cancel on /ws-fapi/v1', async () => {
    const out = mkdtempSync(join(tmpdir(), 'perpcore-load-'));
    const written = await runLoadCommand(['--target', 'embedded', '--api', 'ws-order', '--rate', '20', '--duration', '3', '--accounts', '2', '--connections', '4', '--out', out, '--no-progress'], {}, () => undefined);
    assert.ok(written !== null);
    checkConsistent(written);
    assert.match(written.report.driver, /order\.place/);
    assert.ok((written.report.operations.make?.ok ?? 0) > 0, 'makes were accepted over the socket');
    assert.ok((written.report.operations.take?.ok ?? 0) + (written.report.operations.take?.rejected ?? 0) > 0, 'takes were answered');
    assert.equal(written.report.observed.wsApiSocketsClosedByServer, 0);
  });

  it('in-process through the ExchangeClient', async () => {
    const out = mkdtempSync(join(tmpdir(), 'perpcore-load-'));
    const written = await runLoadCommand(['--target', 'embedded', '--api', 'client', '--rate', '50', '--duration', '2', '--accounts', '3', '--out', out, '--no-progress'], {}, () => undefined);
    assert.ok(written !== null);
    checkConsistent(written);
    assert.ok((written.report.operations.take?.ok ?? 0) > 0, 'takes went through the core');
  });
});
