/**
 * The gateway's account registry and API-key store: which accounts exist and
 * which keys act for them, with what permissions. Only the operator API changes
 * it; the request authenticator reads it once per request (`keyOf`, one Map
 * lookup).
 *
 * State is changed only by explicit commands (`RegistryCommand`), and a command
 * carries everything it needs (the generated key and secret included), so the
 * store itself has no randomness and no clock: replaying the same commands gives
 * the same state (`snapshot()` is plain JSON, for the durability work to persist).
 *
 * Two other stores wrap this one and keep it durable (shared-account-registry.ts
 * over the bus for cluster mode, journaled-account-registry.ts for an embedded
 * --data-dir): they `check` a command, write it to their log, and `apply` it once
 * it is there, so their `apply` is asynchronous.
 *
 * Invariants
 * - Account ids are allocated `firstAccountId` (default 1), +1, +2, … below
 *   `endAccountId` (default `firstSystemAccountId`), never reused; a key names an
 *   existing account. (With `npm start`'s simulated market, start above its
 *   traders' ids.) Accounts of other allocators sharing the store (another gateway
 *   process's range) are accepted anywhere below `firstSystemAccountId`.
 * - An API key is unique; a revoked key is gone (its id is never re-created:
 *   keys are 64 random characters, and `createKey` refuses a duplicate).
 * - Permissions are a non-empty subset of {read, trade}: withdrawals and deposits
 *   are the operator's, never a key's.
 */
import type { Permission } from './authenticated-request.js';

export const PERMISSIONS: readonly Permission[] = ['read', 'trade'];

export interface ApiKeyRecord {
  readonly apiKey: string;
  readonly secretKey: string;
  readonly accountId: number;
  readonly permissions: ReadonlySet<Permission>;
  readonly createdAtMs: number;
}

export type RegistryCommand =
  | { readonly kind: 'createAccount'; readonly accountId: number }
  | { readonly kind: 'createKey'; readonly apiKey: string; readonly secretKey: string; readonly accountId: number; readonly permissions: readonly Permission[]; readonly createdAtMs: number }
  | { readonly kind: 'revokeKey'; readonly apiKey: string };

export interface RegistrySnapshot {
  readonly nextAccountId: number;
  readonly accounts: readonly number[];
  readonly keys: readonly { apiKey: string; secretKey: string; accountId: number; permissions: Permission[]; createdAtMs: number }[];
}

/** A refused registry command; the operator API maps it to a 4xx. */
export class RegistryRefusal extends Error {
  constructor(
    readonly code: 'UNKNOWN_ACCOUNT' | 'UNKNOWN_KEY' | 'DUPLICATE_KEY' | 'DUPLICATE_ACCOUNT' | 'BAD_PERMISSIONS' | 'ACCOUNTS_EXHAUSTED',
    message: string,
  ) {
    super(message);
    this.name = 'RegistryRefusal';
  }
}

/** The registry's log could not take a command (write failed, the bus did not answer in time): nothing was applied. */
export class RegistryUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryUnavailable';
  }
}

/** What the gateway needs of the store: in memory, journaled, or shared over the bus. */
export interface AccountRegistry {
  /** The id the next `createAccount` must carry; throws `RegistryRefusal` ACCOUNTS_EXHAUSTED when the range is used up. */
  nextAccountId(): number;
  hasAccount(accountId: number): boolean;
  keyOf(apiKey: string): ApiKeyRecord | undefined;
  keysOfAccount(accountId: number): ApiKeyRecord[];
  /** Applies one command; throws (or rejects with) `RegistryRefusal` and changes nothing when it is refused. */
  apply(command: RegistryCommand): void | Promise<void>;
  snapshot(): RegistrySnapshot;
  /** Releases the store's log (journal file, bus subscription); the gateway's close calls it last. */
  close?(): Promise<void>;
}

export interface InMemoryRegistryOptions {
  /** Ids at and above it belong to the risk stage's system accounts (fee account, funds). */
  firstSystemAccountId: number;
  /** The first id `nextAccountId` offers (default 1): ids below it belong to someone else (a simulation). */
  firstAccountId?: number;
  /** The end (exclusive) of the ids `nextAccountId` offers (default `firstSystemAccountId`): another allocator's range starts there. */
  endAccountId?: number;
}

export function validPermissions(permissions: unknown): permissions is Permission[] {
  if (!Array.isArray(permissions) || permissions.length === 0 || permissions.length > PERMISSIONS.length) return false;
  const seen = new Set<unknown>(permissions);
  return seen.size === permissions.length && permissions.every((p) => (PERMISSIONS as readonly unknown[]).includes(p));
}

export class InMemoryAccountRegistry implements AccountRegistry {
  private nextId: number;
  private readonly accounts = new Set<number>();
  private readonly keys = new Map<string, ApiKeyRecord>();

  constructor(private readonly options: InMemoryRegistryOptions) {
    this.nextId = options.firstAccountId ?? 1;
  }

  static fromSnapshot(snapshot: RegistrySnapshot, options: InMemoryRegistryOptions): InMemoryAccountRegistry {
    const registry = new InMemoryAccountRegistry(options);
    for (const accountId of snapshot.accounts) registry.apply({ kind: 'createAccount', accountId });
    for (const k of snapshot.keys) registry.apply({ kind: 'createKey', ...k });
    registry.nextId = snapshot.nextAccountId;
    return registry;
  }

  nextAccountId(): number {
    const end = this.options.endAccountId ?? this.options.firstSystemAccountId;
    if (this.nextId >= end) throw new RegistryRefusal('ACCOUNTS_EXHAUSTED', `every account id below ${end} of this gateway's range is taken`);
    return this.nextId;
  }

  hasAccount(accountId: number): boolean {
    return this.accounts.has(accountId);
  }

  keyOf(apiKey: string): ApiKeyRecord | undefined {
    return this.keys.get(apiKey);
  }

  keysOfAccount(accountId: number): ApiKeyRecord[] {
    return [...this.keys.values()].filter((k) => k.accountId === accountId);
  }

  /** Throws the `RegistryRefusal` that `apply` would throw now, changing nothing; returns if `apply` would succeed. */
  check(command: RegistryCommand): void {
    switch (command.kind) {
      case 'createAccount': {
        const id = command.accountId;
        if (this.accounts.has(id)) throw new RegistryRefusal('DUPLICATE_ACCOUNT', `account ${id} already exists`);
        if (!Number.isSafeInteger(id) || id < 1 || id >= this.options.firstSystemAccountId) {
          throw new RegistryRefusal('ACCOUNTS_EXHAUSTED', `account id ${id} is outside 1..${this.options.firstSystemAccountId - 1}`);
        }
        return;
      }
      case 'createKey':
        if (!this.accounts.has(command.accountId)) throw new RegistryRefusal('UNKNOWN_ACCOUNT', `account ${command.accountId} does not exist`);
        if (!validPermissions(command.permissions)) throw new RegistryRefusal('BAD_PERMISSIONS', `permissions must be a non-empty subset of ${PERMISSIONS.join(', ')}`);
        if (this.keys.has(command.apiKey)) throw new RegistryRefusal('DUPLICATE_KEY', 'the API key already exists');
        return;
      case 'revokeKey':
        if (!this.keys.has(command.apiKey)) throw new RegistryRefusal('UNKNOWN_KEY', 'no such API key');
        return;
    }
  }

  apply(command: RegistryCommand): void {
    this.check(command);
    switch (command.kind) {
      case 'createAccount': {
        const id = command.accountId;
        this.accounts.add(id);
        // only ids of this allocator's own range move its cursor: another gateway's accounts sit in theirs
        if (id >= (this.options.firstAccountId ?? 1) && id < (this.options.endAccountId ?? this.options.firstSystemAccountId)) this.nextId = Math.max(this.nextId, id + 1);
        return;
      }
      case 'createKey': {
        this.keys.set(command.apiKey, {
          apiKey: command.apiKey,
          secretKey: command.secretKey,
          accountId: command.accountId,
          permissions: new Set(command.permissions),
          createdAtMs: command.createdAtMs,
        });
        return;
      }
      case 'revokeKey':
        this.keys.delete(command.apiKey);
        return;
    }
  }

  snapshot(): RegistrySnapshot {
    return {
      nextAccountId: this.nextId,
      accounts: [...this.accounts],
      keys: [...this.keys.values()].map((k) => ({ apiKey: k.apiKey, secretKey: k.secretKey, accountId: k.accountId, permissions: PERMISSIONS.filter((p) => k.permissions.has(p)), createdAtMs: k.createdAtMs })),
    };
  }
}
