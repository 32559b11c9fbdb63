/**
 * Signed lending endpoints (issue 13 through the gateway), on the core's typed client
 * so they work in embedded and cluster mode alike:
 *
 * - Crypto-backed loans in Binance's flexible-rate Crypto Loans conventions (SAPI v2,
 *   the parameter names and response fields its clients parse): `POST
 *   /sapi/v2/loan/flexible/borrow`, `GET …/ongoing/orders`, `POST …/repay`, `POST
 *   …/adjust/ltv` (ADDITIONAL and REDUCED). A borrow takes either amount and the core
 *   sizes the other at the initial LTV; a partial repayment with collateralReturn
 *   (Binance's default TRUE) gives back the collateral it frees, keeping the LTV where
 *   it was, and with FALSE leaves it in the loan, lowering the LTV. Binance keeps one
 *   loan per (loanCoin, collateralCoin): so does this API (a second borrow on an open
 *   pair is refused rather than opening a twin the pair-keyed calls could not tell
 *   apart). Rows carry, beside Binance's fields, the three answers: accepted
 *   collateral, the index that triggers the call and the liquidation, and the
 *   distance to each.
 * - The DeFi lending pool and external liquidators, under the project's own prefix
 *   (Binance has no such API): `POST /v1/lending/pool/{supply,withdraw,borrow,repay}`,
 *   `GET /v1/lending/pool/position`, `GET /v1/lending/liquidation-candidates`, `POST
 *   /v1/lending/liquidation-call`. The candidates list names other accounts' ids and
 *   pool legs on purpose: as on a DeFi pool, positions below health factor 1 are public
 *   to liquidators, and nothing else about those accounts is.
 *
 * Amounts are decimal strings in the asset's own decimals (`ledgerAssets`), refused
 * past them (-1111), never rounded. Writes need the key's trade permission, reads its
 * read permission; every refusal of the core is a 4xx naming its code and changes
 * nothing.
 */
import { type AssetSpec, formatScaled } from '@perpcore/domain';
import type { AccountCommandResult, CommandRejection, ExchangeClient, LoanCommandResult } from '@perpcore/exchange';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../auth/authenticated-request.js';
import { type BinanceError, binanceError } from '../binance/binance-error.js';
import { BinanceParams } from '../trading/binance-params.js';
import { callerAccount, type TradingDeps } from '../trading/trading-deps.js';

/** A lending refusal in Binance's terms: a balance short is -2018, the rest -1130 with the core's code. */
function lendingRejectError(rejection: CommandRejection): BinanceError {
  if (rejection.code === 'RISK_INSUFFICIENT_BALANCE' || rejection.code === 'RISK_WITHDRAW_BELOW_IM') return binanceError('BALANCE_NOT_SUFFICIENT', `(${rejection.code}) ${rejection.message.slice(0, 200)}`);
  if (rejection.code === 'RISK_STAGE_HALTED') return binanceError('DISCONNECTED');
  return binanceError('INVALID_PARAMETER', `${rejection.code}: ${rejection.message.slice(0, 200)}`);
}

function accepted<R extends AccountCommandResult>(r: R): R {
  if (r.rejection !== null) throw lendingRejectError(r.rejection);
  return r;
}

/** An E8 ratio as Binance's decimal string ("0.6971"). */
const ratio = (e8: number | string | bigint) => formatScaled(BigInt(e8), 8);

export function registerLendingRoutes(app: FastifyInstance, deps: TradingDeps): void {
  const { client } = deps;
  const read = { preHandler: requireCaller(deps.auth, { signed: true, permission: 'read' }) };
  const trade = { preHandler: requireCaller(deps.auth, { signed: true, permission: 'trade' }) };
  const assetOf = (p: BinanceParams, name: string): AssetSpec => {
    const code = p.required(name);
    const asset = client.ledgerAssets().find((a) => a.asset === code);
    if (asset === undefined) throw binanceError('INVALID_PARAMETER', `Parameter '${name}': ${code.slice(0, 16)} is not an asset of this venue.`);
    return asset;
  };
  const decimalsOf = (code: string) => client.ledgerAssets().find((a) => a.asset === code)?.decimals ?? 0;
  const amount = (units: number | string, code: string) => formatScaled(BigInt(units), decimalsOf(code));
  const settle = client.ledgerAssets()[0] ?? { asset: 'USDT', decimals: 6 };
  const openLoanOf = async (accountId: number, loanCoin: string, collateralCoin: string) => (await client.account(accountId))?.loans?.find((l) => l.loanAsset === loanCoin && l.collateralAsset === collateralCoin);

  app.post('/sapi/v2/loan/flexible/borrow', trade, async (request) => {
    const p = BinanceParams.of(request);
    const loan = assetOf(p, 'loanCoin');
    const collateral = assetOf(p, 'collateralCoin');
    const loanUnits = p.optionalAmountUnits('loanAmount', loan.decimals);
    const collateralUnits = p.optionalAmountUnits('collateralAmount', collateral.decimals);
    p.done();
    // as Binance: each is mandatory when the other is empty; the core sizes the missing one at the initial LTV
    if (loanUnits === undefined && collateralUnits === undefined) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'loanAmount' or 'collateralAmount' was empty.");
    const accountId = callerAccount(request);
    if ((await openLoanOf(accountId, loan.asset, collateral.asset)) !== undefined) {
      throw binanceError('INVALID_PARAMETER', `an open ${loan.asset} loan against ${collateral.asset} exists: adjust or repay it`);
    }
    const r = accepted(await client.openLoan(accountId, loan.asset, collateral.asset, loanUnits ?? 0, collateralUnits ?? 0));
    const opened = r.loan;
    return {
      loanCoin: loan.asset,
      loanAmount: amount(String(opened?.principalUnits ?? loanUnits ?? 0), loan.asset),
      collateralCoin: collateral.asset,
      collateralAmount: amount(String(opened?.collateralUnits ?? collateralUnits ?? 0), collateral.asset),
      status: 'Succeeds',
      loanId: Number(opened?.loanId ?? 0),
    };
  });

  app.get('/sapi/v2/loan/flexible/ongoing/orders', read, async (request) => {
    const p = BinanceParams.of(request);
    const loanCoin = p.optional('loanCoin');
    const collateralCoin = p.optional('collateralCoin');
    const current = p.integer('current', 1_000) ?? 1;
    const limit = p.integer('limit', 100) ?? 10;
    p.done();
    if (current < 1 || limit < 1) throw binanceError('INVALID_PARAMETER', "Parameters 'current' and 'limit' start at 1.");
    const loans = ((await client.account(callerAccount(request)))?.loans ?? []).filter((l) => (loanCoin === undefined || l.loanAsset === loanCoin) && (collateralCoin === undefined || l.collateralAsset === collateralCoin));
    const rows = loans.slice((current - 1) * limit, current * limit).map((l) => ({
      loanCoin: l.loanAsset,
      totalDebt: amount(l.principalUnits + l.interestUnits, l.loanAsset),
      collateralCoin: l.collateralAsset,
      collateralAmount: amount(l.collateralUnits, l.collateralAsset),
      currentLTV: ratio(l.ltvE8),
      // beyond Binance's row: the three answers
      loanId: l.loanId,
      principal: amount(l.principalUnits, l.loanAsset),
      interest: amount(l.interestUnits, l.loanAsset),
      acceptedCollateralValue: amount(l.acceptedCollateralUnits, settle.asset),
      priceFeed: l.priceMarket,
      initialLTV: ratio(l.initialLtvE8),
      marginCallLTV: ratio(l.marginCallLtvE8),
      liquidationLTV: ratio(l.liquidationLtvE8),
      distanceToMarginCall: amount(l.distanceToCallUnits, settle.asset),
      distanceToLiquidation: amount(l.distanceToLiquidationUnits, settle.asset),
    }));
    return { rows, total: loans.length };
  });

  app.post('/sapi/v2/loan/flexible/repay', trade, async (request) => {
    const p = BinanceParams.of(request);
    const loan = assetOf(p, 'loanCoin');
    const collateral = assetOf(p, 'collateralCoin');
    const repayUnits = p.amountUnits('repayAmount', loan.decimals);
    const collateralReturn = p.bool('collateralReturn') ?? true;
    const fullRepayment = p.bool('fullRepayment') ?? false;
    p.done();
    const accountId = callerAccount(request);
    const open = await openLoanOf(accountId, loan.asset, collateral.asset);
    if (open === undefined) throw binanceError('INVALID_PARAMETER', `no open ${loan.asset} loan against ${collateral.asset}`);
    // Binance repays the whole debt when asked for it or for more: the close pays exactly what is owed at its time
    // and returns all the collateral (collateralReturn only decides what a partial repayment frees)
    const closing = fullRepayment || repayUnits >= open.principalUnits + open.interestUnits;
    const r: LoanCommandResult = accepted(closing ? await client.closeLoan(accountId, open.loanId) : await client.repayLoan(accountId, open.loanId, repayUnits, collateralReturn));
    const after = r.loan;
    return {
      loanCoin: loan.asset,
      collateralCoin: collateral.asset,
      remainingDebt: amount(closing || after == null ? 0 : Number(after.principalUnits) + Number(after.interestUnits), loan.asset),
      remainingCollateral: amount(closing || after == null ? 0 : Number(after.collateralUnits), collateral.asset),
      fullRepayment: closing,
      currentLTV: ratio(closing || after == null ? 0 : Number(after.ltvE8)),
      repayStatus: 'Repaid',
    };
  });

  app.post('/sapi/v2/loan/flexible/adjust/ltv', trade, async (request) => {
    const p = BinanceParams.of(request);
    const loan = assetOf(p, 'loanCoin');
    const collateral = assetOf(p, 'collateralCoin');
    const adjustmentUnits = p.amountUnits('adjustmentAmount', collateral.decimals);
    const direction = p.oneOf('direction', ['ADDITIONAL', 'REDUCED'] as const);
    p.done();
    if (direction === undefined) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'direction' was empty.");
    const accountId = callerAccount(request);
    const open = await openLoanOf(accountId, loan.asset, collateral.asset);
    if (open === undefined) throw binanceError('INVALID_PARAMETER', `no open ${loan.asset} loan against ${collateral.asset}`);
    const r = accepted(direction === 'ADDITIONAL' ? await client.addLoanCollateral(accountId, open.loanId, adjustmentUnits) : await client.removeLoanCollateral(accountId, open.loanId, adjustmentUnits));
    return { loanCoin: loan.asset, collateralCoin: collateral.asset, direction, adjustmentAmount: amount(adjustmentUnits, collateral.asset), currentLTV: ratio(Number(r.loan?.ltvE8 ?? 0)), status: 'Succeeds' };
  });

  const poolMoves = {
    supply: (id: number, a: string, u: number) => client.poolSupply(id, a, u),
    withdraw: (id: number, a: string, u: number) => client.poolWithdraw(id, a, u),
    borrow: (id: number, a: string, u: number) => client.poolBorrow(id, a, u),
    repay: (id: number, a: string, u: number) => client.poolRepay(id, a, u),
  } as const;
  for (const [action, move] of Object.entries(poolMoves)) {
    app.post(`/v1/lending/pool/${action}`, trade, async (request) => {
      const p = BinanceParams.of(request);
      const asset = assetOf(p, 'asset');
      const units = p.amountUnits('amount', asset.decimals);
      p.done();
      const r = accepted(await move(callerAccount(request), asset.asset, units));
      return { asset: asset.asset, amount: amount(units, asset.asset), walletBalance: r.balanceAfterUnits === '' ? null : amount(r.balanceAfterUnits, asset.asset), status: 'Succeeds' };
    });
  }

  app.get('/v1/lending/pool/position', read, async (request) => {
    BinanceParams.of(request).done();
    const position = (await client.account(callerAccount(request)))?.lendingPool ?? null;
    if (position === null) return { position: null };
    return {
      position: {
        positionSeq: position.positionSeq,
        healthFactor: position.healthFactorE8 === null ? null : ratio(position.healthFactorE8),
        liquidatable: position.liquidatable,
        acceptedCollateralValue: amount(position.acceptedCollateralUnits, settle.asset),
        debtValue: amount(position.debtValueUnits, settle.asset),
        distanceToLiquidation: amount(position.distanceToLiquidationUnits, settle.asset),
        legs: position.legs.map((l) => ({ asset: l.asset, priceFeed: l.priceFeed, supplied: amount(l.suppliedUnits, l.asset), debt: amount(l.debtUnits, l.asset), liquidationThreshold: ratio(l.liquidationThresholdE8) })),
      },
    };
  });

  app.get('/v1/lending/liquidation-candidates', read, async (request) => {
    BinanceParams.of(request).done();
    const candidates = await client.liquidationCandidates();
    return candidates.map((c) => ({
      accountId: c.accountId,
      positionSeq: c.positionSeq,
      healthFactor: ratio(c.healthFactorE8),
      legs: c.legs.map((l) => ({ asset: l.asset, supplied: amount(l.suppliedUnits, l.asset), debt: amount(l.debtUnits, l.asset) })),
    }));
  });

  app.post('/v1/lending/liquidation-call', trade, async (request) => {
    const p = BinanceParams.of(request);
    const borrower = p.integer('borrowerAccountId', 0xffff_ffff);
    const debt = assetOf(p, 'debtAsset');
    const collateral = assetOf(p, 'collateralAsset');
    const debtUnits = p.amountUnits('debtToCover', debt.decimals);
    const positionSeq = p.integer('positionSeq');
    p.done();
    if (borrower === undefined || borrower < 1) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'borrowerAccountId' was empty.");
    if (positionSeq === undefined) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'positionSeq' was empty.");
    const r = accepted(await client.liquidationCall(callerAccount(request), borrower, debt.asset, collateral.asset, debtUnits, positionSeq));
    // the liquidator's own effect: its wallet paid the debt and received the collateral
    const filled = r.riskEvents.find((e) => e.event === 'poolLiquidationFilled')?.poolLiquidationFilled;
    return {
      borrowerAccountId: borrower,
      debtAsset: debt.asset,
      collateralAsset: collateral.asset,
      debtRepaid: filled == null ? null : amount(filled.debtPaidUnits, debt.asset),
      collateralReceived: filled == null ? null : amount(filled.collateralReceivedUnits, collateral.asset),
      status: 'Succeeds',
    };
  });
}
