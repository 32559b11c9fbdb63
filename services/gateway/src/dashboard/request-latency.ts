/**
 * The gateway's request latency over the last interval, read from its own
 * Prometheus histogram (`perpcore_gateway_request_duration_seconds`, ops/gateway-metrics.ts),
 * so the dashboard and /metrics agree. A histogram keeps bucket counts, not samples:
 * a percentile is reported as the upper bound of the bucket it falls in
 * ("p99 ≤ 2.5 ms"), never interpolated. Routes are summed (REST as a whole) and the
 * order entry route (`POST /fapi/v1/order`) is shown on its own.
 */
import type { Registry } from 'prom-client';

export const REQUEST_DURATION_METRIC = 'perpcore_gateway_request_duration_seconds';
const ORDER_ROUTE = '/fapi/v1/order';

export interface LatencyFigures {
  readonly scope: string;
  readonly requests: number;
  /** Upper bucket bounds in ms; null when no request finished in the interval. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

interface BucketCounts {
  /** Cumulative count per upper bound (seconds), bounds ascending. */
  readonly bounds: number[];
  readonly counts: number[];
}

export class RequestLatency {
  private previous = new Map<string, BucketCounts>();

  constructor(private readonly registry: Registry) {}

  /** p50 / p99 of the requests answered since the previous call. */
  async sample(): Promise<LatencyFigures[]> {
    const metric = this.registry.getSingleMetric(REQUEST_DURATION_METRIC);
    if (metric === undefined) return [];
    // the histogram's values carry their series name (_bucket, _sum, _count)
    const { values } = (await metric.get()) as { values: { metricName?: string; labels: Record<string, string | number>; value: number }[] };
    const current = new Map<string, BucketCounts>([
      ['REST (all routes)', { bounds: [], counts: [] }],
      [`POST ${ORDER_ROUTE}`, { bounds: [], counts: [] }],
    ]);
    for (const v of values) {
      if (v.metricName !== `${REQUEST_DURATION_METRIC}_bucket`) continue;
      const le = v.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(v.labels.le);
      add(current.get('REST (all routes)') as BucketCounts, le, v.value);
      // the histogram is labelled by route only: the order route's bucket is POST (its GET/PUT/DELETE share the template)
      if (v.labels.route === ORDER_ROUTE) add(current.get(`POST ${ORDER_ROUTE}`) as BucketCounts, le, v.value);
    }
    const out: LatencyFigures[] = [];
    for (const [scope, now] of current) out.push(intervalFigures(scope, now, this.previous.get(scope)));
    this.previous = current;
    return out;
  }
}

function add(into: BucketCounts, le: number, count: number): void {
  const i = into.bounds.indexOf(le);
  if (i >= 0) into.counts[i] += count;
  else {
    into.bounds.push(le);
    into.counts.push(count);
  }
}

/** Percentiles of the difference between two cumulative histograms (exported for its test). */
export function intervalFigures(scope: string, now: BucketCounts, before: BucketCounts | undefined): LatencyFigures {
  const order = now.bounds.map((b, i) => [b, now.counts[i] - countAt(before, b)] as const).sort((a, b) => a[0] - b[0]);
  const requests = order.length === 0 ? 0 : order[order.length - 1][1];
  const at = (q: number): number | null => {
    if (requests <= 0) return null;
    const need = Math.ceil(q * requests);
    const hit = order.find(([, c]) => c >= need);
    return hit === undefined || !Number.isFinite(hit[0]) ? null : hit[0] * 1_000;
  };
  return { scope, requests: Math.max(requests, 0), p50Ms: at(0.5), p99Ms: at(0.99) };
}

function countAt(counts: BucketCounts | undefined, bound: number): number {
  if (counts === undefined) return 0;
  const i = counts.bounds.indexOf(bound);
  return i < 0 ? 0 : counts.counts[i];
}
