#!/usr/bin/env node
// Makes a fresh clone runnable: installs dependencies when node_modules is missing or
// older than the lock file, then builds every workspace through turbo (incremental).
// Used by `npm start`, `npm test` and `npm run bench`, so each needs no other step.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const quiet = !process.argv.includes('--verbose');

function run(cmd, args) {
  execFileSync(cmd, args, { cwd: root, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' } });
}

const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  process.stderr.write('perpcore: installing dependencies (npm ci)…\n');
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
}
process.stderr.write('perpcore: building…\n');
run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only', ...(force ? ['--force'] : [])]);
