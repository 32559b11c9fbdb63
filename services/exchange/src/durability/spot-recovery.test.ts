/**
 * The spot-margin stage under the journal and snapshots: its inputs are journal
 * records (kind 6); a restart from the journal, a pure journal replay and a snapshot
 * restore each rebuild its balances, loans (principal, interest index snapshots) and
 * books exactly, and the recovered run continues in lockstep with the original.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { readRecords } from '@perpcore/journal';
import { createLogger } from '@perpcore/observability';
import { EmbeddedExchange } from '../embedded-exchange.js';
import { CoreInputGate } from './core-input-gate.js';
import { CoreInputDecodeError, decodeCoreInput, InputKind, InputOrigin, pipelineTargets } from './core-input-record.js';
import { captureExchangeState, restoreExchangeState } from './exchange-state.js';
import { replayJournal } from './journal-replay.js';
import { embeddedJournalMeta, venueFingerprint } from './journal-header.js';
import { TempDirs } from './journal-test-dirs.test-support.js';
import { recoverExchange } from './recover-exchange.js';
import { createPipeline } from '../pipeline.js';
import { defaultVenueMarkets } from '@perpcore/markets';

const logger = createLogger('test', 'silent');
// borrowers enter between 2 s and 20 s and hold 60 s; the shock at 30 s puts some of them under water
const OPTIONS = { logger, seed: 23, scenario: { crowdAccounts: 40, crowdEntryStartS: 2, crowdEntryEndS: 20, shockAtS: 30 } };
const dirs = new TempDirs();
const open: EmbeddedExchange[] = [];

function spotOf(exchange: EmbeddedExchange) {
  const spot = exchange.spotMargin;
  assert.ok(spot !== null, 'the default venue has a spot market');
  return spot;
}

/** Loans outstanding on the spot ledger (rows with principal), and open spot orders. */
function spotActivity(exchange: EmbeddedExchange): { loans: number; orders: number } {
  const spot = spotOf(exchange);
  let loans = 0;
  for (const byAsset of spot.engine.context.state.accounts.values()) for (const row of byAsset.values()) if (row.principalUnits > 0) loans++;
  return { loans, orders: spot.engine.orders.orders.size };
}

describe('spot margin recovery', () => {
  after(async () => {
    for (const exchange of open) await exchange.close();
    dirs.removeAll();
  });

  it('a restart and a pure journal replay rebuild spot balances, loans and books exactly; the restart continues in lockstep', async () => {
    const dir = dirs.make();
    const { exchange: a } = await recoverExchange(dir, OPTIONS);
    open.push(a);
    a.step(1_000); // 20 s: every borrower has entered
    const activity = spotActivity(a);
    assert.ok(activity.loans > 0 && activity.orders > 0, `spot activity before the restart: ${JSON.stringify(activity)}`);
    await a.inputs.flush();

    let spotRecords = 0;
    for (const record of readRecords(dir, venueFingerprint(embeddedJournalMeta(OPTIONS)))) if (record.payload[0] === InputKind.spot) spotRecords++;
    assert.ok(spotRecords > 100, `${spotRecords} spot inputs journaled`);

    const { exchange: b, recovery } = await recoverExchange(dirs.copy(dir), OPTIONS);
    open.push(b);
    assert.equal(recovery.seq, a.inputs.appliedSeq);
    assert.equal(recovery.stateHash, a.stateHash());
    assert.match(recovery.stateHash, /\|spot:[0-9a-f]{64}$/, 'the spot stage is in the state hash');
    assert.deepEqual(spotOf(b).engine.captureState(), spotOf(a).engine.captureState());

    // through the shock (spot calls and liquidations) and the borrowers' exits
    a.step(2_500);
    b.step(2_500);
    assert.equal(b.inputs.appliedSeq, a.inputs.appliedSeq);
    assert.equal(spotOf(b).engine.stateHash(), spotOf(a).engine.stateHash());
    assert.equal(b.stateHash(), a.stateHash());
    assert.ok(spotOf(a).figures().conservationOk, spotOf(a).figures().conservationProblems.join('; '));

    await a.inputs.flush();
    const replayed = await replayJournal(dir, { logger });
    assert.equal(replayed.seq, a.inputs.appliedSeq);
    assert.equal(replayed.stateHash, a.stateHash(), 'the journal alone rebuilds the spot stage too');
    await replayed.pipeline.close();
  });

  it('a snapshot taken with loans and resting spot orders restores them, and the twin continues exactly as the original', async () => {
    const original = await EmbeddedExchange.create(OPTIONS);
    open.push(original);
    original.step(900);
    assert.ok(spotActivity(original).loans > 0);
    const bytes = captureExchangeState(original, 1);
    const { exchange: twin } = await restoreExchangeState(bytes, { ...OPTIONS, expectedStateHash: original.stateHash() });
    open.push(twin);
    assert.deepEqual(spotOf(twin).engine.captureState(), spotOf(original).engine.captureState());
    original.step(1_500);
    twin.step(1_500);
    assert.equal(spotOf(twin).engine.stateHash(), spotOf(original).engine.stateHash());
    assert.deepEqual(spotOf(twin).figures(), spotOf(original).figures());
    assert.equal(twin.stateHash(), original.stateHash());
  });

  it('a refused spot input is journaled, changes nothing, and answers false; a spot record with a bad body is refused naming its seq', async () => {
    const exchange = await EmbeddedExchange.create(OPTIONS);
    open.push(exchange);
    exchange.step(100);
    const spot = spotOf(exchange);
    const before = spot.engine.stateHash();
    const seq = exchange.inputs.appliedSeq;
    const tsNs = exchange.nowNs();
    const refusals = [
      exchange.inputs.spot({ op: 'deposit', tsNs, accountId: 7, asset: 'DOGE', amountUnits: 1 }),
      exchange.inputs.spot({ op: 'deposit', tsNs, accountId: 7, asset: 'USDT', amountUnits: -5 }),
      exchange.inputs.spot({ op: 'repay', tsNs, accountId: 7, asset: 'USDT', amountUnits: Number.NaN }),
      exchange.inputs.spot({ op: 'borrow', tsNs, accountId: 999_999, asset: 'USDT', amountUnits: 1_000_000 }),
    ];
    for (const r of refusals) assert.ok(!r.ok && r.code.length > 0, JSON.stringify(r));
    assert.equal(spot.engine.stateHash(), before);
    assert.equal(exchange.inputs.appliedSeq, seq + 4, 'each is an input (its refusal is deterministic)');
    assert.deepEqual(exchange.inputs.spot({ op: 'deposit', tsNs, accountId: 7, asset: 'USDT', amountUnits: 5_000_000 }), { ok: true });
    assert.equal(spot.engine.context.state.peekRow(7, 'USDT')?.balanceUnits, 5_000_000);

    const record = (body: string) => Uint8Array.from([InputKind.spot, InputOrigin.external, ...Buffer.from(body)]);
    assert.throws(() => decodeCoreInput(42, record('{"op":"mint","tsNs":1}')), (e: unknown) => e instanceof CoreInputDecodeError && /record 42/.test(e.message));
    assert.throws(() => decodeCoreInput(43, record('not json')), (e: unknown) => e instanceof CoreInputDecodeError && /record 43/.test(e.message));
    const ok = decodeCoreInput(44, record('{"op":"cancelAll","tsNs":5,"accountId":1}'));
    assert.deepEqual(ok.input, { kind: InputKind.spot, value: { op: 'cancelAll', tsNs: 5, accountId: 1 } });
  });

  it('a spot input on a venue without a spot stage is refused loudly', async () => {
    const pipeline = await createPipeline({ logger, venue: defaultVenueMarkets() });
    try {
      const gate = new CoreInputGate({ targets: pipelineTargets(pipeline) });
      assert.throws(() => gate.spot({ op: 'cancelAll', tsNs: 1, accountId: 1 }), /no spot stage/);
    } finally {
      await pipeline.close();
    }
  });
});
