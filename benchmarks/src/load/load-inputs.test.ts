/** The harness's inputs: options, scenario files, the schedule and exact price steps. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ArrivalSchedule } from './arrival-schedule.js';
import { formatSteps, lotsForNotional, stepSizeOf, stepsIn } from './decimal-steps.js';
import { repositoryRoot } from './load-cli.js';
import { parseLoadOptions } from './load-options.js';
import { loadScenario, parseScenario } from './load-scenario.js';

const scenarioDir = join(repositoryRoot, 'benchmarks', 'load', 'scenarios');

describe('load options', () => {
  it('reads every option', () => {
    const o = parseLoadOptions(['--target', 'http://127.0.0.1:8080', '--api', 'ws', '--rate=300', '--duration', '10', '--connections', '32', '--scenario', 'burst', '--seed', '7', '--out', 'x', '--accounts', '30', '--markets', 'BTCUSDT']);
    assert.equal((o.target as URL).port, '8080');
    assert.deepEqual([o.api, o.ratePerS, o.durationS, o.connections, o.scenario, o.seed, o.out, o.accounts, o.markets], ['ws', 300, 10, 32, 'burst', 7, 'x', 30, ['BTCUSDT']]);
  });
  const bad: [string[], RegExp][] = [
    [['--rate', '0'], /--rate must be an integer/],
    [['--rate', '1e3'], /--rate must be an integer/],
    [['--duration', '-1'], /--duration/],
    [['--api', 'grpc'], /--api must be rest, ws, ws-order or client/],
    [['--target', 'ftp://x'], /--target must be/],
    [['--api', 'client', '--target', 'http://127.0.0.1:1'], /only with --target embedded/],
    [['--markets', 'btc usdt'], /--markets/],
    [['--frobnicate'], /unknown option --frobnicate/],
    [['rate'], /unexpected argument/],
  ];
  for (const [argv, message] of bad) it(`refuses ${argv.join(' ')}`, () => assert.throws(() => parseLoadOptions(argv), message));
});

describe('scenario files', () => {
  for (const file of readdirSync(scenarioDir).filter((f) => f.endsWith('.json'))) {
    it(`${file} parses`, () => {
      const s = loadScenario(file.replace('.json', ''), scenarioDir);
      assert.equal(`${s.name}.json`, file);
    });
  }
  it('refuses an unknown field, phases that do not add up, and a missing file', () => {
    const steady = JSON.parse(JSON.stringify(loadScenario('steady', scenarioDir)));
    assert.throws(() => parseScenario('t', { ...steady, rate: 5 }), /unknown field "rate"/);
    assert.throws(() => parseScenario('t', { ...steady, phases: [{ shareOfDuration: 0.5, rateMultiplier: 1 }] }), /add up to 1/);
    assert.throws(() => parseScenario('t', { ...steady, setup: { depositUsdt: '1e5', leverage: 10 } }), /depositUsdt/);
    assert.throws(() => loadScenario('no-such-scenario', scenarioDir), /cannot read/);
  });
});

describe('arrival schedule', () => {
  it('spaces each phase evenly at its rate and counts rate × duration', () => {
    const s = new ArrivalSchedule(100, 10, [
      { shareOfDuration: 0.4, rateMultiplier: 1 },
      { shareOfDuration: 0.2, rateMultiplier: 5 },
      { shareOfDuration: 0.4, rateMultiplier: 1 },
    ]);
    assert.equal(s.total, 400 + 1_000 + 400);
    assert.equal(s.peakRatePerS, 500);
    const times: number[] = [];
    for (let t = s.peek(); t !== null; t = s.peek()) {
      times.push(t);
      s.take();
    }
    assert.equal(times.length, s.total);
    for (let i = 1; i < times.length; i++) assert.ok((times[i] as number) > (times[i - 1] as number), 'strictly increasing');
    assert.equal(times[400], 4_000, 'the burst starts at 40%');
    assert.ok(Math.abs((times[401] as number) - 4_002) < 1e-9, 'at 2 ms spacing');
    assert.equal(s.rateAt(5_000), 500);
    assert.equal(s.rateAt(9_000), 100);
  });
});

describe('price and size steps (exact, no floats)', () => {
  it('formats and reads whole steps', () => {
    const tick = stepSizeOf('0.10');
    assert.equal(formatSteps(500_123, tick), '50012.3');
    assert.equal(formatSteps(5, stepSizeOf('0.001')), '0.005');
    assert.equal(formatSteps(7, stepSizeOf('5')), '35');
    assert.equal(stepsIn('50012.39', tick), 500_123, 'a mark between ticks rounds down');
    assert.equal(stepsIn('50012', tick), 500_120);
  });
  it('sizes the smallest order at or above a notional, rounding the lots up', () => {
    // 50,000.0 × 0.001 = 50 USDT per lot: 7.5 USDT needs 1 lot, 50 USDT exactly 1, 50.000001 USDT 2
    const tick = stepSizeOf('0.1');
    const lot = stepSizeOf('0.001');
    assert.equal(lotsForNotional(500_000, tick, lot, 7_500_000n), 1);
    assert.equal(lotsForNotional(500_000, tick, lot, 50_000_000n), 1);
    assert.equal(lotsForNotional(500_000, tick, lot, 50_000_001n), 2);
    assert.equal(lotsForNotional(30_000, stepSizeOf('0.01'), stepSizeOf('0.01'), 7_500_000n), 3, '3 × 3 USDT ≥ 7.5 USDT');
  });
});
