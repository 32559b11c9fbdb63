/**
 * What the two durable registries share (journaled-account-registry.ts for an
 * embedded --data-dir, shared-account-registry.ts over the bus): the registry is
 * the fold of a log into an `InMemoryAccountRegistry`, reads go to that fold, and a
 * createAccount still on its way to the log reserves its id, so the next request
 * is offered the one after it. Only how a command reaches the log differs.
 */
import {
  type AccountRegistry,
  type ApiKeyRecord,
  InMemoryAccountRegistry,
  type InMemoryRegistryOptions,
  type RegistryCommand,
  type RegistrySnapshot,
} from './account-registry.js';

export abstract class FoldedAccountRegistry implements AccountRegistry {
  protected readonly folded: InMemoryAccountRegistry;
  private reservedNextId = 0;

  protected constructor(options: InMemoryRegistryOptions) {
    this.folded = new InMemoryAccountRegistry(options);
  }

  nextAccountId(): number {
    return Math.max(this.folded.nextAccountId(), this.reservedNextId);
  }

  hasAccount(accountId: number): boolean {
    return this.folded.hasAccount(accountId);
  }

  keyOf(apiKey: string): ApiKeyRecord | undefined {
    return this.folded.keyOf(apiKey);
  }

  keysOfAccount(accountId: number): ApiKeyRecord[] {
    return this.folded.keysOfAccount(accountId);
  }

  snapshot(): RegistrySnapshot {
    return this.folded.snapshot();
  }

  abstract apply(command: RegistryCommand): Promise<void>;

  /** Takes a createAccount's id before its record is written (call synchronously in `apply`). */
  protected reserve(command: RegistryCommand): void {
    if (command.kind === 'createAccount') this.reservedNextId = Math.max(this.reservedNextId, command.accountId + 1);
  }
}
