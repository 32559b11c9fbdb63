// Benchmark child: the settlement consumer. The real risk service (createRiskService,
// per-market input matching.events.v1, as the cluster's risk shard) over the real KafkaBus, with the
// default venue. It settles every fill leg; the moment risk emits a fill's
// PositionSettledV1 (maker leg: one sample per fill) minus the fill's tsNs (its
// creation time in the producer) is the latency sample. Deposits come first so no
// account trades on an empty balance.
//
// IPC: ready (subscribed) → deposits (all accepted) → progress … ; on `report` the
// latency percentiles and counts.
import { KafkaBus, Topics } from '@perpcore/bus';
import { defaultSettleAsset, defaultSystemAccounts, defaultVenueMarkets } from '@perpcore/markets';
import { createLogger } from '@perpcore/observability';
import { createRiskService } from '@perpcore/risk';
import { wallClockNs } from './wall-clock.mjs';

const cfg = JSON.parse(process.env.BENCH_CONFIG);
const MAKER = 1;

const kafka = await KafkaBus.connect({
  brokers: cfg.brokers,
  clientId: 'bench-consumer',
  logger: createLogger('bench-consumer', 'warn'),
  batchMaxMessages: cfg.batchMaxMessages,
  lingerMs: cfg.lingerMs,
});

let depositsAccepted = 0;
let settled = 0;
let firstSettleNs = 0;
let lastSettleNs = 0;
let samples = new Float64Array(1 << 20);
let fillNs = new Float64Array(1 << 20);
const record = (event) => {
  if (event.event === 'positionSettled') {
    if (event.positionSettled.liquidity !== MAKER) return;
    const now = wallClockNs();
    if (settled === samples.length) {
      const grow = (a) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      samples = grow(samples);
      fillNs = grow(fillNs);
    }
    samples[settled] = (now - event.tsNs) / 1e6;
    fillNs[settled] = event.tsNs;
    settled++;
    if (firstSettleNs === 0) firstSettleNs = now;
    lastSettleNs = now;
  } else if (event.event === 'commandAccepted') {
    depositsAccepted++;
    if (depositsAccepted === cfg.accounts) process.send({ type: 'deposits' });
  }
};
// Observe risk's output at the port: the sample is taken when risk has settled the leg.
const bus = {
  publish(topic, value) {
    if (topic === Topics.riskAccountEvents) record(value);
    kafka.publish(topic, value);
  },
  flush: () => kafka.flush(),
  subscribe: (topic, options, handler) => kafka.subscribe(topic, options, handler),
  close: () => kafka.close(),
};

const service = await createRiskService({
  bus,
  logger: createLogger('bench-risk', 'warn'),
  matchingInput: 'market',
  groupId: 'risk-bench',
  config: { source: 'risk-bench', settleAsset: defaultSettleAsset, markets: defaultVenueMarkets(), feeAccountId: defaultSystemAccounts.feeAccountId, insuranceFunds: defaultSystemAccounts.insuranceFunds },
});
process.send({ type: 'ready' });
const timer = setInterval(() => process.send({ type: 'progress', settled }), 1000);

function percentiles(from) {
  const xs = samples.slice(from, settled).sort();
  if (xs.length === 0) return null;
  const at = (q) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))];
  return { fills: xs.length, p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99), p999Ms: at(0.999), maxMs: xs[xs.length - 1] };
}

process.on('message', async (m) => {
  if (m.type !== 'report') return;
  // steady state: fills created after the first second of the run (group joins, JIT, first batches excluded)
  let warm = 0;
  while (warm < settled && fillNs[warm] < fillNs[0] + 1e9) warm++;
  process.send({ type: 'report', settled, firstSettleNs, lastSettleNs, all: percentiles(0), steady: percentiles(warm), audit: service.engine.audit().ok, traffic: kafka.traffic() });
  clearInterval(timer);
  await service.close();
  await kafka.close();
  process.exit(0);
});
