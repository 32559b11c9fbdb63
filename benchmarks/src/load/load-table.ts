/** The report's closing table on stdout: one row per operation, latencies in ms. */
import type { LoadReport } from './load-run.js';

const ms = (us: number | null) => (us === null ? '-' : (us / 1000).toFixed(us < 10_000 ? 2 : 1));

export function formatLoadTable(report: LoadReport): string {
  const header = ['operation', 'sent', 'ok', 'rejected', 'errors', 'p50', 'p90', 'p99', 'p99.9', 'max'];
  const rows = Object.entries(report.operations).map(([op, f]) => [op, String(f.sent), String(f.ok), String(f.rejected), String(f.errors), ms(f.p50Us), ms(f.p90Us), ms(f.p99Us), ms(f.p999Us), ms(f.maxUs)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  const s = report.settings;
  const t = report.totals;
  const out = [
    `load: ${report.scenario.name} via ${s.api} against ${s.target} (${report.targetCommand})`,
    `      ${s.ratePerS}/s base (peak ${s.peakRatePerS}/s) for ${s.durationS} s, ${s.accounts} accounts, ${s.connections} connections, markets ${s.markets.join(',')}, seed ${s.seed}`,
    `      load average ${report.machine.loadAverage1mAtStart} → ${report.machine.loadAverage1mAtEnd} (${report.machine.cores} cores); harness lag max ${report.harnessLagMaxMs} ms`,
    ...report.notes.map((n) => `note: ${n}`),
    '',
    `${line(header)}   (latency in ms from the intended send time)`,
    ...rows.map(line),
    '',
    `scheduled ${t.scheduled}, ok ${t.ok}, rejected ${t.rejected}, errors ${t.errors}; ${t.answeredPerS}/s answered over ${t.elapsedS} s`,
    ...Object.entries(report.operations).flatMap(([op, f]) => [
      ...(Object.keys(f.rejectCodes).length > 0 ? [`  ${op} rejected: ${Object.entries(f.rejectCodes).map(([c, n]) => `${c}×${n}`).join(', ')}`] : []),
      ...(Object.keys(f.errorReasons).length > 0 ? [`  ${op} errors: ${Object.entries(f.errorReasons).map(([c, n]) => `${c}×${n}`).join(', ')}`] : []),
    ]),
    `observed: ${Object.entries(report.observed).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  ];
  return `${out.join('\n')}\n`;
}
