// The same wall clock as libs/runtime wallClockNs: ns since the epoch from the
// process's time origin plus the monotonic clock. Producer and consumer are separate
// processes on one machine; both anchor on the system clock at start-up, so their
// stamps agree to well under a millisecond.
export const wallClockNs = () => Math.round((performance.timeOrigin + performance.now()) * 1e6);
