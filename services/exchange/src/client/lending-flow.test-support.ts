/**
 * One flow through the risk stage's lending contexts, driven through any
 * `ExchangeClient` (embedded: embedded-exchange-client.test.ts; a cluster risk shard
 * over a real broker: cluster-lending-kafka.test.ts), so both modes are held to the
 * same answers: a crypto-backed loan opened, topped up, partly taken back, partly
 * repaid and closed (each
 * answer carrying the loan after it, read from the command's own events), refusals
 * that change nothing (LTV above the initial, another account's loan), and the
 * lending pool: liquidity supplied, a borrow against BTC, the candidates query, an
 * external liquidator's call refused on a healthy position and on a stale position sequence, the debt
 * repaid. Amounts are far from any price the simulated or the cluster's oracle walks
 * to (1 BTC backs 1,000 USDT), so the flow does not depend on the index path.
 */
import assert from 'node:assert/strict';
import type { AccountCommandResult, ExchangeClient } from './exchange-client.js';

const USDT = 1_000_000;
const BTC = 100_000_000;
const LOAN_STATE_CLOSED = 4;

export interface LendingFlowAccounts {
  readonly borrower: number;
  readonly supplier: number;
  readonly poolBorrower: number;
  readonly liquidator: number;
  /** An account with money of its own that tries to touch the borrower's loan. */
  readonly intruder: number;
}

const accepted = (what: string, r: AccountCommandResult) => assert.equal(r.rejection, null, `${what}: ${JSON.stringify(r.rejection)}`);

function refusedWith(what: string, r: AccountCommandResult, code: string): void {
  assert.equal(r.rejection?.code, code, `${what}: ${JSON.stringify(r.rejection)}`);
  assert.equal(r.rejection?.stage, 'risk');
}

async function balanceOf(client: ExchangeClient, accountId: number, asset: string): Promise<number> {
  return (await client.account(accountId))?.collateral.find((c) => c.asset === asset)?.balanceUnits ?? 0;
}

export async function runLoanFlow(client: ExchangeClient, accounts: LendingFlowAccounts): Promise<void> {
  const { borrower, intruder } = accounts;
  accepted('BTC deposit', await client.deposit(borrower, 'BTC', BTC));
  accepted('USDT for the interest', await client.deposit(borrower, 'USDT', 10 * USDT));

  const greedy = await client.openLoan(borrower, 'USDT', 'BTC', 5_000_000 * USDT, BTC);
  refusedWith('5,000,000 USDT against 1 BTC', greedy, 'RISK_LOAN_LTV_ABOVE_INITIAL');
  assert.equal(greedy.loan, null);
  assert.equal(await balanceOf(client, borrower, 'BTC'), BTC, 'the refused loan moved no collateral');

  const opened = await client.openLoan(borrower, 'USDT', 'BTC', 1_000 * USDT, BTC / 2);
  accepted('open', opened);
  const loan = opened.loan;
  assert.ok(loan != null && Number(loan.loanId) > 0, 'the answer carries the loan its LoanOpened event holds');
  const loanId = Number(loan.loanId);
  assert.deepEqual([Number(loan.principalUnits), Number(loan.collateralUnits), loan.priceMarket], [1_000 * USDT, BTC / 2, 'BTCUSDT']);
  assert.ok(Number(loan.ltvE8) > 0 && Number(loan.ltvE8) < Number(loan.initialLtvE8), `LTV ${String(loan.ltvE8)} within the initial ${String(loan.initialLtvE8)}`);
  assert.ok(Number(loan.distanceToCallUnits) > 0 && Number(loan.distanceToLiquidationUnits) > Number(loan.distanceToCallUnits), 'the call comes before liquidation');
  const report = await client.account(borrower);
  assert.deepEqual(report?.loans?.map((l) => [l.loanId, l.principalUnits, l.collateralUnits]), [[loanId, 1_000 * USDT, BTC / 2]], 'the account query shows the loan');
  assert.equal(report?.collateral.find((c) => c.asset === 'BTC')?.balanceUnits, BTC / 2);

  accepted('intruder deposit', await client.deposit(intruder, 'USDT', 100 * USDT));
  refusedWith("another account repays the borrower's loan", await client.repayLoan(intruder, loanId, USDT), 'RISK_LOAN_NOT_OWNER');
  refusedWith("another account closes it", await client.closeLoan(intruder, loanId), 'RISK_LOAN_NOT_OWNER');

  const topped = await client.addLoanCollateral(borrower, loanId, BTC / 10);
  accepted('top-up', topped);
  assert.equal(Number(topped.loan?.collateralUnits), (6 * BTC) / 10);
  assert.ok(Number(topped.loan?.ltvE8) < Number(loan.ltvE8), 'more collateral, lower LTV');
  refusedWith('taking all but a satoshi back', await client.removeLoanCollateral(borrower, loanId, (6 * BTC) / 10 - 1), 'RISK_LOAN_LTV_ABOVE_INITIAL');
  const reduced = await client.removeLoanCollateral(borrower, loanId, BTC / 20);
  accepted('take some collateral back', reduced);
  assert.equal(Number(reduced.loan?.collateralUnits), (11 * BTC) / 20);
  assert.equal(await balanceOf(client, borrower, 'BTC'), (9 * BTC) / 20, 'back in the wallet');
  accepted('top it up again', await client.addLoanCollateral(borrower, loanId, BTC / 20));

  const repaid = await client.repayLoan(borrower, loanId, 400 * USDT);
  accepted('repay', repaid);
  const repaidEvent = repaid.riskEvents.find((e) => e.event === 'loanRepaid')?.loanRepaid;
  assert.equal(Number(repaidEvent?.interestPaidUnits) + Number(repaidEvent?.principalPaidUnits), 400 * USDT, 'interest first, then principal: the two add up to the payment');
  assert.equal(Number(repaid.loan?.principalUnits), 1_000 * USDT - Number(repaidEvent?.principalPaidUnits));

  // a repayment that returns the collateral it frees: both effects in the one answer, the LTV no higher than before
  const freeing = await client.repayLoan(borrower, loanId, 100 * USDT, true);
  accepted('repay and take the freed collateral', freeing);
  assert.deepEqual(freeing.riskEvents.filter((e) => e.accountId === borrower && e.event.startsWith('loan')).map((e) => e.event), ['loanRepaid', 'loanCollateralRemoved']);
  const freedUnits = Number(freeing.riskEvents.find((e) => e.event === 'loanCollateralRemoved')?.loanCollateralRemoved?.amountUnits);
  assert.ok(freedUnits > 0 && Number(freeing.loan?.collateralUnits) === (6 * BTC) / 10 - freedUnits, `freed ${freedUnits}`);
  assert.ok(Number(freeing.loan?.ltvE8) <= Number(repaid.loan?.ltvE8), `LTV ${String(freeing.loan?.ltvE8)} ≤ ${String(repaid.loan?.ltvE8)}`);
  assert.equal(await balanceOf(client, borrower, 'BTC'), (4 * BTC) / 10 + freedUnits, 'the freed collateral is in the wallet');

  const closed = await client.closeLoan(borrower, loanId);
  accepted('close', closed);
  assert.equal(closed.loan?.state, LOAN_STATE_CLOSED);
  assert.equal(Number(closed.riskEvents.find((e) => e.event === 'loanClosed')?.loanClosed?.collateralReturnedUnits), (6 * BTC) / 10 - freedUnits);
  const after = await client.account(borrower);
  assert.deepEqual(after?.loans ?? [], [], 'a closed loan is gone from the account');
  assert.equal(after?.collateral.find((c) => c.asset === 'BTC')?.balanceUnits, BTC, 'every satoshi of collateral came back');
  refusedWith('closing it twice', await client.closeLoan(borrower, loanId), 'RISK_LOAN_UNKNOWN');

  // a borrow sized by the core from its collateral alone (principal 0): the most the initial LTV allows
  const sized = await client.openLoan(borrower, 'USDT', 'BTC', 0, BTC / 10);
  accepted('open sized from the collateral', sized);
  assert.ok(Number(sized.loan?.principalUnits) > 0 && Number(sized.loan?.ltvE8) <= Number(sized.loan?.initialLtvE8), `principal ${String(sized.loan?.principalUnits)} at LTV ${String(sized.loan?.ltvE8)}`);
  refusedWith('neither amount', await client.openLoan(borrower, 'USDT', 'BTC', 0, 0), 'RISK_INVALID_AMOUNT');
  accepted('close the sized loan', await client.closeLoan(borrower, Number(sized.loan?.loanId)));
  assert.equal(await balanceOf(client, borrower, 'BTC'), BTC);
}

export async function runPoolFlow(client: ExchangeClient, accounts: LendingFlowAccounts): Promise<void> {
  const { supplier, poolBorrower, liquidator } = accounts;
  accepted('supplier deposit', await client.deposit(supplier, 'USDT', 100_000 * USDT));
  const supplied = await client.poolSupply(supplier, 'USDT', 50_000 * USDT);
  accepted('supply', supplied);
  assert.equal(supplied.balanceAfterUnits, String(50_000 * USDT), 'the answer names the wallet balance after the supply');

  accepted('borrower deposit', await client.deposit(poolBorrower, 'BTC', BTC));
  accepted('BTC as pool collateral', await client.poolSupply(poolBorrower, 'BTC', BTC));
  accepted('USDT for the interest', await client.deposit(poolBorrower, 'USDT', 10 * USDT));
  const borrowed = await client.poolBorrow(poolBorrower, 'USDT', 1_000 * USDT);
  accepted('borrow', borrowed);
  assert.equal(borrowed.balanceAfterUnits, String(1_010 * USDT));
  const position = (await client.account(poolBorrower))?.lendingPool;
  assert.ok(position != null && !position.liquidatable, 'the position is healthy');
  assert.ok(Number(position.healthFactorE8) > 100_000_000, `health factor ${String(position.healthFactorE8)} E8`);
  assert.equal(position.legs.find((l) => l.asset === 'BTC')?.priceFeed, 'BTCUSDT', 'the collateral leg names the index that triggers it');

  const candidates = await client.liquidationCandidates();
  assert.ok(!candidates.some((c) => c.accountId === poolBorrower), 'a healthy position is no liquidation candidate');
  assert.ok(candidates.every((c) => BigInt(c.healthFactorE8) < 100_000_000n), 'every candidate is below HF 1');
  accepted('liquidator deposit', await client.deposit(liquidator, 'USDT', 10_000 * USDT));
  refusedWith('a call on a healthy position', await client.liquidationCall(liquidator, poolBorrower, 'USDT', 'BTC', 100 * USDT, position.positionSeq), 'RISK_DEFI_POSITION_HEALTHY');
  refusedWith('a call on a stale position sequence', await client.liquidationCall(liquidator, poolBorrower, 'USDT', 'BTC', 100 * USDT, position.positionSeq + 7), 'RISK_DEFI_POSITION_CHANGED');
  assert.equal((await client.account(poolBorrower))?.lendingPool?.positionSeq, position.positionSeq, 'the refused calls changed nothing');
  assert.equal(await balanceOf(client, liquidator, 'USDT'), 10_000 * USDT);

  const debtUnits = position.legs.find((l) => l.asset === 'USDT')?.debtUnits ?? 0;
  accepted('repay the whole debt', await client.poolRepay(poolBorrower, 'USDT', debtUnits));
  assert.equal((await client.account(poolBorrower))?.lendingPool?.legs.find((l) => l.asset === 'USDT')?.debtUnits ?? 0, 0, 'no debt left');
  accepted('collateral back out', await client.poolWithdraw(poolBorrower, 'BTC', BTC));
  assert.equal(await balanceOf(client, poolBorrower, 'BTC'), BTC);
}
