/**
 * The cluster crash test, short (3 kills), on a real broker: matching and risk
 * processes SIGKILLed at seeded moments while the seeded command log goes out (with
 * an index drop that liquidates four levered longs part way through), each
 * restarted over its snapshot directory; the run must reconcile (every fill settled
 * once per side, long = short, audit ok, every input applied once, every republished
 * output identical) and each stage's final state hash must equal the uninterrupted
 * in-process fold of the inputs it applied (cluster-crash-harness.ts).
 *
 * That the hash check can fail: the same reference fed the same sequence with one
 * fill applied a second time (under a fresh sequence number, so no dedup drops it)
 * no longer matches the process, and neither does matching's without its last command.
 *
 * The broker: always a throw-away broker of its own (deploy/kafka/kafka-broker.mjs),
 * never the suite's shared one (PERPCORE_KAFKA_BROKERS, which only says Kafka tests may
 * run): node --test runs files side by side, and another file's cluster on the same
 * topics would consume these stages' commands and fills and they its own (the topics
 * being empty when this test looks proves nothing a second later).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Topics } from '@perpcore/bus';
import { createLogger } from '@perpcore/observability';
import { USDT_UNITS_PER_USDT } from '@perpcore/markets';
import type { MatchingEventV1 } from '@perpcore/proto';
import { runClusterCrashTest } from './cluster-crash-harness.js';
import { foldMatching, foldRiskShard, type StageInput } from './stage-input-replay.js';
import { ownBrokerSuite } from './own-broker-suite.js';

// 4 longs of 0.6 BTC on 1,000 USDT each (~18× at 30,000) opened at command 100, past bankruptcy after a 7% drop at command 350 (of 1,200, in the second of four slices: the risk kill of seed 3 comes ~100 commands later, the ladders in flight)
const LEVERED = { accounts: 4, depositUnits: 1_000 * USDT_UNITS_PER_USDT, lots: 600, opensAtCommand: 100, shockAtCommand: 350, shockPermille: 70 };

const suite = ownBrokerSuite();
const { root, skip } = suite;

describe('cluster crash test: matching and risk SIGKILLed and restarted', { skip }, () => {
  it('reconciles and ends at the uninterrupted fold of what each stage applied', { timeout: 300_000 }, async (t) => {
    const broker = await suite.broker();
    const logger = createLogger('crash-test', 'warn');
    const lines: string[] = [];
    const result = await runClusterCrashTest({
      root,
      brokers: broker.brokers,
      kills: 3,
      seed: 7,
      killSeed: 3,
      accounts: 20,
      levered: LEVERED,
      commands: 1_200,
      ratePerS: 400,
      minLifeMs: 300,
      maxLifeMs: 1_200,
      snapshotIntervalMs: 250,
      logger,
      onLine: (l) => lines.push(l),
    });
    t.diagnostic(`kills ${result.kills} (risk ${result.killsByStage.risk}, matching ${result.killsByStage.matching}), recovered ${result.recovered}, fills ${result.fills}, liquidations ${result.liquidationsTriggered}, margin calls ${result.marginCalls}, republished ${result.republishedOutputs}, hash mismatches ${result.hashMismatches.length}`);
    const report = JSON.stringify({ ...result, reference: undefined, lines }, null, 1).slice(0, 4_000);
    assert.deepEqual(result.problems, [], report);
    assert.deepEqual(result.hashMismatches, [], report);
    assert.equal(result.recovered, 3, report);
    assert.ok(result.fills > 50, `a run with fills: ${report}`);
    assert.equal(result.settledLegs, 2 * result.fills);
    assert.equal(result.commandsSent, 20 + LEVERED.accounts * 3 + 1_200 + 2, 'deposits, the levered deposits and openings, the flow, the first indexes');
    // the drop liquidates every levered long (the ladder ran across the restarts: the checks above cover its fills)
    assert.ok(result.liquidationsTriggered >= LEVERED.accounts, `liquidations: ${report}`);

    // the hash check is not blind: one fill applied twice moves risk's state
    const { riskConfig, riskInputs, matchingConfig, matchingInputs } = result.reference;
    const fills = riskInputs.filter((i): i is Extract<StageInput, { kind: 'message' }> => i.kind === 'message' && i.envelope.topic === Topics.matchingEvents.name && (i.envelope.value as MatchingEventV1).event === 'filled');
    const fill = fills.at(-1)?.envelope;
    assert.ok(fill !== undefined);
    const market = (fill.value as MatchingEventV1).market;
    const lastSeq = Math.max(...riskInputs.map((i) => (i.kind === 'message' && i.envelope.topic === Topics.matchingEvents.name && (i.envelope.value as MatchingEventV1).market === market ? (i.envelope.value as MatchingEventV1).seq : 0)));
    // decoded afresh (a spread would drop the message's oneof getters), renumbered past the market's last event
    const copy = Topics.matchingEvents.codec.decode(fill.bytes);
    assert.ok(copy.ok);
    copy.value.seq = lastSeq + 1;
    const twice: StageInput = { kind: 'message', envelope: { ...fill, offset: fill.offset + 1_000_000, value: copy.value } };
    const doubled = await foldRiskShard(riskConfig, [...riskInputs, twice], logger);
    assert.notEqual(doubled.stateHash, result.hashes.risk, 'a double-applied fill must not reach the crashed run\'s hash');
    const commands = matchingInputs.map((input, i) => (input.kind === 'message' && input.envelope.topic === Topics.matchingCommands.name ? i : -1)).filter((i) => i >= 0);
    const lastCommand = commands.at(-1);
    const withoutLast = await foldMatching(matchingConfig, matchingInputs.filter((_, i) => i !== lastCommand), logger);
    assert.notEqual(withoutLast.stateHash, result.hashes.matching, 'matching without its last command must not reach the crashed run\'s hash');
  });
});
