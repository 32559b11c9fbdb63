/** The closing summary of a run: what went through each stage and how fast. */
import type { StageCounters } from './embedded-exchange.js';

function rate(n: number, seconds: number): string {
  return Math.round(n / Math.max(seconds, 1e-9)).toLocaleString('en-US');
}

export function formatSummary(c: StageCounters, elapsedS: number, stateHash: string): string {
  const rows: [string, string, string][] = [
    ['orders sent (gateway)', c.commandsSent.toLocaleString('en-US'), `${rate(c.commandsSent, elapsedS)}/s`],
    ['commands matched (matching)', c.matchingCommands.toLocaleString('en-US'), `${rate(c.matchingCommands, elapsedS)}/s`],
    ['matching events', c.matchingEvents.toLocaleString('en-US'), `${rate(c.matchingEvents, elapsedS)}/s`],
    ['fills', c.fills.toLocaleString('en-US'), `${rate(c.fills, elapsedS)}/s`],
    ['rejects', c.rejects.toLocaleString('en-US'), ''],
    ['resting orders at end', c.restingOrders.toLocaleString('en-US'), ''],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  const lines = rows.map(([k, v, r]) => `  ${k.padEnd(width)}  ${v.padStart(12)}  ${r}`);
  return `\nPerpcore embedded run: ${elapsedS.toFixed(1)} s\n${lines.join('\n')}\n  state hash  ${stateHash}\n`;
}
