/**
 * Waiting until a reader holds everything published before it started: a process
 * whose state is a fold of topics (a restarted gateway's read models) must not
 * answer from a prefix of them. The targets are the topics' end offsets taken once,
 * at the call; records published later are live traffic, not history.
 */
import type { Bus, Topic } from './bus.js';

export interface CatchUpOptions {
  /** How often the handled offsets are compared with the targets (default 50 ms). */
  readonly pollMs?: number;
  /** Gives up (rejects) after this long (default: never). */
  readonly timeoutMs?: number;
}

/**
 * Resolves once (groupId, topic) has handled every record each topic held when this
 * was called. A bus without offsets (in-process: delivery is synchronous) resolves at once.
 */
export async function caughtUp(bus: Bus, groupId: string, topics: readonly Topic<unknown>[], options: CatchUpOptions = {}): Promise<void> {
  if (bus.endOffsets === undefined || bus.includedOffsets === undefined) return;
  const targets = await Promise.all(topics.map(async (topic) => ({ topic, end: await (bus.endOffsets as NonNullable<Bus['endOffsets']>)(topic) })));
  const pollMs = options.pollMs ?? 50;
  const deadline = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
  for (;;) {
    const behind = targets.filter(({ topic, end }) => !reached((bus.includedOffsets as NonNullable<Bus['includedOffsets']>)(groupId, topic.name), end));
    if (behind.length === 0) return;
    if (Date.now() > deadline) throw new Error(`not caught up with ${behind.map((b) => b.topic.name).join(', ')} within ${options.timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

function reached(included: ReadonlyMap<number, string>, end: ReadonlyMap<number, number>): boolean {
  for (const [partition, endOffset] of end) if (Number(included.get(partition) ?? -1) < endOffset) return false;
  return true;
}
