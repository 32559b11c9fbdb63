/**
 * Puts a cluster stage's inputs in one order and keeps it across restarts
 * (input-order-log.ts says why the order must survive a crash).
 *
 * - Live: every message (and every local input, e.g. a clock tick) is written to the
 *   log, then applied, in the order it arrives; nothing is held back.
 * - Replay (the log's entries after the restored snapshot, the "plan"): messages are
 *   applied in the plan's order whatever order the broker delivers them in. A message
 *   that arrives before its turn is copied and held; handlers never wait, because a
 *   kafkajs consumer fetches the next batch of any partition of its topic only once
 *   every batch in hand is done, so a handler waiting for another partition of the
 *   same topic could wait forever. A message past the plan's end on its partition is
 *   held until the plan is done, then applied (and logged) in arrival order; so are
 *   messages arriving meanwhile. Local inputs in the plan are applied with their
 *   logged value; live local inputs during the replay are dropped (a tick that
 *   is not taken is a later tick).
 * - A held message refused by its handler (`RejectedMessageError`) was refused the
 *   same way in the life that first read it, which dead-lettered it: it is reported,
 *   not dead-lettered again.
 */
import { type BusMessage, RejectedMessageError } from '@perpcore/bus';
import type { InputOrderEntry, InputOrderLog } from './input-order-log.js';

type Apply = (message: BusMessage<unknown>) => void | Promise<void>;

interface Held {
  readonly message: BusMessage<unknown>;
  readonly topic: number;
  readonly apply: Apply;
}

const key = (topic: number, partition: number, offset: number, index: number) => `${topic}|${partition}|${offset}|${index}`;

export interface InputSequencerEvents {
  /** A held message its handler refused during the replay. */
  readonly onReplayRefused?: (error: RejectedMessageError, where: { topic: number; partition: number; offset: number }) => void;
}

export class InputSequencer {
  private next = 0;
  private readonly held = new Map<string, Held>();
  /** Messages past the plan (or arriving while the plan is still being applied), in arrival order. */
  private readonly after: Held[] = [];
  /** Per topic|partition, the plan's last (offset, index) there. */
  private readonly planEnd = new Map<string, [number, number]>();
  private readonly locals = new Map<number, (value: number) => void>();
  private draining = false;
  private waiting = false;
  /** Live local inputs dropped while the replay ran. */
  localsDropped = 0;

  constructor(
    private readonly log: InputOrderLog,
    private readonly plan: readonly InputOrderEntry[],
    private readonly events: InputSequencerEvents = {},
  ) {
    for (const e of plan) if (e.kind === 'message') this.planEnd.set(`${e.topic}|${e.partition}`, [e.offset, e.indexInRecord]);
  }

  /** True until every planned input and every message held behind them is applied. */
  get replaying(): boolean {
    return this.next < this.plan.length || this.after.length > 0 || this.waiting;
  }

  /** Planned inputs still to apply (the stall report names the next one). */
  get remaining(): number {
    return this.plan.length - this.next;
  }

  /** What the replay waits for, for a log line; null when it is not waiting. */
  waitingFor(): InputOrderEntry | null {
    return this.next < this.plan.length ? (this.plan[this.next] as InputOrderEntry) : null;
  }

  /** Registers how a local input kind is applied (before the stage starts consuming). */
  onLocal(input: number, apply: (value: number) => void): void {
    this.locals.set(input, apply);
  }

  /** A local input from the process (a clock tick): logged and applied, or dropped during the replay. */
  local(input: number, value: number): void {
    const apply = this.locals.get(input);
    if (apply === undefined) throw new Error(`local input ${input} has no registered handler`);
    if (this.replaying) {
      this.localsDropped++;
      return;
    }
    this.log.append({ kind: 'local', input, value });
    apply(value);
  }

  /** A message of topic number `topic` as the broker delivered it. */
  message(topic: number, message: BusMessage<unknown>, apply: Apply): void | Promise<void> {
    if (!this.replaying) return this.applyLive(topic, message, apply);
    const copy = { ...message };
    const index = message.indexInRecord ?? 0;
    const end = this.planEnd.get(`${topic}|${message.partition}`);
    if (end === undefined || message.offset > end[0] || (message.offset === end[0] && index > end[1]) || this.next >= this.plan.length) {
      this.after.push({ message: copy, topic, apply });
    } else {
      this.held.set(key(topic, message.partition, message.offset, index), { message: copy, topic, apply });
    }
    this.drain();
  }

  private applyLive(topic: number, message: BusMessage<unknown>, apply: Apply): void | Promise<void> {
    this.log.append({ kind: 'message', topic, partition: message.partition, offset: message.offset, indexInRecord: message.indexInRecord ?? 0 });
    return apply(message);
  }

  private drain(): void {
    if (this.draining || this.waiting) return;
    this.draining = true;
    try {
      while (this.next < this.plan.length) {
        const e = this.plan[this.next] as InputOrderEntry;
        if (e.kind === 'local') {
          const apply = this.locals.get(e.input);
          if (apply === undefined) throw new Error(`the input-order log holds local input ${e.input}, which this stage does not register`);
          this.next++;
          apply(e.value);
          continue;
        }
        const k = key(e.topic, e.partition, e.offset, e.indexInRecord);
        const h = this.held.get(k);
        if (h === undefined) return; // not delivered yet
        this.held.delete(k);
        this.next++;
        if (this.applyHeld(h, false)) return;
      }
      while (this.after.length > 0) {
        const h = this.after.shift() as Held;
        if (this.applyHeld(h, true)) return;
      }
    } finally {
      this.draining = false;
    }
  }

  /** Applies a held message; true if its handler went asynchronous (the drain resumes when it settles). */
  private applyHeld(h: Held, log: boolean): boolean {
    const m = h.message;
    if (log) this.log.append({ kind: 'message', topic: h.topic, partition: m.partition, offset: m.offset, indexInRecord: m.indexInRecord ?? 0 });
    let result: void | Promise<void>;
    try {
      result = h.apply(m);
    } catch (error) {
      this.refused(error, h);
      return false;
    }
    if (!(result instanceof Promise)) return false;
    this.waiting = true;
    result.then(
      () => this.resume(),
      (error: unknown) => {
        this.refused(error, h);
        this.resume();
      },
    );
    return true;
  }

  private resume(): void {
    this.waiting = false;
    this.drain();
  }

  private refused(error: unknown, h: Held): void {
    if (!(error instanceof RejectedMessageError)) throw error;
    this.events.onReplayRefused?.(error, { topic: h.topic, partition: h.message.partition, offset: h.message.offset });
  }
}
