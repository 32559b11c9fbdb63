#!/usr/bin/env node
/**
 * `npm start`: the exchange embedded in one process, driven by the simulated market
 * for `--duration-s` seconds, with a live progress line and a closing summary.
 */
import { createLogger } from '@perpcore/observability';
import { parseExchangeOptions } from './cli-options.js';
import { EmbeddedExchange } from './embedded-exchange.js';
import { ProgressLine } from './progress-line.js';
import { formatSummary } from './run-summary.js';

const BATCH = 2_000;

async function main(): Promise<void> {
  let options;
  try {
    options = parseExchangeOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`perpcore: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const logger = createLogger('perpcore', options.logLevel === 'silent' ? 'silent' : options.logLevel);
  const exchange = await EmbeddedExchange.create({ logger, seed: options.seed });
  if (options.httpPort > 0) {
    const url = await exchange.listen(options.httpPort);
    process.stderr.write(`perpcore: HTTP API on ${url} (GET /v1/markets, /v1/markets/:symbol/book, POST /v1/orders, DELETE /v1/orders/:market/:id)\n`);
  }
  const progress = new ProgressLine();
  const startMs = performance.now();
  const endMs = startMs + options.durationS * 1000;
  let lastMs = startMs;
  let last = exchange.counters();
  let stopping = false;
  process.once('SIGINT', () => (stopping = true));
  logger.info({ options }, 'embedded exchange running');
  while (!stopping) {
    const nowMs = performance.now();
    if (nowMs >= endMs) break;
    const allowed = options.ratePerS > 0 ? Math.floor(((nowMs - startMs) / 1000) * options.ratePerS) - exchange.counters().commandsSent : BATCH;
    if (allowed > 0) exchange.step(Math.min(BATCH, allowed));
    if (nowMs - lastMs >= 250) {
      const c = exchange.counters();
      const dt = (nowMs - lastMs) / 1000;
      progress.update(
        `t=${((nowMs - startMs) / 1000).toFixed(1)}s  orders/s ${Math.round((c.commandsSent - last.commandsSent) / dt).toLocaleString('en-US')}  fills/s ${Math.round((c.fills - last.fills) / dt).toLocaleString('en-US')}  resting ${c.restingOrders}`,
        nowMs,
      );
      last = c;
      lastMs = nowMs;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  progress.done();
  const elapsedS = (performance.now() - startMs) / 1000;
  process.stdout.write(formatSummary(exchange.counters(), elapsedS, exchange.stateHash()));
  await exchange.close();
  logger.flush();
}

main().catch((error: unknown) => {
  process.stderr.write(`perpcore: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
