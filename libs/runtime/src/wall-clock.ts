/**
 * The one wall clock of the cluster's composition roots: nanoseconds since the Unix
 * epoch as an integer-valued double (~1.8e18, beyond 2^53: the wire carries `…Ns`
 * fields bit-exactly, see libs/proto wire-range.ts). Sub-microsecond resolution from
 * the monotonic clock, anchored at the process's time origin, so it never steps
 * back within a process. Stages never read it: roots stamp inputs with it.
 */
export function wallClockNs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1e6);
}
