/**
 * A line chart as an inline SVG string (the HTML report is self-contained: no
 * script, no network). Linear axes; the percentile curve passes its x already
 * transformed (see load-html.ts) with its own tick labels.
 */
export interface ChartLine {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  readonly dashed?: boolean;
}

export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Custom x ticks [position, label]; default: 6 evenly spaced. */
  readonly xTicks?: readonly (readonly [number, string])[];
}

const W = 760;
const H = 300;
const PAD = { left: 64, right: 150, top: 28, bottom: 44 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const label = (v: number) => (Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toPrecision(3));

export function svgLineChart(lines: readonly ChartLine[], options: ChartOptions): string {
  const all = lines.flatMap((l) => l.points);
  const xMin = Math.min(...all.map((p) => p[0]), 0);
  const xMax = Math.max(...all.map((p) => p[0]), xMin + 1);
  const yMax = niceMax(Math.max(...all.map((p) => p[1]), 0));
  const sx = (x: number) => PAD.left + ((x - xMin) / (xMax - xMin)) * (W - PAD.left - PAD.right);
  const sy = (y: number) => H - PAD.bottom - (y / yMax) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`];
  parts.push(`<text x="${PAD.left}" y="16" font-size="13" font-weight="bold">${escapeHtml(options.title)}</text>`);
  for (let i = 0; i <= 5; i++) {
    const y = (yMax * i) / 5;
    parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${sy(y)}" y2="${sy(y)}" stroke="#ddd"/><text x="${PAD.left - 6}" y="${sy(y) + 4}" text-anchor="end">${label(y)}</text>`);
  }
  const xTicks = options.xTicks ?? Array.from({ length: 6 }, (_, i) => [xMin + ((xMax - xMin) * i) / 5, label(xMin + ((xMax - xMin) * i) / 5)] as const);
  for (const [x, text] of xTicks) parts.push(`<line x1="${sx(x)}" x2="${sx(x)}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom + 4}" stroke="#333"/><text x="${sx(x)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${escapeHtml(text)}</text>`);
  parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}" stroke="#333"/><line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#333"/>`);
  parts.push(`<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - 8}" text-anchor="middle">${escapeHtml(options.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${(PAD.top + H - PAD.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(options.yLabel)}</text>`);
  lines.forEach((line, i) => {
    const color = COLORS[i % COLORS.length] as string;
    if (line.points.length > 0) {
      const d = line.points.map((p, k) => `${k === 0 ? 'M' : 'L'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join('');
      parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.6"${line.dashed === true ? ' stroke-dasharray="5 3"' : ''}/>`);
    }
    const ly = PAD.top + 14 * i;
    parts.push(`<line x1="${W - PAD.right + 10}" x2="${W - PAD.right + 28}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${line.dashed === true ? ' stroke-dasharray="5 3"' : ''}/><text x="${W - PAD.right + 32}" y="${ly + 4}">${escapeHtml(line.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
