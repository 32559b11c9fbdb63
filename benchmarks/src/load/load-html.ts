/**
 * The self-contained HTML report: settings, the per-operation table, and three
 * inline SVG charts (p50 / p99 latency per second, throughput per second beside
 * the intended rate, and the whole run's percentile curve). No script, no fonts,
 * no network: it opens from disk anywhere.
 */
import type { LoadReport } from './load-run.js';
import { type ChartLine, escapeHtml, svgLineChart } from './svg-line-chart.js';

const ms = (us: number | null) => (us === null ? '-' : (us / 1000).toFixed(2));

/** The percentile curve's x: log10(1 / (1 − p)), so 90, 99, 99.9 and 99.99 are evenly spaced. */
const nines = (p: number) => Math.log10(1 / Math.max(1e-6, 1 - p / 100));

export function formatLoadHtml(report: LoadReport): string {
  const ops = Object.keys(report.operations);
  const latency: ChartLine[] = ops.flatMap((op) => [
    { name: `${op} p99`, points: (report.series[op] ?? []).filter((s) => s.p99Us !== null).map((s) => [s.second, (s.p99Us as number) / 1000] as const) },
    { name: `${op} p50`, dashed: true, points: (report.series[op] ?? []).filter((s) => s.p50Us !== null).map((s) => [s.second, (s.p50Us as number) / 1000] as const) },
  ]);
  const throughput: ChartLine[] = [
    { name: 'intended rate', dashed: true, points: report.intendedRatePerS.map((r, i) => [i, r] as const) },
    ...ops.map((op) => ({ name: `${op} done/s`, points: (report.series[op] ?? []).map((s) => [s.second, s.done] as const) })),
  ];
  const curve: ChartLine[] = ops.map((op) => ({ name: op, points: report.operations[op]?.curve.map(([p, us]) => [nines(p), us / 1000] as const) ?? [] }));
  const s = report.settings;
  const rows = Object.entries(report.operations)
    .map(([op, f]) => `<tr><td>${escapeHtml(op)}</td><td>${f.sent}</td><td>${f.ok}</td><td>${f.rejected}</td><td>${f.errors}</td><td>${ms(f.p50Us)}</td><td>${ms(f.p90Us)}</td><td>${ms(f.p99Us)}</td><td>${ms(f.p999Us)}</td><td>${ms(f.maxUs)}</td></tr>`)
    .join('\n');
  const codes = Object.entries(report.operations)
    .flatMap(([op, f]) => [
      ...Object.entries(f.rejectCodes).map(([c, n]) => `<li>${escapeHtml(op)} rejected ${escapeHtml(c)}: ${n}</li>`),
      ...Object.entries(f.errorReasons).map(([c, n]) => `<li>${escapeHtml(op)} error ${escapeHtml(c)}: ${n}</li>`),
    ])
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Perpcore load report: ${escapeHtml(report.scenario.name)}</title>
<style>body{font-family:sans-serif;margin:24px;max-width:1000px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}pre{background:#f6f6f6;padding:8px;overflow-x:auto}</style></head>
<body>
<h1>Load report: ${escapeHtml(report.scenario.name)}</h1>
<p>${escapeHtml(report.scenario.description)}</p>
<p>Started ${escapeHtml(report.startedAt)}. API <b>${escapeHtml(s.api)}</b> (${escapeHtml(report.driver)}) against <b>${escapeHtml(s.target)}</b> (<code>${escapeHtml(report.targetCommand)}</code>).
Base rate ${s.ratePerS}/s (peak ${s.peakRatePerS}/s) for ${s.durationS} s, ${s.accounts} accounts, ${s.connections} connections, markets ${escapeHtml(s.markets.join(', '))}, seed ${s.seed}.
Machine: ${report.machine.cores} cores, load average ${report.machine.loadAverage1mAtStart} at start, ${report.machine.loadAverage1mAtEnd} at end; node ${escapeHtml(report.machine.node)}. Harness lag (latest send behind its intended time): ${report.harnessLagMaxMs} ms.</p>
${report.notes.map((n) => `<p><b>Note:</b> ${escapeHtml(n)}</p>`).join('\n')}
<h2>Latency from the intended send time (ms)</h2>
<table><tr><th>operation</th><th>sent</th><th>ok</th><th>rejected</th><th>errors</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>
${rows}
</table>
<p>Scheduled ${report.totals.scheduled}, ok ${report.totals.ok}, rejected ${report.totals.rejected}, errors ${report.totals.errors}; ${report.totals.answeredPerS}/s answered over ${report.totals.elapsedS} s.
Observed: ${escapeHtml(Object.entries(report.observed).map(([k, v]) => `${k} ${v}`).join(', '))}.</p>
<ul>${codes}</ul>
${svgLineChart(latency, { title: 'Latency over time (per second)', xLabel: 'seconds into the run', yLabel: 'ms' })}
${svgLineChart(throughput, { title: 'Throughput (operations finished per second)', xLabel: 'seconds into the run', yLabel: 'per second' })}
${svgLineChart(curve, { title: 'Percentile curve (whole run)', xLabel: 'percentile', yLabel: 'ms', xTicks: [0, 50, 90, 99, 99.9, 99.99].map((p) => [nines(p), `${p}%`] as const) })}
${report.targetSummary === '' ? '' : `<h2>Target's closing summary</h2><pre>${escapeHtml(report.targetSummary)}</pre>`}
</body></html>
`;
}
