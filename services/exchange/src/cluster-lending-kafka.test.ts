/**
 * Loans and the DeFi lending pool on a cluster risk shard over a real broker
 * (issue 13 in cluster mode): the oracle and the risk process (cluster-risk.js with
 * PERPCORE_RISK_LOANS and PERPCORE_RISK_LENDING_POOL) as their own processes, a
 * `KafkaExchangeClient` on a `KafkaBus` in front. The same flows as the embedded
 * client runs (client/lending-flow.test-support.ts) get the same answers, each loan
 * answer carrying the loan read from the command's own events on the account's
 * partition; afterwards the shard's conservation audit (loans, interest and pool
 * included) is ok, asked over the process's IPC stats. (A shard without the variables
 * refusing loans, and the snapshot fingerprint, are cluster-risk-shard.test.ts's.)
 *
 * Uses the suite's broker while its topics are empty, else one of its own (the shard
 * reads its topics from the beginning), as cluster-risk-recovery-kafka.test.ts does.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { KafkaBus } from '@perpcore/bus';
import { defaultMarketSpecs, defaultVenueMarkets } from '@perpcore/markets';
import { createLogger } from '@perpcore/observability';
import { wallClockNs } from '@perpcore/runtime';
import { ensureTopics } from './cluster-crash/ensure-topics.js';
import { ownBrokerSuite } from './cluster-crash/own-broker-suite.js';
import { KafkaExchangeClient } from './client/kafka-exchange-client.js';
import { runLoanFlow, runPoolFlow } from './client/lending-flow.test-support.js';

const suite = ownBrokerSuite();
const { root, skip } = suite;
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Stage {
  child: ChildProcess;
  stderr: () => string;
  stats(): Promise<Record<string, unknown>>;
}

function startStage(script: string, brokers: string, env: Record<string, string>): Stage {
  const child = spawn(process.execPath, [script], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', PERPCORE_KAFKA_BROKERS: brokers, PERPCORE_LOG_LEVEL: 'warn', PERPCORE_STATS_INTERVAL_MS: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return {
    child,
    stderr: () => stderr,
    stats: () =>
      new Promise((resolve) => {
        const onMessage = (m: { type?: string; stats?: Record<string, unknown> }) => {
          if (m.type !== 'stats' || m.stats === undefined) return;
          child.off('message', onMessage);
          resolve(m.stats);
        };
        child.on('message', onMessage);
        child.send({ type: 'stats' });
      }),
  };
}

describe('loans and the lending pool on a cluster risk shard, real broker', { skip, timeout: 300_000 }, () => {
  it('answers the loan and pool flows as embedded mode does, and the audit holds', async () => {
    const broker = await suite.broker({ given: true });
    const brokers = broker.brokers.join(',');
    const logger = createLogger('cluster-lending-test', 'silent');
    const bus = await KafkaBus.connect({ brokers: broker.brokers, clientId: `cluster-lending-test-${process.pid}`, logger, connectTimeoutMs: 30_000 });
    await ensureTopics(bus);
    const oracle = startStage('services/oracle/dist/main.js', brokers, { PERPCORE_ORACLE_PUBLISH_INTERVAL_MS: '200' });
    const risk = startStage('services/exchange/dist/cluster-risk.js', brokers, { PERPCORE_RISK_LOANS: 'true', PERPCORE_RISK_LENDING_POOL: 'true', PERPCORE_RISK_TIME_TICK_MS: '200' });
    const client = await KafkaExchangeClient.create({ bus, venue: defaultVenueMarkets(defaultMarketSpecs), source: `lending-test-${process.pid}`, timeoutMs: 20_000, nowNs: wallClockNs });
    const said = () => `risk: ${risk.stderr().slice(-1_500)}\noracle: ${oracle.stderr().slice(-500)}`;
    try {
      // the shard answers once it runs, and values collateral once the oracle's first BTC index is in
      const started = Date.now();
      for (;;) {
        const r = await client.deposit(8_100, 'USDT', 1).catch((error: Error) => error);
        if (!(r instanceof Error) && r.rejection === null) {
          const probe = await client.openLoan(8_100, 'USDT', 'BTC', 1, 1);
          if (probe.rejection?.code !== 'RISK_LOAN_NO_INDEX_PRICE') break;
        }
        assert.ok(Date.now() - started < 90_000, `the risk shard answered and priced BTC within 90 s:\n${said()}`);
        await sleep(200);
      }
      const accounts = { borrower: 8_101, supplier: 8_102, poolBorrower: 8_103, liquidator: 8_104, intruder: 8_105 };
      await runLoanFlow(client, accounts);
      await runPoolFlow(client, accounts);
      const stats = await risk.stats();
      assert.equal(stats.auditOk, true, `the shard's conservation audit: ${JSON.stringify(stats.auditProblems)}`);
      assert.equal(stats.halted ?? false, false, said());
    } finally {
      await client.close();
      await bus.close();
      for (const s of [oracle, risk]) s.child.kill('SIGTERM');
      await Promise.all([oracle, risk].map((s) => (s.child.exitCode === null ? new Promise((resolve) => s.child.once('exit', resolve)) : undefined)));
    }
  });
});
