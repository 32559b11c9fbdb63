import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InProcessBus, Topics } from '@perpcore/bus';
import { createLogger } from '@perpcore/observability';
import { SCHEMA_MAJOR_V1, type RegistryCommandV1 } from '@perpcore/proto';
import { RegistryRefusal, RegistryUnavailable } from './account-registry.js';
import { SharedAccountRegistry } from './shared-account-registry.js';

const logger = createLogger('test', 'silent');
let clock = 1_700_000_000_000_000_000;
const nowNs = () => (clock += 1_000);
const SYSTEM = 900_000;
const range = (instance: number) => ({ firstAccountId: (instance + 1) * 100_000, endAccountId: (instance + 2) * 100_000, firstSystemAccountId: SYSTEM });
const open = (bus: InProcessBus, source: string, instance = 0, timeoutMs?: number) =>
  SharedAccountRegistry.open({ bus, source, logger, nowNs, ...range(instance), ...(timeoutMs === undefined ? {} : { timeoutMs }) });
const key = (apiKey: string, accountId: number) => ({ kind: 'createKey' as const, apiKey, secretKey: `s-${apiKey}`, accountId, permissions: ['read', 'trade'] as ('read' | 'trade')[], createdAtMs: 5 });

test('a key created through one gateway acts on another, and a restarted gateway reads every command back', async () => {
  const bus = new InProcessBus({ codecRoundTrip: true });
  const a = await open(bus, 'gw-a', 0);
  const b = await open(bus, 'gw-b', 1);
  const accountA = a.nextAccountId();
  await a.apply({ kind: 'createAccount', accountId: accountA });
  await a.apply(key('k1', accountA));
  const accountB = b.nextAccountId();
  await b.apply({ kind: 'createAccount', accountId: accountB });
  assert.equal(accountA, 100_000);
  assert.equal(accountB, 200_000, 'each process allocates in its own range');
  assert.equal(b.keyOf('k1')?.accountId, accountA, 'the key is known on the other process');
  assert.equal(a.hasAccount(accountB), true);
  assert.equal(a.nextAccountId(), 100_001, "another range's account does not move this one's cursor");
  await b.apply({ kind: 'revokeKey', apiKey: 'k1' });
  assert.equal(a.keyOf('k1'), undefined, 'a revocation on one process holds on all');
  await a.apply(key('k2', accountB));
  await a.close();
  await b.close();

  const restarted = await open(bus, 'gw-a', 0);
  const held = (s: ReturnType<typeof b.snapshot>) => ({ accounts: s.accounts, keys: s.keys });
  assert.deepEqual(held(restarted.snapshot()), held(b.snapshot()), 'the restarted process folds exactly what the others hold');
  assert.equal(restarted.keyOf('k2')?.secretKey, 's-k2');
  assert.equal(restarted.nextAccountId(), 100_001, 'ids are never handed out twice after a restart');
  assert.deepEqual(restarted.stats(), { folded: 5, skipped: 0 });
  await restarted.close();
});

test('a refused command answers at once and writes nothing', async () => {
  const bus = new InProcessBus({ codecRoundTrip: true });
  const a = await open(bus, 'gw-a');
  let written = 0;
  await bus.subscribe(Topics.gatewayRegistry, { groupId: 'count', fromBeginning: true }, (m) => {
    if (m.value.command !== 'catchUp') written++;
  });
  await assert.rejects(a.apply(key('k1', 100_000)), (e: unknown) => e instanceof RegistryRefusal && e.code === 'UNKNOWN_ACCOUNT');
  await assert.rejects(a.apply({ kind: 'revokeKey', apiKey: 'nope' }), (e: unknown) => e instanceof RegistryRefusal && e.code === 'UNKNOWN_KEY');
  await assert.rejects(a.apply({ kind: 'createAccount', accountId: SYSTEM }), (e: unknown) => e instanceof RegistryRefusal && e.code === 'ACCOUNTS_EXHAUSTED');
  assert.equal(written, 0);
  await a.close();
});

test('two processes racing on one account id: the first record wins, the loser is refused, all agree', async () => {
  const bus = new InProcessBus({ codecRoundTrip: true });
  const a = await open(bus, 'gw-a', 0);
  const b = await open(bus, 'gw-b', 0); // a misconfigured pair sharing one range
  // both check against the same state before either record is folded back
  bus.publish(Topics.gatewayRegistry, { schemaMajor: SCHEMA_MAJOR_V1, seq: 1, tsNs: 1, source: 'elsewhere', command: 'createAccount', createAccount: { accountId: 100_000 } } as RegistryCommandV1);
  await assert.rejects(b.apply({ kind: 'createAccount', accountId: 100_000 }), (e: unknown) => e instanceof RegistryRefusal && e.code === 'DUPLICATE_ACCOUNT');
  assert.deepEqual(a.snapshot(), b.snapshot());
  assert.deepEqual(a.stats(), { folded: 1, skipped: 0 });
  await a.close();
  await b.close();
});

test('concurrent creations on one process get distinct ids', async () => {
  const bus = new InProcessBus({ codecRoundTrip: true });
  const a = await open(bus, 'gw-a');
  const ids: number[] = [];
  await Promise.all(
    Array.from({ length: 5 }, () => {
      const accountId = a.nextAccountId();
      ids.push(accountId);
      return a.apply({ kind: 'createAccount', accountId });
    }),
  );
  assert.deepEqual(ids, [100_000, 100_001, 100_002, 100_003, 100_004]);
  await a.close();
});

test('a registry whose log never answers refuses to start instead of serving an empty registry', async () => {
  const deaf = { publish() {}, async flush() {}, async subscribe() { return { async close() {} }; }, async close() {} };
  await assert.rejects(
    SharedAccountRegistry.open({ bus: deaf, source: 'gw', logger, nowNs, timeoutMs: 50, ...range(0) }),
    (e: unknown) => e instanceof RegistryUnavailable && /not read back/.test(e.message),
  );
});

test('records a version does not know are skipped and counted, never applied', async () => {
  const bus = new InProcessBus({ codecRoundTrip: true });
  bus.publish(Topics.gatewayRegistry, { schemaMajor: SCHEMA_MAJOR_V1, seq: 1, tsNs: 1, source: 'x', command: 'createKey', createKey: { apiKey: 'k', secretKey: 's', accountId: 100_000, permissions: ['withdraw'], createdAtNs: 1 } } as RegistryCommandV1);
  const a = await open(bus, 'gw-a');
  assert.equal(a.keyOf('k'), undefined);
  assert.deepEqual(a.stats(), { folded: 0, skipped: 1 });
  await a.close();
});
