#!/usr/bin/env node
// Makes Debian's `chromium` available for the browser tests (the dashboard test
// drives it through playwright-core's executablePath; playwright's own browser
// download does not work on these machines). Present: nothing to do. Absent and
// root with apt-get (a fresh CI machine): `apt-get install -y chromium`, after an
// `apt-get update` when the first try cannot find it. Otherwise it says why not, and
// the browser test skips loudly (or, under CI, fails).
//
// Called by scripts/run-tests.mjs only when a browser test is among the selected
// tests, so other runs never wait for apt. As a command: `node scripts/ensure-chromium.mjs`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CHROMIUM_PATH = '/usr/bin/chromium';

function aptGet(args) {
  const run = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return run.status === 0;
}

/** { path } when chromium is there (installing it if it may), otherwise { reason }. */
export function ensureChromium() {
  if (existsSync(CHROMIUM_PATH)) return { path: CHROMIUM_PATH };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { reason: `${CHROMIUM_PATH} is absent and installing it needs root (apt-get install chromium)` };
  if (spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) return { reason: `${CHROMIUM_PATH} is absent and there is no apt-get to install it` };
  process.stderr.write('ensure-chromium: installing Debian chromium (apt-get install -y chromium)…\n');
  const installed = aptGet(['install', '-y', '--no-install-recommends', 'chromium']) || (aptGet(['update']) && aptGet(['install', '-y', '--no-install-recommends', 'chromium']));
  if (installed && existsSync(CHROMIUM_PATH)) return { path: CHROMIUM_PATH };
  return { reason: `apt-get install chromium failed, ${CHROMIUM_PATH} is still absent` };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = ensureChromium();
  if (result.path !== undefined) process.stdout.write(`ensure-chromium: ${result.path}\n`);
  else {
    process.stderr.write(`ensure-chromium: ${result.reason}\n`);
    process.exit(1);
  }
}
