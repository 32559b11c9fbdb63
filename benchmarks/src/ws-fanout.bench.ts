/**
 * WebSocket fan-out: trade events through the gateway's stream stack (market-data read
 * model → stream hub → `<symbol>@trade` sessions over @fastify/websocket) to N local
 * clients on loopback, beside a bare `ws` server sending the same frames to the same
 * number of clients, in the same run, rounds interleaved (the order alternates).
 *
 * Per round and server: E fill events are fed in bursts of `BURST` per macrotask; each
 * client parses every frame and records (receive time − feed time) of its trade id.
 * Figures: events/s (E ÷ time from the first feed to the last delivery), deliveries/s
 * (E × N ÷ the same), p50/p99/max fan-out latency over all E × N deliveries; ratios
 * gateway ÷ bare per round, median reported. `BENCH_QUICK=1` shrinks it.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { WebSocket, WebSocketServer } from 'ws';
import { MarketDataModel, StreamHub, streamRoutes, systemStreamClock } from '@perpcore/gateway';
import { defaultMarketSpecs, defaultVenueMarkets } from '@perpcore/markets';
import type { MatchingEventV1 } from '@perpcore/proto';
import { median, summarize, type LatencySummary } from './support/latency-stats.js';
import { isQuick, writeResults } from './support/results-file.js';

const CLIENTS = isQuick() ? 5 : 10;
const EVENTS = isQuick() ? 2_000 : 10_000;
const ROUNDS = isQuick() ? 1 : 3;
const BURST = 50;
const T0_NS = 1_767_225_600_000_000_000;

interface Server {
  name: string;
  url: string;
  /** Feeds event `i` (trade id `id`). */
  feed(id: number, i: number): void;
  close(): Promise<void>;
}

interface RoundFigures {
  eventsPerSec: number;
  deliveriesPerSec: number;
  latency: LatencySummary;
}

let nextTradeId = 1;

async function gatewayServer(): Promise<Server> {
  const model = new MarketDataModel(defaultVenueMarkets(defaultMarketSpecs));
  const hub = new StreamHub({ model, clock: systemStreamClock, limits: { maxPendingFrames: 10_000_000, maxBufferedBytes: 1 << 30, maxIncomingPerSecond: 1_000 } });
  const app = Fastify();
  await app.register(streamRoutes, { hub });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  // envelopes as the bus hands them over, built before the clock starts
  const envelopes: MatchingEventV1[] = [];
  let seq = 0;
  return {
    name: 'gateway streams',
    url: `${base.replace('http', 'ws')}/ws/btcusdt@trade`,
    feed(id) {
      let e = envelopes[id % 4_096];
      if (e === undefined) {
        e = { schemaMajor: 1, market: 'BTCUSDT', seq: 0, tsNs: T0_NS, inputSource: 'bench', inputSeq: 0, event: 'filled', filled: { tradeSeq: 0, makerOrderId: 1, makerAccountId: 1, takerOrderId: 2, takerAccountId: 2, takerSide: 1, priceTicks: 300_000, qtyLots: 1, makerRemainingLots: 1, takerRemainingLots: 1, fillType: 1, liquidationId: 0 } } as MatchingEventV1;
        envelopes[id % 4_096] = e;
      }
      e.seq = ++seq;
      e.inputSeq = seq;
      (e.filled as { tradeSeq: number }).tradeSeq = id;
      model.onMatchingEvent(e);
    },
    close: () => app.close(),
  };
}

async function bareServer(): Promise<Server> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const { port } = wss.address() as { port: number };
  return {
    name: 'bare ws',
    url: `ws://127.0.0.1:${port}/`,
    feed(id) {
      // the same frame the gateway sends for a trade
      const text = JSON.stringify({ e: 'trade', E: Date.now(), T: T0_NS / 1e6, s: 'BTCUSDT', t: id, p: '30000', q: '0.001', X: 'MARKET', m: false });
      for (const c of wss.clients) c.send(text);
    },
    close: () => new Promise((resolve) => wss.close(() => resolve())),
  };
}

async function round(server: Server): Promise<RoundFigures> {
  const firstId = nextTradeId;
  nextTradeId += EVENTS;
  const fedAt = new Float64Array(EVENTS);
  const samples = new Float64Array(EVENTS * CLIENTS);
  let received = 0;
  let lastAt = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const clients: WebSocket[] = [];
  for (let c = 0; c < CLIENTS; c++) {
    const ws = new WebSocket(server.url);
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    ws.on('message', (data) => {
      const now = performance.now();
      const i = (JSON.parse(data.toString()) as { t: number }).t - firstId;
      samples[received++] = (now - fedAt[i]) * 1e6;
      lastAt = now;
      if (received === EVENTS * CLIENTS) done();
    });
    clients.push(ws);
  }
  await new Promise((r) => setTimeout(r, 50));
  const start = performance.now();
  for (let i = 0; i < EVENTS; i += BURST) {
    for (let j = i; j < Math.min(EVENTS, i + BURST); j++) {
      fedAt[j] = performance.now();
      server.feed(firstId + j, j);
    }
    await new Promise((r) => setImmediate(r));
  }
  await finished;
  const seconds = (lastAt - start) / 1_000;
  for (const ws of clients) ws.close();
  return { eventsPerSec: Math.round(EVENTS / seconds), deliveriesPerSec: Math.round((EVENTS * CLIENTS) / seconds), latency: summarize(samples, received) };
}

export async function run(): Promise<void> {
  const gateway = await gatewayServer();
  const bare = await bareServer();
  const perRound: { gateway: RoundFigures; bare: RoundFigures }[] = [];
  await round(gateway); // warm-up, both
  await round(bare);
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? [gateway, bare] : [bare, gateway];
    const figures: Partial<Record<'gateway' | 'bare', RoundFigures>> = {};
    for (const s of order) figures[s === gateway ? 'gateway' : 'bare'] = await round(s);
    perRound.push(figures as { gateway: RoundFigures; bare: RoundFigures });
  }
  await gateway.close();
  await bare.close();
  const ms = (ns: number) => Number((ns / 1e6).toFixed(3));
  const side = (k: 'gateway' | 'bare') => ({
    eventsPerSecMedian: median(perRound.map((p) => p[k].eventsPerSec)),
    deliveriesPerSecMedian: median(perRound.map((p) => p[k].deliveriesPerSec)),
    p50MsMedian: ms(median(perRound.map((p) => p[k].latency.p50Ns))),
    p99MsMedian: ms(median(perRound.map((p) => p[k].latency.p99Ns))),
    maxMs: ms(Math.max(...perRound.map((p) => p[k].latency.maxNs))),
  });
  const figures = {
    clients: CLIENTS,
    eventsPerRound: EVENTS,
    rounds: ROUNDS,
    burst: BURST,
    gateway: side('gateway'),
    bare: side('bare'),
    throughputRatioMedian: Number(median(perRound.map((p) => p.gateway.eventsPerSec / p.bare.eventsPerSec)).toFixed(3)),
    p50LatencyRatioMedian: Number(median(perRound.map((p) => p.gateway.latency.p50Ns / p.bare.latency.p50Ns)).toFixed(3)),
    p99LatencyRatioMedian: Number(median(perRound.map((p) => p.gateway.latency.p99Ns / p.bare.latency.p99Ns)).toFixed(3)),
  };
  const g = figures.gateway;
  const b = figures.bare;
  process.stdout.write(
    `ws fan-out to ${CLIENTS} clients, ${EVENTS} trade events × ${ROUNDS} rounds\n` +
      `  gateway streams: ${g.eventsPerSecMedian} events/s (${g.deliveriesPerSecMedian} deliveries/s), p50 ${g.p50MsMedian} ms, p99 ${g.p99MsMedian} ms\n` +
      `  bare ws:         ${b.eventsPerSecMedian} events/s (${b.deliveriesPerSecMedian} deliveries/s), p50 ${b.p50MsMedian} ms, p99 ${b.p99MsMedian} ms\n` +
      `  ratio gateway/bare: throughput ${figures.throughputRatioMedian}×, p50 latency ${figures.p50LatencyRatioMedian}×, p99 latency ${figures.p99LatencyRatioMedian}×\n`,
  );
  process.stdout.write(`  → ${writeResults('ws-fanout', figures)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
