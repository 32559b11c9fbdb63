#!/usr/bin/env node
// `npm run start:cluster`: Perpcore in cluster mode on this machine. A Kafka broker
// (throw-away, free ports; or --brokers), the topics, and every service as its own
// process wired only by Kafka: oracle, matching, risk (with the liquidation engine
// in its process), and the simulated gateway,
// which sends the same seeded market as `npm start` for --duration-s. Live progress
// on stderr; then the pipeline drains and a summary reconciles what went through:
// fills produced by matching = fills settled by risk, Σ long = Σ short per market.
// Everything it started is stopped on the way out (also on Ctrl-C or a crash).
//
// Exit code: 0 reconciled, 1 not reconciled or a service failed, 2 bad options, 130 interrupted.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseClusterOptions, USAGE } from './cluster-options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const say = (line) => process.stderr.write(`${line}\n`);

let options;
try {
  options = parseClusterOptions(process.argv.slice(2));
} catch (error) {
  say(`start-cluster: ${error.message}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

const { runCluster } = await import('./run-cluster.mjs');
const logDir = mkdtempSync(join(tmpdir(), 'perpcore-cluster-'));
const summary = await runCluster({ ...options, root, logDir, say });
process.stdout.write(summary.text);
if (options.json) process.stdout.write(`${JSON.stringify(summary.result)}\n`);
process.exit(summary.exitCode);
