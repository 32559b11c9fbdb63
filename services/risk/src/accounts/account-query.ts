/**
 * The three questions, per account, at any time (RISK-SPEC §6, ARCHITECTURE.md
 * "Risk model"), as a JSON-able report:
 *
 * 1. Accepted collateral: per asset its balance, index and accepted value after the
 *    haircut (§7), and the total (the cross scope's collateral term of E).
 * 2. Which price controls each trigger: per position, the market's mark method, the
 *    mark and its components (index, P1, P2, last trade), and the oracle symbol;
 *    per collateral asset, the index market that values it.
 * 3. Distance to the margin call and to liquidation per scope, in units
 *    (`E − level × basis`, `distanceToLevelUnits`), plus each position's
 *    liquidation and margin-call price (`priceAtLevel` at the scope's levels,
 *    reported long up / short down) and bankruptcy price.
 * Also: balances, positions, open-order IM, available and withdrawable margin.
 *
 * Every scope is evaluated once, and its report copies what it needs from the
 * shared evaluator before the next scope's evaluation overwrites it; account-level
 * fields (accepted collateral, withdrawable) are read from the cross report.
 * Off the hot path (allocates freely); reading changes nothing.
 */
import { MarginMode } from '@perpcore/domain';
import { type CrossEvaluation, acceptedValueUnits, bankruptcy, distanceToLevelUnits, isolatedBankruptcy, marginLevelE8, priceAtLevel, withdrawableUnits } from '@perpcore/margin';
import { AccountKind } from './account-book.js';
import { marginStateName } from '../margin-watch/margin-state-code.js';
import type { RiskState } from '../risk-state.js';
import { type LoanReport, loanReports } from '../loans/loan-report.js';
import { type PoolPositionReport, poolPositionReport } from '../defi-liquidation/pool-report.js';

export interface PriceSourceReport {
  readonly oracleSymbol: string;
  readonly markMethod: string;
  readonly markSubticks: number;
  readonly indexSubticks: number;
  readonly p1Subticks: number;
  readonly p2Subticks: number;
  /** Last trade in ticks, 0 before the first. */
  readonly lastTradeTicks: number;
}

export interface PositionReport {
  readonly market: string;
  readonly qtyLots: number;
  readonly costUnits: number;
  readonly leverage: number;
  readonly mode: 'CROSS' | 'ISOLATED';
  readonly upnlUnits: number;
  readonly maintenanceUnits: number;
  readonly pendingFundingUnits: number;
  readonly openOrders: number;
  readonly priceSource: PriceSourceReport;
  /** Reported to priceDecimals (long rounded up, short down); null when price alone cannot reach the line. */
  readonly liquidationPrice: string | null;
  readonly marginCallPrice: string | null;
  readonly bankruptcyPriceTicks: number | null;
  /** IMF_RAMP markets: the open-interest IMF the position's IM is held at (E8); null for FIXED IM. */
  readonly initialFractionE8: number | null;
}

export interface ScopeReport {
  readonly mode: 'CROSS' | 'ISOLATED';
  readonly market: string;
  readonly state: string;
  readonly equityUnits: number;
  readonly maintenanceUnits: number;
  readonly basisUnits: number;
  readonly initialUnits: number;
  readonly openOrderImUnits: number;
  /** Cross: the accepted collateral (WB + haircut assets); isolated: the bucket. */
  readonly collateralUnits: number;
  /** Σ PF of the scope's positions (positive: owed). */
  readonly pendingFundingUnits: number;
  readonly levelE8: number | null;
  readonly marginCallLevelE8: number;
  readonly liquidationLevelE8: number;
  readonly distanceToMarginCallUnits: number;
  readonly distanceToLiquidationUnits: number;
  readonly availableUnits: number;
  readonly positions: readonly PositionReport[];
}

export interface CollateralReport {
  readonly asset: string;
  readonly balanceUnits: number;
  readonly indexMarket: string | null;
  readonly indexSubticks: number | null;
  readonly acceptedValueUnits: number;
}

export interface AccountReport {
  readonly accountId: number;
  readonly kind: 'TRADER' | 'FEE' | 'INSURANCE_FUND';
  readonly collateral: readonly CollateralReport[];
  readonly acceptedCollateralUnits: number;
  readonly withdrawableUnits: number;
  readonly cross: ScopeReport;
  readonly isolated: readonly ScopeReport[];
  /** Crypto-backed loans (loans/loan-report.ts): present when the stage lends. */
  readonly loans?: readonly LoanReport[];
  /** The DeFi lending-pool position (defi-liquidation/pool-report.ts), null without one. */
  readonly lendingPool: PoolPositionReport | null;
}

export function accountReport(s: RiskState, accountId: number): AccountReport | null {
  const slot = s.accounts.slotOf(accountId);
  if (slot < 0) return null;
  const acc = s.accounts;
  const collateral: CollateralReport[] = [{ asset: s.setup.assetCodes[0], balanceUnits: acc.balances[0][slot], indexMarket: null, indexSubticks: null, acceptedValueUnits: acc.balances[0][slot] }];
  for (const c of s.setup.collateral) {
    const balance = acc.balances[c.assetIndex][slot];
    collateral.push({
      asset: c.asset.asset,
      balanceUnits: balance,
      indexMarket: s.markets[c.indexMarket].symbol,
      indexSubticks: c.price === null ? null : c.indexSubticks,
      acceptedValueUnits: c.price === null || balance === 0 ? 0 : acceptedValueUnits(c.haircut, balance, c.price),
    });
  }
  const cross = scopeReport(s, slot, -1);
  // The cross terms come from the cross report, never from the evaluator: every
  // isolated evaluation below overwrites its fields (issue 9 item 6).
  const withdrawable = withdrawableUnits(acc.balances[0][slot] - cross.pendingFundingUnits, cross.equityUnits, cross.initialUnits);
  const isolated: ScopeReport[] = [];
  for (let r = acc.firstRow[slot]; r >= 0; r = s.ledger.nextOfAccount[r]) {
    if (s.ledger.mode[r] === MarginMode.Isolated && (s.ledger.qtyLots[r] !== 0 || s.ledger.openOrders[r] > 0 || s.ledger.isolatedUnits[r] !== 0)) isolated.push(scopeReport(s, slot, r));
  }
  const kind = acc.kind[slot] === AccountKind.Trader ? 'TRADER' : acc.kind[slot] === AccountKind.FeeAccount ? 'FEE' : 'INSURANCE_FUND';
  const report: AccountReport = { accountId, kind, collateral, acceptedCollateralUnits: cross.collateralUnits, withdrawableUnits: withdrawable, cross, isolated, lendingPool: poolPositionReport(s, accountId) };
  return s.loans === null ? report : { ...report, loans: loanReports(s, accountId) };
}

function scopeReport(s: RiskState, slot: number, isolatedRow: number): ScopeReport {
  const ev = s.evaluator;
  const res: CrossEvaluation = isolatedRow >= 0 ? ev.evaluateIsolated(isolatedRow) : ev.evaluateCross(slot);
  const levels = ev.levels;
  const rows = Array.from(ev.rows.subarray(0, ev.rowCount));
  const mm = rows.map((_, i) => res.positionMaintenanceUnits[i]);
  const upnl = rows.map((_, i) => res.positionUpnlUnits[i]);
  const snapshot = {
    equity: res.equityUnits,
    maintenance: res.maintenanceUnits,
    basis: res.basisUnits,
    initial: ev.initialUnits,
    orderIm: ev.orderImUnits,
    collateral: ev.collateralUnits,
    pf: ev.pendingFundingUnits,
    upnlTotal: res.upnlUnits,
    state: isolatedRow >= 0 ? s.ledger.isolatedState[isolatedRow] : s.accounts.crossState[slot],
  };
  const positions: PositionReport[] = [];
  rows.forEach((r, i) => {
    const led = s.ledger;
    const market = s.markets[led.market[r]];
    const q = led.qtyLots[r];
    const mark = ev.marks[market.index];
    let lp: string | null = null;
    let cp: string | null = null;
    let bp: number | null = null;
    if (q !== 0 && mark > 0) {
      const input = {
        qtyLots: q,
        costUnits: led.costUnits[r],
        markSubticks: mark,
        walletUnits: snapshot.collateral - snapshot.pf,
        otherMaintenanceUnits: snapshot.maintenance - mm[i],
        otherUpnlUnits: snapshot.upnlTotal - upnl[i],
      };
      lp = priceAtLevel(market.params, input, levels.liquidationLevelE8)?.reported ?? null;
      cp = priceAtLevel(market.params, input, levels.marginCallLevelE8)?.reported ?? null;
      bp =
        isolatedRow >= 0
          ? isolatedBankruptcy(market.params, { qtyLots: q, costUnits: led.costUnits[r], isolatedMarginUnits: led.isolatedUnits[r], pendingFundingUnits: led.pendingFundingUnits[r] }).limitPriceTicks
          : bankruptcy(market.params, { qtyLots: q, closeLots: Math.abs(q), markSubticks: mark, scopeEquityUnits: snapshot.equity, scopeMaintenanceUnits: snapshot.maintenance }).limitPriceTicks;
    }
    positions.push({
      market: market.symbol,
      qtyLots: q,
      costUnits: led.costUnits[r],
      leverage: led.leverage[r],
      mode: led.mode[r] === MarginMode.Isolated ? 'ISOLATED' : 'CROSS',
      upnlUnits: upnl[i],
      maintenanceUnits: mm[i],
      pendingFundingUnits: led.pendingFundingUnits[r],
      openOrders: led.openOrders[r],
      priceSource: {
        oracleSymbol: market.symbol,
        markMethod: market.params.markMethod,
        markSubticks: market.markSubticks,
        indexSubticks: market.indexSubticks,
        p1Subticks: market.markP1Subticks,
        p2Subticks: market.markP2Subticks,
        lastTradeTicks: market.lastTradeTicks,
      },
      liquidationPrice: lp,
      marginCallPrice: cp,
      bankruptcyPriceTicks: bp,
      initialFractionE8: market.params.model.imfRamp === null ? null : market.initialFractionE8(),
    });
  });
  return {
    mode: isolatedRow >= 0 ? 'ISOLATED' : 'CROSS',
    market: isolatedRow >= 0 ? s.markets[s.ledger.market[isolatedRow]].symbol : '',
    state: marginStateName(snapshot.state),
    equityUnits: snapshot.equity,
    maintenanceUnits: snapshot.maintenance,
    basisUnits: snapshot.basis,
    initialUnits: snapshot.initial,
    openOrderImUnits: snapshot.orderIm,
    collateralUnits: snapshot.collateral,
    pendingFundingUnits: snapshot.pf,
    levelE8: marginLevelE8(snapshot.equity, snapshot.basis),
    marginCallLevelE8: levels.marginCallLevelE8,
    liquidationLevelE8: levels.liquidationLevelE8,
    distanceToMarginCallUnits: distanceToLevelUnits(snapshot.equity, snapshot.basis, levels.marginCallLevelE8),
    distanceToLiquidationUnits: distanceToLevelUnits(snapshot.equity, snapshot.basis, levels.liquidationLevelE8),
    availableUnits: snapshot.equity - snapshot.initial,
    positions,
  };
}
