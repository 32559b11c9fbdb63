#!/usr/bin/env node
/**
 * `npm start`: the exchange embedded in one process, driven by the simulated market
 * for `--duration-s` seconds, with a live progress line and a closing summary.
 * With `--data-dir DIR` every input is journaled there and a restart recovers the
 * state from it first (durability/recover-exchange.ts); a journal write error
 * stops the input path, says so and exits non-zero.
 */
import { createLogger } from '@perpcore/observability';
import { parseExchangeOptions } from './cli-options.js';
import type { Journal } from '@perpcore/journal';
import { EmbeddedExchange } from './embedded-exchange.js';
import { recoverExchange } from './durability/recover-exchange.js';
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
  const exchangeOptions = { logger, seed: options.seed, scenario: { shockAtS: options.shockAtS, shockE8: options.shockE8 } };
  let exchange: EmbeddedExchange;
  let journal: Journal | undefined;
  if (options.dataDir === undefined) exchange = await EmbeddedExchange.create(exchangeOptions);
  else {
    let recovered;
    try {
      recovered = await recoverExchange(options.dataDir, { ...exchangeOptions, fsync: options.fsync });
    } catch (error) {
      process.stderr.write(`perpcore: cannot start from ${options.dataDir}: ${(error as Error).message}\n`);
      process.exit(2);
    }
    ({ exchange, journal } = recovered);
    const r = recovered.recovery;
    const cut = r.cut === null ? '' : `, torn tail cut (${r.cut.bytesCut} bytes of ${r.cut.segment} at byte ${r.cut.atByte}: ${r.cut.problem})`;
    process.stderr.write(`perpcore: journal ${options.dataDir} (fsync ${options.fsync}): recovered seq ${r.seq} state ${r.stateHash} (${r.replayedRecords} inputs replayed in ${Math.round(r.elapsedMs)} ms${cut})\n`);
    logger.info({ dataDir: options.dataDir, ...r }, 'recovered from the journal');
  }
  if (options.httpPort > 0) {
    const url = await exchange.listen(options.httpPort);
    process.stderr.write(`perpcore: HTTP API on ${url} (GET /v1/markets, /v1/markets/:symbol/book, POST /v1/orders, DELETE /v1/orders/:market/:id)\n`);
  }
  const progress = new ProgressLine();
  const startMs = performance.now();
  const endMs = startMs + options.durationS * 1000;
  let lastMs = startMs;
  let lastOrders = exchange.ordersSent;
  let lastFills = exchange.counters.fills;
  let stopping = false;
  const ordersAtStart = lastOrders; // a recovered market has sent the journaled ones already
  process.once('SIGINT', () => (stopping = true));
  logger.info({ options }, 'embedded exchange running');
  while (!stopping) {
    const nowMs = performance.now();
    if (nowMs >= endMs) break;
    const allowed = options.ratePerS > 0 ? Math.floor(((nowMs - startMs) / 1000) * options.ratePerS) - (exchange.ordersSent - ordersAtStart) : BATCH;
    if (allowed > 0) {
      try {
        exchange.step(Math.min(BATCH, allowed));
      } catch (error) {
        if (exchange.inputs.failure === null) throw error;
        break;
      }
    }
    if (exchange.inputs.failure !== null) break;
    if (nowMs - lastMs >= 250) {
      const f = exchange.figures((nowMs - startMs) / 1000);
      const c = f.counters;
      const dt = (nowMs - lastMs) / 1000;
      progress.update(
        `t=${f.elapsedS.toFixed(1)}s sim=${Math.round(f.simulatedS)}s  orders/s ${Math.round((f.ordersSent - lastOrders) / dt).toLocaleString('en-US')}  fills/s ${Math.round((c.fills - lastFills) / dt).toLocaleString('en-US')}  calls ${c.marginCalls}  liquidations ${c.liquidationsTriggered}  takeovers ${c.insuranceTakeovers}  ADL ${c.deleveragedLegs}${f.riskHalted === '' ? '' : '  RISK STAGE HALTED'}`,
        nowMs,
      );
      lastOrders = f.ordersSent;
      lastFills = c.fills;
      lastMs = nowMs;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  progress.done();
  const elapsedS = (performance.now() - startMs) / 1000;
  await exchange.bus.flush();
  const durableSeq = await exchange.inputs.flush().catch(() => journal?.durableSeq ?? 0);
  const failure = exchange.inputs.failure;
  if (failure !== null) {
    logger.fatal({ durableSeq: failure.durableSeq, code: failure.causeCode }, 'journal write failed: input stopped');
    logger.flush();
    process.stderr.write(`perpcore: INPUT STOPPED: ${failure.message}\n`);
    process.exit(1);
  }
  if (journal !== undefined) process.stderr.write(`perpcore: journal durable up to seq ${durableSeq}\n`);
  process.stdout.write(formatSummary(exchange.figures(elapsedS)));
  await exchange.close();
  await journal?.close();
  logger.flush();
}

main().catch((error: unknown) => {
  process.stderr.write(`perpcore: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
