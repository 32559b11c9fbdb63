/**
 * Embedded and cluster mode agree: one seeded command log (deposits, index walks,
 * limit and IOC orders, cancels) sent one command at a time to the matching and
 * risk processes on a real broker, and the same log through the embedded pipeline,
 * apply the same risk inputs in the same order (matching's book samples included)
 * and end at the same risk and matching state hashes (mode-equivalence-run.ts says
 * why one at a time).
 *
 * The broker: a throw-away one of its own, as the crash test's (fresh-broker.ts):
 * the stages read their topics from the beginning.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { USDT_UNITS_PER_USDT } from '@perpcore/markets';
import { createLogger } from '@perpcore/observability';
import { ownBrokerSuite } from '../cluster-crash/own-broker-suite.js';
import { runModeEquivalence } from './mode-equivalence-run.js';

// 4 longs of 0.6 BTC on 1,000 USDT each (~18×) opened at command 30, past bankruptcy after a 7% index drop at command 90: the ladder's cancels, IOCs, fund takeovers and their fills are in both runs' cascades
const LEVERED = { accounts: 1, depositUnits: 1_000 * USDT_UNITS_PER_USDT, lots: 600, opensAtCommand: 30, shockAtCommand: 90, shockPermille: 70 };

// 200 s of input time a command: ~9.6 h over the run, so the book samples, premium samples and one funding settlement are in it
const COMMAND_SPACING_NS = 200e9;

/**
 * The first command's time: 6 h into the last whole 8 h funding window, or
 * PERPCORE_EQUIVALENCE_START_MS. A log at this point of the funding and sample
 * schedules is the one that used to end at different risk hashes: embedded risk read
 * matching's live books for its mark and premium samples, the cluster's risk
 * matching's last book sample, and the two differed after a command that moved a
 * book past the sample boundary (runs at 6 h 13 min happened to agree). Both modes
 * now read the samples (services/exchange pipeline.ts).
 */
function equivalenceStartMs(): number {
  const fromEnv = process.env.PERPCORE_EQUIVALENCE_START_MS;
  if (fromEnv !== undefined) return Number(fromEnv);
  const windowMs = 8 * 3_600_000;
  // the previous window: the run stays in the past (record timestamps inside any retention)
  return (Math.floor(Date.now() / windowMs) - 1) * windowMs + 360 * 60_000;
}

const suite = ownBrokerSuite();
const { root, skip } = suite;

describe('embedded and cluster mode: one command log, one state', { skip }, () => {
  it('ends at the same risk and matching state hashes', { timeout: 300_000 }, async (t) => {
    const broker = await suite.broker();
    const lines: string[] = [];
    const result = await runModeEquivalence({ startMs: equivalenceStartMs(), root, brokers: broker.brokers, seed: 11, accounts: 8, commands: 150, levered: LEVERED, commandSpacingNs: COMMAND_SPACING_NS, logger: createLogger('equivalence-test', 'warn'), onLine: (l) => lines.push(l) });
    t.diagnostic(`${result.commandsSent} commands; fills ${result.cluster.fills} / ${result.embedded.fills}; liquidations ${result.cluster.liquidationsTriggered} / ${result.embedded.liquidationsTriggered}; margin calls ${result.cluster.marginCalls} / ${result.embedded.marginCalls}; risk ${result.cluster.riskStateHash} / ${result.embedded.riskStateHash}; matching ${result.cluster.matchingStateHash} / ${result.embedded.matchingStateHash}; ${result.seconds.toFixed(1)} s`);
    const report = JSON.stringify({ ...result, lines }, null, 1).slice(0, 4_000);
    assert.deepEqual(result.problems, [], report);
    assert.equal(result.riskInputDivergence, '', report);
    assert.ok(result.embedded.auditOk && result.cluster.auditOk, report);
    assert.ok(result.embedded.fills > 20, `a run with fills: ${report}`);
    assert.equal(result.cluster.fills, result.embedded.fills, report);
    assert.equal(result.cluster.matchingStateHash, result.embedded.matchingStateHash, report);
    assert.equal(result.cluster.riskStateHash, result.embedded.riskStateHash, report);
    assert.ok(result.embedded.liquidationsTriggered >= LEVERED.accounts, `the drop liquidates the levered longs: ${report}`);
    assert.equal(result.cluster.liquidationsTriggered, result.embedded.liquidationsTriggered, report);
    assert.equal(result.cluster.marginCalls, result.embedded.marginCalls, report);
    // the comparison is not blind: one placement fewer moves both hashes
    assert.notEqual(result.embeddedWithoutLastPlacement.riskStateHash, result.embedded.riskStateHash);
    assert.notEqual(result.embeddedWithoutLastPlacement.matchingStateHash, result.embedded.matchingStateHash);
  });
});
