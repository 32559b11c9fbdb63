#!/usr/bin/env node
// `npm run stress -- --shock BTCUSDT=-20% (--url URL [--token T] | --journal DIR) [--json]`: the what-if
// stress query against a running gateway or a journal's recovered state; see services/exchange/src/stress-cli.ts.
import { runStressCli } from '../services/exchange/dist/stress-cli.js';

runStressCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`stress: ${error?.message ?? error}\n`);
    process.exit(1);
  },
);
