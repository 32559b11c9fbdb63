#!/usr/bin/env node
// `npm run replay -- DIR [--until-seq N] [--account ID]`: replays an embedded journal
// (npm start --data-dir DIR) into a fresh pipeline; see services/exchange/src/durability/replay-cli.ts.
import { runReplayCli } from '../services/exchange/dist/durability/replay-cli.js';

runReplayCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`replay: ${error?.message ?? error}\n`);
    process.exit(1);
  },
);
