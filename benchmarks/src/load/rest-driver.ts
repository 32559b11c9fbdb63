/**
 * Orders through the gateway's REST API as Binance USDⓈ-M clients send them:
 * signed `POST /fapi/v1/order` (LIMIT GTC for makes, LIMIT IOC for takes,
 * `newOrderRespType=RESULT`) and `DELETE /fapi/v1/order` by orderId, from one
 * keep-alive pool per account (its own key and, on loopback, its own address).
 *
 * Setup goes through the operator API (account, trade key, USDT deposit) and the
 * signed leverage route, a few accounts at a time. Liquidation orders are counted
 * from the public `<symbol>@forceOrder` streams.
 */
import WebSocket from 'ws';
import type { LatencyRecorder } from './latency-recorder.js';
import type { LoadDriver } from './load-driver.js';
import type { LoadScenario } from './load-scenario.js';
import { stepSizeOf, formatSteps, stepsIn } from './decimal-steps.js';
import type { MarketView, OrderFlow, OrderIntent } from './order-flow.js';
import { isLoopback, loopbackAddress, type RestAnswer, SignedRest } from './signed-rest.js';

export interface RestDriverOptions {
  readonly base: URL;
  readonly adminToken: string;
  readonly scenario: LoadScenario;
  readonly markets: readonly string[];
  /** Keep-alive sockets over all accounts (each account gets at least one). */
  readonly connections: number;
}

const SETUP_PARALLEL = 8;

/** A Binance error body's code, or the HTTP status when the body has none. */
function refusalCode(answer: RestAnswer): string {
  try {
    const code = (JSON.parse(answer.body) as { code?: unknown }).code;
    if (typeof code === 'number') return String(code);
  } catch {
    // not JSON: fall through to the status
  }
  return `http ${answer.status}`;
}

export class RestDriver implements LoadDriver {
  readonly describe: string = 'REST: signed POST /fapi/v1/order (LIMIT GTC / IOC, RESULT) and DELETE /fapi/v1/order';
  protected readonly clients: SignedRest[] = [];
  protected readonly accountIds: number[] = [];
  private readonly operator: SignedRest;
  private forceOrders = 0;
  private forceStream: WebSocket | undefined;

  constructor(protected readonly options: RestDriverOptions) {
    this.operator = new SignedRest(options.base, null, 4, undefined);
  }

  async setup(accounts: number): Promise<readonly MarketView[]> {
    const { base, adminToken, scenario } = this.options;
    const info = await this.operator.plain('GET', '/fapi/v1/exchangeInfo');
    if (info.status !== 200) throw new Error(`exchangeInfo: ${info.status} ${info.body.slice(0, 200)}`);
    const symbols = (JSON.parse(info.body) as { symbols: { symbol: string; filters: { filterType: string; tickSize?: string; stepSize?: string }[] }[] }).symbols;
    const markets = this.options.markets.map((symbol): MarketView => {
      const s = symbols.find((x) => x.symbol === symbol);
      if (s === undefined) throw new Error(`market ${symbol} is not listed by ${base.href} (listed: ${symbols.map((x) => x.symbol).join(', ')})`);
      const tick = s.filters.find((f) => f.filterType === 'PRICE_FILTER')?.tickSize;
      const lot = s.filters.find((f) => f.filterType === 'LOT_SIZE')?.stepSize;
      if (tick === undefined || lot === undefined) throw new Error(`market ${symbol}: exchangeInfo has no PRICE_FILTER / LOT_SIZE`);
      return { symbol, tick: stepSizeOf(tick), lot: stepSizeOf(lot), markTicks: 0 };
    });
    const socketsEach = Math.max(1, Math.round(this.options.connections / accounts));
    const loopback = isLoopback(base);
    for (let i = 0; i < accounts; i++) this.clients.push(new SignedRest(base, null, socketsEach, loopback ? loopbackAddress(i) : undefined));
    for (let from = 0; from < accounts; from += SETUP_PARALLEL) {
      await Promise.all(
        this.clients.slice(from, from + SETUP_PARALLEL).map(async (client, k) => {
          const { accountId } = await client.admin('/v1/admin/accounts', adminToken, {});
          const key = await client.admin('/v1/admin/api-keys', adminToken, { accountId, permissions: ['read', 'trade'] });
          await client.admin('/v1/admin/deposits', adminToken, { accountId, asset: 'USDT', amount: scenario.setup.depositUsdt });
          client.key = { apiKey: key.apiKey as string, secretKey: key.secretKey as string };
          this.accountIds[from + k] = accountId as number;
          for (const m of markets) {
            const answer = await client.signed('POST', '/fapi/v1/leverage', `symbol=${m.symbol}&leverage=${scenario.setup.leverage}`);
            if (answer.status !== 200) throw new Error(`leverage ${m.symbol} for account ${String(accountId)}: ${answer.status} ${answer.body.slice(0, 200)}`);
          }
        }),
      );
    }
    await this.refreshMarks(markets);
    await this.watchForceOrders(markets);
    return markets;
  }

  async refreshMarks(markets: readonly MarketView[]): Promise<void> {
    const answer = await this.operator.plain('GET', '/fapi/v1/premiumIndex');
    if (answer.status !== 200) return; // keep the last marks; the next refresh tries again
    const rows = JSON.parse(answer.body) as { symbol: string; markPrice: string }[];
    for (const m of markets) {
      const row = rows.find((r) => r.symbol === m.symbol);
      if (row !== undefined && row.markPrice !== '' && row.markPrice !== '0') m.markTicks = stepsIn(row.markPrice, m.tick);
    }
  }

  operations(intent: OrderIntent): readonly string[] {
    return [intent.op];
  }

  async execute(intent: OrderIntent, intendedMs: number, recorder: LatencyRecorder, flow: OrderFlow): Promise<void> {
    const answer = await this.send(intent).catch((error: Error) => error);
    this.record(intent, intendedMs, answer, recorder, flow);
  }

  finish(_recorder: LatencyRecorder): void {
    // every REST operation is settled by its answer or its error
  }

  observed(): Record<string, number> {
    return { forceOrderEvents: this.forceOrders };
  }

  async close(): Promise<void> {
    this.forceStream?.close();
    for (const c of this.clients) c.close();
    this.operator.close();
  }

  protected send(intent: OrderIntent): Promise<RestAnswer> {
    const client = this.clients[intent.account] as SignedRest;
    const m = intent.market;
    if (intent.op === 'cancel') return client.signed('DELETE', '/fapi/v1/order', `symbol=${m.symbol}&orderId=${intent.orderId}`);
    const tif = intent.op === 'make' ? 'GTC' : 'IOC';
    return client.signed('POST', '/fapi/v1/order', `symbol=${m.symbol}&side=${intent.side}&type=LIMIT&timeInForce=${tif}&quantity=${formatSteps(intent.qtyLots, m.lot)}&price=${formatSteps(intent.priceTicks, m.tick)}&newClientOrderId=${intent.clientOrderId}&newOrderRespType=RESULT`);
  }

  /** Records the REST operation's outcome; returns the refusal code when it was refused ('' when accepted). */
  protected record(intent: OrderIntent, intendedMs: number, answer: RestAnswer | Error, recorder: LatencyRecorder, flow: OrderFlow): string | null {
    const latencyUs = (performance.now() - intendedMs) * 1000;
    if (answer instanceof Error) {
      recorder.done(intent.op, 'error', latencyUs, answer.message.slice(0, 60));
      return null;
    }
    if (answer.status >= 500 || answer.status < 200) {
      recorder.done(intent.op, 'error', latencyUs, `http ${answer.status}`);
      return null;
    }
    if (answer.status !== 200) {
      const code = refusalCode(answer);
      recorder.done(intent.op, 'rejected', latencyUs, code);
      return code;
    }
    recorder.done(intent.op, 'ok', latencyUs);
    if (intent.op === 'make') {
      const order = JSON.parse(answer.body) as { orderId: number; status: string };
      if (order.status === 'NEW' || order.status === 'PARTIALLY_FILLED') flow.rested(intent.account, intent.market, order.orderId);
    }
    return '';
  }

  private async watchForceOrders(markets: readonly MarketView[]): Promise<void> {
    const streams = markets.map((m) => `${m.symbol.toLowerCase()}@forceOrder`).join('/');
    const url = new URL(`/stream?streams=${streams}`, this.options.base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url);
    this.forceStream = ws;
    ws.on('message', () => this.forceOrders++);
    ws.on('error', () => undefined); // counting is best-effort; the run does not depend on it
    await new Promise<void>((resolve) => {
      ws.once('open', () => resolve());
      ws.once('error', () => resolve());
    });
  }
}
