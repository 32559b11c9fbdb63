#!/usr/bin/env node
// Runs every compiled test file (`dist/**/*.test.js` of libs and services) and the
// plain-ESM tests of the deploy scripts (`deploy/**/*.test.mjs`, no build step) in
// one `node --test` invocation from the root, so its closing summary ends the log.
// Integration tests that need Kafka get a real broker started by deploy/kafka
// (see deploy/kafka/README.md); it is stopped on exit, whatever happens.
// Browser tests (a path with "browser") get Debian's chromium from scripts/ensure-chromium.mjs.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function findTests(dir, out, suffix = '.test.js') {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) continue;
    if (statSync(path).isDirectory()) findTests(path, out, suffix);
    else if (name.endsWith(suffix)) out.push(relative(root, path));
  }
  return out;
}

const files = [];
for (const group of ['libs', 'services']) {
  for (const pkg of readdirSync(join(root, group)).sort()) findTests(join(root, group, pkg, 'dist'), files);
}
findTests(join(root, 'benchmarks', 'dist'), files); // the load harness's own tests (benchmarks/src/load)
findTests(join(root, 'deploy'), files, '.test.mjs');
const filter = process.argv.slice(2);
const selected = filter.length > 0 ? files.filter((f) => filter.some((x) => f.includes(x))) : files;
// `node --test` with no file runs every test it can find: a filter matching nothing must not turn into the whole suite
if (selected.length === 0) {
  process.stderr.write(`run-tests: no compiled test file matches ${filter.map((x) => JSON.stringify(x)).join(' or ')} (of ${files.length}; is it built?)\n`);
  process.exit(2);
}

const env = { ...process.env };
let broker;
const brokerModule = join(root, 'deploy', 'kafka', 'kafka-broker.mjs');
// the deploy scripts' own tests are unit tests: a broker only for the TypeScript suites
if (selected.some((f) => f.includes('kafka') && !f.startsWith('deploy')) && existsSync(brokerModule) && !env.PERPCORE_KAFKA_BROKERS) {
  const { startBrokerForTests } = await import(brokerModule);
  try {
    broker = await startBrokerForTests();
  } catch (error) {
    // Under CI a broker that cannot start fails the run; locally the Kafka tests skip (loudly) and the rest still run.
    if (process.env.CI) throw error;
    process.stderr.write(`\n!!!!! run-tests: could not start a Kafka broker, Kafka tests will be skipped:\n${error.stack ?? error}\n\n`);
  }
  if (broker) env.PERPCORE_KAFKA_BROKERS = broker.bootstrap;
}

// Browser tests need Debian's chromium: installed here (as root, with apt-get) only when one is selected.
if (selected.some((f) => f.includes('browser'))) {
  const { ensureChromium } = await import(join(root, 'scripts', 'ensure-chromium.mjs'));
  const chromium = ensureChromium();
  if (chromium.path !== undefined) env.PERPCORE_CHROMIUM = chromium.path;
  else env.PERPCORE_CHROMIUM_MISSING = chromium.reason;
}

const child = spawn(process.execPath, ['--test', '--test-reporter=spec', ...selected], { cwd: root, env, stdio: 'inherit' });
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
if (broker) await broker.stop();
process.exit(code);
