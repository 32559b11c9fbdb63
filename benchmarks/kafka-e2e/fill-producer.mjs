// Benchmark child: the fill producer. The real matching engine, driven in-process by
// the seeded simulated flow (as a matching shard whose input is already sequenced),
// publishes what the matching service publishes in cluster mode (every event on
// matching.events.v1, fills and order state; book deltas conflated per slice on
// matching.market-data.v1; nothing reads a per-account copy in cluster mode, so none
// is written) through the real KafkaBus with the batch size and linger under test. Each command
// is stamped with the wall clock as it is applied, so a fill's tsNs is the moment it
// was created (matching is synchronous).
//
// Backpressure: at most two flushes' worth of commands are unacknowledged (publish
// never blocks; an unpaced flow would otherwise queue without bound). The time from
// a slice's first command to the broker's acknowledgement of the slice is reported
// too: it splits the end-to-end latency into producer side and consumer side.
//
// IPC: ready → (parent: go) → progress … → done.
import { KafkaBus, Topics } from '@perpcore/bus';
import { BookDeltaConflator, MatchingEngine } from '@perpcore/matching';
import { defaultMarketSpecs, simulatedOrderFlowConfig } from '@perpcore/markets';
import { createLogger } from '@perpcore/observability';
import { createFastOrderBook } from '@perpcore/orderbook';
import { OrderFlowSimulation } from '@perpcore/simulation';
import { feedBackToFlow, SimOrderGateway } from '../../services/exchange/dist/sim-order-gateway.js';
import { wallClockNs } from './wall-clock.mjs';

const cfg = JSON.parse(process.env.BENCH_CONFIG);
const FLUSH_EVERY_COMMANDS = cfg.sliceCommands ?? 500;

const bus = await KafkaBus.connect({
  brokers: cfg.brokers,
  clientId: 'bench-producer',
  logger: createLogger('bench-producer', 'warn'),
  batchMaxMessages: cfg.batchMaxMessages,
  lingerMs: cfg.lingerMs,
});
await bus.ensureTopic(Topics.matchingEvents.name, Topics.matchingEvents.partitions);
await bus.ensureTopic(Topics.matchingMarketData.name, Topics.matchingMarketData.partitions);
const marketData = new BookDeltaConflator((event) => bus.publish(Topics.matchingMarketData, event));

let fills = 0;
let messages = 0;
let firstFillNs = 0;
let lastFillNs = 0;
let flow;
const marketIndex = new Map(defaultMarketSpecs.map((m, i) => [m.symbol, i]));
const engine = new MatchingEngine({
  markets: defaultMarketSpecs,
  createBook: createFastOrderBook,
  publish: (event) => {
    if (event.event === 'bookDelta') {
      marketData.add(event);
      return;
    }
    bus.publish(Topics.matchingEvents, event);
    messages++;
    if (event.event === 'filled') {
      fills++;
      if (firstFillNs === 0) firstFillNs = event.tsNs;
      lastFillNs = event.tsNs;
    }
    feedBackToFlow(flow, marketIndex, event);
  },
});
const toMatching = { publish: (_topic, command) => engine.handle(command) };
const gateway = new SimOrderGateway(toMatching, Topics.matchingCommands, 'bench-sim');
flow = new OrderFlowSimulation(simulatedOrderFlowConfig(cfg.seed), gateway);

process.send({ type: 'ready' });
await new Promise((resolve) => process.once('message', resolve));

const startMs = performance.now();
const endMs = startMs + cfg.durationS * 1000;
let pendingFlush = null;
const ackMs = [];
let sliceEndNs = wallClockNs();
let lastReportMs = startMs;
const progress = () => process.send({ type: 'progress', fills, messages, commands: gateway.commandsSent, atMs: performance.now() - startMs });
while (performance.now() < endMs) {
  const nowMs = performance.now();
  const due = cfg.ratePerS > 0 ? Math.min(FLUSH_EVERY_COMMANDS, Math.floor(((nowMs - startMs) / 1000) * cfg.ratePerS) - gateway.commandsSent) : FLUSH_EVERY_COMMANDS;
  for (let i = 0; i < due; i++) {
    gateway.tsNs = wallClockNs();
    flow.step();
  }
  marketData.flush(); // one conflated set of book deltas per slice
  if (pendingFlush !== null) await pendingFlush; // the previous slice is on the broker
  const sliceStartNs = sliceEndNs;
  sliceEndNs = wallClockNs();
  // a slice's oldest command waited this long for the broker's acknowledgement (acks=all)
  pendingFlush = bus.flush().then(() => ackMs.push((wallClockNs() - sliceStartNs) / 1e6));
  if (due <= 0) await new Promise((resolve) => setTimeout(resolve, 1));
  if (nowMs - lastReportMs >= 1000) {
    progress();
    lastReportMs = nowMs;
  }
}
await pendingFlush;
await bus.flush();
const elapsedMs = performance.now() - startMs;
ackMs.sort((a, b) => a - b);
const ack = { slices: ackMs.length, p50Ms: ackMs[ackMs.length >> 1], p99Ms: ackMs[Math.floor(ackMs.length * 0.99)] };
process.send({ type: 'done', fills, messages, commands: gateway.commandsSent, elapsedMs, firstFillNs, lastFillNs, ack, traffic: bus.traffic() });
await bus.close();
process.exit(0);
