#!/usr/bin/env node
// `npm run load -- [options]` (see --help): the load harness, compiled from
// benchmarks/src/load/ by the normal build. Options: --help; scenarios and figures: the README, "Load harness".
import { runLoadCommand } from '../dist/load/load-cli.js';

try {
  await runLoadCommand(process.argv.slice(2));
  process.exit(0);
} catch (error) {
  const bad = /^(--|unknown option|unexpected argument|scenario )/.test(error.message);
  process.stderr.write(`load: ${bad ? error.message : (error.stack ?? error.message)}\n`);
  process.exit(bad ? 2 : 1);
}
