// CPU time per process over a window of the run (Linux /proc): which process a 2-core
// machine's cores went to while the cluster traded. Plain Node ESM, like the launcher.
//
// A process's CPU is utime + stime from /proc/<pid>/stat, in clock ticks of 1/100 s
// (USER_HZ, which Linux fixes at 100 for user space); the launcher's own comes from
// process.cpuUsage(). Where /proc cannot be read (another OS, a process gone) the row
// is left out, never guessed.
import { readFileSync } from 'node:fs';

const TICKS_PER_S = 100;

/** CPU ms used so far by `pid`, or null when /proc does not say. */
export function processCpuMs(pid) {
  if (pid === process.pid) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the line)
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_S : null;
  } catch {
    return null;
  }
}

/**
 * Starts a window over `processes` ({ name, pid }). `sample()` (call it now and then)
 * keeps each process's latest reading, so one that exits before the window ends (the
 * simulated gateway ends with the trading) is counted up to its last reading. `stop()`
 * returns, per process read at the start and at least once after, `{ name, cpuPercent }`
 * (100 = one core busy for the process's part of the window), busiest first, and their sum.
 */
export function startCpuWindow(processes) {
  const t0 = performance.now();
  const tracked = processes
    .filter((p) => p.pid !== undefined)
    .map((p) => ({ name: p.name, pid: p.pid, startMs: processCpuMs(p.pid), lastMs: null, lastAt: t0 }));
  const sample = () => {
    const now = performance.now();
    for (const p of tracked) {
      const cpuMs = processCpuMs(p.pid);
      if (cpuMs !== null) Object.assign(p, { lastMs: cpuMs, lastAt: now });
    }
  };
  return {
    sample,
    stop() {
      sample();
      const rows = [];
      for (const p of tracked) {
        if (p.startMs === null || p.lastMs === null) continue;
        rows.push({ name: p.name, cpuPercent: (100 * (p.lastMs - p.startMs)) / Math.max(p.lastAt - t0, 1) });
      }
      rows.sort((a, b) => b.cpuPercent - a.cpuPercent);
      return { wallS: (performance.now() - t0) / 1000, rows, totalPercent: rows.reduce((a, r) => a + r.cpuPercent, 0) };
    },
  };
}
