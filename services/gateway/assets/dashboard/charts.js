// uPlot charts of the console: a cumulative depth chart and rolling time series.
// Numbers here are for drawing only (floats from the exact decimal strings the
// gateway sends); every figure printed as text keeps the gateway's decimals.
// Each chart's container carries data-drawn="true" and data-points once it has
// drawn real data (the browser test reads them).
import uPlot from './uPlot.esm.js';

const AXIS = { stroke: '#8b97a8', grid: { stroke: 'rgba(139,151,168,0.12)', width: 1 }, ticks: { stroke: 'rgba(139,151,168,0.25)', width: 1 }, font: '11px "JetBrains Mono", ui-monospace, monospace' };

function sized(el, opts) {
  const width = () => Math.max(el.clientWidth, 200);
  const chart = new uPlot({ ...opts, width: width(), height: opts.height }, opts.data, el);
  new ResizeObserver(() => chart.setSize({ width: width(), height: opts.height })).observe(el);
  return chart;
}

function markDrawn(el, points) {
  el.dataset.points = String(points);
  if (points > 0) el.dataset.drawn = 'true';
}

/** Bids and asks as cumulative quantity against price (steps), best prices meeting in the middle. */
export function depthChart(el, height = 210) {
  const empty = [[], [], []];
  const chart = sized(el, {
    height,
    data: empty,
    legend: { show: false },
    cursor: { points: { show: false } },
    scales: { x: { time: false } },
    axes: [{ ...AXIS, values: (_u, ticks) => ticks.map((t) => t.toLocaleString('en-US')) }, { ...AXIS, size: 56 }],
    series: [
      {},
      { label: 'bids', stroke: '#22c55e', fill: 'rgba(34,197,94,0.18)', width: 1.5, paths: uPlot.paths.stepped({ align: -1 }), points: { show: false } },
      { label: 'asks', stroke: '#ef4444', fill: 'rgba(239,68,68,0.18)', width: 1.5, paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } },
    ],
  });
  return {
    /** levels: [["price","qty"], …] best first, as the depth stream sends them. */
    update(bids, asks) {
      const b = bids.map(([p, q]) => [Number(p), Number(q)]);
      const a = asks.map(([p, q]) => [Number(p), Number(q)]);
      const xs = [];
      const bidSeries = [];
      const askSeries = [];
      let sum = 0;
      const bidCum = b.map(([p, q]) => [p, (sum += q)]).reverse();
      sum = 0;
      const askCum = a.map(([p, q]) => [p, (sum += q)]);
      for (const [p, c] of bidCum) {
        xs.push(p);
        bidSeries.push(c);
        askSeries.push(null);
      }
      for (const [p, c] of askCum) {
        xs.push(p);
        bidSeries.push(null);
        askSeries.push(c);
      }
      chart.setData([xs, bidSeries, askSeries]);
      markDrawn(el, b.length > 0 && a.length > 0 ? xs.length : 0);
    },
  };
}

/**
 * A rolling time series: `series` are {label, stroke, scale?}; push(tSeconds, values)
 * appends one point per series (null for a gap) and keeps the newest `capacity`.
 */
export function timeSeriesChart(el, { series, height = 210, capacity = 900, rightAxis = null, ready = (cols) => cols[0].length > 1 }) {
  const columns = [[], ...series.map(() => [])];
  const axes = [{ ...AXIS }, { ...AXIS, size: 64, values: (_u, ticks) => ticks.map((t) => t.toLocaleString('en-US', { maximumFractionDigits: 2 })) }];
  if (rightAxis !== null) axes.push({ ...AXIS, side: 1, scale: rightAxis.scale, size: 64, grid: { show: false }, values: rightAxis.values });
  const scales = { x: { time: true } };
  if (rightAxis !== null) scales[rightAxis.scale] = { auto: true };
  const chart = sized(el, {
    height,
    data: columns,
    legend: { live: false },
    cursor: { points: { size: 6 } },
    scales,
    axes,
    series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: s.width ?? 1.5, scale: s.scale ?? 'y', dash: s.dash, points: { show: false }, spanGaps: true }))],
  });
  return {
    push(tSeconds, values) {
      const last = columns[0][columns[0].length - 1];
      if (last !== undefined && tSeconds <= last) tSeconds = last + 0.001; // uPlot needs x strictly increasing
      columns[0].push(tSeconds);
      values.forEach((v, i) => columns[i + 1].push(v));
      if (columns[0].length > capacity) for (const c of columns) c.shift();
      chart.setData(columns);
      markDrawn(el, ready(columns) ? columns[0].length : 0);
    },
  };
}
