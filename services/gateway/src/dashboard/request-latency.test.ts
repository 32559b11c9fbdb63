import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { intervalFigures, REQUEST_DURATION_METRIC, RequestLatency } from './request-latency.js';

describe('request latency from the gateway histogram', () => {
  it('reports each percentile as the upper bound of its bucket, over the interval only', () => {
    const bounds = [0.001, 0.005, Number.POSITIVE_INFINITY];
    // cumulative: 5 requests ≤ 1 ms, 99 ≤ 5 ms, 100 in all
    assert.deepEqual(intervalFigures('x', { bounds, counts: [5, 99, 100] }, undefined), { scope: 'x', requests: 100, p50Ms: 5, p99Ms: 5 });
    // one more slow request: p99 needs 100 of 101 (ceil), past the last finite bound
    assert.deepEqual(intervalFigures('x', { bounds, counts: [5, 99, 101] }, undefined), { scope: 'x', requests: 101, p50Ms: 5, p99Ms: null });
    // the interval is the difference: 10 new requests, all ≤ 1 ms
    assert.deepEqual(intervalFigures('x', { bounds, counts: [15, 109, 110] }, { bounds, counts: [5, 99, 100] }), { scope: 'x', requests: 10, p50Ms: 1, p99Ms: 1 });
    assert.deepEqual(intervalFigures('x', { bounds, counts: [5, 99, 100] }, { bounds, counts: [5, 99, 100] }), { scope: 'x', requests: 0, p50Ms: null, p99Ms: null });
  });

  it('sums the routes and shows the order route on its own', async () => {
    const registry = new Registry();
    const h = new Histogram({ name: REQUEST_DURATION_METRIC, help: 'test', labelNames: ['route'], buckets: [0.001, 0.01], registers: [registry] });
    const latency = new RequestLatency(registry);
    for (let i = 0; i < 98; i++) h.observe({ route: '/fapi/v1/order' }, 0.0005);
    h.observe({ route: '/fapi/v1/depth' }, 0.005);
    h.observe({ route: '/fapi/v1/depth' }, 0.005);
    assert.deepEqual(await latency.sample(), [
      { scope: 'REST (all routes)', requests: 100, p50Ms: 1, p99Ms: 10 },
      { scope: 'POST /fapi/v1/order', requests: 98, p50Ms: 1, p99Ms: 1 },
    ]);
    h.observe({ route: '/fapi/v1/depth' }, 0.005);
    assert.deepEqual(await latency.sample(), [
      { scope: 'REST (all routes)', requests: 1, p50Ms: 10, p99Ms: 10 },
      { scope: 'POST /fapi/v1/order', requests: 0, p50Ms: null, p99Ms: null },
    ]);
  });
});
