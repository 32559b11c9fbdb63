/**
 * The operator's registry made durable for an embedded `npm start -- --data-dir DIR`:
 * every accepted command is appended to its own journal in DIR/registry (libs/journal:
 * CRC-framed records, torn tail cut on open) and the registry is the fold of that
 * journal, so the API keys a market maker was given still work after a restart or a
 * crash. It is a journal of its own, not records in the core's input journal,
 * because the core's replay must not depend on the gateway (the core journal
 * replays without one) and because the registry holds secrets that a core journal
 * handed to someone for `npm run replay` should not carry.
 *
 * `apply` checks the command first (a refusal writes nothing), appends it, waits
 * until the journal says it is durable under the fsync policy, and only then
 * applies it and answers. Commands go one at a time (check, append, sync, apply),
 * so the journal holds only commands that were valid at their position and the
 * replay on open never meets a refusal; a journal that failed refuses every later command with
 * `RegistryUnavailable` (the operator sees 503), never answering for a key it did
 * not keep.
 */
import { join } from 'node:path';
import { type FsyncPolicy, Journal } from '@perpcore/journal';
import { registryCommandCodec } from '@perpcore/proto';
import { type InMemoryRegistryOptions, type RegistryCommand, RegistryUnavailable } from './account-registry.js';
import { FoldedAccountRegistry } from './folded-account-registry.js';
import { registryCommandFromWire, registryCommandToWire } from './registry-command-wire.js';

/** Names what this journal holds: a core journal or another venue's registry is refused on open. */
export const REGISTRY_JOURNAL_FINGERPRINT = 'perpcore-gateway-registry-v1';

export interface JournaledRegistryOptions extends InMemoryRegistryOptions {
  /** The data directory (`--data-dir`); the registry's journal is its `registry` folder. */
  readonly dataDir: string;
  readonly fsync?: FsyncPolicy;
  readonly nowNs: () => number;
}

export class JournaledAccountRegistry extends FoldedAccountRegistry {
  private queue: Promise<void> = Promise.resolve();
  /** Records replayed on open. */
  replayed = 0;

  private constructor(
    options: InMemoryRegistryOptions,
    private readonly journal: Journal,
    private readonly nowNs: () => number,
  ) {
    super(options);
  }

  /** Opens (or creates) DIR/registry and folds every record in it. Throws on a journal of something else. */
  static open(options: JournaledRegistryOptions): JournaledAccountRegistry {
    const journal = Journal.open(join(options.dataDir, 'registry'), { venueFingerprint: REGISTRY_JOURNAL_FINGERPRINT }, { fsync: options.fsync ?? 'always' });
    const registry = new JournaledAccountRegistry(options, journal, options.nowNs);
    for (const record of journal.read(1)) {
      const decoded = registryCommandCodec.decode(record.payload);
      // the CRC already vouched for the bytes: a record that does not decode is a writer bug, not a torn write
      if (!decoded.ok) throw new Error(`registry journal record ${record.seq} does not decode: ${decoded.error.message}`);
      const command = registryCommandFromWire(decoded.value);
      if (command === null) throw new Error(`registry journal record ${record.seq} carries no command this version knows`);
      registry.folded.apply(command);
      registry.replayed++;
    }
    return registry;
  }

  apply(command: RegistryCommand): Promise<void> {
    // an id handed to a createAccount still syncing is taken: the next request gets the one after it
    this.reserve(command);
    const done = this.queue.then(() => this.applyNow(command));
    this.queue = done.catch(() => undefined);
    return done;
  }

  private async applyNow(command: RegistryCommand): Promise<void> {
    this.folded.check(command);
    if (this.journal.failed !== null) throw new RegistryUnavailable(`the registry journal failed: ${this.journal.failed.message}`);
    try {
      this.journal.append(registryCommandCodec.encode(registryCommandToWire(command, 'gateway', this.journal.lastSeq + 1, this.nowNs())));
      await this.journal.flush();
    } catch (error) {
      throw new RegistryUnavailable(`the registry journal could not keep the command: ${(error as Error).message}`);
    }
    this.folded.apply(command);
  }

  close(): Promise<void> {
    return this.journal.close();
  }
}
