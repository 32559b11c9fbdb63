import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signed, startTestGateway, TEST_ADMIN_TOKEN, type TestGateway } from '../gateway-test-server.test-support.js';
import { WsClient } from '../test-support/ws-client.test-support.js';

describe('signed lending endpoints (real HTTP, embedded core with loans and the pool)', () => {
  let gw: TestGateway;
  let call: (key: 'a' | 'b' | 'aRead' | 'poor', method: string, path: string, params?: Record<string, string | number | boolean>) => ReturnType<typeof signed>;
  const btcOf = async (accountId: number) => (await gw.client.account(accountId))?.collateral.find((c) => c.asset === 'BTC')?.balanceUnits ?? 0;

  before(async () => {
    gw = await startTestGateway(13, { loanBorrowers: 1 });
    gw.exchange.step(200); // index prices for the collateral
    call = (key, method, path, params = {}) => signed(gw.base, gw.keys[key], method, path, params);
    // custody of a collateral asset through the operator API: BTC is a ledger asset once the stage lends against it
    const r = await fetch(`${gw.base}/v1/admin/deposits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ accountId: gw.keys.a.accountId, asset: 'BTC', amount: '1' }),
    });
    assert.equal(r.status, 200, await r.text());
  });
  after(async () => gw.close());

  it('borrows, lists, tops up, repays and closes a loan in Binance flexible-loan form', async () => {
    assert.equal(await btcOf(gw.keys.a.accountId), 100_000_000);
    const borrow = await call('a', 'POST', '/sapi/v2/loan/flexible/borrow', { loanCoin: 'USDT', loanAmount: '1000', collateralCoin: 'BTC', collateralAmount: '0.5' });
    assert.equal(borrow.status, 200, JSON.stringify(borrow.body));
    assert.deepEqual({ ...borrow.body, loanId: undefined }, { loanCoin: 'USDT', loanAmount: '1000', collateralCoin: 'BTC', collateralAmount: '0.5', status: 'Succeeds', loanId: undefined });
    assert.ok(borrow.body.loanId > 0);

    const twin = await call('a', 'POST', '/sapi/v2/loan/flexible/borrow', { loanCoin: 'USDT', loanAmount: '10', collateralCoin: 'BTC', collateralAmount: '0.1' });
    assert.deepEqual([twin.status, twin.body.code], [400, -1130], 'one loan per pair, as Binance keeps it');
    const fine = await call('a', 'POST', '/sapi/v2/loan/flexible/borrow', { loanCoin: 'USDT', loanAmount: '10.1234567', collateralCoin: 'ETH', collateralAmount: '1' });
    assert.equal(fine.body.code, -1111, 'more decimals than USDT has: refused, not rounded');
    assert.equal((await call('aRead', 'POST', '/sapi/v2/loan/flexible/borrow', { loanCoin: 'USDT', loanAmount: '10', collateralCoin: 'ETH', collateralAmount: '1' })).body.code, -2015, 'a read key cannot borrow');
    const greedy = await call('a', 'POST', '/sapi/v2/loan/flexible/borrow', { loanCoin: 'USDT', loanAmount: '5000000', collateralCoin: 'ETH', collateralAmount: '1' });
    assert.deepEqual([greedy.body.code, /RISK_LOAN_LTV_ABOVE_INITIAL/.test(greedy.body.msg)], [-1130, true], JSON.stringify(greedy.body));
    const noEth = await call('a', 'POST', '/sapi/v2/loan/flexible/borrow', { loanCoin: 'USDT', loanAmount: '10', collateralCoin: 'ETH', collateralAmount: '1' });
    assert.equal(noEth.body.code, -2018, `no ETH to pledge: ${JSON.stringify(noEth.body)}`);

    const listed = await call('a', 'GET', '/sapi/v2/loan/flexible/ongoing/orders');
    assert.equal(listed.body.total, 1);
    const row = listed.body.rows[0];
    assert.deepEqual([row.loanCoin, row.totalDebt, row.collateralCoin, row.collateralAmount, row.priceFeed, row.marginCallLTV, row.liquidationLTV], ['USDT', '1000', 'BTC', '0.5', 'BTCUSDT', '0.76', '0.8']);
    assert.ok(Number(row.currentLTV) > 0 && Number(row.currentLTV) < 0.72, row.currentLTV);
    assert.ok(Number(row.distanceToLiquidation) > Number(row.distanceToMarginCall) && Number(row.distanceToMarginCall) > 0);
    assert.deepEqual((await call('b', 'GET', '/sapi/v2/loan/flexible/ongoing/orders')).body, { rows: [], total: 0 }, "B sees none of A's loans");

    const added = await call('a', 'POST', '/sapi/v2/loan/flexible/adjust/ltv', { loanCoin: 'USDT', collateralCoin: 'BTC', adjustmentAmount: '0.1', direction: 'ADDITIONAL' });
    assert.equal(added.body.status, 'Succeeds', JSON.stringify(added.body));
    assert.ok(Number(added.body.currentLTV) < Number(row.currentLTV));
    const reduced = await call('a', 'POST', '/sapi/v2/loan/flexible/adjust/ltv', { loanCoin: 'USDT', collateralCoin: 'BTC', adjustmentAmount: '0.1', direction: 'REDUCED' });
    assert.deepEqual([reduced.body.direction, reduced.body.currentLTV], ['REDUCED', row.currentLTV], 'back to the opening LTV');
    const all = await call('a', 'POST', '/sapi/v2/loan/flexible/adjust/ltv', { loanCoin: 'USDT', collateralCoin: 'BTC', adjustmentAmount: '0.5', direction: 'REDUCED' });
    assert.deepEqual([all.body.code, /RISK_LOAN_COLLATERAL_ALL_REMOVED/.test(all.body.msg)], [-1130, true], JSON.stringify(all.body));
    assert.equal((await call('a', 'POST', '/sapi/v2/loan/flexible/adjust/ltv', { loanCoin: 'USDT', collateralCoin: 'BTC', adjustmentAmount: '0.1', direction: 'ADDITIONAL' })).body.status, 'Succeeds');

    const kept = await call('a', 'POST', '/sapi/v2/loan/flexible/repay', { loanCoin: 'USDT', collateralCoin: 'BTC', repayAmount: '200', collateralReturn: 'FALSE' });
    assert.deepEqual([kept.body.remainingDebt, kept.body.remainingCollateral, kept.body.fullRepayment, kept.body.repayStatus], ['800', '0.6', false, 'Repaid'], 'FALSE: the collateral stays, the LTV falls');
    const btcBefore = await btcOf(gw.keys.a.accountId);
    const part = await call('a', 'POST', '/sapi/v2/loan/flexible/repay', { loanCoin: 'USDT', collateralCoin: 'BTC', repayAmount: '200' });
    // Binance's default TRUE: the collateral the repayment frees comes back, 600 / 800 of it kept at the LTV before
    assert.deepEqual([part.body.remainingDebt, part.body.fullRepayment], ['600', false], JSON.stringify(part.body));
    assert.ok(Number(part.body.remainingCollateral) >= 0.45 && Number(part.body.remainingCollateral) < 0.451, part.body.remainingCollateral);
    assert.ok(Number(part.body.currentLTV) <= Number(kept.body.currentLTV), `${part.body.currentLTV} ≤ ${kept.body.currentLTV}`);
    assert.equal(await btcOf(gw.keys.a.accountId) - btcBefore, 60_000_000 - Math.round(Number(part.body.remainingCollateral) * 1e8), 'the freed BTC is in the wallet');
    const full = await call('a', 'POST', '/sapi/v2/loan/flexible/repay', { loanCoin: 'USDT', collateralCoin: 'BTC', repayAmount: '1', fullRepayment: 'TRUE' });
    assert.deepEqual([full.body.remainingDebt, full.body.remainingCollateral, full.body.fullRepayment], ['0', '0', true]);
    assert.deepEqual((await call('a', 'GET', '/sapi/v2/loan/flexible/ongoing/orders')).body, { rows: [], total: 0 });
    assert.equal(await btcOf(gw.keys.a.accountId), 100_000_000, 'every satoshi of collateral came back');
    assert.equal((await call('a', 'POST', '/sapi/v2/loan/flexible/repay', { loanCoin: 'USDT', collateralCoin: 'BTC', repayAmount: '1' })).body.code, -1130, 'no loan left to repay');
  });

  it('borrows with either amount, as Binance does: the core sizes the other at the initial LTV', async () => {
    const neither = await call('a', 'POST', '/sapi/v2/loan/flexible/borrow', { loanCoin: 'USDT', collateralCoin: 'BTC' });
    assert.equal(neither.body.code, -1102, JSON.stringify(neither.body));
    const byCollateral = await call('a', 'POST', '/sapi/v2/loan/flexible/borrow', { loanCoin: 'USDT', collateralCoin: 'BTC', collateralAmount: '0.1' });
    assert.equal(byCollateral.body.collateralAmount, '0.1', JSON.stringify(byCollateral.body));
    const row = (await call('a', 'GET', '/sapi/v2/loan/flexible/ongoing/orders')).body.rows[0];
    assert.equal(row.totalDebt, byCollateral.body.loanAmount);
    // the most 0.1 BTC backs: at the initial LTV, which a micro-USDT more would pass
    assert.ok(Number(row.currentLTV) <= Number(row.initialLTV) && Number(row.currentLTV) > Number(row.initialLTV) - 0.0001, `${row.currentLTV} against ${row.initialLTV}`);
    assert.equal((await call('a', 'POST', '/sapi/v2/loan/flexible/repay', { loanCoin: 'USDT', collateralCoin: 'BTC', repayAmount: row.totalDebt, fullRepayment: 'TRUE' })).body.fullRepayment, true);
    const byLoan = await call('a', 'POST', '/sapi/v2/loan/flexible/borrow', { loanCoin: 'USDT', collateralCoin: 'BTC', loanAmount: '500' });
    assert.equal(byLoan.body.loanAmount, '500', JSON.stringify(byLoan.body));
    const sized = (await call('a', 'GET', '/sapi/v2/loan/flexible/ongoing/orders')).body.rows[0];
    assert.equal(sized.collateralAmount, byLoan.body.collateralAmount);
    assert.ok(Number(sized.currentLTV) <= Number(sized.initialLTV) && Number(sized.currentLTV) > Number(sized.initialLTV) - 0.0001, `${sized.currentLTV} against ${sized.initialLTV}`);
    assert.equal((await call('a', 'POST', '/sapi/v2/loan/flexible/repay', { loanCoin: 'USDT', collateralCoin: 'BTC', repayAmount: '500', fullRepayment: 'TRUE' })).body.fullRepayment, true);
    assert.equal(await btcOf(gw.keys.a.accountId), 100_000_000, 'every satoshi came back');
    const audit = gw.exchange.risk.engine.audit();
    assert.ok(audit.ok, audit.problems.join('; '));
  });

  it('supplies, borrows against BTC in the pool; liquidators see candidates and a healthy position refuses their call', async () => {
    const supplied = await call('b', 'POST', '/v1/lending/pool/supply', { asset: 'USDT', amount: '50000' });
    assert.deepEqual(supplied.body, { asset: 'USDT', amount: '50000', walletBalance: '950000', status: 'Succeeds' });
    assert.equal((await call('a', 'POST', '/v1/lending/pool/supply', { asset: 'BTC', amount: '0.5' })).body.status, 'Succeeds');
    assert.equal((await call('a', 'POST', '/v1/lending/pool/borrow', { asset: 'USDT', amount: '1000' })).body.status, 'Succeeds');
    const { position } = (await call('a', 'GET', '/v1/lending/pool/position')).body;
    assert.ok(Number(position.healthFactor) > 1 && position.liquidatable === false, JSON.stringify(position));
    assert.equal(position.legs.find((l: { asset: string }) => l.asset === 'BTC')?.priceFeed, 'BTCUSDT');
    assert.deepEqual((await call('poor', 'GET', '/v1/lending/pool/position')).body, { position: null });

    const candidates = (await call('b', 'GET', '/v1/lending/liquidation-candidates')).body as { accountId: number }[];
    assert.ok(!candidates.some((c) => c.accountId === gw.keys.a.accountId), 'a healthy position is no candidate');
    const healthy = await call('b', 'POST', '/v1/lending/liquidation-call', { borrowerAccountId: gw.keys.a.accountId, debtAsset: 'USDT', collateralAsset: 'BTC', debtToCover: '100', positionSeq: position.positionSeq });
    assert.deepEqual([healthy.status, healthy.body.code], [400, -1130]);
    assert.match(healthy.body.msg, /RISK_DEFI_POSITION_HEALTHY/);
    assert.equal((await call('b', 'POST', '/v1/lending/liquidation-call', { debtAsset: 'USDT', collateralAsset: 'BTC', debtToCover: '100', positionSeq: 1 })).body.code, -1102);

    const debt = position.legs.find((l: { asset: string }) => l.asset === 'USDT')?.debt as string;
    assert.equal((await call('a', 'POST', '/v1/lending/pool/repay', { asset: 'USDT', amount: debt })).body.status, 'Succeeds');
    assert.equal((await call('a', 'POST', '/v1/lending/pool/withdraw', { asset: 'BTC', amount: '0.5' })).body.status, 'Succeeds');
    assert.equal(await btcOf(gw.keys.a.accountId), 100_000_000);
    assert.equal((await call('a', 'POST', '/v1/lending/pool/withdraw', { asset: 'DOGE', amount: '1' })).body.code, -1130, 'an asset the venue does not have');
    const audit = gw.exchange.risk.engine.audit();
    assert.ok(audit.ok, audit.problems.join('; '));
  });
});

describe('the liquidators’ stream !lendingHealth@arr (real WebSocket, embedded core)', () => {
  let gw: TestGateway;
  before(async () => {
    // the simulated pool borrowers borrow at 30 s; the 12 % shock at 40 s takes the riskiest below HF 1
    gw = await startTestGateway(3, { shockAtS: 40, crowdAccounts: 0 });
  });
  after(async () => gw.close());

  it('pushes each health-factor transition with the position sequence a call must name, and the candidates query agrees', async () => {
    const ws = await WsClient.open(`${gw.base.replace('http', 'ws')}/stream?streams=!lendingHealth@arr`);
    try {
      gw.exchange.step(2_300); // 46 simulated seconds
      const f = await ws.next<{ stream: string; data: { e: string; a: number; s: number; h: string; x: string; i: string } }>((x) => (x as { data?: { x?: string } }).data?.x === 'BELOW_ONE');
      assert.equal(f.stream, '!lendingHealth@arr');
      assert.deepEqual([f.data.e, f.data.i], ['lendingHealth', 'BTCUSDT'], 'the index moved it');
      assert.ok(f.data.a > 0 && f.data.s > 0 && Number(f.data.h) < 1, JSON.stringify(f.data));
      // the liquidator bot takes some within seconds: whoever is still a candidate was announced on the stream
      const announced = new Set(ws.frames.map((x) => (x as { data?: { x?: string; a?: number } }).data).filter((d) => d?.x === 'BELOW_ONE').map((d) => d?.a));
      const candidates = (await signed(gw.base, gw.keys.a, 'GET', '/v1/lending/liquidation-candidates')).body as { accountId: number }[];
      for (const c of candidates) assert.ok(announced.has(c.accountId), `candidate ${c.accountId} was announced`);
    } finally {
      ws.close();
    }
  });
});
