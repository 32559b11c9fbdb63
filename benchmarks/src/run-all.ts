/**
 * Runs every benchmark suite in order. Add a suite by adding a line to `suites`.
 * `BENCH_QUICK=1` makes each suite short; run node with `--expose-gc` (the `bench`
 * script does) so suites can collect garbage between passes.
 */
import { run as orderBook } from './order-book.bench.js';
import { run as matchingThroughput } from './matching-throughput.bench.js';
import { run as margin } from './margin.bench.js';
import { run as riskOrderPath } from './risk-order-path.bench.js';
import { run as riskMarkTick } from './risk-mark-tick.bench.js';
import { run as liquidationCascade } from './liquidation-cascade.bench.js';
import { run as adlCascade } from './adl-cascade.bench.js';
import { run as gatewayRest } from './gateway-rest.bench.js';
import { run as requestAuth } from './request-auth.bench.js';
import { run as wsFanout } from './ws-fanout.bench.js';
import { run as journal } from './journal.bench.js';
import { run as snapshot } from './snapshot.bench.js';
import { run as stressQuery } from './stress-query.bench.js';
import { run as defiPool } from './defi-pool.bench.js';
import { run as inputOrderLog } from './input-order-log.bench.js';
import { run as envelopeDecode } from './envelope-decode.bench.js';

const suites: Array<[string, () => Promise<void>]> = [
  ['order-book', orderBook],
  ['matching-throughput', matchingThroughput],
  ['margin', margin],
  ['risk-order-path', riskOrderPath],
  ['risk-mark-tick', riskMarkTick],
  ['liquidation-cascade', liquidationCascade],
  ['adl-cascade', adlCascade],
  ['gateway-rest', gatewayRest],
  ['request-auth', requestAuth],
  ['ws-fanout', wsFanout],
  ['journal', journal],
  ['snapshot', snapshot],
  ['stress-query', stressQuery],
  ['defi-pool', defiPool],
  ['input-order-log', inputOrderLog],
  ['envelope-decode', envelopeDecode],
];

for (const [name, run] of suites) {
  process.stdout.write(`\n### ${name}\n`);
  await run();
}
