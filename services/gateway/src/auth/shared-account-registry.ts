/**
 * The registry every gateway process of a cluster shares: accounts and API keys
 * live as commands on `gateway.registry.v1` (one partition, kept forever), and
 * each process folds the whole topic into its own `InMemoryAccountRegistry`. A
 * key created through one gateway therefore works on all of them, and a restarted
 * gateway has every key again once it has read the topic back.
 *
 * Writes: `apply` checks the command against the folded state (a refusal answers
 * at once and writes nothing), publishes it under this process's (source, seq),
 * and resolves only when the record comes back and has been applied, so the
 * caller's next read sees it and every process applies it at the same position.
 * Two processes racing on one key or account: the first record wins, the second
 * is refused on the way back (its caller gets the refusal; the others skip it).
 *
 * Start: `open` writes a catch-up marker and waits to read it: everything before it
 * is then folded. It refuses to serve (throws) if the marker does not come back in
 * time, rather than serve an empty or partial registry.
 *
 * Account ids: each process still allocates in its own range (cluster-main's
 * instance ranges), so two processes never offer the same id; the reservations of
 * this process's own writes in flight are counted, so concurrent requests on one
 * process do not collide either.
 */
import type { Bus, BusMessage, Subscription } from '@perpcore/bus';
import { Topics } from '@perpcore/bus';
import type { Logger } from '@perpcore/observability';
import { SCHEMA_MAJOR_V1, type RegistryCommandV1 } from '@perpcore/proto';
import { type InMemoryRegistryOptions, type RegistryCommand, RegistryRefusal, RegistryUnavailable } from './account-registry.js';
import { FoldedAccountRegistry } from './folded-account-registry.js';
import { registryCommandFromWire, registryCommandToWire } from './registry-command-wire.js';

export interface SharedRegistryOptions extends InMemoryRegistryOptions {
  readonly bus: Bus;
  /** This process's name (the gateway's source); with its start time it names its records and its consumer group. */
  readonly source: string;
  readonly logger: Logger;
  /** How long a write, or the start-up catch-up, waits for its record to come back (default 10 s). */
  readonly timeoutMs?: number;
  readonly nowNs: () => number;
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class SharedAccountRegistry extends FoldedAccountRegistry {
  private readonly waiters = new Map<number, Waiter>();
  private subscription: Subscription | null = null;
  private seq = 0;
  private foldedCount = 0;
  private skippedCount = 0;
  /** source + start time: a restarted process with the same source must not take its previous life's records for its own. */
  private readonly writer: string;

  private constructor(private readonly options: SharedRegistryOptions) {
    super(options);
    this.writer = `${options.source}@${options.nowNs().toString(36)}`;
  }

  /** Subscribes from the topic's start and resolves once every earlier command is folded. */
  static async open(options: SharedRegistryOptions): Promise<SharedAccountRegistry> {
    const registry = new SharedAccountRegistry(options);
    // a fresh group per start: this process must read the topic from its first record every time
    const groupId = `${registry.writer.replace('@', '-registry-')}`;
    registry.subscription = await options.bus.subscribe(Topics.gatewayRegistry, { groupId, fromBeginning: true }, (m) => registry.fold(m));
    try {
      await registry.write({ schemaMajor: SCHEMA_MAJOR_V1, seq: 0, tsNs: 0, source: '', command: 'catchUp', catchUp: {} } as RegistryCommandV1);
    } catch (error) {
      await registry.close();
      throw new RegistryUnavailable(`the shared registry (${Topics.gatewayRegistry.name}) was not read back in time: ${(error as Error).message}`);
    }
    options.logger.info({ accounts: registry.folded.snapshot().accounts.length, keys: registry.folded.snapshot().keys.length, commands: registry.foldedCount }, 'shared registry caught up');
    return registry;
  }

  async apply(command: RegistryCommand): Promise<void> {
    this.folded.check(command);
    this.reserve(command);
    await this.write(registryCommandToWire(command, '', 0, 0));
  }

  /** Commands folded so far, and records skipped (refused or unknown). */
  stats(): { folded: number; skipped: number } {
    return { folded: this.foldedCount, skipped: this.skippedCount };
  }

  async close(): Promise<void> {
    for (const w of this.waiters.values()) {
      clearTimeout(w.timer);
      w.reject(new RegistryUnavailable('the registry closed'));
    }
    this.waiters.clear();
    await this.subscription?.close();
    this.subscription = null;
  }

  private write(record: RegistryCommandV1): Promise<void> {
    const seq = ++this.seq;
    const stamped = { ...record, seq, tsNs: this.options.nowNs(), source: this.writer } as RegistryCommandV1;
    return new Promise<void>((resolve, reject) => {
      const timeoutMs = this.options.timeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        this.waiters.delete(seq);
        reject(new RegistryUnavailable(`the registry command was not read back within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(seq, { resolve, reject, timer });
      try {
        this.options.bus.publish(Topics.gatewayRegistry, stamped);
      } catch (error) {
        clearTimeout(timer);
        this.waiters.delete(seq);
        reject(new RegistryUnavailable(`the registry command could not be published: ${(error as Error).message}`));
      }
    });
  }

  private fold(message: BusMessage<RegistryCommandV1>): void {
    const record = message.value;
    const mine = record.source === this.writer ? this.waiters.get(Number(record.seq)) : undefined;
    const command = registryCommandFromWire(record);
    let refusal: RegistryRefusal | null = null;
    if (command !== null) {
      try {
        this.folded.apply(command);
        this.foldedCount++;
      } catch (error) {
        if (!(error instanceof RegistryRefusal)) throw error;
        refusal = error;
        this.skippedCount++;
        this.options.logger.warn({ source: record.source, seq: Number(record.seq), offset: message.offset, code: error.code }, 'shared registry: a command lost a race and was skipped');
      }
    } else if (record.command !== 'catchUp') {
      this.skippedCount++;
      this.options.logger.warn({ source: record.source, seq: Number(record.seq), offset: message.offset, command: record.command ?? null }, 'shared registry: a record without a known command was skipped');
    }
    if (mine === undefined) return;
    this.waiters.delete(Number(record.seq));
    clearTimeout(mine.timer);
    if (refusal !== null) mine.reject(refusal);
    else mine.resolve();
  }
}
