/**
 * Signed account endpoints: leverage, marginType, positionMargin (through the risk
 * stage), leverageBracket (the market's tier table), v2|v3 account, balance and
 * positionRisk (risk's account view). An account that never received money has
 * zero balances and no positions, not an error.
 */
import { decimalToUnits, DomainError, formatScaled, MarginMode } from '@perpcore/domain';
import type { AccountView } from '@perpcore/exchange';
import type { VenueMarket } from '@perpcore/markets';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireCaller } from '../auth/authenticated-request.js';
import { binanceError } from '../binance/binance-error.js';
import { BinanceParams } from '../trading/binance-params.js';
import { coreRejectError } from '../trading/core-rejects.js';
import { callerAccount, type TradingDeps, venueMarket } from '../trading/trading-deps.js';
import { accountTotals, positionFigures, positionRow, units } from './account-json.js';

const MAX_LEVERAGE = 125;

/** The cap of the widest tier that still allows `leverage` (Binance's maxNotionalValue). */
export function maxNotionalUnits(v: VenueMarket, leverage: number): number {
  const t = v.risk.tiers;
  let cap = 0;
  for (let i = 0; i < t.count; i++) if ((t.maxLeverage[i] as number) >= leverage) cap = t.capUnits[i] as number;
  return cap;
}

const decimalNumber = (value: number, scale: number): number => Number(formatScaled(value, scale));

export function registerAccountRoutes(app: FastifyInstance, deps: TradingDeps): void {
  const { client, settings } = deps;
  const read = { preHandler: requireCaller(deps.auth, { signed: true, permission: 'read' }) };
  const trade = { preHandler: requireCaller(deps.auth, { signed: true, permission: 'trade' }) };
  const settle = client.markets()[0]?.spec ?? { settleAsset: 'USDT', settleDecimals: 6 };
  const view = async (accountId: number): Promise<AccountView | null> => client.account(accountId);
  const nowMs = () => Date.now();

  app.post('/fapi/v1/leverage', trade, async (request) => {
    const p = BinanceParams.of(request);
    const v = venueMarket(client, p.required('symbol'));
    const leverage = p.integer('leverage', 1_000);
    p.done();
    if (leverage === undefined || leverage < 1 || leverage > MAX_LEVERAGE) throw binanceError('INVALID_LEVERAGE');
    const r = await client.setLeverage(callerAccount(request), v.spec.symbol, leverage);
    if (r.rejection !== null) throw coreRejectError(r.rejection, 'account');
    return { leverage, maxNotionalValue: units(v.spec, maxNotionalUnits(v, leverage)), symbol: v.spec.symbol };
  });

  app.post('/fapi/v1/marginType', trade, async (request) => {
    const p = BinanceParams.of(request);
    const v = venueMarket(client, p.required('symbol'));
    const wanted = p.oneOf('marginType', ['ISOLATED', 'CROSSED'] as const);
    p.done();
    if (wanted === undefined) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'marginType' was empty.");
    const accountId = callerAccount(request);
    const mode = wanted === 'ISOLATED' ? MarginMode.Isolated : MarginMode.Cross;
    if (settings.get(accountId, v.spec.symbol).mode === mode) throw binanceError('NO_NEED_TO_CHANGE_MARGIN_TYPE');
    const r = await client.setMarginMode(accountId, v.spec.symbol, mode);
    if (r.rejection !== null) throw coreRejectError(r.rejection, 'account');
    return { code: 200, msg: 'success' };
  });

  app.post('/fapi/v1/positionMargin', trade, async (request) => {
    const p = BinanceParams.of(request);
    const v = venueMarket(client, p.required('symbol'));
    const amountText = p.required('amount');
    const type = p.oneOf('type', ['1', '2'] as const, 'INVALID_MARGIN_AMOUNT');
    const positionSide = p.optional('positionSide');
    p.done();
    if (type === undefined) throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', "Parameter 'type' was empty.");
    if (positionSide !== undefined && positionSide !== 'BOTH') throw binanceError('INVALID_POSITION_SIDE');
    let amountUnits: bigint;
    try {
      amountUnits = decimalToUnits('amount', amountText, v.spec.settleDecimals);
    } catch (error) {
      if (error instanceof DomainError) throw binanceError('BAD_PRECISION');
      throw error;
    }
    if (amountUnits <= 0n || amountUnits > BigInt(Number.MAX_SAFE_INTEGER)) throw binanceError('INVALID_PARAMETER', "Parameter 'amount'.");
    const delta = type === '1' ? Number(amountUnits) : -Number(amountUnits);
    const r = await client.adjustIsolatedMargin(callerAccount(request), v.spec.symbol, delta);
    if (r.rejection !== null) throw coreRejectError(r.rejection, 'account');
    return { amount: decimalNumber(Number(amountUnits), v.spec.settleDecimals), code: 200, msg: 'Successfully modify position margin.', type: Number(type) };
  });

  app.get('/fapi/v1/leverageBracket', read, async (request) => {
    const p = BinanceParams.of(request);
    const symbol = p.optional('symbol');
    p.done();
    const markets = symbol === undefined ? client.markets() : [venueMarket(client, symbol)];
    const rows = markets.map((v) => {
      const t = v.risk.tiers;
      const d = v.spec.settleDecimals;
      const brackets = [];
      for (let i = 0; i < t.count; i++) {
        brackets.push({
          bracket: i + 1,
          initialLeverage: t.maxLeverage[i],
          notionalCap: decimalNumber(t.capUnits[i] as number, d),
          notionalFloor: decimalNumber(t.floorUnits[i] as number, d),
          maintMarginRatio: decimalNumber(t.mmrE8[i] as number, 8),
          cum: decimalNumber(t.cumUnits[i] as number, d),
        });
      }
      return { symbol: v.spec.symbol, notionalCoef: 1, brackets };
    });
    return symbol === undefined ? rows : rows[0];
  });

  const accountRoute = (version: 2 | 3) => async (request: FastifyRequest) => {
    BinanceParams.of(request).done();
    const accountId = callerAccount(request);
    const v = await view(accountId);
    const now = nowMs();
    const zero = { walletUnits: 0, upnlUnits: 0, initialUnits: 0, orderImUnits: 0, maintenanceUnits: 0, crossWalletUnits: 0, crossUpnlUnits: 0, availableUnits: 0, withdrawableUnits: 0 };
    const t = v === null ? zero : accountTotals(v, settle.settleAsset);
    const figures = v === null ? [] : positionFigures(v, client.markets());
    const u = (n: number) => units(settle, n);
    const asset = {
      asset: settle.settleAsset,
      walletBalance: u(t.walletUnits),
      unrealizedProfit: u(t.upnlUnits),
      marginBalance: u(t.walletUnits + t.upnlUnits),
      maintMargin: u(t.maintenanceUnits),
      initialMargin: u(t.initialUnits),
      positionInitialMargin: u(t.initialUnits - t.orderImUnits),
      openOrderInitialMargin: u(t.orderImUnits),
      crossWalletBalance: u(t.crossWalletUnits),
      crossUnPnl: u(t.crossUpnlUnits),
      availableBalance: u(t.availableUnits),
      maxWithdrawAmount: u(t.withdrawableUnits),
      marginAvailable: true,
      updateTime: now,
    };
    const body: Record<string, unknown> = {
      totalInitialMargin: asset.initialMargin,
      totalMaintMargin: asset.maintMargin,
      totalWalletBalance: asset.walletBalance,
      totalUnrealizedProfit: asset.unrealizedProfit,
      totalMarginBalance: asset.marginBalance,
      totalPositionInitialMargin: asset.positionInitialMargin,
      totalOpenOrderInitialMargin: asset.openOrderInitialMargin,
      totalCrossWalletBalance: asset.crossWalletBalance,
      totalCrossUnPnl: asset.crossUnPnl,
      availableBalance: asset.availableBalance,
      maxWithdrawAmount: asset.maxWithdrawAmount,
      assets: [asset],
      positions: figures.map((f) => positionRow(f, now, version, maxNotionalUnits(f.venue, f.report.leverage))),
    };
    if (version === 2) Object.assign(body, { feeTier: 0, canTrade: true, canDeposit: false, canWithdraw: false, updateTime: now, multiAssetsMargin: false });
    return body;
  };
  app.get('/fapi/v2/account', read, accountRoute(2));
  app.get('/fapi/v3/account', read, accountRoute(3));

  const balanceRoute = async (request: FastifyRequest) => {
    BinanceParams.of(request).done();
    const v = await view(callerAccount(request));
    const t = v === null ? undefined : accountTotals(v, settle.settleAsset);
    const u = (n: number | undefined) => units(settle, n ?? 0);
    return [
      {
        accountAlias: 'perpcore',
        asset: settle.settleAsset,
        balance: u(t?.walletUnits),
        crossWalletBalance: u(t?.crossWalletUnits),
        crossUnPnl: u(t?.crossUpnlUnits),
        availableBalance: u(t?.availableUnits),
        maxWithdrawAmount: u(t?.withdrawableUnits),
        marginAvailable: true,
        updateTime: nowMs(),
      },
    ];
  };
  app.get('/fapi/v2/balance', read, balanceRoute);
  app.get('/fapi/v3/balance', read, balanceRoute);

  const positionRiskRoute = (version: 2 | 3) => async (request: FastifyRequest) => {
    const p = BinanceParams.of(request);
    const symbol = p.optional('symbol');
    p.done();
    if (symbol !== undefined) venueMarket(client, symbol);
    const v = await view(callerAccount(request));
    const now = nowMs();
    const figures = v === null ? [] : positionFigures(v, client.markets());
    return figures.filter((f) => symbol === undefined || f.report.market === symbol).map((f) => positionRow(f, now, version, maxNotionalUnits(f.venue, f.report.leverage)));
  };
  app.get('/fapi/v2/positionRisk', read, positionRiskRoute(2));
  app.get('/fapi/v3/positionRisk', read, positionRiskRoute(3));
}
