/**
 * The spot-margin market of the embedded exchange from outside: a spot borrow and a
 * repay as AccountCommandV1 (`spotBorrow` / `spotRepay`, tags 20-21) on the account
 * command topic reach the spot stage (not the perps risk stage), journaled as the
 * account kind and recovered after a restart; the account query answers for the spot
 * ledger; and the run's one conservation line covers the spot ledger.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Topics } from '@perpcore/bus';
import { Side } from '@perpcore/domain';
import { createLogger } from '@perpcore/observability';
import type { RiskEventV1 } from '@perpcore/proto';
import { type SpotAccountReport, createSpotWireFold } from '@perpcore/risk';
import type { EmbeddedExchange } from './embedded-exchange.js';
import { SPOT_STAGE_SOURCE } from './embedded-spot-margin.js';
import { InputOrigin } from './durability/core-input-record.js';
import { captureExchangeState, restoreExchangeState } from './durability/exchange-state.js';
import { TempDirs } from './durability/journal-test-dirs.test-support.js';
import { recoverExchange } from './durability/recover-exchange.js';

const logger = createLogger('test', 'silent');
const OPTIONS = { logger, seed: 31 };
const ACCOUNT = 900_001;
const SAT_PER_BTC = 100_000_000;
const USDT = 1_000_000;
const dirs = new TempDirs();
const open: EmbeddedExchange[] = [];

function spotCommand(exchange: EmbeddedExchange, seq: number, command: 'spotBorrow' | 'spotRepay', asset: string, amountUnits: number): void {
  exchange.inputs.busFor(InputOrigin.external).publish(Topics.gatewayAccountCommands, {
    schemaMajor: 1, accountId: ACCOUNT, seq, tsNs: exchange.nowNs(), source: 'http', commandId: seq, command, [command]: { asset, amountUnits },
  } as never);
}

function rowOf(exchange: EmbeddedExchange, asset: string) {
  return exchange.spotMargin?.engine.context.state.peekRow(ACCOUNT, asset);
}

describe('embedded spot margin from the wire', () => {
  after(async () => {
    for (const exchange of open) await exchange.close();
    dirs.removeAll();
  });

  it('spot borrow and repay account commands reach the spot stage, journaled, and a restart recovers them', async () => {
    const dir = dirs.make();
    const { exchange: a } = await recoverExchange(dir, OPTIONS);
    open.push(a);
    a.step(100); // the pair has an index and the maker's quotes
    assert.deepEqual(a.inputs.spot({ op: 'deposit', tsNs: a.nowNs(), accountId: ACCOUNT, asset: 'BTC', amountUnits: SAT_PER_BTC }, InputOrigin.external), { ok: true });
    const riskBefore = a.risk.engine.stateHash();
    spotCommand(a, 1, 'spotBorrow', 'USDT', 10_000 * USDT);
    assert.equal(rowOf(a, 'USDT')?.principalUnits, 10_000 * USDT);
    assert.equal(rowOf(a, 'USDT')?.balanceUnits, 10_000 * USDT);
    assert.equal(a.risk.engine.stateHash(), riskBefore, 'the perps risk stage never sees a spot command');
    a.step(500); // interest accrues on the loan
    spotCommand(a, 2, 'spotRepay', 'USDT', 4_000 * USDT);
    const left = rowOf(a, 'USDT')?.principalUnits ?? 0;
    // the interest settled into the loan first (rounded up, never in the borrower's favour): strictly more than 6 000 left
    assert.ok(left > 6_000 * USDT && left < 6_001 * USDT, `principal after a part repay: ${left}`);
    const spotBefore = a.spotMargin?.engine.stateHash();
    const seqBefore = a.inputs.appliedSeq;
    assert.throws(() => spotCommand(a, 3, 'spotBorrow', 'USDT', Number.NaN), /not a safe integer/, 'not even journaled');
    assert.equal(a.inputs.appliedSeq, seqBefore);
    spotCommand(a, 3, 'spotBorrow', 'USDT', -5);
    spotCommand(a, 4, 'spotRepay', 'DOGE', 1);
    spotCommand(a, 5, 'spotBorrow', 'USDT', 10_000_000 * USDT); // past the limits
    assert.equal(a.spotMargin?.engine.stateHash(), spotBefore, 'bad spot commands change nothing');
    a.step(50);
    await a.inputs.flush();

    const { exchange: b, recovery } = await recoverExchange(dirs.copy(dir), OPTIONS);
    open.push(b);
    assert.equal(recovery.stateHash, a.stateHash());
    assert.deepEqual(rowOf(b, 'USDT'), rowOf(a, 'USDT'));
    assert.deepEqual(rowOf(b, 'BTC'), rowOf(a, 'BTC'));
  });

  it('the account query answers for the spot ledger, and the conservation line covers it', async () => {
    const { exchange } = await recoverExchange(dirs.make(), OPTIONS);
    open.push(exchange);
    exchange.step(100);
    exchange.inputs.spot({ op: 'deposit', tsNs: exchange.nowNs(), accountId: ACCOUNT, asset: 'BTC', amountUnits: SAT_PER_BTC }, InputOrigin.external);
    spotCommand(exchange, 1, 'spotBorrow', 'USDT', 20_000 * USDT);
    const view = exchange.accountView(ACCOUNT) as { accountId: number; spot: SpotAccountReport };
    assert.equal(view.accountId, ACCOUNT);
    const btc = view.spot.assets.find((x) => x.asset === 'BTC');
    assert.ok(btc !== undefined && btc.acceptedUnits > 0, 'BTC accepted as collateral after its haircut');
    assert.equal(btc.priceFeed, 'index:BTC/USDT');
    assert.ok(btc.callPriceTicks !== null && btc.liquidationPriceTicks !== null && btc.liquidationPriceTicks < btc.callPriceTicks && btc.callPriceTicks < (btc.indexPriceTicks ?? 0));
    assert.ok(view.spot.levelE8 !== null && view.spot.distanceToCallUnits > 0 && view.spot.distanceToLiquidationUnits > view.spot.distanceToCallUnits);
    assert.equal(exchange.accountView(123_456_789), undefined, 'an account in neither ledger');

    assert.equal(exchange.figures(1).conservationOk, true);
    // one unit appears on the spot ledger from nowhere: the exchange's one line must say so
    const row = rowOf(exchange, 'BTC');
    assert.ok(row !== undefined);
    row.balanceUnits += 1;
    const figures = exchange.figures(1);
    assert.equal(figures.conservationOk, false);
    assert.ok(figures.conservationProblems.some((p) => p.startsWith('spot: ')), figures.conservationProblems.join('; '));
    row.balanceUnits -= 1;
  });

  it('the typed client borrows, repays and asks on the spot ledger, refusals carry a code, and its inputs are journaled', async () => {
    const dir = dirs.make();
    const { exchange: a } = await recoverExchange(dir, OPTIONS);
    open.push(a);
    a.step(100);
    const client = await a.client('spot-test');
    assert.deepEqual(await client.spotDeposit(ACCOUNT, 'BTC', SAT_PER_BTC), { ok: true });
    const borrowed = await client.spotBorrow(ACCOUNT, 'USDT', 5_000 * USDT);
    assert.ok(borrowed.ok && borrowed.tranId > 0, JSON.stringify(borrowed));
    const refused = await client.spotRepay(ACCOUNT, 'USDT', 50_000 * USDT);
    assert.ok(!refused.ok && refused.code.startsWith('RISK_SPOT_'), JSON.stringify(refused));
    assert.ok(!(await client.spotBorrow(ACCOUNT, 'USDT', -1)).ok);
    a.step(200);
    const repaid = await client.spotRepay(ACCOUNT, 'USDT', 1_000 * USDT);
    assert.ok(repaid.ok && borrowed.ok && repaid.tranId > borrowed.tranId, JSON.stringify(repaid));
    // orders: one resting far below the index with the client's id (journaled with it), one cancelled by id
    const [pair] = client.spotPairs();
    const index = (await client.spotIndexTicks(pair.symbol))!;
    assert.ok(index > 0);
    const bid = (priceTicks: number, clientOrderId?: string) =>
      client.spotPlaceOrder({ accountId: ACCOUNT, symbol: pair.symbol, side: Side.Buy, priceTicks, qtyLots: 3, immediateOrCancel: false, autoBorrow: false, ...(clientOrderId === undefined ? {} : { clientOrderId }) });
    const resting = await bid(Math.floor(index * 0.9), 'keep-me');
    assert.ok(resting.ok && resting.placement.status === 'NEW' && resting.placement.restingLots === 3, JSON.stringify(resting));
    const gone = await bid(Math.floor(index * 0.8));
    assert.ok(gone.ok);
    assert.deepEqual(await client.spotCancelOrder(ACCOUNT, gone.placement.orderId), { ok: true });
    assert.equal((await client.spotCancelOrder(ACCOUNT, gone.placement.orderId)).ok, false, 'a cancelled order cannot be cancelled again');
    assert.deepEqual((await client.spotOpenOrders(ACCOUNT)).map((o) => [o.orderId, o.clientOrderId, o.origLots, o.remainingLots]), [[resting.placement.orderId, 'keep-me', 3, 3]]);
    const report = await client.spotAccount(ACCOUNT);
    assert.ok(report !== null && report.assets.some((x) => x.asset === 'USDT' && x.debtUnits > 4_000 * USDT));
    assert.equal(await client.spotAccount(123_456_789), null);
    await a.inputs.flush();
    const { exchange: b, recovery } = await recoverExchange(dirs.copy(dir), OPTIONS);
    open.push(b);
    assert.equal(recovery.stateHash, a.stateHash(), 'the state at the journal end: the client’s spot inputs included');
    assert.deepEqual(b.spotMargin?.engine.accountReport(ACCOUNT), report);
    assert.deepEqual(b.spotMargin?.engine.openOrdersOf(ACCOUNT), await client.spotOpenOrders(ACCOUNT), 'the open order, its client id and size recovered from the journal');
  });

  it('every spot event is on the risk topics as spot-0: their fold rebuilds the spot ledger of a run with borrowers, calls and a shock', async () => {
    const { exchange } = await recoverExchange(dirs.make(), { logger, seed: 31, scenario: { crowdEntryStartS: 1, crowdEntryEndS: 20, shockAtS: 30 } });
    open.push(exchange);
    const wire: RiskEventV1[] = [];
    for (const topic of [Topics.riskAccountEvents, Topics.riskMarketEvents]) {
      await exchange.bus.subscribe(topic, { groupId: 'spot-fold', fromBeginning: true }, (m) => {
        if (m.value.source === SPOT_STAGE_SOURCE) wire.push(m.value);
      });
    }
    const engine = exchange.spotMargin!.engine;
    const fold = createSpotWireFold(engine.context.assets);
    for (let i = 0; i < 6; i++) {
      exchange.step(500);
      await exchange.bus.flush();
      for (const e of wire.splice(0)) fold.apply(e);
      assert.equal(fold.ledgerHash(), engine.ledgerHash(), `after ${(i + 1) * 500} steps`);
    }
    const figures = exchange.spotMargin!.figures();
    assert.ok(figures.calls > 0 && figures.liquidations > 0, `calls ${figures.calls}, liquidations ${figures.liquidations}`);
    assert.ok(figures.entered > 0 && figures.perAsset.some((a) => a.borrowedUnits > 0n), `borrowers entered and borrowed: ${JSON.stringify(figures, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`);
    assert.equal(fold.state.sortedAccountIds().length, engine.context.state.sortedAccountIds().length);
  });

  it('a snapshot carries the spot streams’ sequences: a restored twin publishes on with the same numbers', async () => {
    const { exchange: original } = await recoverExchange(dirs.make(), OPTIONS);
    open.push(original);
    original.step(300);
    const { exchange: twin } = await restoreExchangeState(captureExchangeState(original, 1), { ...OPTIONS, expectedStateHash: original.stateHash() });
    open.push(twin);
    assert.ok((original.spotMargin!.wire?.spotSeq ?? 0) > 0);
    assert.equal(twin.spotMargin!.wire?.spotSeq, original.spotMargin!.wire?.spotSeq);
    const next = async (exchange: EmbeddedExchange) => {
      const out: RiskEventV1[] = [];
      await exchange.bus.subscribe(Topics.riskAccountEvents, { groupId: 'next' }, (m) => {
        if (m.value.source === SPOT_STAGE_SOURCE) out.push(m.value);
      });
      exchange.step(100);
      await exchange.bus.flush();
      return out.map((e) => [e.accountId, Number(e.seq), e.event]);
    };
    const a = await next(original);
    assert.ok(a.length > 0);
    assert.deepEqual(await next(twin), a);
  });
});
