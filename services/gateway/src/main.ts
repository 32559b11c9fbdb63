#!/usr/bin/env node
/**
 * `npm start`: the exchange embedded in one process, driven by the simulated market
 * for `--duration-s` seconds, with a live progress line and a closing summary; with
 * `--http-port N` the gateway (Binance USDⓈ-M /fapi API, operator API under
 * /v1/admin) serves the same embedded core through its `ExchangeClient`, between
 * the simulation's batches. Accounts and keys come only from the operator API; its
 * token is PERPCORE_ADMIN_TOKEN, or generated and printed once here.
 */
import { EmbeddedExchange, formatSummary, parseExchangeOptions, ProgressLine } from '@perpcore/exchange';
import { createLogger } from '@perpcore/observability';
import { startEmbeddedGateway, operatorQuickStart } from './embedded-gateway.js';
import type { GatewayServer } from './gateway-server.js';

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
  const exchange = await EmbeddedExchange.create({
    logger,
    seed: options.seed,
    scenario: { shockAtS: options.shockAtS, shockE8: options.shockE8 },
  });
  let gateway: GatewayServer | undefined;
  if (options.httpPort > 0) {
    const started = await startEmbeddedGateway(exchange, { port: options.httpPort, logger: logger.child({ stage: 'gateway' }) });
    gateway = started.server;
    process.stderr.write(`perpcore: gateway on ${started.url} (Binance USDⓈ-M REST under /fapi, WebSocket at /ws and /stream; point ccxt binanceusdm's urls.api at ${started.url}/fapi/v1, see the README)\n`);
    process.stderr.write(operatorQuickStart(started.url, started.admin));
  }
  const progress = new ProgressLine();
  const startMs = performance.now();
  const endMs = startMs + options.durationS * 1000;
  let lastMs = startMs;
  let lastOrders = 0;
  let lastFills = 0;
  let stopping = false;
  process.once('SIGINT', () => (stopping = true));
  logger.info({ options }, 'embedded exchange running');
  while (!stopping) {
    const nowMs = performance.now();
    if (nowMs >= endMs) break;
    const allowed = options.ratePerS > 0 ? Math.floor(((nowMs - startMs) / 1000) * options.ratePerS) - exchange.figures(0).ordersSent : BATCH;
    if (allowed > 0) exchange.step(Math.min(BATCH, allowed));
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
  process.stdout.write(formatSummary(exchange.figures(elapsedS)));
  if (gateway !== undefined) await gateway.close();
  await exchange.close();
  logger.flush();
}

main().catch((error: unknown) => {
  process.stderr.write(`perpcore: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
