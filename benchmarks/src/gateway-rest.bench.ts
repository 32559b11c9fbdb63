/**
 * POST /fapi/v1/order through the real gateway on loopback, beside a bare fastify
 * route with the same parameter schema in the same run (ratio printed; the issue's
 * goal is ≥ 0.8× of the bare route).
 *
 * - gateway: createGatewayServer on an EmbeddedExchange (risk pre-trade hold,
 *   matching, risk settlement, liquidation watch, the read model), HMAC check of
 *   every request, the replay guard, request limits (set out of the way) and the
 *   exchangeInfo filters. The gateway is up before the simulated market runs, so
 *   its market data (mark, book) is the market's, and the PERCENT_PRICE band is
 *   checked against a live mark. Orders are LIMIT IOC buys a few ticks under the
 *   best bid (inside the 5% band around mark): each is held by risk, matched
 *   (nothing crosses), expires and is released, so the book and the read model do
 *   not grow (closed orders are bounded per account). Every answer is checked to
 *   be that: a 200 with status EXPIRED.
 * - bare: fastify with the same form-body parser, the same HMAC-SHA256 check over
 *   the same signed payload, a JSON schema with the same fields and enums, and a
 *   canned order body of the same shape. No core behind it.
 * The load generator runs in the same process with `CONCURRENCY` requests in
 * flight over keep-alive sockets (it costs both sides the same). The two sides
 * alternate in chunks of `CHUNK` requests, so a shared machine's load swings hit
 * both alike; per pass: each side's orders/s over its own time, and p50 / p99 of
 * each request's round trip, and the process's CPU time per request (user + system,
 * the in-process load generator included on both sides): its ratio is what the
 * throughput ratio would be on a core of its own, steadier than wall time when
 * other processes share the machine. `BENCH_QUICK=1` shortens it. Run: `node --expose-gc benchmarks/dist/gateway-rest.bench.js`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Agent, request } from 'node:http';
import { pathToFileURL } from 'node:url';
import { EmbeddedExchange } from '@perpcore/exchange';
import { adminToken, createGatewayServer, generateApiCredentials, InMemoryAccountRegistry } from '@perpcore/gateway';
import { formatSteps } from '@perpcore/domain';
import { createLogger } from '@perpcore/observability';
import Fastify, { type FastifyInstance } from 'fastify';
import { median } from './support/latency-stats.js';
import { isQuick, writeResults } from './support/results-file.js';

const gc = (globalThis as { gc?: () => void }).gc;
const CONCURRENCY = 16;
const CHUNK = 500;
const { apiKey: KEY, secretKey: SECRET } = generateApiCredentials();
const ACCOUNT = 8_001;

interface PassFigures {
  ordersPerS: number;
  /** Process CPU (user + system) per request, load generator included (the same for both sides). */
  cpuUsPerRequest: number;
  p50Us: number;
  p99Us: number;
  non200: number;
  notExpired: number;
}

/**
 * The bids' price grid, set once the market has run (`run`): ten prices a few ticks under the best bid.
 * With fifty quantities that is 500 distinct orders, so two requests signed in the same millisecond
 * differ (the replay guard refuses byte-identical ones).
 */
const orderPrices: string[] = [];

function orderBody(i: number): string {
  const qs = `timestamp=${Date.now()}&symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=${((1 + (i % 50)) / 1000).toFixed(3)}&price=${orderPrices[Math.floor(i / 50) % orderPrices.length]}&newOrderRespType=RESULT&recvWindow=10000`;
  return `${qs}&signature=${createHmac('sha256', SECRET).update(qs).digest('hex')}`;
}

interface Chunked {
  latNs: number[];
  elapsedS: number;
  cpuUs: number;
  non200: number;
  /** 200s whose order did not expire unfilled: the workload was not the one measured. */
  notExpired: number;
}

async function drive(base: URL, count: number, into: Chunked): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  const one = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const body = orderBody(i);
      const t0 = process.hrtime.bigint();
      const req = request(
        { host: base.hostname, port: base.port, path: '/fapi/v1/order', method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'x-mbx-apikey': KEY } },
        (res) => {
          if (res.statusCode !== 200) into.non200++;
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            if (res.statusCode === 200 && !text.includes('"status":"EXPIRED"')) into.notExpired++;
            into.latNs.push(Number(process.hrtime.bigint() - t0));
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const worker = async () => {
    while (next < count) await one(next++);
  };
  const start = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const used = process.cpuUsage(cpu);
  into.cpuUs += used.user + used.system;
  into.elapsedS += (performance.now() - start) / 1000;
  agent.destroy();
}

function figuresOf(c: Chunked): PassFigures {
  const sorted = Float64Array.from(c.latNs).sort();
  const n = sorted.length;
  return { ordersPerS: Math.round(n / c.elapsedS), cpuUsPerRequest: Math.round(c.cpuUs / n), p50Us: Math.round(sorted[Math.floor(n * 0.5)] / 1000), p99Us: Math.round(sorted[Math.floor(n * 0.99)] / 1000), non200: c.non200, notExpired: c.notExpired };
}

/** The peer: the same parsing, signature check and parameter schema, no core. */
function bareRoute(): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 16_384 });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (req, body, done) => {
    (req as unknown as { rawBody: string }).rawBody = body as string;
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  const decimal = { type: 'string', pattern: '^[0-9]{1,20}(\\.[0-9]{1,18})?$' };
  const schema = {
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['symbol', 'side', 'type', 'quantity', 'timestamp', 'signature'],
      properties: {
        symbol: { type: 'string', maxLength: 20 },
        side: { enum: ['BUY', 'SELL'] },
        type: { enum: ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET'] },
        timeInForce: { enum: ['GTC', 'IOC', 'FOK', 'GTX'] },
        quantity: decimal,
        price: decimal,
        newClientOrderId: { type: 'string', pattern: '^[.A-Z:/a-z0-9_-]{1,36}$' },
        newOrderRespType: { enum: ['ACK', 'RESULT'] },
        reduceOnly: { enum: ['true', 'false'] },
        timestamp: { type: 'string', pattern: '^[0-9]{1,16}$' },
        recvWindow: { type: 'string', pattern: '^[0-9]{1,6}$' },
        signature: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      },
    },
  };
  let orderId = 2 ** 52;
  app.post<{ Body: Record<string, string> }>('/fapi/v1/order', { schema }, async (req, reply) => {
    const raw = (req as unknown as { rawBody: string }).rawBody;
    const payload = raw.replace(/&signature=[^&]*$/, '');
    const sig = Buffer.from(req.body.signature ?? '', 'hex');
    const expected = createHmac('sha256', SECRET).update(payload).digest();
    if (req.headers['x-mbx-apikey'] !== KEY || sig.length !== 32 || !timingSafeEqual(sig, expected)) return reply.status(400).send({ code: -1022, msg: 'Signature for this request is not valid.' });
    const b = req.body;
    return {
      orderId: orderId++, symbol: b.symbol, status: 'EXPIRED', clientOrderId: 'pc-bench', price: b.price, avgPrice: '0', origQty: b.quantity, executedQty: '0', cumQty: '0', cumQuote: '0',
      timeInForce: b.timeInForce, type: b.type, reduceOnly: false, closePosition: false, side: b.side, positionSide: 'BOTH', stopPrice: '0', workingType: 'CONTRACT_PRICE', priceProtect: false,
      origType: b.type, priceMatch: 'NONE', selfTradePreventionMode: 'EXPIRE_TAKER', goodTillDate: 0, time: Date.now(), updateTime: Date.now(),
    };
  });
  return app;
}

export async function run(): Promise<void> {
  const count = isQuick() ? 2_000 : 20_000;
  const rounds = isQuick() ? 1 : 3;
  const logger = createLogger('bench', 'silent');
  const exchange = await EmbeddedExchange.create({ logger, seed: 1 });
  const client = await exchange.client('gateway-bench');
  await client.deposit(ACCOUNT, 'USDT', 10_000_000_000_000);
  const registry = new InMemoryAccountRegistry({ firstSystemAccountId: 900_001 });
  registry.apply({ kind: 'createAccount', accountId: ACCOUNT });
  registry.apply({ kind: 'createKey', apiKey: KEY, secretKey: SECRET, accountId: ACCOUNT, permissions: ['read', 'trade'], createdAtMs: 0 });
  const unlimited = 1_000_000_000;
  const gateway = await createGatewayServer({
    client,
    logger,
    registry,
    adminToken: adminToken(generateApiCredentials().secretKey),
    limits: { weightPerMinutePerIp: unlimited, weightPerMinutePerKey: unlimited, ordersPer10sPerKey: unlimited, ordersPerMinutePerKey: unlimited },
  });
  const gatewayUrl = new URL(await gateway.listen(0));
  exchange.step(2_000); // a populated book and a mark, seen by the gateway's market data
  const market = client.markets().find((m) => m.spec.symbol === 'BTCUSDT');
  const top = await client.book('BTCUSDT', 1);
  const bidTicks = top?.bids[0]?.[0];
  if (market === undefined || bidTicks === undefined) throw new Error('gateway-rest bench: no BTCUSDT bid after the warm-up steps');
  for (let k = 1; k <= 10; k++) orderPrices.push(formatSteps(bidTicks - k, market.spec.tick));
  const bare = bareRoute();
  const bareUrl = new URL(await bare.listen({ port: 0, host: '127.0.0.1' }));

  const fresh = (): Chunked => ({ latNs: [], elapsedS: 0, cpuUs: 0, non200: 0, notExpired: 0 });
  await drive(gatewayUrl, 2_000, fresh()); // warm-up (JIT, sockets)
  await drive(bareUrl, 2_000, fresh());
  const passes: { gateway: PassFigures; bare: PassFigures }[] = [];
  for (let r = 0; r < rounds; r++) {
    gc?.();
    const gw = fresh();
    const bw = fresh();
    for (let done = 0; done < count; done += CHUNK) {
      await drive(gatewayUrl, CHUNK, gw);
      await drive(bareUrl, CHUNK, bw);
    }
    const g = figuresOf(gw);
    const b = figuresOf(bw);
    passes.push({ gateway: g, bare: b });
    process.stdout.write(
      `round ${r + 1}: gateway ${g.ordersPerS.toLocaleString('en-US')} orders/s p50 ${g.p50Us} µs p99 ${g.p99Us} µs | bare fastify ${b.ordersPerS.toLocaleString('en-US')} req/s p50 ${b.p50Us} µs p99 ${b.p99Us} µs | ratio ${(g.ordersPerS / b.ordersPerS).toFixed(2)}× | CPU per request ${g.cpuUsPerRequest} / ${b.cpuUsPerRequest} µs, ratio ${(b.cpuUsPerRequest / g.cpuUsPerRequest).toFixed(2)}×${g.non200 + b.non200 > 0 ? `  NON-200: ${g.non200}/${b.non200}` : ''}${g.notExpired > 0 ? `  NOT EXPIRED: ${g.notExpired}` : ''}\n`,
    );
  }
  const med = (pick: (p: (typeof passes)[number]) => number) => median(passes.map(pick));
  const figures = {
    concurrency: CONCURRENCY,
    chunk: CHUNK,
    requestsPerPass: count,
    rounds,
    gateway: { ordersPerS: med((p) => p.gateway.ordersPerS), cpuUsPerRequest: med((p) => p.gateway.cpuUsPerRequest), p50Us: med((p) => p.gateway.p50Us), p99Us: med((p) => p.gateway.p99Us) },
    bareFastify: { requestsPerS: med((p) => p.bare.ordersPerS), cpuUsPerRequest: med((p) => p.bare.cpuUsPerRequest), p50Us: med((p) => p.bare.p50Us), p99Us: med((p) => p.bare.p99Us) },
    ratio: Number((med((p) => p.gateway.ordersPerS) / med((p) => p.bare.ordersPerS)).toFixed(2)),
    /** bare CPU per request ÷ gateway CPU per request: the throughput ratio on a core of its own (steadier than wall time on a shared machine). */
    cpuRatio: Number((med((p) => p.bare.cpuUsPerRequest) / med((p) => p.gateway.cpuUsPerRequest)).toFixed(2)),
    non200: passes.reduce((a, p) => a + p.gateway.non200 + p.bare.non200, 0),
    notExpired: passes.reduce((a, p) => a + p.gateway.notExpired, 0),
    passes,
  };
  process.stdout.write(`median: gateway ${figures.gateway.ordersPerS.toLocaleString('en-US')} orders/s (p50 ${figures.gateway.p50Us} µs, p99 ${figures.gateway.p99Us} µs), bare ${figures.bareFastify.requestsPerS.toLocaleString('en-US')} req/s, ratio ${figures.ratio}×; CPU per request ${figures.gateway.cpuUsPerRequest} / ${figures.bareFastify.cpuUsPerRequest} µs, CPU ratio ${figures.cpuRatio}×\n`);
  process.stdout.write(`results: ${writeResults('gateway-rest', figures)}\n`);
  await bare.close();
  await gateway.close();
  await exchange.close();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
