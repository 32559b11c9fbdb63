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
 * Invariants
 * - Account ids are allocated `firstAccountId` (default 1), +1, +2, … below
 *   `firstSystemAccountId`, never reused; a key names an existing account. (With
 *   `npm start`'s simulated market, start above its traders' ids.)
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

/** What the gateway needs of the store; the durable store will implement the same. */
export interface AccountRegistry {
  /** The id the next `createAccount` must carry. */
  nextAccountId(): number;
  hasAccount(accountId: number): boolean;
  keyOf(apiKey: string): ApiKeyRecord | undefined;
  keysOfAccount(accountId: number): ApiKeyRecord[];
  /** Applies one command; throws `RegistryRefusal` and changes nothing when it is refused. */
  apply(command: RegistryCommand): void;
  snapshot(): RegistrySnapshot;
}

export interface InMemoryRegistryOptions {
  /** Ids at and above it belong to the risk stage's system accounts (fee account, funds). */
  firstSystemAccountId: number;
  /** The first id `nextAccountId` offers (default 1): ids below it belong to someone else (a simulation). */
  firstAccountId?: number;
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

  apply(command: RegistryCommand): void {
    switch (command.kind) {
      case 'createAccount': {
        const id = command.accountId;
        if (this.accounts.has(id)) throw new RegistryRefusal('DUPLICATE_ACCOUNT', `account ${id} already exists`);
        if (!Number.isSafeInteger(id) || id < 1 || id >= this.options.firstSystemAccountId) {
          throw new RegistryRefusal('ACCOUNTS_EXHAUSTED', `account id ${id} is outside 1..${this.options.firstSystemAccountId - 1}`);
        }
        this.accounts.add(id);
        this.nextId = Math.max(this.nextId, id + 1);
        return;
      }
      case 'createKey': {
        if (!this.accounts.has(command.accountId)) throw new RegistryRefusal('UNKNOWN_ACCOUNT', `account ${command.accountId} does not exist`);
        if (!validPermissions(command.permissions)) throw new RegistryRefusal('BAD_PERMISSIONS', `permissions must be a non-empty subset of ${PERMISSIONS.join(', ')}`);
        if (this.keys.has(command.apiKey)) throw new RegistryRefusal('DUPLICATE_KEY', 'the API key already exists');
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
        if (!this.keys.delete(command.apiKey)) throw new RegistryRefusal('UNKNOWN_KEY', 'no such API key');
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
