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
  /** Called after every comparison that found a topic behind, with each such partition's handled and target offsets. */
  readonly onBehind?: (behind: readonly ReplayLag[]) => void;
}

/** One partition a reader has not caught up on: `includedOffset` is the next offset it would read, `endOffset` the target. */
export interface ReplayLag {
  readonly topic: string;
  readonly partition: number;
  readonly includedOffset: number;
  readonly endOffset: number;
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
    const behind: ReplayLag[] = [];
    for (const { topic, end } of targets) lagsOf(topic.name, (bus.includedOffsets as NonNullable<Bus['includedOffsets']>)(groupId, topic.name), end, behind);
    if (behind.length === 0) return;
    options.onBehind?.(behind);
    if (Date.now() > deadline) throw new Error(`not caught up with ${[...new Set(behind.map((b) => b.topic))].join(', ')} within ${options.timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

function lagsOf(topic: string, included: ReadonlyMap<number, string>, end: ReadonlyMap<number, number>, out: ReplayLag[]): void {
  for (const [partition, endOffset] of end) {
    const includedOffset = Number(included.get(partition) ?? -1);
    if (includedOffset < endOffset) out.push({ topic, partition, includedOffset, endOffset });
  }
}
