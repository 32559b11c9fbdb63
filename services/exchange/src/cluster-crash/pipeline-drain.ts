/**
 * When the cluster's stages have applied everything on their topics: every group
 * has committed every partition of its input topics up to its end, with the same
 * ends, on two checks in a row (an output still on its way from a stage that
 * committed its input shows as a moved end on the second check), and the current
 * life of each stage has finished its ordered replay (a replaying stage holds
 * messages it has committed but not yet applied). Used at the end of the crash test
 * and, after every command, by the mode-equivalence run, which feeds the cluster one
 * command at a time: one admin connection serves every check.
 */
import { kafkaGroupId } from '@perpcore/bus';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import type { StageProcess } from './stage-process.js';
import type { EndOffsets } from './topic-contents.js';

export interface DrainOptions {
  readonly brokers: readonly string[];
  /** Each stage's consumer-group base name and the topics it consumes. */
  readonly groups: readonly { readonly source: string; readonly topics: readonly string[] }[];
  readonly stages: readonly StageProcess[];
  readonly timeoutMs?: number;
  readonly pollMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const sameEnds = (a: EndOffsets, b: EndOffsets): boolean => {
  for (const [topic, partitions] of a) for (const [partition, end] of partitions) if (b.get(topic)?.get(partition) !== end) return false;
  return true;
};

export class PipelineDrain {
  private readonly groups: { group: string; topic: string }[];
  private readonly topics: string[];

  private constructor(
    private readonly admin: Admin,
    private readonly options: DrainOptions,
  ) {
    this.groups = options.groups.flatMap((g) => g.topics.map((topic) => ({ group: kafkaGroupId(g.source, topic), topic })));
    this.topics = [...new Set(this.groups.map((g) => g.topic))];
  }

  static async open(options: DrainOptions): Promise<PipelineDrain> {
    const admin = new Kafka({ clientId: `drain-${process.pid}`, brokers: [...options.brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    return new PipelineDrain(admin, options);
  }

  /** Resolves with the ends of the first of the two checks (everything before them was applied); throws naming who is behind past the timeout. */
  async drained(): Promise<EndOffsets> {
    const timeoutMs = this.options.timeoutMs ?? 180_000;
    const deadline = Date.now() + timeoutMs;
    let previous: EndOffsets | null = null;
    for (;;) {
      const behind = await this.behind();
      if (behind.who === '') {
        if (previous !== null && sameEnds(previous, behind.ends)) return previous;
        previous = behind.ends;
      } else {
        previous = null;
      }
      if (Date.now() > deadline) throw new Error(`the pipeline did not drain within ${timeoutMs / 1000} s: ${behind.who}`);
      await sleep(this.options.pollMs ?? 300);
    }
  }

  async close(): Promise<void> {
    await this.admin.disconnect();
  }

  /** The topics' ends and the first group behind them ('' when none is). */
  private async behind(): Promise<{ ends: EndOffsets; who: string }> {
    const ends: EndOffsets = new Map(await Promise.all(this.topics.map(async (topic) => [topic, new Map((await this.admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]))] as const)));
    if (!this.options.stages.every((s) => s.current !== undefined && s.lines(s.current, 'ordered replay done').length > 0)) return { ends, who: 'a restart is still replaying' };
    const commits = await Promise.all(this.groups.map(async ({ group, topic }) => new Map(((await this.admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]))));
    for (let g = 0; g < this.groups.length; g++) {
      const { group, topic } = this.groups[g] as { group: string; topic: string };
      for (const [partition, end] of ends.get(topic) ?? []) {
        const at = commits[g]?.get(partition) ?? -1;
        if (end > 0 && at < end) return { ends, who: `${group} at ${topic}[${partition}] ${at} of ${end}` };
      }
    }
    return { ends, who: '' };
  }
}

/** One drain on a connection of its own. */
export async function drainPipeline(options: DrainOptions): Promise<EndOffsets> {
  const drain = await PipelineDrain.open(options);
  try {
    return await drain.drained();
  } finally {
    await drain.close();
  }
}
