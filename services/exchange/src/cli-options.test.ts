import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseExchangeOptions } from './cli-options.js';

describe('npm start options', () => {
  it('takes defaults and flags in both spellings', () => {
    assert.equal(parseExchangeOptions([]).durationS, 10);
    const o = parseExchangeOptions(['--duration-s', '2.5', '--seed=9', '--http-port', '8080', '--log-level', 'info']);
    assert.deepEqual([o.durationS, o.seed, o.httpPort, o.logLevel], [2.5, 9, 8080, 'info']);
  });

  it('names the bad flag', () => {
    assert.throws(() => parseExchangeOptions(['--duration-s', 'abc']), /--duration-s must be a number/);
    assert.throws(() => parseExchangeOptions(['--seed', '1.5']), /--seed must be an integer/);
    assert.throws(() => parseExchangeOptions(['--log-level', 'loud']), /--log-level must be one of/);
    assert.throws(() => parseExchangeOptions(['--speed', '1']), /unknown option "--speed"/);
    assert.throws(() => parseExchangeOptions(['--http-port', '70000']), /--http-port/);
  });

  it('takes a snapshot interval and count with a data directory, and refuses them without one', () => {
    assert.deepEqual([parseExchangeOptions([]).snapshotEveryRecords, parseExchangeOptions([]).snapshotKeep], [500_000, 2]);
    const o = parseExchangeOptions(['--data-dir', '/tmp/x', '--snapshot-every', '0', '--snapshot-keep=5']);
    assert.deepEqual([o.snapshotEveryRecords, o.snapshotKeep], [0, 5]);
    assert.throws(() => parseExchangeOptions(['--data-dir', '/tmp/x', '--snapshot-keep', '0']), /--snapshot-keep must be an integer in \[1, 1000\]/);
    assert.throws(() => parseExchangeOptions(['--snapshot-every', '10']), /only apply with --data-dir/);
  });

  it('takes a data directory and an fsync policy, and refuses --fsync without one', () => {
    assert.deepEqual([parseExchangeOptions([]).dataDir, parseExchangeOptions([]).fsync], [undefined, 'batch']);
    const o = parseExchangeOptions(['--data-dir', '/tmp/x', '--fsync', 'always']);
    assert.deepEqual([o.dataDir, o.fsync], ['/tmp/x', 'always']);
    assert.throws(() => parseExchangeOptions(['--data-dir', '/tmp/x', '--fsync', 'sometimes']), /--fsync policy must be one of always, batch, none/);
    assert.throws(() => parseExchangeOptions(['--fsync', 'none']), /--fsync only applies with --data-dir/);
    assert.throws(() => parseExchangeOptions(['--data-dir']), /--data-dir needs a directory/);
  });
});
