/**
 * Kafka offsets for recovery: a group's committed offsets, and consuming from given
 * ones. A stage restored from a snapshot must read its topics from the offsets its
 * state includes, which can be behind what its group committed (the group commits
 * as it goes; snapshots are taken now and then), and a stage with no usable snapshot
 * must know whether its group has consumed anything before (then starting empty
 * would be wrong).
 */
import type { Admin, Consumer } from 'kafkajs';

/**
 * The group's committed offset (next to consume) per partition of `topic`; partitions
 * without a commit are left out. A retriable answer (a broker that has just started
 * is still loading its offsets topic: "coordinator is loading", "not the correct
 * coordinator") is asked again with backoff for up to `retryForMs`: before, a stage
 * started on a fresh broker failed its recovery check with it and exited.
 */
export async function fetchCommittedOffsets(admin: Pick<Admin, 'fetchOffsets'>, kafkaGroupId: string, topic: string, retryForMs = 30_000): Promise<Record<number, number>> {
  const out: Record<number, number> = {};
  const deadline = Date.now() + retryForMs;
  let answer: Awaited<ReturnType<Admin['fetchOffsets']>>;
  for (let delayMs = 100; ; delayMs = Math.min(delayMs * 2, 2_000)) {
    try {
      answer = await admin.fetchOffsets({ groupId: kafkaGroupId, topics: [topic] });
      break;
    } catch (error) {
      if ((error as { retriable?: boolean }).retriable !== true || Date.now() + delayMs > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
  for (const t of answer) {
    for (const p of t.partitions) {
      const offset = Number(p.offset);
      if (Number.isSafeInteger(offset) && offset >= 0) out[p.partition] = offset;
    }
  }
  return out;
}

/** After `consumer.run`: moves each listed partition to its start offset (kafkajs applies it on assignment). */
export function seekToStartOffsets(consumer: Consumer, topic: string, startOffsets: Readonly<Record<number, number>> | undefined): void {
  if (startOffsets === undefined) return;
  for (const [partition, offset] of Object.entries(startOffsets)) consumer.seek({ topic, partition: Number(partition), offset: String(offset) });
}
