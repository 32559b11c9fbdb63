#!/usr/bin/env node
// Generates libs/proto/generated/perpcore.{js,d.ts} from proto/**/*.proto with
// protobufjs-cli 2 (static ES module + TypeScript declarations). The output is
// git-ignored and never hand-edited; `npm run build` (and so turbo and
// scripts/ensure-built.mjs) runs this before `tsc -b`. Skips when the output is
// newer than every .proto and this script (pass --force to regenerate anyway).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const protoRoot = join(pkg, '..', '..', 'proto');
const outDir = join(pkg, 'generated');
const outJs = join(outDir, 'perpcore.js');
const outDts = join(outDir, 'perpcore.d.ts');

function listProtos(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) listProtos(path, out);
    else if (name.endsWith('.proto')) out.push(path);
  }
  return out;
}

const protos = listProtos(protoRoot);
if (protos.length === 0) throw new Error(`no .proto files under ${protoRoot}`);
const newestInput = Math.max(statSync(fileURLToPath(import.meta.url)).mtimeMs, ...protos.map((p) => statSync(p).mtimeMs));
const upToDate = existsSync(outJs) && existsSync(outDts) && Math.min(statSync(outJs).mtimeMs, statSync(outDts).mtimeMs) >= newestInput;
if (upToDate && !process.argv.includes('--force')) process.exit(0);

const require = createRequire(import.meta.url);
const cli = dirname(require.resolve('protobufjs-cli/package.json'));
mkdirSync(outDir, { recursive: true });
const tmpJs = join(outDir, "perpcore.tmp.js");
const tmpDts = join(outDir, "perpcore.tmp.d.ts");
const run = (bin, args) => execFileSync(process.execPath, [join(cli, 'bin', bin), ...args], { cwd: pkg, stdio: ['ignore', 'ignore', 'inherit'] });
// --force-number: int64 fields are typed `number` (the runtime half of that decision,
// util.Long = undefined, is in src/protobuf-runtime.ts). --force-message: nested
// messages are typed as message classes, so decoded scalars are never optional.
run('pbjs', [
  '-t', 'static-module', '-w', 'es6',
  '--force-number', '--force-message',
  '--no-verify', '--no-convert', '--no-delimited', '--no-typeurl', '--no-service',
  '-p', protoRoot,
  '-o', tmpJs,
  ...protos.map((p) => relative(protoRoot, p)),
]);
run('pbts', ['-o', tmpDts, tmpJs]);
// Written under temporary names and renamed, so an interrupted run never leaves a
// half-written module that looks up to date.
renameSync(tmpJs, outJs);
renameSync(tmpDts, outDts);
