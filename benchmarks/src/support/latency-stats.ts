/** Percentiles of a latency sample (nanoseconds), by sorting a copy: done once per pass, after timing. */
export interface LatencySummary {
  p50Ns: number;
  p99Ns: number;
  p999Ns: number;
  maxNs: number;
  /** Commands over 1 ms. */
  over1msCount: number;
}

export function summarize(samplesNs: Float64Array, count: number): LatencySummary {
  const sorted = samplesNs.slice(0, count).sort();
  const at = (q: number) => sorted[Math.min(count - 1, Math.floor(q * count))];
  let over = 0;
  for (let i = count - 1; i >= 0 && sorted[i] > 1_000_000; i--) over++;
  return { p50Ns: at(0.5), p99Ns: at(0.99), p999Ns: at(0.999), maxNs: sorted[count - 1], over1msCount: over };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
