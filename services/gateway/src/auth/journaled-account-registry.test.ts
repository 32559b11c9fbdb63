import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Journal } from '@perpcore/journal';
import { RegistryRefusal } from './account-registry.js';
import { JournaledAccountRegistry } from './journaled-account-registry.js';

const range = { firstAccountId: 100_000, firstSystemAccountId: 900_000 };
const nowNs = () => 1_700_000_000_000_000_000;
const key = (apiKey: string, accountId: number) => ({ kind: 'createKey' as const, apiKey, secretKey: `s-${apiKey}`, accountId, permissions: ['trade'] as 'trade'[], createdAtMs: 7 });

function dataDir(): string {
  return mkdtempSync(join(tmpdir(), 'perpcore-registry-'));
}

test('accounts and keys survive a restart; refused commands are not journaled', async () => {
  const dir = dataDir();
  try {
    const first = JournaledAccountRegistry.open({ ...range, dataDir: dir, nowNs });
    const id = first.nextAccountId();
    await first.apply({ kind: 'createAccount', accountId: id });
    await first.apply(key('k1', id));
    await first.apply(key('k2', id));
    await first.apply({ kind: 'revokeKey', apiKey: 'k1' });
    await assert.rejects(first.apply(key('k3', 123_456)), (e: unknown) => e instanceof RegistryRefusal && e.code === 'UNKNOWN_ACCOUNT');
    const before = first.snapshot();
    await first.close();

    const second = JournaledAccountRegistry.open({ ...range, dataDir: dir, nowNs });
    assert.equal(second.replayed, 4, 'the refused command left no record');
    assert.deepEqual(second.snapshot(), before);
    assert.equal(second.keyOf('k2')?.secretKey, 's-k2');
    assert.equal(second.keyOf('k1'), undefined);
    assert.equal(second.nextAccountId(), id + 1, 'an id is never handed out twice across restarts');
    await second.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('concurrent commands are journaled one at a time, each valid at its position', async () => {
  const dir = dataDir();
  try {
    const r = JournaledAccountRegistry.open({ ...range, dataDir: dir, nowNs });
    const ids: number[] = [];
    await Promise.all(
      Array.from({ length: 4 }, () => {
        const accountId = r.nextAccountId();
        ids.push(accountId);
        return r.apply({ kind: 'createAccount', accountId });
      }),
    );
    assert.deepEqual(ids, [100_000, 100_001, 100_002, 100_003]);
    const results = await Promise.allSettled([r.apply(key('same', 100_000)), r.apply(key('same', 100_001))]);
    assert.deepEqual(results.map((x) => x.status), ['fulfilled', 'rejected'], 'the second of two racing keys is refused, not journaled');
    await r.close();
    assert.equal(JournaledAccountRegistry.open({ ...range, dataDir: dir, nowNs }).replayed, 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a torn last record is cut on open: the registry is the state before it', async () => {
  const dir = dataDir();
  try {
    const r = JournaledAccountRegistry.open({ ...range, dataDir: dir, nowNs });
    await r.apply({ kind: 'createAccount', accountId: 100_000 });
    await r.apply(key('k1', 100_000));
    await r.close();
    const segment = join(dir, 'registry', readdirSync(join(dir, 'registry')).filter((n) => !n.startsWith('.')).sort().at(-1) as string);
    truncateSync(segment, statSync(segment).size - 3);
    const reopened = JournaledAccountRegistry.open({ ...range, dataDir: dir, nowNs });
    assert.equal(reopened.replayed, 1);
    assert.equal(reopened.hasAccount(100_000), true);
    assert.equal(reopened.keyOf('k1'), undefined, 'the torn key is not half-applied');
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a journal that is not a registry is refused on open, and left as it was', () => {
  const dir = dataDir();
  try {
    const other = Journal.open(join(dir, 'registry'), { venueFingerprint: 'some-core-journal' });
    other.append(new Uint8Array([1, 2, 3]));
    void other.close();
    assert.throws(() => JournaledAccountRegistry.open({ ...range, dataDir: dir, nowNs }), /fingerprint|venue|another/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
