/**
 * listenKeys of the user-data streams (Binance semantics): one live key per account;
 * POST returns the live key if there is one (and extends it), PUT extends it, DELETE
 * closes it. A key not kept alive for `validityMs` (60 min) expires; `expire(now)`
 * returns the keys that just expired so the hub can send `listenKeyExpired` and close
 * their sessions. Keys are 64 hex characters from the CSPRNG: a key is a bearer
 * credential for reading the account's events, so it must not be guessable.
 */
import { randomBytes } from 'node:crypto';
import type { ListenKeys } from './stream-hub-ports.js';

export const LISTEN_KEY_VALIDITY_MS = 60 * 60 * 1_000;

interface LiveKey {
  readonly key: string;
  readonly accountId: number;
  expiresAtMs: number;
}

export class ListenKeyRegistry implements ListenKeys {
  private readonly byKey = new Map<string, LiveKey>();
  private readonly byAccount = new Map<number, LiveKey>();

  constructor(
    private readonly nowMs: () => number,
    private readonly validityMs = LISTEN_KEY_VALIDITY_MS,
  ) {}

  create(accountId: number): string {
    const live = this.byAccount.get(accountId);
    if (live !== undefined && live.expiresAtMs > this.nowMs()) {
      live.expiresAtMs = this.nowMs() + this.validityMs;
      return live.key;
    }
    if (live !== undefined) this.drop(live);
    const entry: LiveKey = { key: randomBytes(32).toString('hex'), accountId, expiresAtMs: this.nowMs() + this.validityMs };
    this.byKey.set(entry.key, entry);
    this.byAccount.set(accountId, entry);
    return entry.key;
  }

  keepAlive(accountId: number): boolean {
    const live = this.byAccount.get(accountId);
    if (live === undefined || live.expiresAtMs <= this.nowMs()) return false;
    live.expiresAtMs = this.nowMs() + this.validityMs;
    return true;
  }

  close(accountId: number): void {
    const live = this.byAccount.get(accountId);
    if (live !== undefined) this.drop(live);
  }

  accountOf(listenKey: string): number | undefined {
    const live = this.byKey.get(listenKey);
    return live !== undefined && live.expiresAtMs > this.nowMs() ? live.accountId : undefined;
  }

  /** The account's live key, if any. */
  keyOf(accountId: number): string | undefined {
    const live = this.byAccount.get(accountId);
    return live !== undefined && live.expiresAtMs > this.nowMs() ? live.key : undefined;
  }

  /** Removes and returns the keys whose time ran out. */
  expire(nowMs: number): { key: string; accountId: number }[] {
    const out: { key: string; accountId: number }[] = [];
    for (const live of this.byKey.values()) {
      if (live.expiresAtMs <= nowMs) out.push({ key: live.key, accountId: live.accountId });
    }
    for (const e of out) this.drop(this.byKey.get(e.key) as LiveKey);
    return out;
  }

  private drop(live: LiveKey): void {
    this.byKey.delete(live.key);
    if (this.byAccount.get(live.accountId) === live) this.byAccount.delete(live.accountId);
  }
}
