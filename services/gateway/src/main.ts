#!/usr/bin/env node
/**
 * `npm start`: the exchange embedded in one process, driven by the simulated market
 * for `--duration-s` seconds, with a live progress line and a closing summary; with
 * `--http-port N` the gateway (Binance USDⓈ-M /fapi API, operator API under
 * /v1/admin) serves the same embedded core through its `ExchangeClient`, between
 * the simulation's time slices (exchange time-sliced-market.ts: a request waits at
 * most one slice, ~0.5 ms, for the simulated market). Accounts and keys come only from the operator API; its
 * token is PERPCORE_ADMIN_TOKEN, or generated and printed once here.
 * With `--data-dir DIR` every input is journaled there and a restart recovers from
 * it (exchange durability/embedded-core-start.ts); the gateway is built before the
 * replay so its read models see the replayed events, its read models and market
 * data are in every snapshot (gateway-snapshot-section.ts), and its replies wait
 * until their input is durable.
 */
import { closeEmbeddedCore, formatSummary, journalAcknowledgementHooks, parseExchangeOptions, ProgressLine, settleEmbeddedCore, snapshotIfDue, startEmbeddedCore, TimeSlicedMarket } from '@perpcore/exchange';
import { createLogger } from '@perpcore/observability';
import { createEmbeddedGateway, type EmbeddedGateway, GATEWAY_SNAPSHOT_SECTION, operatorQuickStart } from './embedded-gateway.js';
import type { GatewayServer } from './gateway-server.js';

/**
 * Wall time the simulated market may hold the thread before the gateway's I/O runs:
 * short enough that a request's wait for it stays well under the 10 ms p99 target,
 * long enough that yielding (one event-loop turn per slice) costs a few percent.
 */
const SLICE_MS = 0.5;
/** A paced market sleeps until its next command, but wakes at least this often (SIGINT, the end of the run, progress). */
const MAX_WAIT_MS = 100;

async function main(): Promise<void> {
  let options;
  try {
    options = parseExchangeOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`perpcore: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const logger = createLogger('perpcore', options.logLevel === 'silent' ? 'silent' : options.logLevel);
  let gateway: GatewayServer | undefined;
  let embedded: Omit<EmbeddedGateway, 'url'> | undefined;
  const core = await startEmbeddedCore({
    logger,
    seed: options.seed,
    // a few crypto-backed loan borrowers and two backstop liquidators beside the perps traders (journaled and recovered like every input: loan-recovery.test.ts)
    scenario: { shockAtS: options.shockAtS, shockE8: options.shockE8, loanBorrowers: 8, backstopLiquidators: 2 },
    dataDir: options.dataDir,
    fsync: options.fsync,
    snapshotPolicy: options.snapshotEveryRecords > 0 ? { everyRecords: options.snapshotEveryRecords, everyEventNs: 0, keepNewest: options.snapshotKeep } : undefined,
    onSnapshotCorrupt: (message) => process.stderr.write(`perpcore: ${message} (falling back to the previous snapshot or genesis)\n`),
    snapshotSections: options.httpPort > 0 ? [GATEWAY_SNAPSHOT_SECTION] : [],
    beforeReplay: async (exchange) => {
      if (options.httpPort <= 0) return [];
      embedded = await createEmbeddedGateway(exchange, {
        logger: logger.child({ stage: 'gateway' }),
        acknowledgement: journalAcknowledgementHooks(exchange.inputs),
        ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir, fsync: options.fsync }),
      });
      return [embedded.snapshotSection];
    },
  }).catch((error: Error) => {
    process.stderr.write(`perpcore: ${error.message}\n`);
    process.exit(2);
  });
  const { exchange } = core;
  if (core.startLine !== '') process.stderr.write(`perpcore: ${core.startLine}\n`);
  if (embedded !== undefined) {
    const url = await embedded.server.listen(options.httpPort);
    gateway = embedded.server;
    process.stderr.write(`perpcore: gateway on ${url} (Binance USDⓈ-M REST under /fapi, WebSocket at /ws and /stream; point ccxt binanceusdm's urls.api at ${url}/fapi/v1, see the README)\n`);
    process.stderr.write(operatorQuickStart(url, embedded.admin));
  }
  const progress = new ProgressLine();
  const startMs = performance.now();
  const endMs = startMs + options.durationS * 1000;
  let lastMs = startMs;
  let lastOrders = exchange.ordersSent;
  let lastFills = exchange.counters.fills;
  const market = new TimeSlicedMarket(exchange, { ratePerS: options.ratePerS, sliceMs: SLICE_MS, nowMs: () => performance.now() });
  market.start(); // a recovered market has sent the journaled ones already: the rate counts from here
  let stopping = false;
  process.once('SIGINT', () => (stopping = true));
  logger.info({ options }, 'embedded exchange running');
  while (!stopping) {
    const nowMs = performance.now();
    if (nowMs >= endMs) break;
    let waitMs = 0;
    try {
      waitMs = market.runSlice().waitMs;
    } catch (error) {
      if (exchange.inputs.failure === null) throw error;
    }
    if (exchange.inputs.failure !== null) break; // settleEmbeddedCore reports it
    const snapshot = await snapshotIfDue(core);
    if (snapshot !== null) logger.info({ ...snapshot }, 'snapshot written');
    if (nowMs - lastMs >= 250) {
      const f = exchange.progress();
      const c = f.counters;
      const dt = (nowMs - lastMs) / 1000;
      progress.update(
        `t=${((nowMs - startMs) / 1000).toFixed(1)}s sim=${Math.round(f.simulatedS)}s  orders/s ${Math.round((f.ordersSent - lastOrders) / dt).toLocaleString('en-US')}  fills/s ${Math.round((c.fills - lastFills) / dt).toLocaleString('en-US')}  calls ${c.marginCalls}  liquidations ${c.liquidationsTriggered}  backstop ${c.backstopTakeovers}  fund ${c.insuranceTakeovers}  ADL ${c.deleveragedLegs}${f.riskHalted === '' ? '' : '  RISK STAGE HALTED'}`,
        nowMs,
      );
      lastOrders = f.ordersSent;
      lastFills = c.fills;
      lastMs = nowMs;
    }
    // a paced market ahead of its rate sleeps (no spinning beside the gateway); else one event-loop turn
    const sleepMs = Math.min(waitMs, MAX_WAIT_MS, Math.max(0, endMs - performance.now()));
    await new Promise<void>((resolve) => (sleepMs >= 1 ? setTimeout(resolve, sleepMs) : setImmediate(resolve)));
  }
  progress.done();
  const elapsedS = (performance.now() - startMs) / 1000;
  await exchange.bus.flush();
  const durableLine = await settleEmbeddedCore(core).catch((error: Error) => {
    logger.fatal({ err: error }, 'journal write failed: input stopped');
    logger.flush();
    process.stderr.write(`perpcore: ${error.message}\n`);
    process.exit(1);
  });
  if (durableLine !== '') process.stderr.write(`perpcore: ${durableLine}\n`);
  process.stdout.write(formatSummary(exchange.figures(elapsedS)));
  if (gateway !== undefined) await gateway.close();
  await closeEmbeddedCore(core);
  logger.flush();
}

main().catch((error: unknown) => {
  process.stderr.write(`perpcore: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
