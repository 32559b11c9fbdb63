/**
 * Two demo trading accounts for `npm start -- --http-port N` until the operator API
 * (gw-security's /v1/admin: accounts, API keys, deposits) is merged: each gets
 * 100,000 USDT through the core's client and a random API key and secret
 * (read + trade), printed once at start and never logged. Ids 5001 and 5002 are
 * outside the simulated market's accounts (makers/takers below 100, crowd from 10,000).
 */
import { randomBytes } from 'node:crypto';
import type { ExchangeClient } from '@perpcore/exchange';
import type { ApiKeyRecord, Permission } from './auth/authenticated-request.js';

export const DEMO_ACCOUNT_IDS = [5_001, 5_002] as const;
const DEMO_DEPOSIT_UNITS = 100_000_000_000;

export interface DemoKey {
  readonly accountId: number;
  readonly apiKey: string;
  readonly secretKey: string;
}

export async function createDemoKeys(client: ExchangeClient): Promise<{ keys: DemoKey[]; records: Map<string, ApiKeyRecord> }> {
  const permissions: ReadonlySet<Permission> = new Set(['read', 'trade']);
  const keys: DemoKey[] = [];
  const records = new Map<string, ApiKeyRecord>();
  for (const accountId of DEMO_ACCOUNT_IDS) {
    const r = await client.deposit(accountId, client.markets()[0]?.spec.settleAsset ?? 'USDT', DEMO_DEPOSIT_UNITS);
    if (r.rejection !== null) throw new Error(`demo deposit for account ${accountId} refused: ${r.rejection.code}`);
    const key = { accountId, apiKey: randomBytes(32).toString('hex'), secretKey: randomBytes(32).toString('hex') };
    keys.push(key);
    records.set(key.apiKey, { accountId, secretKey: key.secretKey, permissions });
  }
  return { keys, records };
}
