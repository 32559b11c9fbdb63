/**
 * Kafka offsets for recovery: a group's committed offsets, and consuming from given
 * ones. A stage restored from a snapshot must read its topics from the offsets its
 * state includes, which can be behind what its group committed (the group commits
 * as it goes; snapshots are taken now and then), and a stage with no usable snapshot
 * must know whether its group has consumed anything before (then starting empty
 * would be wrong).
 */
import type { Admin, Consumer } from 'kafkajs';

/** The group's committed offset (next to consume) per partition of `topic`; partitions without a commit are left out. */
export async function fetchCommittedOffsets(admin: Admin, kafkaGroupId: string, topic: string): Promise<Record<number, number>> {
  const out: Record<number, number> = {};
  const answer = await admin.fetchOffsets({ groupId: kafkaGroupId, topics: [topic] });
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
